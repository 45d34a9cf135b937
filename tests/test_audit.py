"""The audit on real and synthetic forms: what a careful reviewer finds, and nothing else."""

from __future__ import annotations

import collections
import json
import re
import shutil

import pytest

import evaltools
from conftest import ROOT, SEED_DIR, SYNTH_DIR
from evaltools.cli import main as cli
from evaltools.rules import DOC_SECTIONS, builtin_registry, render_docs
from evaltools.synth import generate


@pytest.fixture(scope="module")
def seed_audit():
    return evaltools.audit(evaltools.load(SEED_DIR))


def _of(result, project_prefix):
    f = result.findings
    return f[f["project_name"].str.startswith(project_prefix)]


# ---------------------------------------------------------------------------------------------
# domain.md, "What reviewers find": each observation on the seed is a test naming form and rule

SEED_FINDINGS = [
    # (project, rule, cell or None, words in the message)
    ("全县政府系统协同办公平台建设", "FUND-SUM", "H6", ["0.00", "190.00"]),
    ("全县政府系统协同办公平台建设", "FUND-RATE", "L6", ["0%", "100.00%", "执行得分"]),
    ("政府网站普查监测系统", "FUND-SUM", "J6", ["101.48"]),
    ("政府网站普查监测系统", "FUND-RATE", "L6", ["85.41%", "8.54"]),
    ("日常办公经费", "COST-UNIT-SCALE", "H6", ["50000", "5 万元"]),
    ("政府网站普查监测系统", "COST-EXCEEDS-EXECUTED", "H19", ["118.82", "101.48"]),
    ("电子政务网络维护", "COST-EXCEEDS-EXECUTED", "H22", ["成本指标实际完成值合计 39.50 万元", "超过全年执行数 33.61 万元"]),
    ("电子政务网络维护", "SCORE-MISSED-FULL", "K19", ["<1小时", "1小时"]),
    ("政府办工作经费", "SCORE-MISSED-FULL", "K19", ["<100点", "100点"]),
    ("扶贫调研经费", "VAL-COPIED", None, ["4 个定量指标中 4 个"]),
    ("扶贫调研经费", "CLASS-SATISFACTION", "E21", ["公众满意度", "效益指标"]),
    ("扶贫调研经费", "CLASS-SATISFACTION", "E22", ["长效管理制度健全性"]),
    ("扶贫调研经费", "VAL-VACUOUS", "F17", ["<=100%"]),
    ("扶贫调研经费", "VAL-VACUOUS", "F21", [">=100%"]),
    ("政府办工作经费", "VAL-VACUOUS", "F17", ["<=100%"]),
    ("电子政务网络维护", "YEAR-MISMATCH", "F21", ["2020年1月1日—12月底"]),
    ("电子政务网络维护", "VAL-UNIT-MISMATCH", "H17", ["一月一次", "100%"]),
    ("扶贫调研经费", "TXT-BOILERPLATE", "F29", ["及时列出预算，保证资金到位"]),
    ("电子政务网络维护", "TXT-BOILERPLATE", "F33", ["及时列出预算，保证资金到位"]),
    ("扶贫调研经费", "EXEC-LOW-HIGH", None, ["75.00%", "97.5"]),
]


@pytest.mark.parametrize("project,rule_id,cell,words", SEED_FINDINGS,
                         ids=[f"{p[:6]}-{r}-{c}" for p, r, c, _ in SEED_FINDINGS])
def test_reviewer_finding_on_seed(seed_audit, project, rule_id, cell, words):
    f = _of(seed_audit, project)
    hits = f[f["rule"] == rule_id]
    if cell:
        hits = hits[hits["cell"] == cell]
    assert len(hits), f"{rule_id} at {cell} not found in {project}: {f[['rule', 'cell']].values.tolist()}"
    msg = hits.iloc[0]["message"]
    for w in words:
        assert w in msg, (w, msg)


def test_clean_seed_form_has_no_error(seed_audit):
    f = _of(seed_audit, "提升电子政务外网出口电路速率")
    assert not (f["severity"] == "error").any(), f[f["severity"] == "error"]["message"].tolist()
    assert not (f["severity"] == "warning").any(), f[f["severity"] == "warning"]["message"].tolist()


def test_seed_scores_printed_and_recomputed(seed_audit):
    s = seed_audit.form_scores.set_index("project_name")
    row = s.loc["全县政府系统协同办公平台建设"]
    assert row["exec_rate_printed"] == 0 and abs(row["exec_rate_recomputed"] - 100) < 1e-9
    assert row["exec_rate_basis"] == "其中各行合计"
    row = s.loc["政府办工作经费（年初预算固定经费）"]
    assert abs(row["exec_rate_recomputed"] - 75.2 / 80.32 * 100) < 1e-9 and row["grade_recomputed"] == "优"
    ind = seed_audit.indicator_scores
    fault = ind[ind["name"] == "业务处理及时性"].iloc[0]
    assert fault["score_printed"] == 9.9 and abs(fault["score_recomputed"] - 9.9) < 1e-9


def test_finding_ids_stable_across_runs_and_folders(tmp_path, seed_audit):
    shutil.copytree(SEED_DIR, tmp_path / "elsewhere")
    again = evaltools.audit(evaltools.load(tmp_path / "elsewhere"))
    assert list(again.findings["finding_id"]) == list(seed_audit.findings["finding_id"])
    assert seed_audit.findings["finding_id"].is_unique


