"""Working on many files on every core, few files in this process.

One file stays the unit of work: :meth:`Checker.check_file` for ``check``,
:meth:`Fixer.fix_file` for ``fix``. With more than one job and enough
files, worker processes each build one such object (one parser, one
template cache) and work on contiguous chunks of the file list (see
:func:`chunks`). Results come back in the order of the list, whatever the
number of jobs; the workers read the findings cache, and write it, too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from speckeeper.speedups import collecting_after

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

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
    """What shows how far the work is (a progress bar at a terminal, see
    terminal.Progress): told the number of files and how to count those
    done, which it reads when it draws; stopped before anything else is
    printed."""

    def start(self, total: int, done: Callable[[], int]) -> None: ...

    def stop(self) -> None: ...


Worker = TypeVar("Worker", bound=FileWorker)
Result = TypeVar("Result")

# The object a worker process builds once and uses for each of its files,
# and the count of files done that the workers share, when progress is shown.
_worker: Any = None
_done: Any = None


def _start_worker(build: type[FileWorker], arguments: tuple[Any, ...], done: Any = None) -> None:
    import signal
    import threading

    # Ctrl-C is the parent's to handle: it stops the pool, once, quietly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed outright (a CI timeout) cannot stop the pool: its
    # workers would wait for work forever. They leave within a second.
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    global _worker, _done
    _worker = build(*arguments)
    _done = done


def _exit_with(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _work_in_worker(task: Callable[[Any, Path], Result], paths: list[Path]) -> list[Result]:
    assert _worker is not None
    found = []
    for path in paths:
        with collecting_after():
            found.append(task(_worker, path))
        if _done is not None:
            with _done.get_lock():
                _done.value += 1
    return found


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
    workers work (after the files, with none). ``progress`` shows each
    file done, in whichever process."""
    if workers <= 1:
        found: list[Result] = []
        if progress is not None:
            progress.start(len(files), found.__len__)
        for path in files:
            with collecting_after():
                found.append(task(worker, path))
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
    # The files done, counted by the workers as they go (shared memory).
    done = context.Value("q", 0) if progress is not None else None
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(type(worker), worker.arguments(), done),
    )
    try:
        # Handed out in order as workers come free; gathered in order.
        futures = [pool.submit(_work_in_worker, task, chunk) for chunk in chunks(files, workers)]
        # The workers are forked by now (on the first submit), so this
        # process may do its own work before it waits, and start threads
        # (a progress bar's) that no fork would copy half-way.
        if progress is not None and done is not None:
            progress.start(len(files), lambda: int(done.value))
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


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14 on.
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
