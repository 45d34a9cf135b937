"""Load, audit and report on any Executor: local processes and a Dask LocalCluster give exactly
the single-process results."""

from __future__ import annotations

import re

import pandas.testing as pdt
import pytest

import evaltools
from conftest import SYNTH_DIR, need_module
from evaltools.cli import main as cli
from evaltools.executors import ExecutorError, executor
from evaltools.report import render_reports

TABLES = ("projects", "funds", "indicators", "load_errors", "cells", "unmapped", "sheets")


@pytest.fixture(scope="module")
def local():
    book = evaltools.load(SYNTH_DIR)
    return book, evaltools.audit(book)


def _same(book, result, local):
    lb, lr = local
    for t in TABLES:
        pdt.assert_frame_equal(getattr(book, t), getattr(lb, t))
    pdt.assert_frame_equal(result.findings, lr.findings)
    pdt.assert_frame_equal(result.form_scores, lr.form_scores)


@pytest.mark.parametrize("name", ["processes", "threads", "serial"])
def test_local_executors(local, name):
    with executor(name, jobs=2) as ex:
        book = evaltools.load(SYNTH_DIR, executor=ex)
        result = evaltools.audit(book, executor=ex)
    _same(book, result, local)


@pytest.fixture(scope="module")
def cluster():
    distributed = need_module("distributed", 'dask distributed (pip install "dask[distributed]")')
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def test_dask_cluster_load_audit_report(local, cluster, tmp_path):
    with executor("dask", scheduler=cluster.scheduler_address) as ex:
        book = evaltools.load(SYNTH_DIR, executor=ex)
        result = evaltools.audit(book, executor=ex)
        _same(book, result, local)
        batch = render_reports(SYNTH_DIR, tmp_path / "dask", executor=ex, progress=False,
                               departments=["示例县财政局", "示例县公安局"])
    plain = render_reports(SYNTH_DIR, tmp_path / "local", jobs=1, progress=False,
                           departments=["示例县财政局", "示例县公安局"])
    strip = lambda t: re.sub(r'id="cell-id=[0-9a-f-]+"', "", re.sub(r'<div class="et-manifest">.*?</script>', "",
                                                                     t, flags=re.S))
    for a, b in zip(batch["departments"], plain["departments"]):
        # This test once failed in a full run (a papermill DeadKernelError) and could not be made to
        # fail again; the message carries what is needed to find out why: the error, the kept
        # notebook (the audit trail of the failed run) and what the Dask workers logged.
        assert not a["error"], (f"on Dask: {a['department']}: {a['error']} ({tmp_path / 'dask' / a['notebook']})\n"
                                f"{_worker_logs(cluster)}")
        assert not b["error"], f"in this process: {b['department']}: {b['error']}"
        ta = (tmp_path / "dask" / a["html"]).read_text(encoding="utf-8")
        tb = (tmp_path / "local" / b["html"]).read_text(encoding="utf-8")
        assert strip(ta) == strip(tb)


def _worker_logs(cluster, lines: int = 40) -> str:
    try:
        logs = cluster.get_logs(cluster=False, scheduler=False, workers=True)
    except Exception as exc:  # the logs explain a failure; they must not replace it
        return f"(worker logs unavailable: {exc!r})"
    # each value is the worker's recent log as one text, newest line first
    return "\n".join(f"{w}:\n" + "\n".join(str(text).splitlines()[:lines]) for w, text in logs.items())


def test_cli_scheduler_option(cluster, tmp_path, capsys):
    assert cli(["audit", str(SYNTH_DIR), "--scheduler", cluster.scheduler_address, "-o", str(tmp_path)]) in (0, 1)
    assert (tmp_path / "findings.csv").exists()


def test_unknown_executor():
    with pytest.raises(ExecutorError):
        with executor("carrier-pigeon"):
            pass


def test_load_keeps_few_results_waiting_on_an_executor():
    """A worker keeps a finished result until it is fetched: the load submits a few tasks ahead
    of what it has fetched, not the whole batch at once (2.5 GB a Dask worker on 100,000 forms)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    load_module = __import__("sys").modules["evaltools.load"]

    class Counting(ThreadPoolExecutor):
        def __init__(self):
            super().__init__(max_workers=2)
            self.lock, self.out, self.most = threading.Lock(), 0, 0

        def submit(self, fn, *args):
            with self.lock:
                self.out += 1
                self.most = max(self.most, self.out)
            fut = super().submit(fn, *args)
            original = fut.result

            def result(timeout=None):
                value = original(timeout)
                with self.lock:
                    self.out -= 1
                return value

            fut.result = result
            return fut

    with Counting() as ex:
        assert load_module._parallelism(ex) == 2
        got = list(load_module._bounded_map(ex, lambda p: [x * 2 for x in p], [[n] for n in range(50)], 4))
        assert got == [[n * 2] for n in range(50)] and ex.most <= 4
        book = evaltools.load(SYNTH_DIR, executor=ex)
        assert ex.most <= 4 * 2 and len(book.projects)


def test_a_dask_executor_says_how_many_threads_it_runs(cluster):
    with executor("dask", scheduler=cluster.scheduler_address) as ex:
        assert __import__("sys").modules["evaltools.load"]._parallelism(ex) == 2
