"""Sub-interpreters (``concurrent.interpreters``, Python 3.14+), imported lazily: whether this
runtime has them, one made and closed, and a cross-interpreter queue. What a family runs inside one
is in that family's child code.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Optional


def available() -> Optional[str]:
    """None where this runtime has ``concurrent.interpreters``, else why not."""
    try:
        import concurrent.interpreters  # noqa: F401  (3.14+)
    except ImportError:
        return "concurrent.interpreters needs Python 3.14+"
    return None


@contextmanager
def interpreter():
    """A new sub-interpreter that finds this process's modules (it is given this interpreter's
    sys.path); closed on the way out, whatever happened inside."""
    from concurrent import interpreters  # 3.14+
    interp = interpreters.create()
    try:
        interp.prepare_main(path=tuple(sys.path))
        interp.exec("import sys; sys.path[:] = list(path); del path")
        yield interp
    finally:
        interp.close()


def create_queue():
    from concurrent import interpreters  # 3.14+
    return interpreters.create_queue()


