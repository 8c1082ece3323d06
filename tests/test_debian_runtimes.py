"""tools/debian-runtimes: what it mounts and where, read from the text it hands to unshare; what
PYTHONS asks of it; and, where its chroot was made, that a run inside leaves no mount behind."""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "debian-runtimes"


def load_tool():
    loader = importlib.machinery.SourceFileLoader("debian_runtimes", str(TOOL))
    spec = importlib.util.spec_from_loader("debian_runtimes", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


dr = load_tool()


@pytest.mark.parametrize("pythons, series", [
    ("", None),                                  # the default matrix: Debian's 3.14 and 3.15 if they can be had
    ("3.11 3.13t", []),                          # none asked
    ("3.11 debian:3.14, debian:3.15", ["3.14", "3.15"]),
])
def test_requested_series(pythons, series):
    assert dr.requested_series(pythons) == series


def test_the_mounts_are_made_in_the_namespace_then_chroot():
    script = dr.namespace_script("/p/.runtimes/debian/root", "/p", ["/p", "/elsewhere/results"])
    lines = script.splitlines()
    assert lines[0] == "set -e"   # a mount that fails stops before the chroot
    assert "mount -t proc proc /p/.runtimes/debian/root/proc" in lines
    assert "mount --rbind /dev /p/.runtimes/debian/root/dev" in lines      # /dev/shm with it
    assert any(l.endswith("mount --bind /p /p/.runtimes/debian/root/p") for l in lines)
    assert any(l.endswith("mount --bind /elsewhere/results /p/.runtimes/debian/root/elsewhere/results")
               for l in lines)
    assert lines[-1].startswith("exec chroot /p/.runtimes/debian/root ")
    argv = dr.unshare_argv("/r", "/p", ["/p"], ["python3.14", "-c", "pass"])
    assert argv[:5] == ["unshare", "--mount", "--propagation", "private", "--"]
    assert argv[-3:] == ["python3.14", "-c", "pass"]


def test_apt_runs_without_the_host_ca_mounted_over_its_own():
    assert dr.CA_INSIDE not in dr.namespace_script("/r", "/", [], host_files=False)
    if os.path.isfile(dr.HOST_CA):
        assert dr.CA_INSIDE in dr.namespace_script("/r", "/", [])


def test_ca_variables_point_inside():
    env = dr.run_environment({"PIP_CERT": dr.HOST_CA, "SSL_CERT_FILE": "/mine.pem", "PATH": "/bin"})
    if os.path.isfile(dr.HOST_CA):
        assert env["PIP_CERT"] == dr.CA_INSIDE and env["REQUESTS_CA_BUNDLE"] == dr.CA_INSIDE
    assert env["SSL_CERT_FILE"] == "/mine.pem" and env["PATH"] == "/bin"


def test_a_folder_the_chroot_cannot_see_is_refused(monkeypatch):
    monkeypatch.delenv(dr.EXTRA_BINDS_ENV, raising=False)
    with pytest.raises(dr.Refused, match="not visible in the chroot"):
        dr.binds_for("/somewhere/else")
    assert dr.binds_for(dr.PROJECT) == [dr.PROJECT]


def test_mounts_under_reads_this_process(tmp_path):
    assert dr.mounts_under(str(tmp_path)) == []
    assert dr.mounts_under("/proc") == ["/proc"] or "/proc" in dr.mounts_under("/proc")


def test_unknown_command_is_one_line_and_status_2():
    done = subprocess.run([str(TOOL), "frobnicate"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["debian-runtimes: error: unknown command 'frobnicate' "
                                                "(ensure, run, list, mounts, clean)"]


@pytest.mark.skipif(not os.path.isdir(os.path.join(dr.ROOT, "usr")) or os.geteuid() != 0,
                    reason="no Debian chroot made here (tools/debian-runtimes ensure, as root)")
def test_a_run_inside_leaves_no_mount_behind():
    done = subprocess.run([str(TOOL), "run", "/bin/sh", "-c", "test -d /proc/self && test -d /dev/shm && pwd"],
                          cwd=dr.PROJECT, stdout=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == dr.PROJECT
    killed = subprocess.run([str(TOOL), "run", "/bin/sh", "-c", "kill -9 $$"], cwd=dr.PROJECT, timeout=60)
    assert killed.returncode != 0
    assert dr.mounts_under(dr.HOME) == []
