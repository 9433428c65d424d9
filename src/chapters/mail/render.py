"""Rendering a message from its templates: ``templates/<locale>/<kind>.txt`` (which also sets
the subject) and ``.html`` (autoescaped), in English or Chinese."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

LOCALES = ("en", "zh")
DEFAULT_LOCALE = "en"

LINK_LABELS = {
    "en": {
        "recording": "Recording",
        "slides": "Slides",
        "article": "Article",
        "episode": "Episode",
        "photos": "Photos",
        "registration": "Registration",
        "other": "Link",
    },
    "zh": {
        "recording": "录像",
        "slides": "幻灯片",
        "article": "文章",
        "episode": "节目",
        "photos": "照片",
        "registration": "报名",
        "other": "链接",
    },
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def template_locale(locale: str | None) -> str:
    """``zh-CN``, ``zh_Hans`` … → ``zh``; anything without templates → English."""
    language = (locale or "").replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else DEFAULT_LOCALE


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("chapters.mail", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )


def render(kind: str, locale: str | None, context: dict[str, Any]) -> Rendered:
    language = template_locale(locale)
    env = environment()
    values = {"recipient_name": None, "unsubscribe_url": None, **context}
    text_module = env.get_template(f"{language}/{kind}.txt").make_module(values)
    subject = " ".join(str(getattr(text_module, "subject", "")).split())[:500]
    html = env.get_template(f"{language}/{kind}.html").render({**values, "subject": subject})
    return Rendered(subject=subject, text=str(text_module).strip() + "\n", html=html)


def when(starts_at: datetime, ends_at: datetime | None, timezone: str) -> str:
    """An activity's time, in its own time zone: ``2026-12-07 19:00-21:00 (Asia/Shanghai)``."""
    try:
        zone = ZoneInfo(timezone)
    except (ValueError, KeyError):
        zone, timezone = ZoneInfo("UTC"), "UTC"
    start = starts_at.astimezone(zone)
    text = start.strftime("%Y-%m-%d %H:%M")
    if ends_at is not None:
        end = ends_at.astimezone(zone)
        text += " - " + end.strftime("%H:%M" if end.date() == start.date() else "%Y-%m-%d %H:%M")
    return f"{text} ({timezone})"


def link_label(locale: str | None, kind: str) -> str:
    labels = LINK_LABELS[template_locale(locale)]
    return labels.get(kind, labels["other"])
