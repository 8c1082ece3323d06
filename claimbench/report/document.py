"""A tiny document model the report renders twice: Markdown and HTML.

Sections are lists of blocks (paragraph, table, figure, preformatted text), so
each report part is written once and no Markdown converter is needed. The
sections marked ``lead`` (the summary) come first; a table of contents of the
others follows them. Long things fold: a table with a ``fold`` summary is a
<details> in both renderings (GitHub's Markdown shows it folded too), a
``Collapsed`` cell is folded in the HTML and kept whole in the Markdown's table.
Every HTML table scrolls within the page instead of running past it.
"""
from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Union


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
    # In the HTML, cells on one line: the table grows as wide as they make it and scrolls sideways
    # within the page (the matrix: one column per runtime) instead of each row growing tall.
    nowrap: bool = False
    # Shown folded under this one-line summary (<details>): the long tables of evidence. "": shown.
    fold: str = ""


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


@dataclass(frozen=True)
class Collapsed:
    """A table cell of long text: in the HTML, its first words open a <details> that holds it whole;
    in the Markdown, the whole text (a table row is one line there)."""
    text: str
    keep: int = 80  # about how many characters show folded

    def __str__(self) -> str:
        return self.text

    @property
    def short(self) -> str:
        """The first words, up to about ``keep`` characters; the whole text where it is that short."""
        if len(self.text) <= self.keep + 10:
            return self.text
        cut = self.text.rfind(" ", 0, self.keep)
        return self.text[:cut if cut > self.keep // 2 else self.keep].rstrip(" ,;:") + " …"


Block = Union[Para, Pre, Table, Figure]


@dataclass
class Section:
    title: str
    blocks: List[Block] = field(default_factory=list)
    # Lower comes first. None: a part about every claim comes at 50; a family's part, after the notes'
    # figures in section order (report.builder); a family's part that gives one keeps it.
    order: Optional[float] = None
    lead: bool = False  # shown before the table of contents (and not listed in it): the summary

    def add(self, block: Block) -> "Section":
        self.blocks.append(block)
        return self


def slug(title: str) -> str:
    """A heading's anchor as GitHub makes it, so the Markdown's contents link on GitHub too:
    lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return text.replace(" ", "-")


def anchors(sections: Sequence[Section]) -> List[str]:
    """Each section's anchor; a repeated title gets -1, -2 … as on GitHub."""
    seen: dict = {}
    out = []
    for s in sections:
        base = slug(s.title)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else f"{base}-{n}")
    return out


def contents(sections: Sequence[Section]) -> List[tuple]:
    """(title, anchor) of every section the table of contents lists: all but the leading ones."""
    return [(s.title, a) for s, a in zip(sections, anchors(sections)) if not s.lead]


def _lead_first(sections: Sequence[Section]) -> List[Section]:
    return [s for s in sections if s.lead] + [s for s in sections if not s.lead]


def _cell(x) -> str:
    return "" if x is None else str(x)


def _md_cell(x) -> str:
    text = _cell(x).replace("|", "\\|").replace("\n", " ")
    if isinstance(x, Link):
        return f"[{text}](#{x.target})"
    if isinstance(x, Anchor):
        return f'<a id="{x.name}"></a>{text}'
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
            out.append(f"<code>{html.escape(part)}</code>")
            continue
        piece = html.escape(part, quote=False)
        piece = _LINK.sub(lambda m: f"<a href='{html.escape(m.group(2))}'>{m.group(1)}</a>", piece)
        piece = _STRONG.sub(r"<strong>\1</strong>", piece)
        piece = _EM.sub(r"<em>\1</em>", piece)
        out.append(piece)
    return "".join(out)


def _html_cell(x) -> str:
    text = inline_html(_cell(x))
    if isinstance(x, Link):
        return f"<a href='#{html.escape(x.target)}'>{text}</a>"
    if isinstance(x, Anchor):
        return f"<span id='{html.escape(x.name)}'>{text}</span>"
    return text


def _md_blocks(blocks: Sequence[Block], base: Path) -> List[str]:
    out: List[str] = []
    for b in blocks:
        if isinstance(b, Para):
            out += [b.text, ""]
        elif isinstance(b, Pre):
            out += ["```", b.text.rstrip("\n"), "```", ""]
        elif isinstance(b, Table):
            if b.fold:  # GitHub renders the Markdown inside <details> when a blank line sets it apart
                out += [f"<details><summary>{inline_html(b.fold)}</summary>", ""]
            out.append("| " + " | ".join(b.headers) + " |")
            out.append("|" + "---|" * len(b.headers))
            for r in b.rows:
                out.append("| " + " | ".join(_md_cell(c) for c in r) + " |")
            out.append("")
            if b.fold:
                out += ["</details>", ""]
        elif isinstance(b, Figure):
            out += [f"![{b.caption}]({os.path.relpath(b.path, base)})", "", f"*{b.caption}*", ""]
    return out


def _md_contents(sections: Sequence[Section]) -> List[str]:
    listed = contents(sections)
    if not listed:
        return []
    return ["**Contents**", ""] + [f"- [{t}](#{a})" for t, a in listed] + [""]


