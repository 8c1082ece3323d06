"""README's "Adding a claim" works as written: its three changes, made in a copy of the project,
give a claim that runs, has its control and passes the project's own rules.

The code is read from the README itself (its first ```markdown block and its two ```python
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
    """(CLAIMS.md row, the registry entry, the test module) from README's "Adding a claim"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Adding a claim"):]
    section = section[:section.index("\n## ", 1)]
    row = re.findall(r"```markdown\n(.*?)```", section, re.S)[0]
    entry, module = re.findall(r"```python\n(.*?)```", section, re.S)[:2]
    return row, entry, module


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


def run(cmd, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(cwd))
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"] + cmd, cwd=str(cwd),
                          env=env, capture_output=True, text=True, timeout=240)


@pytest.mark.skipif(not CLAIMS_MD.exists(), reason="needs ../shared/CLAIMS.md beside the repository")
def test_adding_a_claim_as_the_readme_shows_touches_three_files_and_works(tmp_path):
    row, entry, module = walkthrough()
    main, shared = tmp_path / "main", tmp_path / "shared"
    shutil.copytree(str(ROOT), str(main), ignore=LEFT_BEHIND)
    shared.mkdir()
    shutil.copy(str(CLAIMS_MD), str(shared / "CLAIMS.md"))
    # The three files.
    add_row(shared / "CLAIMS.md", row, "D")
    add_entry(main / "claimbench" / "families" / "d_examples" / "claims.py", entry)
    (main / "experiments" / "test_join.py").write_text(module, encoding="utf-8")

    done = run(["-k", "join-waits-for-the-child", "experiments"], main)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout, done.stdout[-2000:]
    assert "join-waits-for-the-child [control-join-returns-at-once]: refuted (planted refuted)" in done.stdout

    rules = run(["tests/test_registry.py", "tests/test_controls.py", "tests/test_imports.py"], main)
    assert rules.returncode == 0, rules.stdout[-3000:] + rules.stderr[-2000:]
