"""claimbench.report.document: one section, every block type, rendered to Markdown and HTML."""
from __future__ import annotations

from pathlib import Path

import pytest

from claimbench.report.document import Figure, Para, Pre, Section, Table, to_html, to_markdown

BASE = Path("/results")


@pytest.fixture
def sections():
    s = Section("Verdicts & <runtime>", order=10)
    s.add(Para("Speed-up is 2 < 3 & more")) \
        .add(Pre("raw <output>\n| not a table\n")) \
        .add(Table(("claim", "verdict", "note"),
                   [("a|b", "holds", "x < y"), ("c", "refuted", None), ("d", "odd", "two\nlines")])) \
        .add(Figure(BASE / "figures" / "pool.png", "Pool <k> staircase"))
    other = Section("Second", order=20)
    other.add(Para("last"))
    return [s, other]


def test_section_add_chains_and_keeps_order():
    s = Section("t")
    assert s.add(Para("1")).add(Para("2")) is s
    assert s.blocks == [Para("1"), Para("2")]
    assert s.order is None  # the report's builder places it (parts at 50, families' after the notes' figures)


def test_markdown(sections):
    md = to_markdown("Report <1>", sections, BASE)
    lines = md.splitlines()
    assert lines[0] == "# Report <1>"
    assert "## Verdicts & <runtime>" in lines
    assert "Speed-up is 2 < 3 & more" in lines
    # Preformatted text is fenced and kept as is.
    fence = lines.index("```")
    assert lines[fence:fence + 4] == ["```", "raw <output>", "| not a table", "```"]
    # Tables: header, rule, one line per row; a | in a cell is escaped, a newline flattened.
    header = lines.index("| claim | verdict | note |")
    assert lines[header + 1] == "|---|---|---|"
    assert lines[header + 2] == "| a\\|b | holds | x < y |"
    assert lines[header + 3] == "| c | refuted |  |"
    assert lines[header + 4] == "| d | odd | two lines |"
    # Figures are linked relative to the report's folder.
    assert "![Pool <k> staircase](figures/pool.png)" in lines
    assert "*Pool <k> staircase*" in lines
    # Sections in the order given.
    assert lines.index("## Verdicts & <runtime>") < lines.index("## Second")
    assert md.endswith("last\n\n")


def test_markdown_table_rows_have_as_many_cells_as_headers(sections):
    md = to_markdown("r", sections, BASE)
    rows = [line for line in md.splitlines() if line.startswith("| ") and line.endswith(" |")]
    assert len(rows) == 4
    for row in rows:
        cells = row.replace("\\|", "").strip("|").split("|")
        assert len(cells) == 3, row


def test_html(sections):
    page = to_html("Report <1>", sections, BASE)
    assert page.startswith("<!doctype html>")
    assert page.rstrip().endswith("</body></html>")
    assert "<title>Report &lt;1&gt;</title>" in page
    assert "<h1>Report &lt;1&gt;</h1>" in page
    assert "<h2 id='verdicts--runtime'>Verdicts &amp; &lt;runtime&gt;</h2>" in page
    assert "<p>Speed-up is 2 &lt; 3 &amp; more</p>" in page
    assert "<pre>raw &lt;output&gt;\n| not a table\n</pre>" in page
    assert "<th>claim</th><th>verdict</th><th>note</th>" in page
    # A | needs no escaping in HTML; < does. Verdict cells get their colour class.
    assert "<td>a|b</td><td class='holds'>holds</td><td>x &lt; y</td>" in page
    assert "<td>c</td><td class='refuted'>refuted</td><td></td>" in page
    assert "<td>odd</td>" in page
    assert "<img src='figures/pool.png' alt='Pool &lt;k&gt; staircase'>" in page
    assert "<figcaption>Pool &lt;k&gt; staircase</figcaption>" in page
    assert "<runtime>" not in page and "<output>" not in page


def test_empty_report():
    assert to_markdown("t", [], BASE) == "# t\n\n"
    assert "<h1>t</h1>" in to_html("t", [], BASE)
