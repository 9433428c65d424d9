"""Rendering an issue: its column's Jinja template (or the built-in one) produces Markdown, in
English or Chinese; the HTML is that Markdown rendered by markdown-it, raw HTML and images off,
as a page of its own without external assets.

Templates are the editors' text, run in Jinja's sandbox and held to a small language, checked
when a column is saved: output (``{{ … }}``), ``if``, and ``for`` over ``sections`` or a
section's ``items`` (at most two loops deep); filters and tests from short lists; no
assignments, macros, includes or calls; arithmetic by ``+`` and ``-`` only. What a template
can do is then bounded by the issue's size, whatever it says. Unknown variables are errors
(``StrictUndefined``): a misspelt name would otherwise drop content silently.
"""

from __future__ import annotations

import enum
import functools
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from types import TracebackType
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt

from chapters.models.content import NewsletterSection

TEMPLATE_LIMIT = 20_000  # characters of a column's template
RENDERED_LIMIT = 500_000  # characters of an issue's Markdown
MAX_LOOP_DEPTH = 2
TEMPLATE_NAME = "<template>"


class Language(enum.StrEnum):
    EN = "en"
    ZH = "zh"


HEADINGS: dict[Language, dict[NewsletterSection, str]] = {
    Language.EN: {
        NewsletterSection.UPCOMING: "Coming up",
        NewsletterSection.RECAPS: "Recaps",
        NewsletterSection.ARTICLES: "New articles",
        NewsletterSection.NEW_CONTRIBUTORS: "Welcome, new contributors",
        NewsletterSection.RECOGNITION: "Recognition",
        NewsletterSection.PROJECT_UPDATES: "Project updates",
    },
    Language.ZH: {
        NewsletterSection.UPCOMING: "近期活动",
        NewsletterSection.RECAPS: "活动回顾",
        NewsletterSection.ARTICLES: "最新文章",
        NewsletterSection.NEW_CONTRIBUTORS: "欢迎新贡献者",
        NewsletterSection.RECOGNITION: "荣誉表彰",
        NewsletterSection.PROJECT_UPDATES: "项目动态",
    },
}

# The built-in templates (``templates/en.md.j2``, ``templates/zh.md.j2``).
BUILT_IN: dict[Language, str] = {
    language: resources.files("chapters.newsletters")
    .joinpath(f"templates/{language.value}.md.j2")
    .read_text(encoding="utf-8")
    for language in Language
}


# --- what a template sees --------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    title: str
    body: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class SectionView:
    key: str  # the section's name in lower case: "upcoming", "recaps" …
    heading: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class IssueView:
    number: int
    title: str
    period_start: date
    period_end: date
    introduction: str | None = None


@dataclass(frozen=True)
class ColumnView:
    name: str


@dataclass(frozen=True)
class Rendering:
    """What one rendering needs: the column, the issue and its items by section."""

    column: ColumnView
    issue: IssueView
    items: Sequence[tuple[NewsletterSection, ItemView]] = field(default_factory=tuple)

    def sections(self, language: Language) -> list[SectionView]:
        """Every section, in the fixed order, with its heading in ``language``."""
        return [
            SectionView(
                key=section.value,
                heading=HEADINGS[language][section],
                items=tuple(item for at, item in self.items if at is section),
            )
            for section in NewsletterSection
        ]

    def context(self, language: Language) -> dict[str, Any]:
        return {
            "column": self.column,
            "issue": self.issue,
            "sections": self.sections(language),
            "language": language.value,
        }


SAMPLE = Rendering(
    column=ColumnView("Community Weekly"),
    issue=IssueView(
        number=7,
        title="Sample issue",
        period_start=date(2026, 1, 5),
        period_end=date(2026, 1, 11),
        introduction="A sample *introduction*.",
    ),
    items=(
        *(
            (section, ItemView(f"A sample {section.value} item", "Its text.", "https://x.org/a"))
            for section in NewsletterSection
        ),
        (NewsletterSection.ARTICLES, ItemView("Without a link or text")),
    ),
)
EMPTY_SAMPLE = Rendering(
    column=ColumnView("Community Weekly"),
    issue=IssueView(
        number=1, title="Empty issue", period_start=date(2026, 1, 1), period_end=date(2026, 1, 7)
    ),
)


