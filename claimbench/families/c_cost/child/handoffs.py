"""The ping-pong and round-trip workers (handoff latency, handing data to a worker): a token
between two coroutines, two threads, or to an echo process and back; a payload to a worker and its
length back. Importable by name for spawn and forkserver children."""
from __future__ import annotations

import queue
import threading
import time

from ....core.workloads import CHILD_WAIT_S


def coroutine_ping_pong(rounds: int) -> float:
    """Seconds per round trip of a token between two coroutines through asyncio queues."""
    import asyncio

    async def main():
        there, back = asyncio.Queue(), asyncio.Queue()

        async def peer():
            for _ in range(rounds):
                back.put_nowait(await there.get())
        task = asyncio.ensure_future(peer())
        t0 = time.perf_counter()
        for i in range(rounds):
            there.put_nowait(i)
            await back.get()
        elapsed = time.perf_counter() - t0
        await task
        return elapsed
    return asyncio.run(main()) / rounds


def _thread_peer(there, back, rounds: int) -> None:
    for _ in range(rounds):
        back.put(there.get(timeout=CHILD_WAIT_S))


def thread_ping_pong(rounds: int) -> float:
    """Seconds per round trip of a token between two threads through queue.Queue."""
    there, back = queue.Queue(), queue.Queue()
    peer = threading.Thread(target=_thread_peer, args=(there, back, rounds), daemon=True)
    peer.start()
    t0 = time.perf_counter()
    for i in range(rounds):
        there.put(i)
        back.get(timeout=CHILD_WAIT_S)
    elapsed = time.perf_counter() - t0
    peer.join(CHILD_WAIT_S)
    return elapsed / rounds


def pipe_echo_loop(conn) -> None:
    """Worker process: send back every object received on a Pipe end, until None."""
    while conn.poll(CHILD_WAIT_S):
        msg = conn.recv()
        if msg is None:
            break
        conn.send(msg)
    conn.close()


def pipe_ping_pong(conn, rounds: int) -> float:
    """Seconds per round trip of a token to a ``pipe_echo_loop`` process and back."""
    t0 = time.perf_counter()
    for i in range(rounds):
        conn.send(i)
        if not conn.poll(CHILD_WAIT_S):
            raise RuntimeError(f"the echo process did not answer within {CHILD_WAIT_S} s")
        conn.recv()
    return (time.perf_counter() - t0) / rounds


def length_worker(inbox, outbox) -> None:
    """Worker (thread or process): answer each payload with its length, until None."""
    while True:
        payload = inbox.get(timeout=CHILD_WAIT_S)
        if payload is None:
            break
        outbox.put(len(payload))


def round_trips(inbox, outbox, payload: bytes, rounds: int) -> float:
    """Seconds per request (the payload) and response (its length) through a worker's queues."""
    t0 = time.perf_counter()
    for _ in range(rounds):
        inbox.put(payload)
        if outbox.get(timeout=CHILD_WAIT_S) != len(payload):
            raise RuntimeError("the worker answered a wrong length")
    return (time.perf_counter() - t0) / rounds
