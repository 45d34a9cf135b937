"""Notebook engines for the report batch: plain papermill, and papermill in a warm kernel.

Kernel start and imports cost most of a plain report. The ``warm`` engine pays them once per
worker process: it keeps one kernel per process, pre-imports evaltools, pandas and matplotlib in
it, and before every notebook resets the kernel to a clean namespace (``%reset -f``, figures
closed, matplotlib's rcParams restored), so nothing a department's run defined is visible to the
next. Execution is still papermill's (its client, its parameter injection, its error handling);
only the kernel is reused. A registry of the papermill shape: ``ENGINES[name]`` → papermill engine.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.utils import merge_kwargs, remove_args

logger = logging.getLogger("evaltools.engines")

WARM_IMPORTS = (
    "import pandas, numpy, matplotlib\n"
    "import matplotlib.pyplot\n"
    "import IPython.display\n"
    "import evaltools, evaltools.audit, evaltools.plots, evaltools.report, evaltools.fonts\n"
    "evaltools.fonts.setup_cjk_fonts()\n"
    # the settings a fresh kernel starts with (inline backend included), kept where %reset can't reach
    "matplotlib._evaltools_rc = dict(matplotlib.rcParams)\n"
)
# Run before every notebook (after moving the kernel to the notebook's folder): figures closed,
# rcParams as at start, the user namespace emptied.
RESET = (
    "import matplotlib as _m, matplotlib.pyplot as _p\n"
    "_p.close('all')\n"
    "_m.rcParams.update(_m._evaltools_rc)\n"
    "get_ipython().run_line_magic('reset', '-f')\n"
)

def _ipc_available() -> bool:
    import zmq

    return bool(zmq.has("ipc"))


class _PrivateSockets:
    """Kernel sockets as Unix domain sockets in a private temporary folder.

    Over TCP, jupyter_client picks each kernel's five ports by binding port 0 and releasing it,
    then starts the kernel, which binds them a second or more later; in that gap another process
    (another worker's kernel, a Dask connection) can take the port, and the kernel dies on
    ``Address already in use`` ("Kernel died before replying to kernel_info"). A port released by
    a finished kernel can also be taken by the next one while the old one's client sockets still
    reconnect to it. Socket files in a folder of their own cannot collide with anything, so a batch
    of parallel reports (processes, Dask workers) starts every kernel. Where libzmq has no IPC
    (Windows builds) the kernel stays on TCP.
    """

    def __init__(self, **kwargs):
        self._socket_dir = None
        if "transport" not in kwargs and _ipc_available():
            # short on purpose: a Unix socket path holds at most 107 bytes
            self._socket_dir = tempfile.mkdtemp(prefix="evaltools-k-")
            kwargs = {**kwargs, "transport": "ipc", "ip": os.path.join(self._socket_dir, "k")}
        super().__init__(**kwargs)

    def format_kernel_cmd(self, extra_arguments=None):
        # jupyter_client interrupts every kernel (SIGINT) before asking it to shut down; an ipykernel
        # caught between messages logs "KeyboardInterrupt caught in kernel" (and over TCP a warning
        # about encryption) on the stderr it shares with the batch, breaking its one progress bar.
        # Its log is for debugging the kernel, not the report: only critical lines reach the terminal.
        cmd = super().format_kernel_cmd(extra_arguments)
        if any("ipykernel" in part for part in cmd):
            cmd.append("--IPKernelApp.log_level=CRITICAL")
        return cmd

    def cleanup_connection_file(self) -> None:  # the final cleanup (not called on restart)
        super().cleanup_connection_file()
        if self._socket_dir:
            shutil.rmtree(self._socket_dir, ignore_errors=True)


def _managers():
    from jupyter_client.manager import AsyncKernelManager, KernelManager

    class PrivateKernelManager(_PrivateSockets, KernelManager):
        """jupyter_client's KernelManager on private sockets (the warm engine's)."""

    class AsyncPrivateKernelManager(_PrivateSockets, AsyncKernelManager):
        """nbclient's default AsyncKernelManager on private sockets (papermill's engine)."""

    return PrivateKernelManager, AsyncPrivateKernelManager


PrivateKernelManager, AsyncPrivateKernelManager = _managers()


_lock = threading.Lock()
_kernels: dict[str, object] = {}
_runs: dict[str, int] = {}


def _execute(km, code: str, timeout: float = 120) -> None:
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=timeout)
        reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"warm kernel setup failed: {reply['content'].get('evalue', '')}")
    finally:
        kc.stop_channels()


def warm_kernel(kernel_name: str = "python3", start_timeout: float = 60):
    """This process's warm kernel for ``kernel_name`` (started and pre-imported on first use)."""
    with _lock:
        km = _kernels.get(kernel_name)
        if km is not None and km.is_alive():
            return km
        km = PrivateKernelManager(kernel_name=kernel_name)
        km.start_kernel()
        _execute(km, WARM_IMPORTS, timeout=max(start_timeout, 120))
        _kernels[kernel_name] = km
        _runs[kernel_name] = 0
        return km


def kernel_runs(kernel_name: str = "python3") -> int:
    """How many notebooks this process's warm kernel has executed (for tests and benchmarks)."""
    return _runs.get(kernel_name, 0)


def shutdown_warm_kernels() -> None:
    with _lock:
        for km in _kernels.values():
            try:
                km.shutdown_kernel(now=True)
            except Exception:  # pragma: no cover - best effort at exit
                pass
        _kernels.clear()


def _forget_the_parents_kernels() -> None:
    """In a forked child (a process-pool worker): the parent's warm kernel is not this process's
    to use or shut down (a worker's exit would kill it), and jupyter_core's per-thread event-loop
    runner was copied without its thread (the child's first nested ``run_sync``, which a run in a
    kept kernel makes, waited on it for ever). The child starts its own of both on first use."""
    global _lock
    _kernels.clear()
    _runs.clear()
    _lock = threading.Lock()
    try:
        import jupyter_core.utils

        jupyter_core.utils._runner_map.clear()
    except (ImportError, AttributeError):  # pragma: no cover - a jupyter_core without the map
        pass


os.register_at_fork(after_in_child=_forget_the_parents_kernels)
atexit.register(shutdown_warm_kernels)
try:  # a pool worker leaves through multiprocessing's exit path, which skips atexit
    from multiprocessing.util import Finalize

    Finalize(None, shutdown_warm_kernels, exitpriority=10)
except ImportError:  # pragma: no cover
    pass


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, run in this process's pre-warmed, freshly reset kernel."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        km = warm_kernel(kernel_name, start_timeout)
        # papermill runs a notebook in its cwd by changing this process's folder before a fresh
        # kernel starts there; a warm kernel started earlier is moved to it instead
        _execute(km, f"import os as _o\n_o.chdir({os.getcwd()!r})\n" + RESET)
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
            stdout_file=stdout_file, stderr_file=stderr_file)
        client = PapermillNotebookClient(nb_man, km=km, **final_kwargs)
        try:
            return client.execute()
        finally:
            _runs[kernel_name] = _runs.get(kernel_name, 0) + 1


# name → papermill engine name; "papermill" is papermill's own nbclient engine
ENGINES = {"papermill": "nbclient", "warm": "evaltools-warm"}
papermill_engines.register("evaltools-warm", WarmKernelEngine)
