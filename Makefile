# Chapters — developer commands. `make run` and `make test` work on a fresh machine with only
# python3 (>= 3.11): they create .venv, install, and use an embedded PostgreSQL unless
# DATABASE_URL / TEST_DATABASE_URL name a server.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The locker: installed into the venv from PyPI (a fresh machine needs only python3); every
# install takes the exact versions and hashes of uv.lock.
UV_VERSION := 0.13.8
UV     := UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv
CODE   := src tests migrations bench

.PHONY: install upgrade run serve test fuzz lint format schema check-migrations lint-migrations lint-deploy bench bench-peer clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Chapters needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

# --locked: uv.lock must match pyproject.toml (after changing dependencies: make upgrade);
# --inexact: uv and pip stay in the venv beside the locked packages.
$(STAMP): pyproject.toml uv.lock | $(BIN)/uv
	$(UV) sync --locked --inexact --extra dev
	@touch $(STAMP)

install: $(STAMP)

upgrade: | $(BIN)/uv  ## refresh uv.lock: the newest releases pyproject.toml allows, then install them
	$(UV) lock --upgrade
	$(UV) sync --locked --inexact --extra dev
	@touch $(STAMP)

run: install  ## database (embedded unless DATABASE_URL), migrations, demo data, tokens, GraphiQL
	$(BIN)/chapters dev

serve: install  ## serve only (production-like; run `chapters migrate` first)
	$(BIN)/chapters serve

test: install  ## the whole suite on a fresh, uniquely named database
	$(BIN)/pytest

fuzz: install  ## the schema-driven fuzzer's long form (CHAPTERS_FUZZ_EXAMPLES per field and caller)
	CHAPTERS_FUZZ_EXAMPLES=$${CHAPTERS_FUZZ_EXAMPLES:-40} $(BIN)/pytest tests/api/test_fuzz.py

lint: install  ## ruff, the types (mypy) and the layers in .importlinter (lint-imports)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

schema: install  ## rewrite graphql/schema.graphql from the code
	$(BIN)/chapters export-schema

check-migrations: install  ## `alembic check` on a scratch database: models and migrations agree
	$(BIN)/python -m chapters.db.admin scratch -- $(BIN)/alembic check

lint-migrations: install  ## every migration's statements checked by squawk for locking hazards
	$(BIN)/python -m migrations.lint

lint-deploy: install  ## the Kubernetes manifests against the Kubernetes schemas, the Dockerfile with hadolint
	find deploy/kubernetes -name '*.yaml' ! -name kustomization.yaml -print0 \
	  | xargs -0 $(BIN)/kubernetes-validate --strict --quiet --kubernetes-version 1.33.0
	$(BIN)/hadolint --failure-threshold info deploy/Dockerfile

bench: install
	$(BIN)/python -m bench.graphql_requests

bench-peer: install  ## Chapters vs PostGraphile 5 on the same data, RLS on both (~25 min; bench/README.md)
	bench/peer/run.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache src/*.egg-info
