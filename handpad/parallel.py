"""The one worker pool of handpad: ``map`` over processes, in order and with bounded memory.

Conversion, pen redrawing and synthesis all cut their work into jobs whose results are
written to a store in job order. :func:`ordered_map` runs the jobs in worker processes and
hands the results back in that order, so the store never depends on timing or on the number
of workers, and it keeps at most ``max_pending`` jobs in flight, so neither finished results
nor the jobs themselves (a generator is read only as results are taken) pile up in memory.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator

_NOTHING = object()
_shared: Any = _NOTHING  # in a worker process: the ``shared`` object of its ordered_map


def default_workers() -> int:
    return os.cpu_count() or 1


def ordered_map(fn: Callable, jobs: Iterable, workers: int = 1, *, max_pending: int | None = None,
                shared: Any = _NOTHING) -> Iterator:
    """Yield ``fn(job)`` for every job, in job order, computed by ``workers`` processes.

    ``shared`` is an object every call needs (e.g. a reader holding a whole MNIST file): it is
    sent to each worker once instead of with every job, and ``fn`` is called as
    ``fn(shared, job)``. ``fn`` must be a module-level function (workers import it by name).
    ``workers <= 1`` runs the jobs here, one by one, as plain ``map`` does.

    An exception raised by ``fn`` comes out of the loop that reads the results. Whenever the
    loop ends early (an exception, Ctrl-C, ``close()``), queued jobs are cancelled and the
    running ones finish before this returns: close the generator (``contextlib.closing``) so
    that happens at once. Workers ignore Ctrl-C: the caller decides what to keep.
    """
    call = fn if shared is _NOTHING else (lambda job: fn(shared, job))
    if workers <= 1:
        for job in jobs:
            yield call(job)
        return
    max_pending = max_pending or 2 * workers
    pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_start_worker, initargs=(shared,))
    todo = iter(jobs)
    pending: deque = deque()

    def submit_next() -> None:
        job = next(todo, _NOTHING)
        if job is not _NOTHING:
            pending.append(pool.submit(fn, job) if shared is _NOTHING else pool.submit(_call_shared, fn, job))

    try:
        for _ in range(max_pending):
            submit_next()
        while pending:
            result = pending.popleft().result()
            submit_next()  # the one taken out is replaced before the caller gets its result
            yield result
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(shared) -> None:
    global _shared
    _shared = shared
    # Ctrl-C is the main process's business: it keeps what is committed and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _call_shared(fn: Callable, job):
    return fn(_shared, job)


def _context():
    # fork starts workers instantly; elsewhere (Windows) spawn is the only choice.
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
