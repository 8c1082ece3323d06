"""Markdown inside the report's paragraphs and cells, rendered in its HTML."""
from __future__ import annotations

from pathlib import Path

from claimbench.report.document import Anchor, inline_html, Link, Para, Section, Table, to_html


def test_inline_markdown():
    assert inline_html("run `make verify` now") == "run <code>make verify</code> now"
    assert inline_html("**bold** and *em*, not 2*3*4 or k*") == "<strong>bold</strong> and <em>em</em>, not 2*3*4 or k*"
    assert inline_html("[report](report.html) <b>") == "<a href='report.html'>report</a> &lt;b&gt;"
    assert inline_html("a `<x>` b") == "a <code>&lt;x&gt;</code> b"


def test_no_literal_backticks_in_the_html(tmp_path):
    s = Section("S").add(Para("`make test` runs it")).add(
        Table(("claim", "x"), [(Link("c1", "evidence-c1"), "`code`"), (Anchor("c1", "evidence-c1"), "*e*")]))
    page = to_html("t", [s], Path(tmp_path))
    assert "`" not in page
    assert "<a href='#evidence-c1'>c1</a>" in page and "<span id='evidence-c1'>c1</span>" in page
