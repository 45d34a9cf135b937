"""Seventeen real forms from eleven provinces load exactly and audit as a reviewer would.

Each workbook of ``data/real/`` was rebuilt by ``scripts/build_real_forms.py`` from a published form
(``shared/real-forms/``); its ``.truth.toml`` was transcribed from the published text, by hand,
independently of evaltools. Every field it lists must load exactly; a number it does not list
must load as empty, a text as ""; every finding it lists must fire on its form (at its cell, when
given) and no rule of its ``quiet`` list may.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT

REAL = ROOT / "data" / "real"
TRUTHS = sorted(REAL.glob("*.truth.toml"))
PROJECT_NUMBERS = ("budget_initial", "budget_full_year", "executed", "exec_weight", "exec_rate", "exec_score",
                   "total_weight", "total_score", "header_score")
PROJECT_TEXTS = ("project_name", "department", "department_code", "implementing_unit", "goal_expected",
                 "goal_actual", "goal_adjusted", "experience", "problems", "suggestion_decision", "suggestion_budget",
                 "suggestion_funds", "suggestion_management", "suggestion_other", "remarks", "grade", "improvement",
                 "footnote")
FUND_NUMBERS = ("budget_initial", "budget_full_year", "executed", "received", "weight", "exec_rate", "score")
IND_NUMBERS = ("weight", "score", "level1_weight", "level2_weight", "part_weight", "weight_share", "weighted_score", "score_coefficient")
IND_TEXTS = ("level1", "level2", "name", "nature", "target", "adjusted_target", "unit", "actual",
             "deviation_reason", "level1_weight_range", "status", "core_mark", "part")
# fields of a truth file that are no column of their own: header values kept in projects.extra
FORM_KEYS = {"sheet", "form_type", "convention", "audited", "project", "funds", "indicators", "findings", "quiet",
             "gaps", "amount_unit"}


def _truth(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


CASES = [(p, i) for p in TRUTHS for i, _ in enumerate(_truth(p)["forms"])]
IDS = [f"{p.name.split('.')[0]}#{i}" for p, i in CASES]


def _differences(got, want: dict, numbers, texts, what: str = "") -> list[str]:
    """Every listed number within 1e-6 (absent: empty), every listed text exactly (absent: "")."""
    bad = [f"{what}{f}: loaded {got[f]!r}, truth {want.get(f)!r}" for f in numbers if not _num_equal(got[f], want.get(f))]
    bad += [f"{what}{f}: loaded {got[f]!r}, truth {want.get(f, '')!r}" for f in texts
            if str(got[f]) != str(want.get(f, ""))]
    return bad


def _num_equal(loaded, expected) -> bool:
    if expected is None:
        return loaded is None or (isinstance(loaded, float) and math.isnan(loaded))
    return loaded is not None and not (isinstance(loaded, float) and math.isnan(loaded)) \
        and abs(float(loaded) - float(expected)) <= 1e-6 * max(1.0, abs(float(expected)))


@pytest.fixture(scope="module")
def book():
    import evaltools

    return evaltools.load(REAL)


@pytest.fixture(scope="module")
def result(book):
    import evaltools

    return evaltools.audit(book)


def _forms_of(book, truth: dict):
    p = book.projects
    rows = p[p["relative_file"] == truth["file"]]
    return rows.sort_values(["sheet", "form_index"], key=lambda s: s.map(_sheet_order(truth)) if s.name == "sheet" else s)


def _sheet_order(truth):
    order = {}
    for f in truth["forms"]:
        order.setdefault(f["sheet"], len(order))
    return lambda name: order.get(name, 99)


def _form(book, path: Path, i: int):
    truth = _truth(path)
    rows = _forms_of(book, truth)
    assert len(rows) == len(truth["forms"]), \
        f"{truth['file']}: {len(rows)} forms loaded, {len(truth['forms'])} in the truth"
    return truth, truth["forms"][i], rows.iloc[i]


def test_every_workbook_has_a_truth_and_a_source():
    books = sorted(p.name for p in REAL.glob("*.xlsx"))
    assert len(TRUTHS) == 17 and len(books) == 17
    for path in TRUTHS:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("source = "), path.name
        assert _truth(path)["file"] in books


def test_builder_reproduces_the_committed_workbooks(tmp_path):
    """data/real is what the script builds from its specs: same cells, same merges."""
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_real_forms.py"), str(tmp_path)], check=True,
                   capture_output=True)
    for committed in sorted(REAL.glob("*.xlsx")):
        a, b = openpyxl.load_workbook(committed), openpyxl.load_workbook(tmp_path / committed.name)
        assert a.sheetnames == b.sheetnames
        for wa, wb in zip(a.worksheets, b.worksheets):
            cells_a = {(c.coordinate, c.value, c.number_format) for row in wa.iter_rows() for c in row if c.value is not None}
            cells_b = {(c.coordinate, c.value, c.number_format) for row in wb.iter_rows() for c in row if c.value is not None}
            assert cells_a == cells_b, committed.name
            assert sorted(map(str, wa.merged_cells.ranges)) == sorted(map(str, wb.merged_cells.ranges))


@pytest.mark.parametrize("path,i", CASES, ids=IDS)
def test_form_type_and_convention(book, path, i):
    truth, exp, row = _form(book, path, i)
    assert row["sheet"] == exp["sheet"]
    assert row["form_type"] == exp["form_type"]
    assert set(row["convention"].split(",")) == set(exp["convention"])
    assert bool(row["audited"]) == exp["audited"]
    assert ("amounts-yuan" in row["template"]) == (exp.get("amount_unit") == "元")


@pytest.mark.parametrize("path,i", CASES, ids=IDS)
def test_project_fields(book, path, i):
    truth, exp, row = _form(book, path, i)
    proj = exp["project"]
    bad = _differences(row, proj, PROJECT_NUMBERS, PROJECT_TEXTS)
    import pandas as pd

    year = None if pd.isna(row["year"]) else int(row["year"])
    if year != proj.get("year"):
        bad.append(f"year: loaded {row['year']!r}, truth {proj.get('year')!r}")
    known = set(PROJECT_NUMBERS) | set(PROJECT_TEXTS) | {"year"}
    for f, v in proj.items():
        if f in known:
            continue
        if f in row.index:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ok = _num_equal(row[f], v)
            else:
                ok = str(row[f]) == str(v)
            if not ok:
                bad.append(f"{f}: loaded {row[f]!r}, truth {v!r}")
        elif not any(line.split("：", 1)[-1] == str(v) for line in str(row["extra"]).splitlines()):
            bad.append(f"{f}: no header extra holds {v!r} (extras: {row['extra']!r})")
    for item in exp.get("management", []):  # 资金管理情况: every item with its 情况说明
        if f"{item['item']}：{item['description']}" not in str(row["fund_management"]).splitlines():
            bad.append(f"资金管理情况 {item['item']} not loaded: {row['fund_management']!r}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path,i", CASES, ids=IDS)
def test_fund_lines(book, path, i):
    truth, exp, row = _form(book, path, i)
    funds = book.funds[book.funds["form_id"] == row["form_id"]]
    want = exp.get("funds", [])
    assert [f["source"] for f in want] == list(funds["source"]), list(funds["label"])
    bad = []
    for k, (f, (_, got)) in enumerate(zip(want, funds.iterrows())):
        bad += _differences(got, f, FUND_NUMBERS, ("label",), f"line {k} {f['label']}: ")
        if "method" in f and got["method"] != f["method"]:
            bad.append(f"line {k}: method {got['method']!r} != {f['method']!r}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path,i", CASES, ids=IDS)
def test_indicators(book, path, i):
    truth, exp, row = _form(book, path, i)
    inds = book.indicators[book.indicators["form_id"] == row["form_id"]].sort_values("seq")
    want = exp.get("indicators", [])
    assert [w["name"] for w in want] == list(inds["name"])
    by_seq = dict(zip(inds["seq"], inds["name"]))
    bad = []
    for w, (_, got) in zip(want, inds.iterrows()):
        bad += _differences(got, w, IND_NUMBERS, IND_TEXTS, f"{w['name']}: ")
        parent = by_seq.get(got["parent"], "") if got["parent"] == got["parent"] else ""
        if parent != w.get("parent", ""):
            bad.append(f"{w['name']}: parent {parent!r}, truth {w.get('parent', '')!r}")
        if "method" in w and got["method"] != w["method"]:
            bad.append(f"{w['name']}: method {got['method']!r} != {w['method']!r}")
        if bool(got["core"]) != bool(w.get("core", False)):
            bad.append(f"{w['name']}: core {got['core']!r}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path,i", CASES, ids=IDS)
def test_findings(book, result, path, i):
    truth, exp, row = _form(book, path, i)
    f = result.findings
    mine = f[f["form_id"] == row["form_id"]]
    if not exp["audited"]:
        assert mine.empty, mine[["rule", "cell", "message"]].to_string()
        notes = book.load_errors[(book.load_errors["level"] == "info")
                                 & book.load_errors["source_file"].str.endswith(truth["file"])]
        assert notes["message"].str.contains(exp["form_type"]).any()
        return
    missing = []
    for want in exp.get("findings", []):
        hits = mine[mine["rule"] == want["rule"]]
        if "cell" in want:
            hits = hits[hits["cell"] == want["cell"]]
        if hits.empty:
            missing.append(f"{want['rule']} {want.get('cell', '')}: {want.get('why', '')}")
    quiet = set(exp.get("quiet", {}).get("rules", []))
    loud = mine[mine["rule"].isin(quiet)]
    assert not missing and loud.empty, ("missing:\n" + "\n".join(missing) + "\nmust be quiet:\n"
                                        + loud[["rule", "cell", "message"]].to_string())
