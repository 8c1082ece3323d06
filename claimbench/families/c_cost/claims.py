"""Section C of CLAIMS.md: what processes, threads and coroutines cost."""
from __future__ import annotations

from ...claims import Claim
from ...claims.expect import always, per_start_method
from ...core.runtime import Runtime
from ...core.verdicts import Expectation, HOLDS, INCONCLUSIVE, MACHINE_DEPENDENT

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


def _coroutine_creation(runtime: Runtime, case=None) -> Expectation:
    if case == "task":
        # A related finding, measured on every runtime and judged by none in advance.
        return Expectation(MACHINE_DEPENDENT, "an asyncio task is a coroutine plus a Task scheduled on the event "
                                              "loop: a few microseconds, the same order as a tenth of a thread's "
                                              "start and join, so which side of the threshold it falls on depends "
                                              "on the runtime's asyncio and the machine; the evidence gives the "
                                              "measured ratio")
    return Expectation(HOLDS, "a coroutine is a Python object on the heap; a thread is an OS thread with its "
                              "own stack")

CLAIMS = (
    Claim(
        id="process-creation-expensive",
        section="C",
        quote="创建代价大",
        statement="Starting and joining a process that does nothing costs clearly more than a thread: more "
                  "than √10 ≈ 3.2 times as much (halfway, on a log scale, to an order of magnitude), whatever "
                  "the start method.",
        expect=_creation_against_a_thread,
        note="Timed in a small sandbox interpreter: under pytest a spawn or forkserver child would re-import "
             "pytest as its __main__ and cost several times more. A spawned child pays for whatever the "
             "parent's main module imports. Related finding (Python 3.14+): creating a sub-interpreter, "
             "running a no-op in it and closing it, expected to cost more than √10 threads' start and join too "
             "(a new interpreter state with its own modules); the evidence sets it against a process of the "
             "run's start method.",
    ),
    Claim(
        id="coroutine-creation-negligible",
        section="C",
        quote="协程创建的开销与线程相比完全可以忽略",
        statement="Creating and running a coroutine that does nothing costs less than a tenth of starting and "
                  "joining a thread (halfway, on a log scale, between a hundredth and as much).",
        expect=_coroutine_creation,
        note="Related finding: an asyncio task (a coroutine scheduled on the event loop, which is how many "
             "coroutines run at once) costs about a tenth of a thread, within noise of the threshold on some "
             "runtimes and machines: it is measured and reported as machine-dependent.",
    ),
    Claim(
        id="coroutines-handle-more-tasks",
        section="C",
        quote="使用多协程可以处理更多的任务",
        statement="Many concurrent waits cost coroutines less than half the memory and less than half the "
                  "time per wait that threads or processes need, so the same machine holds more of them.",
        expect=always(HOLDS, "a waiting coroutine is a suspended frame; a waiting thread holds a stack and "
                             "a kernel task, a process a whole address space"),
    ),
    Claim(
        id="coroutine-switch-cheaper",
        section="C",
        quote="为何比线程还快 / 协程能保留上一次调用的状态",
        statement="Handing control back and forth between two coroutines is cheaper than between two "
                  "threads or two processes.",
        expect=always(HOLDS, "a coroutine switch is a function return and resume inside one thread; "
                             "threads and processes need the OS scheduler (and, for threads, the GIL)"),
    ),
    Claim(
        id="threads-efficient",
        section="C",
        quote="多线程优点：效率高",
        statement="A request/response round trip to a worker thread is cheaper than to a worker process, "
                  "for small and large payloads.",
        expect=always(HOLDS, "a thread gets a reference to the payload; a process gets a pickled copy "
                             "through a pipe"),
    ),
)
