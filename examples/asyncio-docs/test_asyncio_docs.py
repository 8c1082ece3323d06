"""The experiments of asyncio_docs_claims.py: each a test, each with a planted control."""
import asyncio
import concurrent.futures
import time

import pytest

from claimbench import BELOW, control, decide, HOLDS, Interleaved, REFUTED, Seconds, stats

N = 5


# ---------------------------------------------------------------- gather-runs-concurrently
async def one_after_another(*aws):
    """Planted: a 'gather' that awaits each awaitable in turn."""
    return [await aw for aw in aws]


@pytest.mark.claim("gather-runs-concurrently")
@pytest.mark.parametrize("gather", [
    pytest.param(asyncio.gather, id="gather"),
    control("one-after-another", one_after_another, why="the 'gather' awaits each coroutine in turn"),
])
def test_gather_runs_concurrently(gather, unit_s, scale, benchmark, judge):
    """False if n gathered sleeps of T take closer to n·T than to T."""
    def run():
        async def main():
            t0 = time.perf_counter()
            await gather(*(asyncio.sleep(unit_s) for _ in range(N)))
            return time.perf_counter() - t0
        return Seconds(asyncio.run(main()))

    m = Interleaved({"gathered": run})
    threshold = (1 + N) / 2  # halfway between T (concurrent) and N·T (one after another)

    def decision(m):
        return decide(stats.scaled_interval(m.interval("gathered"), unit_s), threshold, BELOW)

    m.until_settled(decision, scale, benchmark)
    judge.decided(decision(m), effect_name="wall / T",
                  evidence=f"{N} sleeps of T = {unit_s} s gathered: {stats.fmt(m.median_s('gathered'))} s "
                           f"(median of {m.rounds})")


# ---------------------------------------------------------------- wait-for-cancels-on-timeout
async def wait_without_cancelling(aw, timeout):
    """Planted: raises on timeout, but leaves the task running."""
    task = asyncio.ensure_future(aw)
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        raise asyncio.TimeoutError()
    return task.result()


@pytest.mark.claim("wait-for-cancels-on-timeout")
@pytest.mark.behaviour
@pytest.mark.parametrize("wait_for", [
    pytest.param(asyncio.wait_for, id="wait_for"),
    control("no-cancel", wait_without_cancelling, why="the 'wait_for' raises on timeout and leaves the task running"),
])
def test_wait_for_cancels_on_timeout(wait_for, judge):
    """False if wait_for's timeout does not raise TimeoutError, or leaves the coroutine running."""
    seen = {}

    async def slow():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            seen["cancelled"] = True
            raise

    async def main():
        try:
            await wait_for(slow(), 0.05)
        except asyncio.TimeoutError:
            seen["timeout"] = True
        await asyncio.sleep(0.05)  # a task left running would still be asleep now, not cancelled
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            seen["left running"] = True
            task.cancel()

    asyncio.run(main())
    ok = seen.get("timeout") and seen.get("cancelled") and not seen.get("left running")
    judge.observed(HOLDS if ok else REFUTED, f"after the timeout: {', '.join(sorted(seen)) or 'nothing seen'}",
                   data=seen)


# ---------------------------------------------------------------- as-completed-yields-as-they-complete
def in_submission_order(fs):
    """Planted: yields the futures in the order given, each once it is done."""
    for f in fs:
        f.result()
        yield f


@pytest.mark.claim("as-completed-yields-as-they-complete")
@pytest.mark.behaviour
@pytest.mark.parametrize("as_completed", [
    pytest.param(concurrent.futures.as_completed, id="as_completed"),
    control("submission-order", in_submission_order, why="the 'as_completed' yields the futures in the order given"),
])
def test_as_completed_yields_as_they_complete(as_completed, judge):
    """False if futures submitted slowest first do not come out fastest first."""
    delays = [0.3, 0.2, 0.1, 0.0]  # submitted slowest first
    with concurrent.futures.ThreadPoolExecutor(len(delays)) as pool:
        fs = [pool.submit(lambda d=d: (time.sleep(d), d)[1]) for d in delays]
        order = [f.result() for f in as_completed(fs)]
    ok = order == sorted(delays)
    judge.observed(HOLDS if ok else REFUTED, f"submitted with delays {delays}, yielded {order}", data={"order": order})
