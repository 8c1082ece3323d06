"""claimbench.core.records: atomic writes and stored runs, good and bad."""
from __future__ import annotations

import json
import math
import os

import pytest

from claimbench.core import records


def payload(**changes):
    d = {
        "scale": {"name": "quick", "unit_s": 0.01},
        "runtime": {"tag": "3.11-gil-fork", "usable_cpus": 2},
        "verdicts": [{"claim": "c", "case": "k2", "verdict": "holds", "effect": float("nan"),
                      "data": {"samples": [1.0, 2.0]}}],
        "started": "2024-01-01T00:00:00+00:00",
        "wall_s": 1.5,
    }
    d.update(changes)
    return d


def listing(folder):
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------- atomic writes
def test_atomic_write_replaces_the_target_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    records.atomic_write_text(target, "first\n")
    records.atomic_write_text(target, "second\n")
    assert target.read_text(encoding="utf-8") == "second\n"
    assert listing(target.parent) == ["out.txt"]


def test_atomic_write_keeps_the_old_file_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")

    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(records.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        records.atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert listing(tmp_path) == ["out.txt"]


def test_atomic_write_keeps_the_old_file_when_writing_fails_half_way(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(records.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        records.atomic_write_text(target, "new\n" * 1000)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert listing(tmp_path) == ["out.txt"]


def test_atomic_write_json_that_cannot_be_serialised_touches_nothing(tmp_path):
    target = tmp_path / "run.json"
    target.write_text('{"old": true}\n', encoding="utf-8")
    with pytest.raises(TypeError):
        records.atomic_write_json(target, {"x": object()})
    assert target.read_text(encoding="utf-8") == '{"old": true}\n'
    assert listing(tmp_path) == ["run.json"]


def test_atomic_write_json_allows_nan(tmp_path):
    target = tmp_path / "x.json"
    records.atomic_write_json(target, {"effect": float("nan")})
    assert math.isnan(json.loads(target.read_text(encoding="utf-8"))["effect"])


# ---------------------------------------------------------------- records
def test_save_and_load_round_trip(tmp_path):
    path = records.save_record(tmp_path, "run1", "timing", payload())
    assert path == tmp_path / "runs" / "run1" / "timing.json"
    rec = records.load_record(path)
    assert (rec.path, rec.run_id, rec.session) == (path, "run1", "timing")
    assert rec.scale == {"name": "quick", "unit_s": 0.01}
    assert rec.runtime == {"tag": "3.11-gil-fork", "usable_cpus": 2}
    assert rec.started == "2024-01-01T00:00:00+00:00"
    assert rec.wall_s == 1.5
    (v,) = rec.verdicts
    assert v["data"] == {"samples": [1.0, 2.0]} and math.isnan(v["effect"])
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == records.FORMAT


def test_save_record_overwrites_the_session_atomically(tmp_path):
    records.save_record(tmp_path, "run1", "timing", payload(wall_s=1.0))
    path = records.save_record(tmp_path, "run1", "timing", payload(wall_s=2.0))
    assert records.load_record(path).wall_s == 2.0
    assert listing(path.parent) == ["timing.json"]


@pytest.mark.parametrize("content, why", [
    (b"{not json", "not a readable JSON file"),
    (b"\xff\xfe\x00garbage", "not a readable JSON file"),
    (b'{"hello": "world"}', "not a claimbench run"),
    (b"[1, 2, 3]", "not a claimbench run"),
    (b'{"format": "claimbench-run/1", "run_id": "r", "session": "s"}', "missing or bad field"),
])
def test_load_record_names_the_file_and_the_problem(tmp_path, content, why):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(records.CorruptRecord) as err:
        records.load_record(path)
    assert str(path) in str(err.value) and why in str(err.value)


def test_load_runs_skips_bad_files_names_them_and_leaves_them_untouched(tmp_path):
    good1 = records.save_record(tmp_path, "run1", "timing", payload())
    good2 = records.save_record(tmp_path, "run2", "behaviour", payload())
    corrupt = good1.parent / "corrupt.json"
    corrupt_bytes = b'{"format": "claimbench-run/1", "run_id": "run1", "sess'   # a half-written file
    corrupt.write_bytes(corrupt_bytes)
    foreign = good2.parent / "foreign.json"
    foreign_bytes = b'{"benchmarks": [], "machine_info": {}}\n'
    foreign.write_bytes(foreign_bytes)

    loaded, errors = records.load_runs(tmp_path)

    assert sorted((r.run_id, r.session) for r in loaded) == [("run1", "timing"), ("run2", "behaviour")]
    assert len(errors) == 2
    assert any(str(corrupt) in e for e in errors)
    assert any(str(foreign) in e for e in errors)
    assert all("\n" not in e for e in errors)
    assert corrupt.read_bytes() == corrupt_bytes
    assert foreign.read_bytes() == foreign_bytes
    assert listing(good1.parent) == ["corrupt.json", "timing.json"]
    assert listing(good2.parent) == ["behaviour.json", "foreign.json"]


def test_load_runs_without_a_runs_folder(tmp_path):
    assert records.load_runs(tmp_path / "nothing") == ([], [])


def test_latest_picks_the_newest_run_or_the_one_asked_for(tmp_path):
    records.save_record(tmp_path, "20240101T000000Z-a", "timing", payload())
    records.save_record(tmp_path, "20240301T000000Z-a", "timing", payload())
    records.save_record(tmp_path, "20240301T000000Z-a", "behaviour", payload())
    records.save_record(tmp_path, "20240201T000000Z-a", "timing", payload())
    loaded, errors = records.load_runs(tmp_path)
    assert errors == []
    assert records.run_ids(loaded) == ["20240101T000000Z-a", "20240201T000000Z-a", "20240301T000000Z-a"]
    newest = records.latest(loaded)
    assert {r.run_id for r in newest} == {"20240301T000000Z-a"}
    assert sorted(r.session for r in newest) == ["behaviour", "timing"]
    asked = records.latest(loaded, "20240101T000000Z-a")
    assert [(r.run_id, r.session) for r in asked] == [("20240101T000000Z-a", "timing")]
    assert records.latest(loaded, "no-such-run") == []
    assert records.latest([]) == []


def test_latest_of_a_runtime_is_that_runtimes_newest_run_else_the_newest(tmp_path):
    # What `make report` after `make matrix` sees: the main interpreter's run, then 3.13t's, then 3.8's.
    records.save_record(tmp_path, "20240101T000000Z-3.11-gil-fork", "timing", payload())
    records.save_record(tmp_path, "20240101T000100Z-3.13t-nogil-fork", "timing",
                        payload(runtime={"tag": "3.13t-nogil-fork"}))
    records.save_record(tmp_path, "20240101T000200Z-3.8-gil-fork", "timing", payload(runtime={"tag": "3.8-gil-fork"}))
    loaded, _ = records.load_runs(tmp_path)
    assert {r.run_id for r in records.latest(loaded, runtime_tag="3.11-gil-fork")} == {"20240101T000000Z-3.11-gil-fork"}
    assert {r.run_id for r in records.latest(loaded, runtime_tag="3.12-gil-fork")} == {"20240101T000200Z-3.8-gil-fork"}
    assert {r.run_id for r in records.latest(loaded, "20240101T000100Z-3.13t-nogil-fork", "3.11-gil-fork")} == {
        "20240101T000100Z-3.13t-nogil-fork"}


def test_stored_paths_name_no_folder_of_the_machine(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", "/home/someone")
    assert records.portable_path(str(tmp_path / ".venv" / "bin" / "python")) == os.path.join(".venv", "bin", "python")
    assert records.portable_path("/home/someone/.pyenv/versions/3.8.18/bin/python") == "~/.pyenv/versions/3.8.18/bin/python"
    assert records.portable_path("/usr/bin/python3") == "/usr/bin/python3"
    assert records.portable_path("python3") == "python3"
