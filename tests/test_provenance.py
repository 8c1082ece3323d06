"""claimbench.core.provenance: CPU model, kernel, filesystem and commit, from synthetic texts and this checkout."""
from __future__ import annotations

import subprocess
from pathlib import Path

from claimbench.core import provenance

ROOT = Path(__file__).resolve().parent.parent


def test_cpu_model_from_cpuinfo():
    assert provenance.cpu_model("processor\t: 0\nmodel name\t: AMD  EPYC 7B13\n") == "AMD EPYC 7B13"
    assert provenance.cpu_model("processor\t: 0\nModel\t: Raspberry Pi 4\n") == "Raspberry Pi 4"


def test_filesystem_of_takes_the_longest_mount():
    info = ("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
            "30 22 0:5 / /dev/shm rw - tmpfs tmpfs rw\n"
            "31 22 0:6 / /work/my\\040dir rw - overlay overlay rw\n")
    assert provenance.filesystem_of("/work/x", info) == "ext4"
    assert provenance.filesystem_of("/dev/shm/a", info) == "tmpfs"
    assert provenance.filesystem_of("/work/my dir/results", info) == "overlay"


def test_git_commit_is_this_checkout(tmp_path):
    assert provenance.git_commit(tmp_path) is None
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=str(ROOT), stdout=subprocess.PIPE,
                              universal_newlines=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return
    assert provenance.git_commit(ROOT) == head


def test_packed_refs(tmp_path):
    git = tmp_path / ".git"
    git.mkdir()
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text("# pack-refs\n" + "ab" * 20 + " refs/heads/main\n")
    assert provenance.git_commit(tmp_path) == "ab" * 20