# --- filters ---------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])|&(?=#?\w+;)")
_WHITESPACE = re.compile(r"\s+")


def markdown_text(value: object) -> str:
    """Text shown as itself in Markdown: on one line, the characters Markdown would read as
    markup escaped."""
    text = _WHITESPACE.sub(" ", str(value)).strip()
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + (m.group(1) or "&"), text)


def markdown_url(value: object) -> str:
    """A link destination: in angle brackets, so parentheses in it are safe."""
    url = str(value).replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    return f"<{url}>"


def one_line(value: object) -> str:
    return _WHITESPACE.sub(" ", str(value)).strip()


MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@jinja2.pass_context
def format_date(context: Any, value: object) -> str:
    """A day as the template's language writes it: "1 December 2026", "2026年12月1日"."""
    if not isinstance(value, date):
        return str(value)
    if context.get("language") == Language.ZH.value:
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


# Filters and tests a template may use: none of them can make output much larger than its input.
FILTERS: dict[str, Any] = {
    "md": markdown_text,
    "md_url": markdown_url,
    "oneline": one_line,
    "date": format_date,
    **{
        name: jinja2.filters.FILTERS[name]
        for name in (
            "default",
            "d",
            "upper",
            "lower",
            "capitalize",
            "title",
            "trim",
            "length",
            "count",
            "first",
            "last",
            "join",
            "truncate",
            "string",
            "striptags",
            "wordcount",
        )
    },
}
TESTS: dict[str, Any] = {
    name: jinja2.tests.TESTS[name]
    for name in (
        "defined",
        "undefined",
        "none",
        "string",
        "number",
        "odd",
        "even",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "in",
    )
}
LOOPABLE = ("sections", "items")  # `for … in sections`, `for … in <section>.items`

ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.If,
    nodes.For,
    nodes.Name,
    nodes.Const,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Slice,
    nodes.Filter,
    nodes.Test,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Neg,
    nodes.Pos,
    nodes.CondExpr,
    nodes.Concat,
    nodes.Add,
    nodes.Sub,
    nodes.Tuple,
    nodes.List,
    nodes.Keyword,
)


class TemplateRefused(Exception):
    """A template that does not compile, is outside the allowed language, or fails to render;
    ``line``: where, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


class NewsletterEnvironment(SandboxedEnvironment):
    """The sandbox, with only the filters and tests above and no globals (no ``range``,
    ``namespace``, ``lipsum`` …)."""

    def __init__(self) -> None:
        super().__init__(
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.filters = dict(FILTERS)
        self.tests = dict(TESTS)
        self.globals = {}


@functools.cache
def environment() -> NewsletterEnvironment:
    return NewsletterEnvironment()


def _check_nodes(node: nodes.Node, depth: int = 0) -> None:
    """Refuse what is outside the template language (module docstring)."""
    line = getattr(node, "lineno", None)
    if not isinstance(node, ALLOWED_NODES):
        raise TemplateRefused(f"{_statement(node)} is not allowed in a newsletter template", line)
    if isinstance(node, nodes.Filter | nodes.Test) and node.name not in (
        FILTERS if isinstance(node, nodes.Filter) else TESTS
    ):
        kind = "filter" if isinstance(node, nodes.Filter) else "test"
        raise TemplateRefused(f"Unknown {kind} {node.name!r}", line)
    if isinstance(node, nodes.For):
        if node.recursive:
            raise TemplateRefused("Recursive loops are not allowed", line)
        if depth >= MAX_LOOP_DEPTH:
            raise TemplateRefused(f"Loops go at most {MAX_LOOP_DEPTH} deep", line)
        if not _loopable(node.iter):
            raise TemplateRefused("Loop over `sections` or a section's `items`", line)
        for child in node.iter_child_nodes():
            _check_nodes(child, depth + (child not in (node.iter, node.target)))
        return
    for child in node.iter_child_nodes():
        _check_nodes(child, depth)


def _loopable(iterable: nodes.Node) -> bool:
    if isinstance(iterable, nodes.Name):
        return iterable.name == "sections"
    return isinstance(iterable, nodes.Getattr) and iterable.attr == "items"


def _statement(node: nodes.Node) -> str:
    names = {
        nodes.Assign: "`set`",
        nodes.AssignBlock: "`set`",
        nodes.Macro: "`macro`",
        nodes.CallBlock: "`call`",
        nodes.Call: "Calling a function or method",
        nodes.Include: "`include`",
        nodes.Import: "`import`",
        nodes.FromImport: "`import`",
        nodes.Extends: "`extends`",
        nodes.Block: "`block`",
        nodes.FilterBlock: "`filter` blocks",
        nodes.With: "`with`",
        nodes.Mul: "`*`",
        nodes.Pow: "`**`",
        nodes.Div: "`/`",
        nodes.FloorDiv: "`//`",
        nodes.Mod: "`%`",
    }
    return names.get(type(node), type(node).__name__)


def _template_line(traceback: TracebackType | None) -> int | None:
    """The template's line where rendering failed (Jinja maps its frames to the template)."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


