"""Bare ``pytest`` in the project's root collects: tests/ and experiments/ (pytest.ini's testpaths)
share no module basename, which pytest's default import mode ("prepend") cannot tell apart
("import file mismatch")."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_tests_and_experiments_share_no_module_basename():
    tests = {p.name for p in (ROOT / "tests").glob("*.py")}
    experiments = {p.name for p in (ROOT / "experiments").glob("*.py")}
    assert tests & experiments <= {"conftest.py", "__init__.py"}


def test_bare_pytest_collects_from_the_root():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CLAIMBENCH_"))}
    done = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider"], cwd=str(ROOT),
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "import file mismatch" not in done.stdout
    last = done.stdout.strip().splitlines()[-1]
    assert " collected" in last or "tests collected" in last, last
