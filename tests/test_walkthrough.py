"""README's "Adding a claim" works as written: its changes, made in a copy of the project to
CLAIMS.md, the family's folder and a new test module only, give a claim that runs, has its control,
passes the project's own rules and draws its plot in the report.

The code is read from the README itself (its first ```markdown block and its four ```python
blocks in that section), so the walkthrough cannot go stale.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLAIMS_MD = ROOT.parent / "shared" / "CLAIMS.md"
LEFT_BEHIND = shutil.ignore_patterns(".git", ".venv", ".venvs", ".runtimes", "results", "build", "__pycache__",
                                     ".pytest_cache")


def walkthrough():
    """(CLAIMS.md row, the registry entry, the data class, the report part, the test module) from
    README's "Adding a claim"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Adding a claim"):]
    section = section[:section.index("\n## ", 1)]
    row = re.findall(r"```markdown\n(.*?)```", section, re.S)[0]
    entry, data, part, module = re.findall(r"```python\n(.*?)```", section, re.S)[:4]
    return row, entry, data, part, module


def append(path: Path, code: str) -> None:
    """``code`` at the end of the module, two blank lines before it."""
    path.write_text(path.read_text(encoding="utf-8").rstrip() + "\n\n\n" + code, encoding="utf-8")


def add_row(claims_md: Path, row: str, letter: str) -> None:
    """The row at the end of section ``letter``'s table."""
    text = claims_md.read_text(encoding="utf-8")
    start = re.search(rf"^## {letter}\. ", text, re.M).start()
    following = re.search(r"^## ", text[start + 1:], re.M)
    end = start + 1 + following.start() if following else len(text)
    last = text.rindex("\n|", start, end) + 1
    at = text.index("\n", last) + 1
    claims_md.write_text(text[:at] + row + text[at:], encoding="utf-8")


def add_entry(claims_py: Path, entry: str) -> None:
    text = claims_py.read_text(encoding="utf-8").rstrip()
    assert text.endswith(")"), "CLAIMS is the module's last statement"
    text = text[:-1] + entry + ")\n"
    def with_per_start_method(m):
        return "from ...claims.expect import " + ", ".join(sorted(set(m.group(1).split(", ")) | {"per_start_method"}))
    text = re.sub(r"from \.\.\.claims\.expect import ([^\n]+)", with_per_start_method, text, count=1)
    claims_py.write_text(text, encoding="utf-8")


def run(cmd, cwd: Path, tool=("-m", "pytest", "-p", "no:cacheprovider", "-q")) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(cwd))
    return subprocess.run([sys.executable, *tool] + cmd, cwd=str(cwd),
                          env=env, capture_output=True, text=True, timeout=240)


def changed_files(before: Path, after: Path) -> set:
    """The files of ``after`` that are new or differ from ``before``'s (caches and results aside)."""
    out = set()
    for path in after.rglob("*"):
        rel = path.relative_to(after)
        if path.is_file() and not {"__pycache__", "results", ".pytest_cache"} & set(rel.parts):
            old = before / rel
            if not old.is_file() or old.read_bytes() != path.read_bytes():
                out.add(str(rel))
    return out


@pytest.mark.skipif(not CLAIMS_MD.exists(), reason="needs ../shared/CLAIMS.md beside the repository")
def test_adding_a_plotted_claim_as_the_readme_shows_touches_its_family_its_test_and_claims_md(tmp_path):
    row, entry, data, part, module = walkthrough()
    main, shared = tmp_path / "main", tmp_path / "shared"
    shutil.copytree(str(ROOT), str(main), ignore=LEFT_BEHIND)
    shared.mkdir()
    shutil.copy(str(CLAIMS_MD), str(shared / "CLAIMS.md"))
    family = main / "claimbench" / "families" / "d_examples"
    # The changes, each where README puts it.
    add_row(shared / "CLAIMS.md", row, "D")
    add_entry(family / "claims.py", entry)
    append(family / "data.py", data)
    append(family / "report.py", part)
    (main / "experiments" / "test_join.py").write_text(module, encoding="utf-8")
    assert changed_files(ROOT, main) == {"claimbench/families/d_examples/claims.py",
                                         "claimbench/families/d_examples/data.py",
                                         "claimbench/families/d_examples/report.py", "experiments/test_join.py"}

    done = run(["-k", "join-waits-for-the-child", "--claimbench-store", "--claimbench-results-dir", "results",
                "experiments"], main)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout, done.stdout[-2000:]
    assert "join-waits-for-the-child [control-join-returns-at-once]: refuted (planted refuted)" in done.stdout

    # The report draws its plot: the real cases and the control, from the typed data.
    report = run(["report", "--results-dir", "results"], main, tool=("-m", "claimbench"))
    assert report.returncode == 0, report.stdout[-2000:] + report.stderr[-2000:]
    page = (main / "results" / "report.md").read_text(encoding="utf-8")
    assert "## join() against the child's sleep" in page and "(figures/join-waits.png)" in page
    assert (main / "results" / "figures" / "join-waits.png").read_bytes()[:4] == b"\x89PNG"

    rules = run(["tests/test_registry.py", "tests/test_controls.py", "tests/test_imports.py"], main)
    assert rules.returncode == 0, rules.stdout[-3000:] + rules.stderr[-2000:]