@functools.lru_cache(maxsize=256)
def compile_template(source: str) -> jinja2.Template:
    """The template, checked and compiled; ``TemplateRefused`` otherwise."""
    if len(source) > TEMPLATE_LIMIT:
        raise TemplateRefused(f"Over {TEMPLATE_LIMIT} characters")
    env = environment()
    try:
        tree = env.parse(source)
        _check_nodes(tree)
        return env.from_string(tree)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateRefused(error.message or "Syntax error", error.lineno) from None
    except RecursionError:
        raise TemplateRefused("Nested too deeply") from None


def render_markdown(source: str | None, language: Language, rendering: Rendering) -> str:
    """The issue as Markdown, by ``source`` (None: the built-in template of ``language``)."""
    template = compile_template(source if source is not None else BUILT_IN[language])
    parts: list[str] = []
    size = 0
    try:
        for part in template.generate(rendering.context(language)):
            size += len(part)
            if size > RENDERED_LIMIT:
                raise TemplateRefused(f"The issue renders to over {RENDERED_LIMIT} characters")
            parts.append(part)
    except TemplateRefused:
        raise
    except Exception as error:  # whatever the editors' template does wrong
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        message = _VIEW_NAME.sub(lambda m: f"'{m.group(1).lower()}'", message)
        raise TemplateRefused(message, _template_line(error.__traceback__)) from None
    return _tidy("".join(parts))


_VIEW_NAME = re.compile(r"'[\w.]*\.(\w+)View object'")


def _tidy(markdown: str) -> str:
    """No runs of blank lines, one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"


def check_template(source: str) -> None:
    """Compile the template and render the samples with it (``TemplateRefused`` if it fails);
    the language does not matter to what a template may do."""
    for sample in (SAMPLE, EMPTY_SAMPLE):
        render_markdown(source, Language.EN, sample)


# --- HTML ------------------------------------------------------------------------------------


@functools.cache
def _markdown() -> MarkdownIt:
    # Raw HTML in the text is shown as text; images would load from elsewhere: off.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


STYLE = (
    "body{font-family:-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;"
    "max-width:42em;margin:2em auto;padding:0 1em;line-height:1.6;color:#222}"
    "h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em}a{color:#0b63c5}"
)


def render_html(markdown: str, language: Language, title: str) -> str:
    """A page of its own: the Markdown as HTML, its styles inline, nothing loaded from
    elsewhere."""
    body = _markdown().render(markdown)
    lang = "zh-CN" if language is Language.ZH else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n<article>\n{body}</article>\n</body>\n</html>\n"
    )
