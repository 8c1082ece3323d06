"""claimbench.plugin.benchmark_storage: each kind of run in its folder, machine_info machine facts only,
older stored files migrated (issue 20: --benchmark-compare compared with controls and warned every run)."""
from __future__ import annotations

import json

from claimbench.plugin import benchmark_storage as bs


def test_each_kind_of_run_has_its_folder():
    assert bs.folder("default") == "benchmarks"
    assert bs.folder("quick") == "benchmarks-quick"
    assert bs.folder("quick", controls=True) == "benchmarks-controls-quick"
    assert bs.folder("default", controls=True) == "benchmarks-controls"
    assert bs.is_controls("control") and not bs.is_controls("not control") and not bs.is_controls("")


def _old(path, run_id, scale="default", variant=True):
    bench = {"fullname": "t[k2-threads]", "params": {"way": "UNSERIALIZABLE[Way(name='processes-fork', run=<f>)]"},
             "extra_info": {"variant": "threads"} if variant else {}, "stats": {}}
    data = {"machine_info": {"node": "vm", "claimbench": {"scale": scale, "unit_s": 0.01, "runtime_tag": "3.11",
                                                          "run_id": run_id}},
            "benchmarks": [bench]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_older_files_are_migrated_moved_or_removed(tmp_path):
    _old(tmp_path / "benchmarks" / "m" / "0001_r1.json", "r1")
    _old(tmp_path / "benchmarks" / "m" / "0002_r2-controls.json", "r2-controls", scale="quick")
    _old(tmp_path / "benchmarks" / "m" / "0003_r0.json", "r0", variant=False)
    lines = bs.migrate(tmp_path)
    assert len(lines) == 3 and any("removed" in ln for ln in lines)
    kept = json.loads((tmp_path / "benchmarks" / "m" / "0001_r1.json").read_text())
    assert "claimbench" not in kept["machine_info"] and kept["claimbench"]["run_id"] == "r1"
    assert kept["benchmarks"][0]["params"] == {"way": "processes-fork", "variant": "threads"}
    moved = tmp_path / "benchmarks-controls-quick" / "m" / "0001_r2-controls.json"
    assert json.loads(moved.read_text())["claimbench"]["kind"] == "controls"
    assert not (tmp_path / "benchmarks" / "m" / "0002_r2-controls.json").exists()
    assert not (tmp_path / "benchmarks" / "m" / "0003_r0.json").exists()
    assert bs.migrate(tmp_path) == []  # once is enough


def test_an_unreadable_file_is_left_as_it_is(tmp_path):
    bad = tmp_path / "benchmarks" / "m" / "0001_r1.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    assert bs.migrate(tmp_path) == [] and bad.read_text() == "{not json"


def test_readmes_compare_command_runs_on_the_stored_runs():
    """README's pytest-benchmark compare command, as written there, on the committed results/."""
    import shlex
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    line = next(ln for ln in (root / "README.md").read_text(encoding="utf-8").splitlines()
                if "pytest-benchmark --storage" in ln)
    args = shlex.split(line)[1:]  # the words after .venv/bin/pytest-benchmark
    code = "import sys; from pytest_benchmark.cli import main; sys.argv = ['pytest-benchmark'] + sys.argv[1:]; main()"
    done = subprocess.run([sys.executable, "-c", code] + args, cwd=str(root), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "variant" in done.stdout


def test_a_controls_run_is_known_by_its_marker_expression():
    assert bs.is_controls("not behaviour and control") and bs.is_controls("behaviour and control")
    assert not bs.is_controls("not behaviour and not control") and not bs.is_controls("behaviour")


def test_files_found_in_this_format_are_not_read_again(tmp_path):
    _old(tmp_path / "benchmarks" / "m" / "0001_r1.json", "r1")
    assert len(bs.migrate(tmp_path)) == 1
    listed = json.loads((tmp_path / bs.CHECKED).read_text())
    assert listed == {"format": bs.FORMAT, "files": ["benchmarks/m/0001_r1.json"]}
    # A listed file is not read again (here: overwritten in the old format, it stays as it is) ...
    _old(tmp_path / "benchmarks" / "m" / "0001_r1.json", "r1")
    # ... and a file stored since is.
    _old(tmp_path / "benchmarks" / "m" / "0002_r2.json", "r2")
    assert [ln.split(":")[0] for ln in bs.migrate(tmp_path)] == [str(tmp_path / "benchmarks" / "m" / "0002_r2.json")]
    # A list of another format, or unreadable, is no list: every file is read again.
    (tmp_path / bs.CHECKED).write_text("{not json")
    assert len(bs.migrate(tmp_path)) == 1
