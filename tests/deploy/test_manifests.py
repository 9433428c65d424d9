"""What a cluster runs: every Kubernetes manifest valid against the Kubernetes schemas (the
Prometheus Operator's ServiceMonitor against the fields its CRD documents) and hardened as the
README says, the kustomizations complete, /metrics scraped by Prometheus and never routed by
the Ingress, and the image's Dockerfile clean by hadolint, multi-stage, pinned, non-root, with
a health check."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
KUBERNETES_VERSION = "1.33.0"  # the oldest version the manifests are written for


def _documents() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(KUBERNETES.rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                yield path, document


DOCUMENTS = list(_documents())
WORKLOADS = [(path, doc) for path, doc in DOCUMENTS if doc["kind"] in {"Deployment", "Job"}]
# Kinds of the Prometheus Operator's CRDs: kubernetes-validate knows none of them.
OPERATOR_API = "monitoring.coreos.com/v1"
KUBERNETES_DOCUMENTS = [(p, doc) for p, doc in DOCUMENTS if doc["apiVersion"] != OPERATOR_API]
SERVICE_MONITORS = [doc for _, doc in DOCUMENTS if doc["kind"] == "ServiceMonitor"]


def _strict(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_STRING = {"type": "string"}
_LABELS = {"type": "object", "additionalProperties": _STRING}
_DURATION = {
    "type": "string",
    "pattern": r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?"
    r"(([0-9]+)ms)?)$",
}
_SECRET_KEY = _strict({"name": _STRING, "key": _STRING, "optional": {"type": "boolean"}}, ("key",))
_SELECTOR = _strict(
    {
        "matchLabels": _LABELS,
        "matchExpressions": {
            "type": "array",
            "items": _strict(
                {
                    "key": _STRING,
                    "operator": _STRING,
                    "values": {"type": "array", "items": _STRING},
                },
                ("key", "operator"),
            ),
        },
    }
)
# The fields of a ServiceMonitor these manifests may use, as the Prometheus Operator's CRD
# (monitoring.coreos.com_servicemonitors.yaml, v1) documents them; anything else is refused.
SERVICE_MONITOR_SCHEMA = _strict(
    {
        "apiVersion": {"const": OPERATOR_API},
        "kind": {"const": "ServiceMonitor"},
        "metadata": _strict(
            {"name": _STRING, "namespace": _STRING, "labels": _LABELS, "annotations": _LABELS},
            ("name",),
        ),
        "spec": _strict(
            {
                "selector": _SELECTOR,
                "namespaceSelector": _strict(
                    {"any": {"type": "boolean"}, "matchNames": {"type": "array", "items": _STRING}}
                ),
                "jobLabel": _STRING,
                "endpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": _strict(
                        {
                            "port": _STRING,
                            "path": _STRING,
                            "scheme": {"enum": ["http", "https", "HTTP", "HTTPS"]},
                            "interval": _DURATION,
                            "scrapeTimeout": _DURATION,
                            "honorLabels": {"type": "boolean"},
                            "authorization": _strict({"type": _STRING, "credentials": _SECRET_KEY}),
                        }
                    ),
                },
            },
            ("selector", "endpoints"),
        ),
    },
    ("apiVersion", "kind", "metadata", "spec"),
)


def _name(item: tuple[Path, dict[str, Any]]) -> str:
    return f"{item[0].relative_to(KUBERNETES)}:{item[1]['kind']}/{item[1]['metadata']['name']}"


@pytest.mark.parametrize("item", KUBERNETES_DOCUMENTS, ids=_name)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(item) -> None:
    _, document = item
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_operators_kinds_are_only_service_monitors_and_valid() -> None:
    operators = [doc for _, doc in DOCUMENTS if doc["apiVersion"] == OPERATOR_API]
    assert operators == SERVICE_MONITORS and SERVICE_MONITORS
    for monitor in SERVICE_MONITORS:
        jsonschema.validate(monitor, SERVICE_MONITOR_SCHEMA)
    with pytest.raises(jsonschema.ValidationError):  # the schema refuses what it does not know
        broken = {**SERVICE_MONITORS[0], "spec": {**SERVICE_MONITORS[0]["spec"], "endpoint": []}}
        jsonschema.validate(broken, SERVICE_MONITOR_SCHEMA)


def _one(kind: str, name: str) -> dict[str, Any]:
    [found] = [d for _, d in DOCUMENTS if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def test_prometheus_scrapes_the_api_services_metrics_with_the_pods_token() -> None:
    [monitor] = SERVICE_MONITORS
    service = _one("Service", "chapters-api")
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["port"] in {port["name"] for port in service["spec"]["ports"]}
    assert endpoint["path"] == "/metrics"
    credentials = endpoint["authorization"]["credentials"]
    [api] = _one("Deployment", "chapters-api")["spec"]["template"]["spec"]["containers"]
    [token] = [v for v in api["env"] if v["name"] == "CHAPTERS_METRICS_TOKEN"]
    assert token["valueFrom"]["secretKeyRef"]["name"] == credentials["name"]
    assert token["valueFrom"]["secretKeyRef"]["key"] == credentials["key"]
    # the production overlay deploys it
    production = yaml.safe_load((KUBERNETES / "overlays/production/kustomization.yaml").read_text())
    assert "../../monitoring" in production["resources"]


def test_the_ingress_never_routes_metrics() -> None:
    ingresses = [doc for _, doc in DOCUMENTS if doc["kind"] == "Ingress"]
    paths = [
        path
        for ingress in ingresses
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]
    assert ingresses and paths
    for path in paths:
        routed = path["path"]
        if path["pathType"] == "Exact":
            assert routed != "/metrics"
        else:  # a prefix routes everything below it (element-wise)
            assert not ("/metrics/".startswith(routed.rstrip("/") + "/") or routed == "/")


def test_the_base_holds_what_a_cluster_needs() -> None:
    kinds = {doc["kind"] for path, doc in DOCUMENTS if "base" in path.parts}
    assert {
        "Deployment",
        "Service",
        "Ingress",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ConfigMap",
        "ServiceAccount",
    } <= kinds
    jobs = [doc for _, doc in WORKLOADS if doc["kind"] == "Job"]
    assert [job["spec"]["template"]["spec"]["containers"][0]["args"] for job in jobs] == [
        ["chapters", "migrate", "--no-bootstrap"]
    ]


@pytest.mark.parametrize("item", WORKLOADS, ids=_name)
def test_every_pod_runs_unprivileged_on_a_read_only_root(item) -> None:
    _, workload = item
    pod = workload["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the image's user
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in pod["containers"]:
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["requests"]["memory"]
        assert container["resources"]["limits"]["memory"]
        # the only writable places: emptyDirs for the service's state and /tmp
        writable = {m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")}
        assert writable <= {"/tmp", "/var/lib/chapters"}


def test_the_api_is_probed_on_healthz_and_readyz_and_drains_before_stopping() -> None:
    [api] = [doc for _, doc in WORKLOADS if doc["metadata"]["name"] == "chapters-api"]
    [container] = api["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert container["lifecycle"]["preStop"]["exec"]["command"] == ["sleep", "5"]


def test_only_the_ingress_and_prometheus_reach_the_api_and_the_pods_reach_only_their_services() -> (
    None
):
    policies = {
        doc["metadata"]["name"]: doc for _, doc in DOCUMENTS if doc["kind"] == "NetworkPolicy"
    }
    [rule] = policies["chapters-api-ingress"]["spec"]["ingress"]
    assert rule["ports"] == [{"port": 8000, "protocol": "TCP"}]
    assert rule["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
    ]
    [scrape] = policies["chapters-api-metrics"]["spec"]["ingress"]  # and Prometheus
    assert scrape["ports"] == [{"port": 8000, "protocol": "TCP"}]
    assert scrape["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
        }
    ]
    assert policies["chapters-worker-ingress"]["spec"]["ingress"] == []
    egress = policies["chapters-egress"]["spec"]["egress"]
    ports = {port["port"] for rule in egress for port in rule["ports"]}
    assert ports == {53, 5432, 6379, 4317, 4318, 443, 587}
    public = [rule for rule in egress if "ipBlock" in rule["to"][0]]
    assert all("10.0.0.0/8" in rule["to"][0]["ipBlock"]["except"] for rule in public)


def test_the_secrets_the_pods_read_are_the_ones_the_readme_lists() -> None:
    keys = {
        ref["secretKeyRef"]["key"]
        for _, workload in WORKLOADS
        for container in workload["spec"]["template"]["spec"]["containers"]
        for variable in container.get("env", ())
        if (ref := variable.get("valueFrom")) and "secretKeyRef" in ref
    }
    keys |= {
        item["key"]
        for _, workload in WORKLOADS
        for volume in workload["spec"]["template"]["spec"].get("volumes", ())
        for item in volume.get("secret", {}).get("items", ())
    }
    readme = (ROOT / "README.md").read_text()
    assert keys and all(f"`{key}`" in readme for key in keys), keys


def test_every_kustomization_lists_files_that_exist_and_the_base_lists_them_all() -> None:
    for kustomization in KUBERNETES.rglob("kustomization.yaml"):
        resources = yaml.safe_load(kustomization.read_text())["resources"]
        for resource in resources:
            assert (kustomization.parent / resource).exists(), (kustomization, resource)
    base = KUBERNETES / "base"
    listed = set(yaml.safe_load((base / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in base.glob("*.yaml")} - {"kustomization.yaml"}


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    assert Path(found).exists(), "hadolint comes with the dev extras: make install"
    return found


def test_the_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [_hadolint(), "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_multi_stage_pinned_locked_non_root_and_health_checked() -> None:
    text = DOCKERFILE.read_text()
    bases = re.findall(r"^FROM (\S+)", text, re.M)
    assert len(bases) == 2 and all(re.fullmatch(r"python:3\.11\.\d+-slim-\w+", b) for b in bases)
    assert "uv sync --locked --no-dev" in text  # the exact versions and hashes of uv.lock
    uv_in_make = re.search(r"^UV_VERSION := (\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert uv_in_make and f'"uv=={uv_in_make.group(1)}"' in text
    assert re.search(r"^USER 10001:10001$", text, re.M)
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", text, re.M)
    final = text.split("\nFROM ")[-1]
    assert "uv" not in final.split("COPY --from=build")[0]  # the runtime has no installer
