"""claimbench.report.plots: figures saved atomically, here or in forked children, and kept when drawn already."""
from __future__ import annotations

import os
import stat

import psutil
import pytest

from claimbench.report import plots


def _figure():
    fig, (ax,) = plots.figure()
    ax.plot([1, 2, 3], [1, 4, 9])
    return fig


def _no_children():
    return psutil.Process().children() == []


def test_a_figure_is_saved_here_readable_by_everyone(tmp_path):
    path = plots.save(_figure(), tmp_path / "a.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]  # no temporary file left


@pytest.mark.skipif(not hasattr(os, "fork"), reason="figures draw aside only where the platform forks")
def test_figures_drawn_aside_are_on_disk_when_the_block_ends_and_no_child_is_left(tmp_path):
    with plots.drawing_aside(niceness=5):
        paths = [plots.save(_figure(), tmp_path / f"f{i}.png") for i in range(3)]
        assert plots._rendering  # children are drawing
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
    assert not plots._rendering and _no_children()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="figures draw aside only where the platform forks")
def test_a_figure_that_fails_to_draw_aside_is_an_error(tmp_path, monkeypatch):
    def broken(fig, path):
        raise OSError("disk full")
    monkeypatch.setattr(plots, "_render", broken)
    with pytest.raises(RuntimeError) as err:
        with plots.drawing_aside():
            plots.save(_figure(), tmp_path / "broken.png")
    assert "broken.png" in str(err.value) and _no_children()


def test_a_figure_drawn_already_is_kept(tmp_path):
    path = tmp_path / "kept.png"
    path.write_bytes(b"drawn before")
    plots.keep([path])
    try:
        assert plots.save(_figure(), path) == path
    finally:
        plots.keep(())
    assert path.read_bytes() == b"drawn before"
    assert path in plots.saved
    plots.save(_figure(), path)  # kept no more: drawn again
    assert path.read_bytes()[:4] == b"\x89PNG"
