"""examples/asyncio-docs/README.md installs claimbench as written (issue 20): its `pip install`
names the repository root (`../..`, not `..`) with the [report] extra the report it promises
needs, and every install hint in claimbench's own messages is one that works."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "asyncio-docs"


def pip_installs(text: str):
    """The targets of the `pip install` commands in the Markdown's code blocks, quotes removed."""
    blocks = re.findall(r"```[^\n]*\n(.*?)```", text, re.S)
    return [m.strip("'\"") for block in blocks for m in re.findall(r"^pip install (\S+)", block, re.M)]


def extras_of_pyproject() -> set:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    return set(re.findall(r"^(\w+)\s*=", section, re.M))


def test_the_example_installs_claimbench_from_the_repository_root_with_the_report_extra():
    targets = pip_installs((EXAMPLE / "README.md").read_text(encoding="utf-8"))
    assert targets
    for target in targets:
        path, _, extras = target.partition("[")
        folder = (EXAMPLE / path).resolve()
        assert folder == ROOT and (folder / "pyproject.toml").is_file(), target
        assert set(extras.rstrip("]").split(",")) - {""} <= extras_of_pyproject(), target
    assert any(t.endswith("[report]") for t in targets)
    assert "report" in extras_of_pyproject()


def test_install_hints_in_messages_name_the_report_extra():
    allowed = {"pip install 'claimbench[report]'", "pip install claimbench"}
    found = set()
    for path in (ROOT / "claimbench").rglob("*.py"):
        for target in re.findall(r"pip install ('[^']*'|[\w.\[\]/-]+)", path.read_text(encoding="utf-8")):
            hint = "pip install " + target
            found.add(hint)
            assert hint in allowed, f"{path.relative_to(ROOT)}: {hint}"
    assert "pip install 'claimbench[report]'" in found
