"""A tiny document model the report renders twice: Markdown and HTML.

Sections are lists of blocks (paragraph, table, figure, preformatted text), so
each report part is written once and no Markdown converter is needed.
"""
from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Sequence, Union


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Pre:
    text: str


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


@dataclass(frozen=True)
class Figure:
    path: Path
    caption: str


@dataclass(frozen=True)
class Link:
    """A table cell that links to an anchor of the same document."""
    text: str
    target: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Anchor:
    """A table cell that other cells link to."""
    text: str
    name: str

    def __str__(self) -> str:
        return self.text


Block = Union[Para, Pre, Table, Figure]


@dataclass
class Section:
    title: str
    blocks: List[Block] = field(default_factory=list)
    order: int = 50  # lower comes first

    def add(self, block: Block) -> "Section":
        self.blocks.append(block)
        return self


def _cell(x) -> str:
    return "" if x is None else str(x)


def _md_cell(x) -> str:
    text = _cell(x).replace("|", "\\|").replace("\n", " ")
    if isinstance(x, Link):
        return "[{}](#{})".format(text, x.target)
    if isinstance(x, Anchor):
        return '<a id="{}"></a>{}'.format(x.name, text)
    return text


_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")
_EM = re.compile(r"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def inline_html(text: str) -> str:
    """The Markdown a paragraph or cell may hold, as HTML: `code`, **strong**, *emphasis*,
    [text](link); everything else escaped. Code spans are left as they are inside."""
    parts = _CODE.split(str(text))
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append("<code>{}</code>".format(html.escape(part)))
            continue
        piece = html.escape(part, quote=False)
        piece = _LINK.sub(lambda m: "<a href='{}'>{}</a>".format(html.escape(m.group(2)), m.group(1)), piece)
        piece = _STRONG.sub(r"<strong>\1</strong>", piece)
        piece = _EM.sub(r"<em>\1</em>", piece)
        out.append(piece)
    return "".join(out)


def _html_cell(x) -> str:
    text = inline_html(_cell(x))
    if isinstance(x, Link):
        return "<a href='#{}'>{}</a>".format(html.escape(x.target), text)
    if isinstance(x, Anchor):
        return "<span id='{}'>{}</span>".format(html.escape(x.name), text)
    return text


def to_markdown(title: str, sections: List[Section], base: Path) -> str:
    out = ["# " + title, ""]
    for s in sections:
        out += ["## " + s.title, ""]
        for b in s.blocks:
            if isinstance(b, Para):
                out += [b.text, ""]
            elif isinstance(b, Pre):
                out += ["```", b.text.rstrip("\n"), "```", ""]
            elif isinstance(b, Table):
                out.append("| " + " | ".join(b.headers) + " |")
                out.append("|" + "---|" * len(b.headers))
                for r in b.rows:
                    out.append("| " + " | ".join(_md_cell(c) for c in r) + " |")
                out.append("")
            elif isinstance(b, Figure):
                out += ["![{}]({})".format(b.caption, os.path.relpath(b.path, base)), "", "*{}*".format(b.caption), ""]
    return "\n".join(out) + "\n"


CSS = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%;border:1px solid #eee}
pre{background:#f7f7f7;padding:.7rem;overflow-x:auto}code{background:#f3f3f3;padding:0 .2rem;border-radius:3px}
td:first-child{white-space:nowrap}.holds{background:#e3f6e3}.refuted{background:#fbe3e3}
.partly{background:#fff4d6}.inconclusive{background:#eee}figcaption{font-style:italic;margin-bottom:1.5rem}"""

VERDICT_CLASSES = ("holds", "refuted", "partly", "inconclusive")


def to_html(title: str, sections: List[Section], base: Path) -> str:
    esc = html.escape
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>{}</title><style>{}</style></head><body>".format(
        esc(title), CSS), "<h1>{}</h1>".format(esc(title))]
    for s in sections:
        out.append("<h2>{}</h2>".format(esc(s.title)))
        for b in s.blocks:
            if isinstance(b, Para):
                out.append("<p>{}</p>".format(inline_html(b.text)))
            elif isinstance(b, Pre):
                out.append("<pre>{}</pre>".format(esc(b.text)))
            elif isinstance(b, Table):
                out.append("<table><tr>" + "".join("<th>{}</th>".format(esc(h)) for h in b.headers) + "</tr>")
                for r in b.rows:
                    cells = []
                    for c in r:
                        text = _cell(c)
                        word = text.split(" ", 1)[0]  # a verdict, maybe with its figure after it (the matrix)
                        cls = " class='{}'".format(word) if word in VERDICT_CLASSES else ""
                        cells.append("<td{}>{}</td>".format(cls, _html_cell(c)))
                    out.append("<tr>" + "".join(cells) + "</tr>")
                out.append("</table>")
            elif isinstance(b, Figure):
                out.append("<figure><img src='{}' alt='{}'><figcaption>{}</figcaption></figure>".format(
                    esc(os.path.relpath(b.path, base)), esc(b.caption), inline_html(b.caption)))
    out.append("</body></html>")
    return "\n".join(out) + "\n"
