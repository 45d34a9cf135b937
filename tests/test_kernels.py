"""Report kernels start whatever else binds ports on the machine.

A batch starts kernels in parallel (worker processes, Dask workers). Over TCP jupyter_client
chooses a kernel's ports by binding port 0 and releasing it, writes them to the connection file
and starts the kernel, which binds them up to a second later: anything that takes one of those
ports in between kills the kernel (``Address already in use`` → "Kernel died before replying to
kernel_info"). That is what made ``test_dask_cluster_load_audit_report`` fail now and then. The
thief below does on purpose what another process does by chance: it reads every connection file
as it appears and binds the kernel's shell port first.
"""

from __future__ import annotations

import json
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import SYNTH_DIR
from evaltools import engines
from evaltools.report import render_department


class PortThief(threading.Thread):
    """Binds the shell port of every kernel whose connection file appears in ``runtime``."""

    def __init__(self, runtime: Path):
        super().__init__(daemon=True)
        self.runtime, self.stop, self.seen, self.taken, self.held = runtime, threading.Event(), [], [], []

    def run(self):
        done = set()
        while not self.stop.is_set():
            for f in self.runtime.glob("*.json"):
                if f in done:
                    continue
                try:
                    info = json.loads(f.read_text())
                except (OSError, ValueError):
                    continue  # still being written
                done.add(f)
                self.seen.append(info)
                if info.get("transport") == "tcp":
                    s = socket.socket()
                    try:
                        s.bind((info["ip"], info["shell_port"]))
                        s.listen()
                        self.held.append(s)
                        self.taken.append(info["shell_port"])
                    except OSError:
                        s.close()  # the kernel was faster this time
            time.sleep(0.002)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.join()
        for s in self.held:
            s.close()


@pytest.fixture
def runtime(monkeypatch, tmp_path_factory):
    # jupyter_client writes connection files with tempfile.mkstemp; a short folder of our own
    # keeps them in view (and the socket paths well under the 107 bytes a Unix socket allows).
    # pytest's own temporary folder is fixed first, or it would be made in this one and removed.
    tmp_path_factory.getbasetemp()
    d = Path(tempfile.mkdtemp(prefix="et-rt-", dir="/tmp" if Path("/tmp").is_dir() else None))
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_report_kernel_starts_when_its_ports_are_taken(runtime, tmp_path):
    with PortThief(runtime) as thief:
        # a fresh kernel's start (the warm engine's own start is tested below)
        status = render_department(SYNTH_DIR, "示例县财政局", tmp_path / "out", engine="papermill")
    assert thief.seen, "the kernel's connection file was never seen: the thief tested nothing"
    assert not status["error"], f"{status['error']} (ports taken before the kernel bound them: {thief.taken})"
    assert (tmp_path / "out" / status["html"]).exists()
    assert [info["transport"] for info in thief.seen] == ["ipc"] * len(thief.seen)


def test_warm_kernel_starts_when_its_ports_are_taken(runtime):
    km = engines.PrivateKernelManager(kernel_name="python3")
    with PortThief(runtime) as thief:
        km.start_kernel()
        try:
            kc = km.client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=60)
                reply = kc.execute_interactive("x = 6 * 7", timeout=60)
            finally:
                kc.stop_channels()
            sockets = Path(km.ip).parent
            assert any(sockets.iterdir()), "the kernel's socket files are not in its private folder"
        finally:
            km.shutdown_kernel(now=True)
    assert thief.seen
    assert reply["content"]["status"] == "ok"
    assert not sockets.exists(), "the private socket folder outlived its kernel"


def test_the_warm_engine_uses_private_sockets():
    # the engine's one kernel per process is made by the class tested above
    assert isinstance(engines.warm_kernel(), engines.PrivateKernelManager)
    assert engines.warm_kernel().transport == ("ipc" if engines._ipc_available() else "tcp")
