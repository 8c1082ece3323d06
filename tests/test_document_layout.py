"""claimbench.report.document's page layout: the summary first, a table of contents after it, folded
evidence, tables that scroll within the page, and CJK fonts to fall back to."""
from __future__ import annotations

import re
from pathlib import Path

from claimbench.report.document import (Anchor, anchors, Collapsed, contents, CSS, Link, OPEN_TARGET, Para, Section,
                                        slug, Table, to_html, to_markdown)

BASE = Path("/results")


def report():
    verdicts = Section("Verdicts", order=10).add(Table(("claim", "evidence"), [
        ("a", Collapsed("short enough")),
        ("b", Collapsed("word " * 40 + "the end"))]))
    evidence = Section("Evidence, case by case", order=95).add(Para("Each case.")).add(
        Table(("claim", "case"), [("a", "k1"), ("a", "k2")], fold="2 cases of 1 claim"))
    matrix = Section("I/O-bound work with real I/O", order=80).add(Table(("claim", "3.11"), [("a", "holds")],
                                                                         nowrap=True))
    lead = Section("What holds here", order=0, lead=True).add(Para("**2 claims: 2 hold**"))
    return [verdicts, evidence, matrix, lead]  # unsorted: the lead comes first all the same


# ---------------------------------------------------------------- the table of contents
def test_anchors_are_githubs_heading_slugs():
    assert slug("Evidence, case by case") == "evidence-case-by-case"
    assert slug("The notes' figures beside this machine's") == "the-notes-figures-beside-this-machines"
    assert slug("I/O-bound work with real I/O") == "io-bound-work-with-real-io"
    assert anchors([Section("Same"), Section("Same"), Section("Other")]) == ["same", "same-1", "other"]
    assert contents([Section("Lead", lead=True), Section("A b")]) == [("A b", "a-b")]


def test_markdown_contents_follow_the_summary_and_link_every_other_section():
    md = to_markdown("R", report(), BASE).splitlines()
    assert md[:3] == ["# R", "", "## What holds here"]
    toc = md.index("**Contents**")
    assert md.index("## What holds here") < toc < md.index("## Verdicts")
    assert md[toc + 2:toc + 5] == ["- [Verdicts](#verdicts)", "- [Evidence, case by case](#evidence-case-by-case)",
                                   "- [I/O-bound work with real I/O](#io-bound-work-with-real-io)"]
    assert "- [What holds here](#what-holds-here)" not in md


def test_html_contents_link_to_the_headings_ids():
    page = to_html("R", report(), BASE)
    nav = re.search(r"<nav class='toc'>.*?</nav>", page).group(0)
    assert re.findall(r"href='#([^']+)'", nav) == ["verdicts", "evidence-case-by-case", "io-bound-work-with-real-io"]
    for anchor in ("what-holds-here", "verdicts", "evidence-case-by-case", "io-bound-work-with-real-io"):
        assert f"<h2 id='{anchor}'>" in page
    assert page.index("id='what-holds-here'") < page.index("<nav class='toc'>") < page.index("id='verdicts'")


def test_no_contents_without_sections_to_list():
    assert "Contents" not in to_markdown("R", [Section("Only", lead=True)], BASE)
    assert "<nav" not in to_html("R", [], BASE)


# ---------------------------------------------------------------- folding
def test_a_folded_table_is_details_in_both_renderings():
    md = to_markdown("R", report(), BASE).splitlines()
    start = md.index("<details><summary>2 cases of 1 claim</summary>")
    assert md[start + 1] == ""  # GitHub renders the Markdown inside only after a blank line
    assert md[start + 2] == "| claim | case |" and "</details>" in md[start:]
    page = to_html("R", report(), BASE)
    assert re.search(r"<details><summary>2 cases of 1 claim</summary>\s*<div class='wide'><table>.*?k2.*?"
                     r"</table></div>\s*</details>", page, re.S)


def test_long_evidence_cells_fold_in_the_html_and_stay_whole_in_the_markdown():
    long = "word " * 40 + "the end"
    cell = Collapsed(long)
    assert cell.short.endswith(" …") and len(cell.short) <= cell.keep + 2 and long.startswith(cell.short[:-2])
    assert Collapsed("short enough").short == "short enough"
    page = to_html("R", report(), BASE)
    assert f"<td class='long'><details><summary>{cell.short}</summary>{long}</details></td>" in page
    assert "<td>short enough</td>" in page
    assert f"| b | {long} |" in to_markdown("R", report(), BASE)


# ---------------------------------------------------------------- wide tables and fonts
def test_every_table_scrolls_within_the_page():
    page = to_html("R", report(), BASE)
    assert page.count("<table") == page.count("<div class='wide'><table") == 3
    assert page.count("</table></div>") == 3
    assert re.search(r"\.wide\{[^}]*overflow-x:auto", CSS)
    assert "<div class='wide'><table class='nowrap'>" in page  # the matrix: one line a cell, scrolled sideways
    assert re.search(r"table\.nowrap td\{white-space:nowrap\}", CSS)


def test_the_css_falls_back_to_cjk_fonts():
    family = re.search(r"body\{font-family:([^;]+);", CSS).group(1).split(",")
    cjk = ['"Noto Sans CJK SC"', '"Noto Sans SC"', '"WenQuanYi Micro Hei"', '"Source Han Sans SC"']
    assert family[-5:] == cjk + ["sans-serif"]
    assert "<meta charset='utf-8'>" in to_html("R", [], BASE)


def test_ci_installs_a_cjk_font_where_it_can_without_failing_for_it():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    line = next(ln for ln in ci.splitlines() if "apt-get install -y -q" in ln and "fonts-noto-cjk" in ln)
    after = ci[ci.index(line):]
    assert after.splitlines()[1].strip().startswith("|| echo")  # a failed install is a line, not a failed CI


def test_a_link_into_a_folded_table_opens_its_fold():
    s = Section("Evidence").add(Table(("claim",), [(Anchor("a", "evidence-a"),)], fold="1 case"))
    page = to_html("R", [Section("Verdicts").add(Table(("claim",), [(Link("a", "evidence-a"),)])), s], BASE)
    assert "<details><summary>1 case</summary><div class='wide'><table><tr><th>claim</th></tr><tr><td>" \
           "<span id='evidence-a'>a</span></td></tr></table></div></details>" in page.replace("\n", "")
    assert OPEN_TARGET in page and page.index(OPEN_TARGET) < page.index("</body>")
