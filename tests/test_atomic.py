"""Results are never corrupted: every writer is atomic, a killed run leaves nothing half-made behind,
and a corrupt or foreign file in results/ is named and skipped, never fatal, never overwritten.

(The atomic write itself, and corrupt run records, are tested in tests/test_records.py.)
"""
from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from claimbench.core import records

ROOT = Path(__file__).resolve().parent.parent

# Where a stored file may be written other than through records.atomic_write_*: each is a
# temporary file renamed into place afterwards. Add to this list only with the reason.
ATOMIC_BY_HAND = {
    ("claimbench/report/plots.py", "_render"): "savefig into a temp file beside the target, then os.replace",
    ("claimbench/plugin/benchmark_files.py", "target"): "pytest-benchmark < 5.3 writes results/.tmp/, renamed into place",
}
# Writers of no file at all.
NOT_A_FILE = {
    ("claimbench/commands/cli.py", "_stdout_gone"): "/dev/null takes what stdout still holds once its reader is gone",
}
# Modules whose writes are the experiments' scratch files in temporary folders, never results.
SCRATCH_MODULES = {"claimbench/core/workloads.py", "claimbench/families/a_concepts/child.py",
                   "claimbench/families/c_cost/child/server.py"}
WRITE_MODES = set("wax+")


def _mode(call: ast.Call):
    node = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    if node is None:
        return "r"
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "w?"


