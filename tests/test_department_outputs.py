"""``evaltools report --department X``: the folder can be sent to X — no file in it names another
department or one of its projects. Real CLI runs (subprocess) on the synthetic county."""

from __future__ import annotations

import html
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import evaltools
from conftest import ROOT, SYNTH_DIR

CHOSEN = "示例县公安局"


def run_cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "evaltools", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def texts_of(path: Path) -> list[str]:
    """Every text a reader of ``path`` could see: the raw file, its parsed JSON, each zip member."""
    data = path.read_bytes()
    if path.suffix in (".xlsx", ".xlsm"):
        with zipfile.ZipFile(path) as z:
            members = [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        return members + [html.unescape(m) for m in members]
    text = data.decode("utf-8-sig", "replace")
    out = [text, html.unescape(text)]
    if path.suffix in (".json", ".ipynb"):
        out.append(json.dumps(json.loads(text), ensure_ascii=False))
    return out


@pytest.fixture(scope="module")
def county():
    book = evaltools.load(SYNTH_DIR)
    p = book.projects
    mine = set(p.loc[p["department"] == CHOSEN, "project_name"])
    others = sorted(set(p["department"]) - {CHOSEN})
    # a project name two departments share (政务服务平台运维经费) is no leak
    foreign = sorted(set(p.loc[p["department"] != CHOSEN, "project_name"]) - mine - {""})
    files = sorted({Path(f).name for f in p.loc[p["department"] != CHOSEN, "source_file"]})
    assert len(others) == 4 and foreign and files
    return others, foreign, files


@pytest.fixture(scope="module")
def department_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("dept") / "out"
    proc = run_cli("report", SYNTH_DIR, "--department", CHOSEN, "-o", out, "--no-progress")
    return out, proc


def test_every_output_holds_the_department_only(department_run, county):
    out, proc = department_run
    assert proc.returncode == 1, proc.stderr  # the synthetic county has error-level findings
    assert f"输出只含所选主管部门：{CHOSEN}" in proc.stdout
    others, foreign, files = county
    written = sorted(p for p in out.rglob("*") if p.is_file())
    kinds = {p.suffix for p in written}
    assert {".html", ".json", ".ipynb", ".xlsx"} <= kinds, kinds
    assert (out / f"{CHOSEN}.html").exists() and (out / "notebooks" / f"{CHOSEN}.ipynb").exists()
    assert sorted(p.name for p in out.glob("*.html")) == sorted([f"{CHOSEN}.html", "index.html"])
    leaks = []
    for path in written:
        for text in texts_of(path):
            for word in others + foreign + files:
                if word in text:
                    leaks.append(f"{path.relative_to(out)}: {word}")
    assert not leaks, sorted(set(leaks))[:20]
    # and it is not empty: the department itself is there
    assert CHOSEN in (out / "index.html").read_text(encoding="utf-8")
    assert CHOSEN in "".join(texts_of(out / "findings.xlsx"))
    batch = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    assert batch["selection"] == [CHOSEN] and [d["department"] for d in batch["departments"]] == [CHOSEN]
    copies = list((out / "annotated").rglob("*.xlsx"))
    assert copies and all(CHOSEN in str(c.relative_to(out)) for c in copies)


def test_a_folder_with_other_departments_is_refused(department_run, tmp_path):
    out = tmp_path / "all"
    full = run_cli("audit", SYNTH_DIR, "-o", out)
    assert full.returncode == 1 and (out / "findings.xlsx").exists(), full.stderr
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    proc = run_cli("report", SYNTH_DIR, "--department", CHOSEN, "-o", out, "--no-progress")
    assert proc.returncode == 2, proc.stderr
    assert "已有其他主管部门" in proc.stderr and str(out) in proc.stderr and "Traceback" not in proc.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # nothing written or removed


def test_the_same_department_again_is_allowed(department_run):
    out, first = department_run
    proc = run_cli("report", SYNTH_DIR, "--department", CHOSEN, "-o", out, "--no-progress")
    assert proc.returncode == 1, proc.stderr
    assert "已生成 1 份部门报告" in proc.stdout


def test_an_unknown_department_is_a_usage_error(tmp_path):
    proc = run_cli("report", SYNTH_DIR, "--department", "没有这个局", "-o", tmp_path / "out", "--no-progress")
    assert proc.returncode == 2
    assert "没有主管部门“没有这个局”" in proc.stderr and CHOSEN in proc.stderr
    assert not (tmp_path / "out").exists()
