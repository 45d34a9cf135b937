"""A report batch is quiet: the terminal shows one progress bar and the summary lines, never a
kernel's or a library's warning (they would break the Chinese progress bar), whichever engine
renders and however many workers run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

import formkit as fk
from conftest import ROOT, SEED_DIR

# what the batch itself prints on stderr: its progress bar (tqdm, redrawn with \r)
PROGRESS = re.compile(r"^部门报告: +\d+%\|[^|]*\| \d+/\d+ \[[^\]]*\]$")
NOISE = ("warning", "kernel", "tcp", "traceback", "deprecat", "error", "zmq", "asyncio")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    for p in sorted(SEED_DIR.glob("*.xlsx"))[:2]:
        shutil.copy(p, d)
    form = fk.replace(fk.seed_form(0), {"壶关县人民政府办公室-002": "测试局-099"})
    fk.write_xlsx(d / "other.xlsx", [("Sheet1", form)])
    return d


@pytest.mark.parametrize("engine", ["papermill", "warm"])
def test_a_batch_prints_only_its_progress_and_summary(data, tmp_path, engine):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONWARNINGS", "JUPYTER"))}
    proc = subprocess.run([sys.executable, "-m", "evaltools", "report", str(data), "-o", str(tmp_path / "out"),
                           "--engine", engine, "--jobs", "2"], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    lines = [x.strip() for x in re.split(r"[\r\n]+", proc.stderr) if x.strip()]
    assert lines and all(PROGRESS.match(x) for x in lines), lines  # nothing but the bar on stderr
    assert lines[-1].startswith("部门报告: 100%|") and "2/2" in lines[-1]
    out = proc.stdout
    assert "已生成 2 份部门报告" in out.splitlines()[0]
    assert not any(word in out.lower() for word in NOISE), out
