"""The worker pool (handpad.parallel.ordered_map): order, bounded jobs in flight, errors, shutdown."""
from __future__ import annotations

import multiprocessing
import os
import time
from contextlib import closing

import pytest

from handpad.parallel import ordered_map

# Workers are forked (or spawned), so the jobs count in shared memory.
RUNNING = multiprocessing.Value("i", 0)
MOST_RUNNING = multiprocessing.Value("i", 0)


def slow_square(x: int) -> int:
    time.sleep(0.05 * ((7 * x) % 3))  # finish out of order
    return x * x


def counted(x: int) -> int:
    with RUNNING.get_lock():
        RUNNING.value += 1
        MOST_RUNNING.value = max(MOST_RUNNING.value, RUNNING.value)
    time.sleep(0.02)
    with RUNNING.get_lock():
        RUNNING.value -= 1
    return x


def fail_at_3(x: int) -> int:
    if x == 3:
        raise ValueError(f"job {x} failed")
    return x


def add_shared(shared: dict, x: int) -> tuple[int, int]:
    return shared["offset"] + x, os.getpid()


@pytest.mark.parametrize("workers", [1, 3])
def test_results_come_in_job_order(workers):
    assert list(ordered_map(slow_square, range(12), workers)) == [x * x for x in range(12)]


def test_jobs_are_taken_only_as_results_are(tmp_path):
    taken = []

    def jobs():
        for x in range(40):
            taken.append(x)
            yield x

    results = ordered_map(counted, jobs(), workers=2, max_pending=3)
    for received, _ in enumerate(results, start=1):
        # the results handed over plus at most max_pending in flight: the generator is not run ahead
        assert len(taken) <= received + 3
        time.sleep(0.01)  # a slow consumer: finished results must not pile up
    assert len(taken) == 40
    assert 1 <= MOST_RUNNING.value <= 2  # never more running than workers


def test_in_process_map_is_lazy():
    taken = []

    def jobs():
        for x in range(5):
            taken.append(x)
            yield x

    results = ordered_map(slow_square, jobs(), workers=1)
    assert next(results) == 0 and taken == [0]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_error_in_a_job_comes_out_in_order_and_stops_the_pool(workers):
    got = []
    with pytest.raises(ValueError, match="job 3 failed"):
        with closing(ordered_map(fail_at_3, range(100), workers)) as results:
            for r in results:
                got.append(r)
    assert got == [0, 1, 2]  # the results before the failing job all arrive, none after


def test_shared_object_is_sent_once_to_each_worker():
    results = list(ordered_map(add_shared, range(8), workers=2, shared={"offset": 100}))
    assert [r for r, _ in results] == list(range(100, 108))
    assert os.getpid() not in {pid for _, pid in results}  # run in workers
    assert list(ordered_map(add_shared, [1], workers=1, shared={"offset": 5}))[0] == (6, os.getpid())


def test_closing_early_cancels_the_queued_jobs():
    taken = []

    def jobs():
        for x in range(1000):
            taken.append(x)
            yield x

    with closing(ordered_map(slow_square, jobs(), workers=2, max_pending=4)) as results:
        assert next(results) == 0
    assert len(taken) <= 5  # the pool is shut down: nothing more is submitted
