"""Section B: a crashing process takes nothing else down; a crashing thread may take its process."""
from __future__ import annotations

from pathlib import Path

import pytest

from claimbench.core import labels, planted, sandbox
from claimbench.core.roles import control, related
from claimbench.core.ways import PlantedWay
from claimbench.core.workloads import REPORT_WAIT_S
from claimbench.families.b_crashes import child as crashes

SANDBOX_S = 30
ROOT = Path(__file__).resolve().parent.parent

def core_files(*folders) -> set:
    """Core files where a crashing child could leave one: its working directory and the tree."""
    found = set()
    for folder in {Path.cwd(), ROOT, *folders}:
        found.update(str(p) for p in Path(folder).glob("core*") if p.is_file())
    return found


def _no_new_cores(before: set, *folders) -> None:
    new = core_files(*folders) - before
    if new:
        pytest.fail(f"a crash left core files: {', '.join(sorted(new))}", pytrace=False)


def _isolation_evidence(seen: dict, deaths, where: str) -> str:
    code = labels.describe_exitcode
    parts = []
    for death in deaths:
        step = seen["deaths"].get(death)
        how = crashes.DEATHS[death][1]
        if step is None:
            parts.append(f"the child meant to die by {how} never reported back")
            break
        parts.append(f"child {step['pid']} died with exit code {code(step['exitcode'])} — {how}; the sibling was "
                     f"{'still' if step['sibling_alive'] else 'no longer'} working")
    what = f"{where}, a sibling working beside them: " + "; ".join(parts)
    if seen.get("sibling_result") == crashes.SIBLING_RESULT:
        what += f". Then the sibling finished its task and exited with {code(seen.get('sibling_exitcode'))}"
    else:
        what += ". The sibling never finished its task"
    if seen.get("parent_went_on"):
        what += f"; the parent went on and started another child, which exited with {code(seen.get('after_exitcode'))}"
    if seen.get("killed"):
        what += "; " + "; ".join(seen["killed"])
    return what


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("process-crash-isolated")
@pytest.mark.ways("processes-fork", "processes-forkserver", "processes-spawn",
                  control("threads-as-processes", PlantedWay(plant=("segfault",)),
                          why="the crasher and its sibling are threads of one process (in a sandbox): a "
                              "segmentation fault ends the sibling and the parent with it"))
def test_crashing_children_leave_their_sibling_and_parent_running(way, judge, tmp_path):
    """False if a child's death (any of five kinds) stops its sibling or its parent from finishing their work.
    The control's crasher and sibling are threads posing as processes, its parent a sandbox; its plant is
    the deaths it dies."""
    before = core_files(tmp_path)
    if way.planted:
        deaths = way.plant
        done = sandbox.one_shot(crashes.crash_isolation_sandbox, deaths, timeout_s=SANDBOX_S, cwd=str(tmp_path))
        seen = crashes.merge_steps(sandbox.json_lines(done.stdout))
        where, parent_code = "threads posing as processes, in a sandbox", done.returncode
    else:
        deaths = crashes.CRASH_MODES
        seen = crashes.crash_beside_sibling(way.context(), deaths, REPORT_WAIT_S)
        where, parent_code = f"{way.start_method} children", None
    _no_new_cores(before, tmp_path)
    verdict = crashes.crash_isolation_verdict(seen, deaths, process_code=parent_code)
    what = _isolation_evidence(seen, deaths, where)
    if way.planted and not seen.get("parent_went_on"):
        what += f"; the sandbox (the parent) ended with {labels.describe_exitcode(parent_code)}"
    judge.observed(verdict, what, data=dict(seen, sandbox_returncode=parent_code) if way.planted else seen)


@pytest.mark.behaviour
@pytest.mark.timeout(60)
@pytest.mark.claim("thread-crash-kills-process")
@pytest.mark.parametrize("mode, crasher", [
    pytest.param("segfault", planted.THREAD, id="segfault"),
    pytest.param("abort", planted.THREAD, id="abort"),
    related("exception", "exception", planted.THREAD,
            why="an uncaught Python exception ends only its thread: threading.excepthook fires, the process goes on"),
    related("os-exit", "exit3", planted.THREAD,
            why="os._exit(3) in a thread ends the whole process with status 3: an exit the program asked for, "
                "not a crash, so it does not answer the notes' sentence"),
    control("forked-process-as-thread", "segfault", planted.FORKED_PROCESS,
            why="the 'thread' that segfaults is a forked child process: the sandbox process survives it"),
])
def test_a_crashing_thread_and_its_process(mode, crasher, judge, tmp_path):
    """False if a real fault in one thread (a segmentation fault, an abort) leaves its process running."""
    done = sandbox.one_shot(crashes.thread_crash_sandbox, mode, crasher, timeout_s=SANDBOX_S, cwd=str(tmp_path))
    said = sandbox.json_lines(done.stdout)
    cores = [str(p) for p in tmp_path.glob("core*")]
    if cores:
        pytest.fail(f"a sandbox left core files: {', '.join(cores)}", pytrace=False)
    verdict, what = crashes.thread_crash_verdict(mode, said, done.returncode, crasher)
    judge.observed(verdict, what, data={
        "mode": mode, "crasher": crasher, "returncode": done.returncode, "said": said,
        "stderr": done.stderr.strip()[-300:]})
