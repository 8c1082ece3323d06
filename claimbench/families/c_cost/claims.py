"""Section C of CLAIMS.md: what processes, threads and coroutines cost."""
from __future__ import annotations

from ...claims import Claim
from ...claims.expect import always, per_start_method
from ...core.runtime import Runtime
from ...core.verdicts import Expectation, HOLDS, INCONCLUSIVE, MACHINE_DEPENDENT, REFUTED

# process-creation-expensive's related finding (a sub-interpreter, Python 3.14+) and its control.
INTERPRETER_CASES = ("interpreter", "control-thread-as-interpreter")

_process_creation = per_start_method(HOLDS, "a process is a new address space (fork copies page tables; spawn "
                                            "and forkserver also start or fork an interpreter), a thread is not")


def _creation_against_a_thread(runtime: Runtime, case=None) -> Expectation:
    """A process's start against a thread's, per start method; the related finding: a sub-interpreter's
    creation against a thread's, untestable without sub-interpreters (its control with it)."""
    if case in INTERPRETER_CASES:
        if not runtime.has_subinterpreters:
            return Expectation(INCONCLUSIVE, "no sub-interpreters on this runtime (concurrent.interpreters needs "
                                             "Python 3.14+)", testable=False)
        return Expectation(HOLDS, "creating a sub-interpreter initialises a whole new interpreter state (its own "
                                  "sys, builtins, import machinery and GIL) and imports its own modules; a thread "
                                  "is an OS thread in the present interpreter")
    return _process_creation(runtime, case)


# The related finding's expectation per Python version: a batch of asyncio tasks against a batch of threads
# (a task's cost on one side of the ratio, a thread's start and join on the other).
TASK_BEFORE_3_11 = ("before Python 3.11 an asyncio task costs a tenth of a thread or more: each Task formats its "
                    "name at creation (\"Task-<n>\", since 3.8) and runs its coroutine in the older, dearer frames "
                    "and calls, while a thread's join returns as soon as the thread's lock is released")
TASK_3_11_3_12 = ("on Python 3.11 and 3.12 one of the two changes that move the ratio has come and the other not: a "
                  "task got cheaper (3.11's cheaper frames and calls; 3.12 formats a task's name only when it is "
                  "read, gh-103793), while a thread's join still returns once its lock is released; the ratio lands "
                  "near a tenth (0.07-0.11 in the stored runs of a 2-core and a 16-core machine), so which side of "
                  "the threshold it falls on is the machine's")
TASK_FROM_3_13 = ("from Python 3.13 Thread.join() also joins the OS thread (gh-110829: it waits until the thread "
                  "has ended, not only until its lock is released), which makes a thread's start and join dearer "
                  "(a free-threaded build's dearer still), while a task keeps 3.11's and 3.12's savings: a task "
                  "costs well under a tenth of a thread")


def task_creation(runtime: Runtime) -> Expectation:
    """coroutine-creation-negligible's related finding (an asyncio task against a thread): it follows the
    Python version, and is the machine's only where the two changes that move it leave it near the threshold."""
    version = runtime.version_tuple
    if version < (3, 11):
        return Expectation(REFUTED, TASK_BEFORE_3_11)
    if version < (3, 13):
        return Expectation(MACHINE_DEPENDENT, TASK_3_11_3_12)
    return Expectation(HOLDS, TASK_FROM_3_13)


def _coroutine_creation(runtime: Runtime, case=None) -> Expectation:
    if case == "task":
        return task_creation(runtime)
    return Expectation(HOLDS, "a coroutine is a Python object on the heap; a thread is an OS thread with its "
                              "own stack")

CLAIMS = (
    Claim(
        id="process-creation-expensive",
        section="C",
        quote="创建代价大",
        statement="Starting and joining a process that does nothing costs much more than a thread: more "
                  "than 1.5 times as much (CLAIMS.md's margin for \"much\"), whatever the start method.",
        expect=_creation_against_a_thread,
        note="Timed in a small sandbox interpreter: under pytest a spawn or forkserver child would re-import "
             "pytest as its __main__ and cost several times more. A spawned child pays for whatever the "
             "parent's main module imports. Related finding (Python 3.14+): creating a sub-interpreter, "
             "running a no-op in it and closing it, expected to cost more than 1.5 threads' start and join too "
             "(a new interpreter state with its own modules); the evidence sets it against a process of the "
             "run's start method.",
    ),
    Claim(
        id="coroutine-creation-negligible",
        section="C",
        quote="协程创建的开销与线程相比完全可以忽略",
        statement="Creating and running a coroutine that does nothing costs less than a tenth of starting and "
                  "joining a thread (an order of magnitude less: negligible beside it).",
        expect=_coroutine_creation,
        note="Related finding: an asyncio task (a coroutine scheduled on the event loop, which is how many "
             "coroutines run at once) against a thread follows the Python version: a tenth of a thread or more "
             "before 3.11, well under it from 3.13 (Thread.join() joins the OS thread), and near it on 3.11 and "
             "3.12, where the machine decides.",
    ),
    Claim(
        id="coroutines-handle-more-tasks",
        section="C",
        quote="使用多协程可以处理更多的任务",
        statement="Many concurrent waits cost coroutines much less memory and time per wait than threads or "
                  "processes: these need more than 1.5 times as much of each (CLAIMS.md's margin for \"much\"), "
                  "so the same machine holds more of them.",
        expect=always(HOLDS, "a waiting coroutine is a suspended frame; a waiting thread holds a stack and "
                             "a kernel task, a process a whole address space"),
    ),
    Claim(
        id="coroutine-switch-cheaper",
        section="C",
        quote="为何比线程还快 / 协程能保留上一次调用的状态",
        statement="Handing control back and forth between two coroutines is faster than between two "
                  "threads or two processes: these take more than 1.25 times as long (CLAIMS.md's margin for "
                  "\"faster\").",
        expect=always(HOLDS, "a coroutine switch is a function return and resume inside one thread; "
                             "threads and processes need the OS scheduler (and, for threads, the GIL)"),
    ),
    Claim(
        id="threads-efficient",
        section="C",
        quote="多线程优点：效率高",
        statement="A request/response round trip to a worker thread is cheaper than to a worker process, "
                  "for small and large payloads: a process's takes more than 1.25 times as long (CLAIMS.md's "
                  "margin for \"more efficient\").",
        expect=always(HOLDS, "a thread gets a reference to the payload; a process gets a pickled copy "
                             "through a pipe"),
    ),
)
