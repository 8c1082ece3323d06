"""What section F's experiments run, in modules by job: each function is the body of a child process,
thread or sub-interpreter (importable by name, so spawn and forkserver children find it), or a small
helper of the parent.

``echoes`` (a message over every mechanism the notes name, and the plants posing as shared objects),
``mappings`` (shared memory seen through physical frames, and a private mapping posing as shared),
``order`` (producers, and two queues posing as one), ``readers`` (the notes' endless reader, the
readers that end, and forced ends mid-traffic), ``throughput`` (the receiving end of the throughput
sweep), ``interpreter_queues`` (the workers behind a concurrent.interpreters Queue, and their plants).
Importing the package imports them all, so that a fork server (or a sub-interpreter) that imports it
has everything. Standard library only, Python 3.8+ (``concurrent.interpreters`` lazily, 3.14+).
"""
from . import echoes, interpreter_queues, mappings, order, readers, throughput

__all__ = ["echoes", "interpreter_queues", "mappings", "order", "readers", "throughput"]
