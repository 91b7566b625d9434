"""Working on many files on every core, few files in this process.

One file stays the unit of work: :meth:`Checker.check_file` for ``check``,
:meth:`Fixer.fix_file` for ``fix``. With more than one job and enough
files, worker processes each build one such object (one parser, one
template cache) and work on contiguous chunks of the file list (see
:func:`chunks`). Results come back in the order of the list, whatever the
number of jobs; the workers read the findings cache, and write it, too.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

# Fewer files than this per job: starting workers costs more than it saves.
MIN_FILES_PER_JOB = 8
# The smallest chunk of files a worker is given at once.
MIN_CHUNK = 4


def default_jobs() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def jobs_for(files: int, jobs: int) -> int:
    """How many processes to use for ``files`` files: 1 means this one."""
    return max(1, min(jobs, files // MIN_FILES_PER_JOB))


class FileWorker(Protocol):
    """What works on one file at a time (a Checker, a Fixer): a worker
    process builds its own from the same ``arguments()``."""

    def __init__(self, *arguments: Any) -> None: ...

    def arguments(self) -> tuple[Any, ...]: ...


class Progress(Protocol):
    """What hears how far the work is: the number of files, each batch
    done, and the end, before anything else is printed (a progress bar at
    a terminal, see terminal.Progress)."""

    def start(self, total: int) -> None: ...

    def advance(self, done: int) -> None: ...

    def stop(self) -> None: ...


Worker = TypeVar("Worker", bound=FileWorker)
Result = TypeVar("Result")

# The object a worker process builds once and uses for each of its files.
_worker: Any = None


def _start_worker(build: type[FileWorker], arguments: tuple[Any, ...]) -> None:
    import signal
    import threading

    # Ctrl-C is the parent's to handle: it stops the pool, once, quietly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed outright (a CI timeout) cannot stop the pool: its
    # workers would wait for work forever. They leave within a second.
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    global _worker
    _worker = build(*arguments)


def _exit_with(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _work_in_worker(task: Callable[[Any, Path], Result], paths: list[Path]) -> list[Result]:
    assert _worker is not None
    return [task(_worker, path) for path in paths]


def chunks(files: Sequence[Path], workers: int) -> list[list[Path]]:
    """The list cut in contiguous chunks, large first, smaller and smaller
    (guided scheduling): a large chunk keeps a release's specs, and so its
    template, on one worker; the small last ones let the workers finish
    together."""
    found: list[list[Path]] = []
    start = 0
    while start < len(files):
        size = max(MIN_CHUNK, (len(files) - start) // (2 * workers))
        found.append(list(files[start : start + size]))
        start += size
    return found


def map_files(
    worker: Worker,
    task: Callable[[Worker, Path], Result],
    files: Sequence[Path],
    workers: int,
    meanwhile: Callable[[], None] | None = None,
    progress: Progress | None = None,
) -> list[Result]:
    """``task(worker, path)`` for each file, in order: here with one worker,
    else in that many processes, each building a worker of its own like
    ``worker``. ``task`` is sent to them by name: a module-level function
    or a method. ``meanwhile`` is this process's own work, done while the
    workers work (after the files, with none). ``progress`` hears of each
    file done, or each chunk in processes."""
    if workers <= 1:
        if progress is not None:
            progress.start(len(files))
        found = []
        for path in files:
            found.append(task(worker, path))
            if progress is not None:
                progress.advance(1)
        if meanwhile is not None:
            meanwhile()
        if progress is not None:
            progress.stop()
        return found
    return _in_pool(worker, task, list(files), workers, meanwhile, progress)


def _in_pool(
    worker: FileWorker,
    task: Callable[[Any, Path], Result],
    files: list[Path],
    workers: int,
    meanwhile: Callable[[], None] | None,
    progress: Progress | None,
) -> list[Result]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Forking shares what this process has imported; elsewhere (macOS,
    # Windows) the platform's default start method is the safe one.
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(type(worker), worker.arguments()),
    )
    try:
        # Handed out in order as workers come free; gathered in order.
        work = chunks(files, workers)
        futures = [pool.submit(_work_in_worker, task, chunk) for chunk in work]
        # The workers are forked by now (on the first submit), so this
        # process may do its own work before it waits, and start threads
        # (a progress bar's) that no fork would copy half-way.
        if progress is not None:
            progress.start(len(files))
            for future, chunk in zip(futures, work):
                future.add_done_callback(functools.partial(_advance, progress, len(chunk)))
        if meanwhile is not None:
            meanwhile()
        results = [found for future in futures for found in future.result()]
        if progress is not None:
            progress.stop()
        return results
    except BaseException:
        # Interrupted (Ctrl-C): stop now, not when the chunks under way end.
        _terminate_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _advance(progress: Progress, done: int, future: Future[Any]) -> None:
    if not future.cancelled():
        progress.advance(done)


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14 on.
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