def writes_in(path: Path, rel: str):
    """(line, what, enclosing function) for each call that writes a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    found = []

    def visit(node, func):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Call):
                f = child.func
                name = f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")
                base = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
                what = None
                if name in ("open", "fdopen") and set(_mode(child)) & WRITE_MODES:
                    what = f"{name}(…, {_mode(child)!r})"
                elif name in ("write_text", "write_bytes", "savefig"):
                    what = name
                elif name == "dump" and base in ("json", "pickle"):
                    what = base + ".dump"
                elif name in ("to_csv", "to_json", "to_parquet") and (child.args or any(
                        k.arg in ("path_or_buf", "buf", "path") for k in child.keywords)):
                    what = name + "(path)"
                if what:
                    found.append((child.lineno, what, func))
            visit(child, func)

    visit(tree, "<module>")
    return found


def package_sources():
    files = sorted((ROOT / "claimbench").rglob("*.py")) + [ROOT / "conftest.py", ROOT / "experiments" / "conftest.py"]
    return [(f, str(f.relative_to(ROOT))) for f in files if f.exists()]


def test_every_writer_of_the_package_is_atomic():
    offenders = []
    for path, rel in package_sources():
        if rel in SCRATCH_MODULES:
            continue
        for line, what, func in writes_in(path, rel):
            if rel == "claimbench/core/records.py" and func.startswith("atomic_write"):
                continue
            if (rel, func) in ATOMIC_BY_HAND or (rel, func) in NOT_A_FILE:
                continue
            offenders.append(f"{rel}:{line}: {what} in {func}()")
    assert offenders == [], ("write stored files with records.atomic_write_text/_json "
                             "(or plots.save for figures):\n  " + "\n  ".join(offenders))


def test_the_lint_sees_writers(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("import json\n"
                   "def f(p, fig, df):\n"
                   "    open(p, 'w').write('x')\n"
                   "    open(p).read()\n"
                   "    p.write_text('x')\n"
                   "    fig.savefig(p)\n"
                   "    json.dump({}, open(p, mode='a'))\n"
                   "    df.to_csv(p)\n"
                   "    df.to_csv(index=False)\n", encoding="utf-8")
    assert [w for _, w, _ in writes_in(src, "m.py")] == [
        "open(…, 'w')", "write_text", "savefig", "json.dump", "open(…, 'a')", "to_csv(path)"]


# ---------------------------------------------------------------- a write killed mid-way
SLOW_WRITER = '''
import os, sys, time
from claimbench.core import records
def slow_fsync(fd):
    print("writing", flush=True)
    time.sleep(60)
records.os.fsync = slow_fsync
records.atomic_write_json(sys.argv[1], {"new": True})
'''


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_write_killed_mid_way_leaves_the_old_file(tmp_path, how):
    target = records.record_path(tmp_path, "r1", "timing")
    records.atomic_write_json(target, {"old": True})
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    writer = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(target)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        writer.send_signal(how)
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert json.loads(target.read_text(encoding="utf-8")) == {"old": True}
    temps = sorted(p.name for p in target.parent.glob(".*.tmp"))
    if how == signal.SIGINT:  # Ctrl-C: the writer removes its own temp file
        assert temps == []
    else:  # killed outright: a temp file is left, and the CLI knows to clear it after an interrupted run
        assert len(temps) == 1 and temps[0].startswith(".timing.json.")
        assert records.leftover_temp_files(tmp_path, "r1") == [target.parent / temps[0]]
        records.discard(records.leftover_temp_files(tmp_path, "r1"))
        assert sorted(p.name for p in target.parent.iterdir()) == ["timing.json"]


# ---------------------------------------------------------------- an interrupted run's files
def test_files_of_a_run_and_discarding_them(tmp_path):
    records.save_record(tmp_path, "r1", "timing", {"x": 1})
    records.save_record(tmp_path, "r2", "timing", {"x": 2})
    bench = records.benchmarks_dir(tmp_path) / "Linux-CPython-3.11-64bit"
    bench.mkdir(parents=True)
    (bench / "0001_r1.json").write_text("{}", encoding="utf-8")
    (bench / "0002_r2.json").write_text("{}", encoding="utf-8")
    mine = records.files_of_run(tmp_path, "r1")
    assert mine == {records.record_path(tmp_path, "r1", "timing"), bench / "0001_r1.json"}
    records.discard(mine)
    assert not records.runs_dir(tmp_path).joinpath("r1").exists()  # its empty folder goes too
    assert records.files_of_run(tmp_path, "r2") == {records.record_path(tmp_path, "r2", "timing"),
                                                   bench / "0002_r2.json"}


def test_raw_timing_temp_files_of_dead_sessions_are_leftovers(tmp_path):
    tmp = tmp_path / ".tmp"
    tmp.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp / f"benchmark-{dead.pid}.json").write_text("", encoding="utf-8")
    (tmp / f"benchmark-{os.getpid()}.json").write_text("", encoding="utf-8")  # alive: still writing
    assert records.leftover_temp_files(tmp_path, "r1") == [tmp / f"benchmark-{dead.pid}.json"]


# ---------------------------------------------------------------- corrupt and foreign files
def test_unreadable_benchmark_files_are_named_and_left_alone(tmp_path):
    folder = records.benchmarks_dir(tmp_path) / "Linux-CPython-3.11-64bit"
    folder.mkdir(parents=True)
    files = {"0001_good.json": '{"benchmarks": []}', "0002_cut.json": '{"benchmarks": [',
             "0003_foreign.json": '["not", "ours"]', "0004_binary.json": "\udcff"}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    errors = records.unreadable_benchmarks(tmp_path)
    assert [e.split(":")[0] for e in errors] == [str(folder / n) for n in
                                                 ("0002_cut.json", "0003_foreign.json", "0004_binary.json")]
    assert "not a readable JSON file" in errors[0] and "not a pytest-benchmark file" in errors[1]
    for name, text in files.items():
        assert (folder / name).read_text(encoding="utf-8", errors="surrogateescape") == text


def test_the_report_names_a_corrupt_benchmark_file_and_still_builds(tmp_path, capsys):
    from claimbench.report import builder as report
    case = dict(claim="c", case="", verdict="holds", expected="holds", expected_reason="", outcome="passed",
                effect=float("nan"), ci_low=float("nan"), ci_high=float("nan"), effect_name="", threshold="",
                evidence="e", rounds=0, data={}, nodeid="n")
    records.save_record(tmp_path, "r1", "timing", dict(scale={"name": "quick", "unit_s": 0.01},
                                                      runtime={"tag": "t"}, verdicts=[case]))
    bad = records.benchmarks_dir(tmp_path) / "m" / "0002_r1.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"benchmarks": [', encoding="utf-8")
    ctx = report.build(tmp_path)
    assert len(ctx.errors) == 1 and str(bad) in ctx.errors[0]
    assert f"claimbench: skipped {bad}" in capsys.readouterr().err
    assert str(bad) in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert bad.read_text(encoding="utf-8") == '{"benchmarks": ['


def test_pytest_benchmark_compare_skips_a_corrupt_file(tmp_path):
    """``--benchmark-compare`` (which the stored layout is for) warns about a corrupt file and goes on."""
    from pytest_benchmark.utils import get_machine_id
    folder = tmp_path / "benchmarks" / get_machine_id()
    folder.mkdir(parents=True)
    (folder / "0001_x.json").write_text('{"benchmarks": [', encoding="utf-8")
    (tmp_path / "test_b.py").write_text("def test_b(benchmark):\n    benchmark(lambda: None)\n", encoding="utf-8")
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "test_b.py", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "--rootdir", str(tmp_path), "-c", os.devnull,
                           "--benchmark-storage", str(tmp_path / "benchmarks"), "--benchmark-compare",
                           "--benchmark-min-rounds=1", "--benchmark-max-time=0.01"],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Failed to load" in output and "0001_x.json" in output
    assert (folder / "0001_x.json").read_text(encoding="utf-8") == '{"benchmarks": ['
