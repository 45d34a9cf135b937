"""Where batch work runs: a small registry of ``concurrent.futures.Executor`` factories.

Load, audit and report take any Executor; these are the ones evaltools knows by name:
``processes`` (local processes, the default), ``threads``, ``serial`` (this process), and ``dask``
(a ``distributed`` cluster: ``scheduler="tcp://host:8786"``, or a LocalCluster when no address is
given). On a cluster every worker reads the input files itself, so the data folder (and the
output folder of a report batch) must be on a filesystem all workers see at the same path.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

from .errors import EvaltoolsError, ExecutorError  # noqa: F401 - re-exported


def process_pool(workers: int | None = None, initializer=None) -> ProcessPoolExecutor:
    """The local process pool every batch runs on (load, audit, report): one place that decides
    its size (``None``: one worker per core) and how its workers start."""
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, initializer=initializer)


class SerialExecutor(Executor):
    """Runs each task at submit time, in this process (for debugging and small batches)."""

    def submit(self, fn, /, *args, **kwargs):
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            fut.set_exception(exc)
        return fut


@contextlib.contextmanager
def _processes(jobs=None, scheduler=None) -> Iterator[Executor]:
    with process_pool(jobs) as ex:
        yield ex


@contextlib.contextmanager
def _threads(jobs=None, scheduler=None) -> Iterator[Executor]:
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as ex:
        yield ex


@contextlib.contextmanager
def _serial(jobs=None, scheduler=None) -> Iterator[Executor]:
    yield SerialExecutor()


@contextlib.contextmanager
def _dask(jobs=None, scheduler=None) -> Iterator[Executor]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ExecutorError("the dask executor needs `pip install \"dask[distributed]\"`") from exc
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            cluster = LocalCluster(n_workers=jobs or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
    except OSError as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from exc
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


EXECUTORS: dict[str, Callable] = {"processes": _processes, "threads": _threads, "serial": _serial, "dask": _dask}


def register(name: str, factory: Callable) -> None:
    """Add an executor factory: a context manager ``factory(jobs=None, scheduler=None)``."""
    EXECUTORS[name] = factory


def executor(name: str = "processes", *, jobs: int | None = None, scheduler: str | None = None):
    """A context manager yielding the named Executor (``scheduler`` implies ``dask``)."""
    if scheduler and name == "processes":
        name = "dask"
    try:
        factory = EXECUTORS[name]
    except KeyError:
        raise ExecutorError(f"unknown executor {name!r}: use one of {', '.join(EXECUTORS)}") from None
    return factory(jobs=jobs, scheduler=scheduler)
