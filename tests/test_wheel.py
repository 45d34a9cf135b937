"""evaltools installs anywhere: a wheel built from the project carries its notebooks and report
template, and ``evaltools report`` runs from it in a fresh venv outside the checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import ROOT, SEED_DIR

# what the build reads; copied so the build's build/ and *.egg-info never land in the checkout
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md", "notebooks", "src")


def _setuptools_is_new_enough() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77  # pyproject's build-system requires


def _run(cmd, ok=(0,), **kw):
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=kw.pop("timeout", 180), **kw)
    assert out.returncode in ok, f"{cmd} exited {out.returncode}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


def build_wheel(tmp: Path) -> Path:
    src = tmp / "src-copy"
    src.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    for name in BUILD_INPUTS:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=skip)
        else:
            shutil.copy2(p, src / name)
    dist = tmp / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, src]
    if _setuptools_is_new_enough():  # fully offline; else pip fetches setuptools from the configured index
        cmd.insert(4, "--no-build-isolation")
    _run(cmd, cwd=tmp)
    (wheel,) = dist.glob("evaltools-*.whl")
    return wheel


@pytest.mark.slow
def test_wheel_installs_and_renders_a_report(tmp_path):
    wheel = build_wheel(tmp_path)

    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"evaltools/notebooks/{nb.name}" in names
    assert "evaltools/templates/evaltools_report/index.html.j2" in names
    assert "evaltools/templates/evaltools_report/conf.json" in names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    py = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index", "-q", wheel])
    # The dependencies come from the project's .venv through a .pth line. A path added by a .pth
    # line is not itself scanned for .pth files, so the .venv's __editable__ hook (which would
    # import evaltools from src/) stays out; the new venv's own site-packages comes first anyway.
    site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    (site / "zz_project_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # the borrowed dependencies' data files (nbconvert's base templates, the kernelspec) are under
    # the .venv's share/jupyter; an install with its dependencies has them under its own prefix
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    work = tmp_path / "elsewhere"
    work.mkdir()
    probe = ("import json, sys, evaltools, evaltools.report as r, evaltools.resources as res\n"
             "from jupyter_client.kernelspec import get_kernel_spec\n"
             "print(json.dumps({'module': evaltools.__file__, 'notebook': str(r.DEFAULT_NOTEBOOK),"
             " 'template': str(r.TEMPLATE_DIR), 'checkout': str(res.checkout_root()),"
             " 'explore': str(res.notebook('explore.ipynb')), 'exe': sys.executable,"
             " 'kernel': get_kernel_spec('python3').argv[0]}))\n")
    where = json.loads(_run([py, "-c", probe], cwd=work, env=env).stdout)
    for key in ("module", "notebook", "template", "explore"):
        assert Path(where[key]).resolve().is_relative_to(venv.resolve()), (key, where)
    assert where["checkout"] == "None"
    assert Path(where["notebook"]).is_file()
    # the report kernel: "python" in the kernelspec means this interpreter, i.e. the new venv's
    assert where["kernel"] in ("python", "python3", where["exe"]), where

    out = tmp_path / "out"
    run = _run([venv / "bin" / "evaltools", "report", SEED_DIR, "-o", out, "--jobs", "1", "--no-progress"],
               cwd=work, env=env, timeout=240, ok=(0, 1))  # 1: the seed forms have findings of severity error
    assert "已生成 1 份部门报告" in run.stdout, (run.stdout, run.stderr)
    page = out / "壶关县人民政府办公室.html"
    assert page.is_file(), sorted(p.name for p in out.iterdir())
    text = page.read_text(encoding="utf-8")
    assert "<h1>壶关县人民政府办公室 2021 年度项目支出绩效自评审核报告</h1>" in text
    assert '<meta content="evaltools" name="generator"/>' in text  # the packaged template rendered it
    assert (out / "index.html").is_file()
    assert not list(work.iterdir())  # nothing was written to the working directory
