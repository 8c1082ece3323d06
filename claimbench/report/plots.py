"""Matplotlib set-up shared by the report parts: headless, and figures saved atomically."""
from __future__ import annotations

import os
import signal
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WAY_COLOURS = {"sequential": "#555555", "threads": "#1f77b4", "processes": "#d62728",
               "asyncio": "#2ca02c", "subinterpreters": "#9467bd"}


def figure(ncols: int = 1, width: float = 6.4, height: float = 4.2):
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, list(axes[0])


# Figures rendered in forked children, so that the report's figures draw side by side on every
# CPU while the report goes on (text layout makes a figure take about half a second): {pid: path}.
_rendering = {}
RENDER_TIMEOUT_S = 120.0


def _render(fig, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=str(path.parent))
    os.close(fd)
    try:
        fig.tight_layout()
        # zlib level 1: a little larger than the default 6, and quicker to write
        fig.savefig(tmp, dpi=110, pil_kwargs={"compress_level": 1})
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a figure is for everyone who reads the report
        os.replace(tmp, str(path))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# Figures already rendered from the same data (report.render_figures, while a run's last session
# ran): save() keeps them instead of drawing them again. And the figures save() was given.
_keep = set()
saved = []
_aside = {"on": False, "niceness": 0}


@contextmanager
def drawing_aside(niceness: int = 0):
    """Within it, save() draws each figure in a forked child (where the platform forks), so the
    figures of a report draw side by side on every CPU; on the way out, every one is on disk.
    ``niceness``: how much lower the children run (report.render_figures draws while a pytest
    session still runs, and gives that session the CPUs first)."""
    before = dict(_aside)
    _aside.update(on=hasattr(os, "fork"), niceness=niceness)
    try:
        yield
    finally:
        _aside.update(before)
        finish()


def keep(paths) -> None:
    """From now on save() leaves these figures as they are on disk (an empty list: none)."""
    _keep.clear()
    _keep.update(str(p) for p in paths)


def save(fig, path: Path) -> Path:
    """Render to a temporary file beside ``path`` and rename it into place: here, or in a forked
    child within drawing_aside()."""
    path = Path(path)
    saved.append(path)
    if str(path) in _keep and path.exists():
        plt.close(fig)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    pid = os.fork() if _aside["on"] else -1
    if pid == 0:  # the child: render, and leave without running the parent's exit handlers
        code = 1
        try:
            if _aside["niceness"]:
                os.nice(_aside["niceness"])
            _render(fig, path)
            code = 0
        finally:
            os._exit(code)
    try:
        if pid < 0:
            _render(fig, path)
        else:
            _rendering[pid] = path
    finally:
        plt.close(fig)
    return path


def finish() -> None:
    """Wait for every figure still being rendered; a figure that failed or hung is an error."""
    failed = []
    deadline = time.monotonic() + RENDER_TIMEOUT_S
    while _rendering:
        for pid in list(_rendering):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                path = _rendering.pop(pid)
                if status != 0:
                    failed.append(str(path))
        if _rendering and time.monotonic() > deadline:
            for pid, path in list(_rendering.items()):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                failed.append(f"{path} (still drawing after {RENDER_TIMEOUT_S} s)")
            _rendering.clear()
        elif _rendering:
            time.sleep(0.01)
    if failed:
        raise RuntimeError("figures not rendered: " + ", ".join(failed))
