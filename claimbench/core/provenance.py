"""Where a run came from, beyond the interpreter: the CPU's model, the kernel, the filesystem
the results were written to, and the project's commit. Standard library only; a fact that
cannot be read is None (macOS has no /proc; a project outside git has no commit)."""
from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Optional


def cpu_model(cpuinfo: str = "") -> Optional[str]:
    """``AMD EPYC 7B13``: the first ``model name`` of /proc/cpuinfo, else platform.processor()."""
    if not cpuinfo:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            cpuinfo = ""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "cpu model") and value.strip():
            return " ".join(value.split())
    return platform.processor() or None


def kernel() -> Optional[str]:
    """``Linux 6.1.0-28-amd64``."""
    u = platform.uname()
    return f"{u.system} {u.release}".strip() or None


def filesystem_of(path, mountinfo: str = "") -> Optional[str]:
    """The type of the filesystem holding ``path`` (ext4, tmpfs, overlay …), from mountinfo."""
    target = os.path.realpath(str(path))
    if not mountinfo:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    best, fstype = "", None
    for line in mountinfo.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        point = fields[4].encode().decode("unicode_escape")
        after = line.split(" - ", 1)[1].split()
        if (target == point or target.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, fstype = point, after[0] if after else None
    return fstype


def git_commit(root) -> Optional[str]:
    """The commit checked out in ``root`` (read from .git, no git command needed); None outside git."""
    git = Path(root) / ".git"
    try:
        if git.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = git.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                git = (Path(root) / text.split(":", 1)[1].strip()).resolve()
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not head.startswith("ref:"):
        return head or None
    ref = head.split(":", 1)[1].strip()
    common = git
    try:
        common = (git / (git / "commondir").read_text(encoding="utf-8").strip()).resolve()
    except OSError:
        pass
    for base in (git, common):
        try:
            return (base / ref).read_text(encoding="utf-8").strip()
        except OSError:
            pass
        try:
            for line in (base / "packed-refs").read_text(encoding="utf-8").splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
        except OSError:
            pass
    return None