# ---------------------------------------------------------------------------------------------
# Synthetic forms: every injected anomaly fires its rule; clean forms fire only their info rules


def _check_truth(root):
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    book = evaltools.load(root)
    res = evaltools.audit(book)
    key = {(p.relative_file, p.sheet, p.form_index): p.form_id for p in book.projects.itertuples()}
    fired = collections.defaultdict(set)
    for f in res.findings.itertuples():
        fired[f.form_id].add(f.rule)
    missing, extra = [], []
    for t in truth["forms"]:
        got = fired[key[(t["file"], t["sheet"], t["form_index"])]]
        want = {a["rule"] for a in t["anomalies"]}
        allowed = want | set(t.get("expected_info", [])) | {c for a in t["anomalies"] for c in a.get("collateral", [])}
        missing += [(t["form"], r) for r in want - got]
        extra += [(t["form"], r) for r in got - allowed if builtin_registry().get(r).severity != "info"]
    assert not missing, missing
    assert not extra, extra
    return truth, res


def test_synthetic_county_truth():
    truth, res = _check_truth(SYNTH_DIR)
    kinds = {a["rule"] for a in truth["anomalies"]}
    assert kinds <= set(res.findings["rule"])


@pytest.mark.parametrize("seed", [11, 23])
def test_fresh_synthetic_truth(tmp_path, seed):
    generate(tmp_path / "c", n_departments=6, seed=seed)
    _check_truth(tmp_path / "c")


# ---------------------------------------------------------------------------------------------
# The registry and its generated reference


def _catalogue_ids() -> list[str]:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    return re.findall(r"^## ([A-Z][A-Z0-9-]+)$", text, flags=re.M)


def test_registry_holds_the_catalogue():
    from pathlib import Path

    design = Path(ROOT).parent / "shared" / "design" / "rules.md"
    ids = set(builtin_registry().ids())
    expected = {"FUND-SUM", "FUND-RATE", "FUND-OVERSPEND", "FUND-ADJUSTED", "EXEC-SCORE", "EXEC-LOW-HIGH",
                "EXEC-NO-REASON", "WEIGHT-TOTAL", "WEIGHT-INLINE", "WEIGHT-PROFILE", "WEIGHT-CONCENTRATED",
                "SCORE-RANGE", "SCORE-TOTAL", "SCORE-GRADE", "SCORE-MISSED-FULL", "SCORE-INFLATED",
                "SCORE-QUAL-BAND", "DEV-MISSING", "VAL-UNPARSED", "VAL-UNIT-MISMATCH", "VAL-VACUOUS", "VAL-COPIED",
                "VAL-VAGUE", "COST-EXCEEDS-EXECUTED", "COST-UNIT-SCALE", "YEAR-MISMATCH", "CLASS-SATISFACTION",
                "SAT-MISSING", "SAT-NO-SURVEY", "STR-PLACEHOLDER", "STR-UNFILLED", "STR-CATEGORY-MISSING",
                "TXT-NO-PROBLEMS", "TXT-GOAL-BARE", "TXT-BOILERPLATE", "AUDIT-CRASH"}
    assert expected <= ids
    if design.exists():  # the design catalogue beside the checkout names the same ids
        listed = set(re.findall(r"^\| ([A-Z][A-Z0-9-]+) \|", design.read_text(encoding="utf-8"), flags=re.M))
        assert listed <= ids, listed - ids


@pytest.mark.parametrize("rule_obj", list(builtin_registry()), ids=lambda r: r.id)
def test_every_rule_is_documented(rule_obj):
    assert rule_obj.title and any("\u4e00" <= ch <= "\u9fff" for ch in rule_obj.title)
    for section in DOC_SECTIONS:
        assert rule_obj.section(section[:-1]), f"{rule_obj.id}: docstring lacks {section}"


def test_docs_rules_md_is_current():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render_docs(), (
        "docs/rules.md is stale: run `python -m evaltools rules --markdown > docs/rules.md`")
    assert _catalogue_ids() == builtin_registry().ids()


# ---------------------------------------------------------------------------------------------
# The command line


def test_cli_audit(tmp_path, capsys):
    assert cli(["audit", str(SEED_DIR), "-o", str(tmp_path / "out")]) == 1  # the seed has errors
    text = capsys.readouterr().out
    assert "FUND-SUM" in text and "错误" in text
    import pandas as pd

    f = pd.read_csv(tmp_path / "out" / "findings.csv", dtype=str, keep_default_na=False)
    assert list(f.columns)[:6] == ["finding_id", "form_id", "department", "project_name", "rule", "severity"]
    assert len(f) == len(evaltools.audit(evaltools.load(SEED_DIR)).findings)
    clean = sorted(SEED_DIR.glob("04_*.xlsx"))[0]
    assert cli(["audit", str(clean)]) == 0
    assert cli(["audit", str(SEED_DIR), "--profile", str(tmp_path / "missing.toml")]) == 2
    assert cli(["audit", str(SEED_DIR), "--disable", "NOPE"]) == 2


def test_empty_findings_keep_their_columns():
    from evaltools.load import build_book

    res = evaltools.audit(build_book([]))
    assert res.findings.empty and list(res.findings.columns)[0] == "finding_id"
    assert res.form_scores.empty and res.indicator_scores.empty
