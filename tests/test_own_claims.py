"""README's "Claims of your own" works as written: its two files and ini, in a fresh folder, run with
plain pytest and the plugin, every claim as expected and every control refuted as planted; and the one
import it promises gives every name it lists without importing them into children that import claimbench."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### Claims of your own")
    return text[start:text.index("\n## ", start)]


def test_the_readmes_own_claims_project_runs(tmp_path):
    claims_py, tests_py = re.findall(r"```python\n(.*?)```", section(), re.S)[:2]
    (tmp_path / "my_claims.py").write_text(claims_py, encoding="utf-8")
    (tmp_path / "test_my_claims.py").write_text(tests_py, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\nclaimbench_claims = my_claims\nclaimbench_experiments = .\n"
                                         "pythonpath = .\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "claimbench.plugin", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "--benchmark-disable", "--claimbench-scale", "quick"],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "4 passed" in out, out[-3000:]
    assert "[control-unstable]: refuted (planted refuted)" in out and "[control-one-by-one]: refuted" in out, out


def test_one_import_gives_every_name_the_readme_lists():
    import claimbench
    listed = re.search(r"`from claimbench import ([^`]+)`", section()).group(1)
    names = [n.strip() for n in listed.replace("\n", " ").split(",")]
    for name in names:
        assert getattr(claimbench, name) is not None, name
    # importing claimbench alone loads none of them (child processes pass through it)
    code = "import sys, claimbench; print(sorted(m for m in sys.modules if m.startswith('claimbench.')))"
    done = subprocess.run([sys.executable, "-c", code], cwd=str(ROOT), capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stdout
