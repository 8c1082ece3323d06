"""What section C's cost experiments run, in modules by job; the package is the sandbox's ``-m``.

Creation costs and many concurrent waits are measured in a *sandbox*: a fresh interpreter started
as ``python -m claimbench.families.c_cost.child`` (``__main__``: ``server.serve``) that answers one
JSON request per line on stdin with one JSON line on stdout. Two reasons:

- a spawn or forkserver child re-imports the parent's ``__main__``; under pytest that is pytest
  itself, which would make every such child pay for importing pytest. The sandbox's ``__main__``
  is this package's small one, as a small script's would be. (So these modules import only what a
  child needs at the top.)
- memory per wait is the growth of a process's own RSS; a request marked ``fresh`` runs in a child
  forked from the sandbox for it alone, so nothing an earlier request allocated (thread stacks
  glibc keeps, freed arenas) counts.

The modules: ``creation`` (what creating a thread, task, coroutine, process or sub-interpreter
costs, and the plants posing as them), ``waits`` (n concurrent waits: their wall time and memory),
``limits`` (how far the waits may climb: each way's ladder, the machine's process limit),
``server`` (the JSON-lines sandbox and its instances), ``handoffs`` (the ping-pong and round-trip
workers of two other claims). Importing the package imports them all, so that a fork server that
preloads it (plugin/configure.py) has everything a child of this family runs. Standard library only
at import time (psutil is imported where memory is read); Python 3.8+.
"""
from . import creation, handoffs, limits, server, waits

__all__ = ["creation", "handoffs", "limits", "server", "waits"]