def to_markdown(title: str, sections: List[Section], base: Path) -> str:
    sections = _lead_first(sections)
    out = ["# " + title, ""]
    toc = _md_contents(sections)
    for s in sections:
        if toc and not s.lead:  # the contents, after the summary
            out += toc
            toc = []
        out += ["## " + s.title, ""]
        out += _md_blocks(s.blocks, base)
    return "\n".join(out) + "\n"


# CJK text (the notes' quotes are Chinese) falls back to these, in order; Debian's fonts-noto-cjk
# provides the first (.ci/run installs it where it can).
CJK_FONTS = ('"Noto Sans CJK SC"', '"Noto Sans SC"', '"WenQuanYi Micro Hei"', '"Source Han Sans SC"')
FONT_FAMILY = ",".join(("system-ui", "-apple-system", '"Segoe UI"', "Roboto", '"Noto Sans"', '"DejaVu Sans"')
                       + CJK_FONTS + ("sans-serif",))

CSS = """body{font-family:%s;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%%;border:1px solid #eee}
.wide{overflow-x:auto;max-width:100%%;margin:1rem 0}
pre{background:#f7f7f7;padding:.7rem;overflow-x:auto}code{background:#f3f3f3;padding:0 .2rem;border-radius:3px}
td:first-child{white-space:nowrap}.holds{background:#e3f6e3}.refuted{background:#fbe3e3}
.partly{background:#fff4d6}.inconclusive{background:#eee}figure{margin:1rem 0}
figcaption{font-style:italic;margin-bottom:1.5rem}.lead p:first-of-type{font-size:1.1rem}
details{margin:.6rem 0}details>summary{cursor:pointer;color:#1a4f8b}td details>summary{color:inherit}
td details{margin:0}td.long{min-width:18rem}table.nowrap td{white-space:nowrap}td a{white-space:nowrap}
nav.toc ol{columns:3 16rem;margin:.3rem 0 1.5rem;padding-left:1.5rem}
nav.toc{border-top:1px solid #ddd;border-bottom:1px solid #ddd;padding:.4rem 0}""" % FONT_FAMILY

VERDICT_CLASSES = ("holds", "refuted", "partly", "inconclusive")

# A link into a folded table (a verdict's controls, its evidence) opens the folds around its target.
OPEN_TARGET = """<script>function openTarget(){var e=document.getElementById(decodeURIComponent(location.hash.slice(1)));
for(;e;e=e.parentElement){if(e.tagName==="DETAILS"){e.open=true}}}
window.addEventListener("hashchange",openTarget);openTarget();</script>"""


def _html_table(b: Table) -> List[str]:
    nowrap = " class='nowrap'" if b.nowrap else ""
    out = [f"<div class='wide'><table{nowrap}><tr>"
           + "".join(f"<th>{html.escape(h)}</th>" for h in b.headers) + "</tr>"]
    for r in b.rows:
        cells = []
        for c in r:
            text = _cell(c)
            word = text.split(" ", 1)[0]  # a verdict, maybe with its figure after it (the matrix)
            cls = f" class='{word}'" if word in VERDICT_CLASSES else ""
            if isinstance(c, Collapsed) and c.short != c.text:
                body = f"<details><summary>{inline_html(c.short)}</summary>{inline_html(c.text)}</details>"
                cls = cls or " class='long'"
            else:
                body = _html_cell(c)
            cells.append(f"<td{cls}>{body}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table></div>")
    return out


def _html_blocks(blocks: Sequence[Block], base: Path) -> List[str]:
    esc = html.escape
    out: List[str] = []
    for b in blocks:
        if isinstance(b, Para):
            out.append(f"<p>{inline_html(b.text)}</p>")
        elif isinstance(b, Pre):
            out.append(f"<pre>{esc(b.text)}</pre>")
        elif isinstance(b, Table):
            table = _html_table(b)
            out += [f"<details><summary>{inline_html(b.fold)}</summary>"] + table + ["</details>"] \
                if b.fold else table
        elif isinstance(b, Figure):
            out.append(f"<figure><img src='{esc(os.path.relpath(b.path, base))}' "
                       f"alt='{esc(b.caption)}'><figcaption>{inline_html(b.caption)}</figcaption></figure>")
    return out


def _html_contents(sections: Sequence[Section]) -> List[str]:
    listed = contents(sections)
    if not listed:
        return []
    return ["<nav class='toc'><strong>Contents</strong><ol>" + "".join(
        f"<li><a href='#{html.escape(a)}'>{html.escape(t)}</a></li>" for t, a in listed) + "</ol></nav>"]


def to_html(title: str, sections: List[Section], base: Path) -> str:
    esc = html.escape
    sections = _lead_first(sections)
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>"
           "<meta name='viewport' content='width=device-width, initial-scale=1'>"
           f"<title>{esc(title)}</title><style>{CSS}</style></head><body>", f"<h1>{esc(title)}</h1>"]
    toc = _html_contents(sections)
    for s, anchor in zip(sections, anchors(sections)):
        if toc and not s.lead:  # the contents, after the summary
            out += toc
            toc = []
        out.append("<section class='lead'>" if s.lead else "<section>")
        out.append(f"<h2 id='{esc(anchor)}'>{esc(s.title)}</h2>")
        out += _html_blocks(s.blocks, base)
        out.append("</section>")
    out.append(OPEN_TARGET)
    out.append("</body></html>")
    return "\n".join(out) + "\n"
