"""Bytes per second between two processes: Pipe, Queue and a SharedMemory block."""
from __future__ import annotations

import multiprocessing
import time
from multiprocessing import shared_memory

import pytest

from claimbench import stats, verdicts
from claimbench.measure import Interleaved, Seconds
from claimbench.probes_cost import bytes_label, fmt_bytes
from claimbench.probes_io import transfer_sink

# Shared memory "wins" when it moves bytes at least half as fast again as the better of
# Pipe and Queue: halfway between a tie (1) and twice as fast (2).
WINS = 1.5
# Judged at sizes well away from where shared memory starts to win (between 4 KiB and
# 256 KiB here, and it moves from run to run); the sizes in between are swept for the
# plot, a few rounds each, with no verdict.
PAYLOADS = [1 << 10, 1 << 20, 64 << 20]
SWEEP = {1 << 10: [4 << 10, 16 << 10, 64 << 10, 256 << 10], 1 << 20: [4 << 20, 16 << 20], 64 << 20: []}
SWEEP_ROUNDS = 3
# Transfers per sample: a few milliseconds' worth for small payloads, one for the largest.
BYTES_PER_SAMPLE = 4 << 20
MECHANISMS = ("pipe", "queue", "shared-memory")


def _transfers(size: int) -> int:
    return max(1, min(100, BYTES_PER_SAMPLE // size))


class Channels:
    """One receiving process for the three mechanisms (so they share its CPU and its
    wake-ups), acknowledging every payload it has."""

    def __init__(self, size: int):
        self.block = shared_memory.SharedMemory(create=True, size=size)
        self.pipe, pipe_far = multiprocessing.Pipe()
        self.queue = multiprocessing.Queue()
        self.queue_ack, queue_far = multiprocessing.Pipe()
        self.shm_ctl, shm_far = multiprocessing.Pipe()
        self.proc = multiprocessing.Process(target=transfer_sink, daemon=True, args=(
            pipe_far, self.queue, queue_far, shm_far, self.block.name))
        self.proc.start()
        self.procs = [self.proc]
        for far in (pipe_far, queue_far, shm_far):
            far.close()

    def send(self, mechanism: str, payload: bytes) -> None:
        if mechanism == "pipe":
            self.pipe.send_bytes(payload)
            ack = self.pipe
        elif mechanism == "queue":
            self.queue.put(payload)
            ack = self.queue_ack
        else:
            self.block.buf[:len(payload)] = payload
            self.shm_ctl.send_bytes(str(len(payload)).encode())
            ack = self.shm_ctl
        if not ack.poll(60):
            raise RuntimeError("the {} receiver did not acknowledge within 60 s".format(mechanism))
        ack.recv_bytes()

    def close(self) -> None:
        for send in (lambda: self.pipe.send_bytes(b""), lambda: self.queue.put(None),
                     lambda: self.shm_ctl.send_bytes(b"0")):
            try:
                send()
            except OSError:
                pass
        for p in self.procs:
            p.join(10)
            if p.is_alive():
                p.kill()
                p.join()
        self.queue.close()
        self.queue.join_thread()
        for c in (self.pipe, self.queue_ack, self.shm_ctl):
            c.close()
        self.block.close()
        self.block.unlink()


def transfers(channels: Channels, size: int) -> dict:
    """{mechanism: a variant timing _transfers(size) payloads of ``size`` bytes, per transfer}."""
    payload = b"x" * size
    n = _transfers(size)

    def variant(mechanism):
        def sample():
            t0 = time.perf_counter()
            for _ in range(n):
                channels.send(mechanism, payload)
            return Seconds((time.perf_counter() - t0) / n)
        return sample
    return {mech: variant(mech) for mech in MECHANISMS}


@pytest.mark.claim("ipc-throughput-ranks")
@pytest.mark.timeout(180)
@pytest.mark.parametrize("size", PAYLOADS, ids=bytes_label)
def test_ipc_throughput_ranks(size, scale, benchmark, judge):
    """False if shared memory does not move this payload at least 1.5× as fast as the better
    of a Pipe and a Queue."""
    channels = Channels(max([size] + SWEEP[size]))
    try:
        variants = transfers(channels, size)
        for v in variants.values():  # every receiver has started and answers
            v()
        m = Interleaved(variants)

        def effect(m):
            best = [min(a, b) for a, b in zip(m.samples["pipe"], m.samples["queue"])]
            return stats.ratio_interval(best, m.samples["shared-memory"])

        decision = m.until_settled(lambda m: stats.above(effect(m), WINS), scale, benchmark)
        sweep = {}
        for other in SWEEP[size]:
            s = Interleaved(transfers(channels, other))
            s.run(SWEEP_ROUNDS)
            sweep[str(other)] = {mech: other / s.median_s(mech) for mech in MECHANISMS}
    finally:
        channels.close()
    e = effect(m)
    rate = {mech: size / m.median_s(mech) for mech in MECHANISMS}
    n = _transfers(size)
    judge(verdicts.measured(
        "ipc-throughput-ranks", "", e, decision, "shared memory rate / best of Pipe and Queue",
        "> {}".format(WINS),
        "{} payloads, sent and acknowledged: {} (medians of {} rounds of {} transfers)".format(
            bytes_label(size), ", ".join("{} {}/s".format(mech, fmt_bytes(r)) for mech, r in
                                         sorted(rate.items(), key=lambda kv: -kv[1])), m.rounds, n),
        data={"payload_bytes": size, "bytes_per_s": rate,
              "bytes_per_s_interval": {mech: [size / x for x in (m.interval(mech).high, m.interval(mech).low)]
                                       for mech in MECHANISMS},
              "sweep": sweep, "sweep_rounds": SWEEP_ROUNDS}))
