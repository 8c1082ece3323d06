"""claimbench.plugin.benchmark_files: raw timings renamed whole into pytest-benchmark's storage."""
from __future__ import annotations

from claimbench.plugin.benchmark_files import BenchmarkFile, version_tuple


def test_timings_are_numbered_after_the_files_already_stored(tmp_path):
    folder = tmp_path / "benchmarks" / "Linux-CPython-3.11-64bit"
    folder.mkdir(parents=True)
    (folder / "0007_older-run.json").write_text("{}")
    (folder / "notes.json").write_text("{}")
    bench = BenchmarkFile(tmp_path, "20261126T000000Z-3.11-gil-fork", pid=42)
    assert bench.target("5.3.0") == tmp_path / ".tmp" / "benchmark-42.json"
    bench.tmp.write_text('{"benchmarks": []}')
    stored = bench.store("Linux-CPython-3.11-64bit")
    assert stored == folder / "0008_20261126T000000Z-3.11-gil-fork.json"
    assert stored.read_text() == '{"benchmarks": []}' and not bench.tmp.exists()


def test_an_interrupted_run_or_an_empty_file_stores_nothing(tmp_path):
    for interrupted, text in ((True, '{"benchmarks": []}'), (False, "")):
        bench = BenchmarkFile(tmp_path, "run", pid=1)
        bench.target("5.3.0")
        bench.tmp.write_text(text)
        assert bench.store("machine", interrupted=interrupted) is None
        assert not bench.tmp.exists()
        assert not (tmp_path / "benchmarks").exists()
    assert BenchmarkFile(tmp_path, "run", pid=2).store("machine") is None  # nothing was written


def test_older_pytest_benchmark_gets_an_open_file(tmp_path):
    bench = BenchmarkFile(tmp_path, "run", pid=3)
    f = bench.target("4.0.0")
    try:
        assert hasattr(f, "write") and bench.tmp.exists()
    finally:
        f.close()
    bench.discard()
    assert not bench.tmp.exists()
    assert version_tuple("5.3.0") == (5, 3) and version_tuple("4.0") < (5, 3)
