"""Every report, matrix, table and figure in results/ rebuilds byte for byte from the stored runs
(tools/rebuild-results): the committed pages are what the code makes of the committed runs, and a
change to the report's code that changes what it shows changes them in the same commit."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_results_rebuild_byte_for_byte_from_the_stored_runs(tmp_path):
    done = subprocess.run(["bash", str(ROOT / "tools" / "rebuild-results"), str(tmp_path / "results")],
                          env=dict(os.environ, PY=sys.executable), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "rebuilt byte for byte" in done.stdout
