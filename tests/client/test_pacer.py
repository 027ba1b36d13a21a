"""Unit tests of the GET pacer, driven by a fake clock (no waiting, no HTTP)."""

from __future__ import annotations

import threading
import time

import pytest

from happyfox_sync.source.helpers.pacing import GetPacer, PacerCancelled, PacerPaused


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_pacer(per_minute: float, clock: FakeClock) -> GetPacer:
    return GetPacer(per_minute, clock=clock, sleep=clock.sleep)


def test_first_request_is_granted_immediately() -> None:
    clock = FakeClock()
    pacer = make_pacer(60, clock)
    assert pacer.acquire() == 1000.0
    assert clock.sleeps == []


def test_consecutive_requests_are_spaced_by_60_over_budget() -> None:
    clock = FakeClock()
    pacer = make_pacer(120, clock)
    starts = [pacer.acquire() for _ in range(5)]
    assert starts == pytest.approx([1000.0, 1000.5, 1001.0, 1001.5, 1002.0])


def test_no_60_second_window_holds_more_than_the_budget() -> None:
    clock = FakeClock(start=0.0)
    pacer = make_pacer(400, clock)
    starts = [pacer.acquire() for _ in range(1200)]
    # Sliding windows [t, t + 60) starting at every request start (the worst case).
    worst = max(sum(1 for s in starts if t <= s < t + 60) for t in starts)
    assert worst == 400
    # Fixed clock minutes.
    per_minute = [sum(1 for s in starts if m * 60 <= s < (m + 1) * 60) for m in range(3)]
    assert per_minute == [400, 400, 400]


def test_idle_time_does_not_build_up_burst_credit() -> None:
    clock = FakeClock()
    pacer = make_pacer(60, clock)
    pacer.acquire()
    clock.now += 300.0  # five idle minutes
    starts = [pacer.acquire() for _ in range(3)]
    assert starts == pytest.approx([1300.0, 1301.0, 1302.0])


def test_pause_holds_the_next_request_until_it_ends() -> None:
    clock = FakeClock()
    pacer = make_pacer(60, clock)
    pacer.acquire()
    assert pacer.pause(10.0) == 1010.0
    assert pacer.acquire() == 1010.0
    assert pacer.acquire() == pytest.approx(1011.0)


def test_pause_is_never_shortened_by_a_shorter_one() -> None:
    clock = FakeClock()
    pacer = make_pacer(60, clock)
    pacer.pause(10.0)
    clock.now += 2.0
    assert pacer.pause(3.0) == 1010.0
    assert pacer.paused_remaining() == 8.0


def test_paused_seconds_counts_overlapping_pauses_once() -> None:
    clock = FakeClock()
    pacer = make_pacer(60, clock)
    pacer.pause(10.0)
    clock.now += 4.0
    pacer.pause(10.0)  # extends the pause from 1010 to 1014
    assert pacer.paused_seconds == 14.0


def test_a_pause_begun_while_waiting_for_a_slot_sends_the_waiter_behind_it() -> None:
    clock = FakeClock()

    def sleep_then_get_a_429(seconds: float) -> None:
        clock.sleep(seconds)
        if len(clock.sleeps) == 1:  # another thread's request gets a 429 meanwhile
            pacer.pause(30.0)

    pacer = GetPacer(60, clock=clock, sleep=sleep_then_get_a_429)
    pacer.acquire()  # slot 1000; the next slot is 1001
    assert pacer.acquire() == pytest.approx(1031.0)


def test_wait_for_pause_false_raises_with_the_remaining_seconds() -> None:
    clock = FakeClock()
    pacer = make_pacer(60, clock)
    pacer.pause(600.0)
    clock.now += 100.0
    with pytest.raises(PacerPaused) as raised:
        pacer.acquire(wait_for_pause=False)
    assert raised.value.remaining_seconds == 500.0


def test_paused_remaining_is_zero_when_not_paused() -> None:
    clock = FakeClock()
    pacer = make_pacer(60, clock)
    assert pacer.paused_remaining() == 0.0


def test_non_positive_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="max_per_minute must be positive"):
        GetPacer(0)


def test_cancel_event_interrupts_a_real_wait() -> None:
    pacer = GetPacer(1)  # one request per minute: the second would wait 60 s
    pacer.acquire()
    cancel = threading.Event()
    threading.Timer(0.1, cancel.set).start()
    began = time.monotonic()
    with pytest.raises(PacerCancelled):
        pacer.acquire(cancel)
    assert time.monotonic() - began < 5.0


def test_threads_sharing_a_real_pacer_start_at_least_one_interval_apart() -> None:
    pacer = GetPacer(1200)  # 20/s: interval 0.05 s
    woke: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(3):
            pacer.acquire()
            with lock:
                woke.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    woke.sort()
    assert len(woke) == 24
    # 24 starts at 0.05 s spacing span at least 23 intervals.
    assert woke[-1] - woke[0] >= 23 * 0.05 - 0.01
    # No window of 0.5 s (10 intervals) holds more than 10 + 1 starts, even with wake-up jitter.
    assert max(sum(1 for w in woke if t <= w < t + 0.5) for t in woke) <= 11
