"""Every rule fires on a form built to break it, and stays quiet on a near miss.

Forms are real workbooks on disk: the seed form 提升电子政务外网出口电路速率 made fully clean (no
finding at all), then edited cell by cell (A1 references in the seed layout).
"""

from __future__ import annotations

import pytest

import evaltools
from conftest import need_module
import formkit as fk
from evaltools.read import parse_cell_name
from evaltools.rules import Hit, Registry, builtin_registry, rule

CLEAN_EDITS = {
    "H13": "外网出口电路速率提升至1000M，覆盖全县各乡镇；经问卷调查（发放120份，回收有效问卷118份），使用人员满意度96.5%",
    "F17": "=100%",
    "F21": ">=10%", "H21": "12%",
    "H20": "112.6万元", "H22": "3.5年", "H23": "96.5%",
}


def _form(edits: dict) -> fk.Form:
    form = fk.seed_form(3)  # 提升电子政务外网出口电路速率
    values = {}
    for a1, v in {**CLEAN_EDITS, **edits}.items():
        r, c = parse_cell_name(a1)
        values[(r + 1, c + 1)] = v
    return fk.set_cells(form, values)


def _audit(tmp_path, edits=None, *, sheets=1, per_sheet_edits=None, **kw):
    forms = []
    for n in range(sheets):
        extra = (per_sheet_edits or [{}] * sheets)[n]
        forms.append((f"表{n + 1}", _form({**(edits or {}), **extra})))
    path = fk.write_xlsx(tmp_path / "form.xlsx", forms)
    book = evaltools.load(path)
    assert book.load_errors.empty, book.load_errors.to_dict("records")
    return evaltools.audit(book, **kw)


def _rules(result) -> set[str]:
    return set(result.findings["rule"])


def test_clean_base_has_no_finding(tmp_path):
    res = _audit(tmp_path)
    assert res.findings.empty, res.findings[["rule", "message"]].to_dict("records")
    assert list(res.findings.columns) == list(evaltools.audit.__globals__["FINDING_COLUMNS"])


FAILS = {
    "FUND-SUM": {"F6": 120},
    "FUND-RATE": {"L6": 95},
    "FUND-OVERSPEND": {"J6": 120, "J9": 120, "L6": 105.26, "L9": 105.26},
    "FUND-ADJUSTED": {"F6": 100, "F9": 100},
    "EXEC-SCORE": {"M6": 9},
    "EXEC-LOW-HIGH": {"J6": 80, "J9": 80, "L6": 70.18, "L9": 70.18, "M6": 7.02, "K25": 96.92},
    "EXEC-NO-REASON": {"J6": 80, "J9": 80, "L6": 70.18, "L9": 70.18, "M6": 7.02, "K25": 96.92},
    "WEIGHT-TOTAL": {"J16": 15},
    "WEIGHT-INLINE": {"C16": "产出指标(60分)"},
    "WEIGHT-PROFILE": {"J16": 15, "K16": 15, "J21": 10, "K21": 10},
    "WEIGHT-CONCENTRATED": {"J21": 80, "K21": 80},
    "SCORE-RANGE": {"K16": 12},
    "SCORE-TOTAL": {"K25": 98},
    "SCORE-GRADE": {"B26": "评价等级", "D26": "良"},
    "SCORE-MISSED-FULL": {"F22": ">3年", "H22": "3年"},
    "SCORE-INFLATED": {"H22": "2年"},
    "SCORE-QUAL-BAND": {"H18": "部分达成"},
    "DEV-MISSING": {"L19": "无"},
    "CLASS-SATISFACTION": {"C23": "效益指标"},
    "SAT-MISSING": {"E23": "用户投诉处理率"},
    "SAT-NO-SURVEY": {"H13": "外网出口电路速率提升至1000M，覆盖全县各乡镇"},
    "STR-PLACEHOLDER": {"E18": "指标1"},
    "STR-UNFILLED": {"H20": None},
    "STR-CATEGORY-MISSING": {"D20": "质量指标"},
    "TXT-NO-PROBLEMS": {"E28": "无"},
    "TXT-GOAL-BARE": {"H13": "已完成"},
    "VAL-UNPARSED": {"F17": "全县各乡镇、各单位"},
    "VAL-UNIT-MISMATCH": {"F17": "一月一次"},
    "VAL-VACUOUS": {"F17": "<=100%"},
    "VAL-COPIED": {"H20": "114万元", "H22": "3年", "H23": "96%", "H21": "10%"},
    "VAL-VAGUE": {"F16": "提升"},
    "COST-EXCEEDS-EXECUTED": {"H20": "120万元"},
    "COST-UNIT-SCALE": {"F6": 1140000, "H6": 1140000, "J6": 1140000, "F9": 1140000, "H9": 1140000, "J9": 1140000},
    "YEAR-MISMATCH": {"F19": "2020年12月底前", "H19": "2020年12月"},
}

# Near misses: the same cells, edited so the rule must stay quiet.
PASSES = {
    "FUND-SUM": {"F6": 114.005},
    "FUND-RATE": {"L6": 100.0},
    "FUND-OVERSPEND": {"J6": 114, "J9": 114},
    "FUND-ADJUSTED": {"F6": 114, "F9": 114},
    "EXEC-SCORE": {"M6": 10},
    "EXEC-LOW-HIGH": {"J6": 80, "J9": 80, "L6": 70.18, "L9": 70.18, "M6": 7.02, "K25": 86.92, "K21": 5},
    "EXEC-NO-REASON": {"J6": 80, "J9": 80, "L6": 70.18, "L9": 70.18, "M6": 7.02, "K25": 96.92,
                       "E28": "部分资金因采购延迟未支付，执行率偏低"},
    "WEIGHT-TOTAL": {"J16": 10},
    "WEIGHT-INLINE": {"C16": "产出指标(50分)"},
    "WEIGHT-PROFILE": {"J16": 10},
    "WEIGHT-CONCENTRATED": {"J21": 15},
    "SCORE-RANGE": {"K16": 10},
    "SCORE-TOTAL": {"K25": 99.9},
    "SCORE-GRADE": {"B26": "评价等级", "D26": "优"},
    "SCORE-MISSED-FULL": {"F22": ">3年", "H22": "3.5年"},
    "SCORE-INFLATED": {"H22": "2年", "K22": 10, "K25": 94.9, "L22": "设备老化，使用年限缩短"},
    "SCORE-QUAL-BAND": {"H18": "部分达成", "K18": 7, "K25": 96.9, "L18": "部分功能未满足"},
    "DEV-MISSING": {"L19": "故障处理的及时性有待提高"},
    "CLASS-SATISFACTION": {"C23": "满意度指标"},
    "SAT-MISSING": {"E23": "使用人员满意度"},
    "SAT-NO-SURVEY": {"H13": "外网出口电路速率提升至1000M，满意度调查样本118份"},
    "STR-PLACEHOLDER": {"E18": "指标使用程度"},
    "STR-UNFILLED": {"H20": "112.6万元"},
    "STR-CATEGORY-MISSING": {"D20": "成本指标"},
    "TXT-NO-PROBLEMS": {"E28": "故障处理的及时性还有待提高"},
    "TXT-GOAL-BARE": {"H13": "完成1000M出口电路扩容，问卷调查满意度96.5%"},
    "VAL-UNPARSED": {"F17": "全覆盖"},
    "VAL-UNIT-MISMATCH": {"F17": "=100%"},
    "VAL-VACUOUS": {"F17": ">=95%"},
    "VAL-COPIED": {"H20": "114万元", "H22": "3年", "H21": "10%"},
    "VAL-VAGUE": {"F16": "=1000M"},
    "COST-EXCEEDS-EXECUTED": {"H20": "114万元"},
    "COST-UNIT-SCALE": {"F6": 114, "H6": 114},
    "YEAR-MISMATCH": {"F19": "2021年12月底前", "H19": "2021年12月"},
}


def test_every_catalogued_rule_has_cases():
    ids = set(builtin_registry().ids()) - {"AUDIT-CRASH", "TXT-BOILERPLATE"}
    assert ids == set(FAILS) == set(PASSES)


@pytest.mark.parametrize("rule_id", sorted(FAILS))
def test_rule_fires(tmp_path, rule_id):
    res = _audit(tmp_path, FAILS[rule_id])
    hits = res.findings[res.findings["rule"] == rule_id]
    assert len(hits), f"{rule_id} did not fire; got {sorted(_rules(res))}"
    row = hits.iloc[0]
    assert row["severity"] == builtin_registry().get(rule_id).severity
    assert row["message"] and row["sheet"] == "表1"
    assert row["cell"] and row["cell"] != "B1", "the finding points at the form, not at a cell"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in row["message"])  # the message is Chinese


@pytest.mark.parametrize("rule_id", sorted(PASSES))
def test_rule_stays_quiet(tmp_path, rule_id):
    res = _audit(tmp_path, PASSES[rule_id])
    assert rule_id not in _rules(res), res.findings[res.findings["rule"] == rule_id]["message"].tolist()


def test_findings_point_at_the_offending_cells(tmp_path):
    cases = {"FUND-SUM": "F6", "FUND-RATE": "L6", "EXEC-SCORE": "M6", "SCORE-RANGE": "K16", "SCORE-TOTAL": "K25",
             "STR-PLACEHOLDER": "E18", "VAL-VACUOUS": "F17", "COST-EXCEEDS-EXECUTED": "H20",
             "YEAR-MISMATCH": "F19", "SCORE-MISSED-FULL": "K22", "DEV-MISSING": "L19"}
    for rid, cell in cases.items():
        res = _audit(tmp_path, FAILS[rid], only=[rid])
        assert list(res.findings["cell"])[:1] == [cell], (rid, res.findings[["cell", "message"]].to_dict("records"))


def test_boilerplate_across_a_department(tmp_path):
    same = {"F30": "及时列出预算，保证资金到位。"}
    res = _audit(tmp_path, same, sheets=3)
    hits = res.findings[res.findings["rule"] == "TXT-BOILERPLATE"]
    assert set(hits["sheet"]) == {"表1", "表2", "表3"}
    assert (hits["cell"] == "F30").any()
    texts = {
        "E27": ["分批割接，业务零中断", "引入第三方监理，按周通报进度", "与运营商签订服务等级协议"],
        "E28": ["个别乡镇带宽仍显不足", "夜间故障响应偏慢", "备用线路尚未到位"],
        "F29": ["立项前应做带宽需求测算", "宜三年一签以锁定价格", "并入全县信息化统筹"],
        "F30": ["按合同节点分期拨付", "年初足额安排运维经费", "结余资金及时收回"],
        "F31": ["建立运维费用台账", "按季度核对线路租金", "专款专用，杜绝挪用"],
        "F32": ["明确专人负责巡检", "完善故障应急预案", "开展使用人员培训"],
    }
    differ = [{cell: values[n] for cell, values in texts.items()} for n in range(3)]
    res = _audit(tmp_path, sheets=3, per_sheet_edits=differ)
    assert "TXT-BOILERPLATE" not in _rules(res)


def test_exec_score_rounded_up_to_full_marks(tmp_path):
    """9.88 printed as 10 is not rounding: full marks hide a shortfall."""
    edits = {"J6": 112.65, "J9": 112.65, "L6": 98.82, "L9": 98.82, "M6": 10}
    assert "EXEC-SCORE" in _rules(_audit(tmp_path, edits))


def test_strict_targets_honoured(tmp_path):
    res = _audit(tmp_path, {"F22": ">3年", "H22": "3年"})
    ind = res.indicator_scores.set_index("seq")
    assert ind.loc[7, "met"] == False  # noqa: E712 - pandas boolean
    assert ind.loc[7, "target_op"] == ">"


def test_crashing_rule_becomes_a_finding(tmp_path):
    reg = builtin_registry().copy()

    @rule("TEST-BOOM", severity="warning", category="测试", registry=reg)
    def boom(form, profile):
        """总会出错的规则。

        Why: test. Fails: any. Passes: none.
        """
        raise ZeroDivisionError("boom")

    res = _audit(tmp_path, FAILS["SCORE-RANGE"], registry=reg)
    crash = res.findings[res.findings["rule"] == "AUDIT-CRASH"]
    assert len(crash) == 1 and "TEST-BOOM" in crash.iloc[0]["message"] and crash.iloc[0]["severity"] == "error"
    assert "SCORE-RANGE" in _rules(res)  # the other rules still ran


def test_user_rule_from_a_notebook(tmp_path):
    reg = Registry()

    @rule("USER-NAME", severity="info", category="自定义", registry=reg)
    def name_has_network(form, profile):
        """项目名称含“电子政务”。

        Why: a user's own check. Fails: 提升电子政务外网出口电路速率. Passes: 日常办公经费.
        """
        if "电子政务" in form.project["project_name"]:
            yield Hit("项目名称含“电子政务”", field="project_name")

    res = _audit(tmp_path, registry=reg)
    assert list(res.findings["rule"]) == ["USER-NAME"] and list(res.findings["cell"]) == ["D3"]


def test_disable_and_profile_overrides(tmp_path):
    edits = FAILS["EXEC-NO-REASON"]
    assert "EXEC-NO-REASON" not in _rules(_audit(tmp_path, edits, disable=["EXEC-NO-REASON"]))
    prof = {"execution": {"reason_threshold": 60, "low_rate_high_score": 60}}
    assert not {"EXEC-NO-REASON", "EXEC-LOW-HIGH"} & _rules(_audit(tmp_path, edits, profile=prof))
    sev = _audit(tmp_path, edits, profile={"rules": {"severity": {"EXEC-NO-REASON": "info"}}})
    assert set(sev.findings.loc[sev.findings["rule"] == "EXEC-NO-REASON", "severity"]) == {"info"}
    toml = tmp_path / "county.toml"
    toml.write_text('name = "county"\n[rules]\ndisabled = ["EXEC-LOW-HIGH"]\n', encoding="utf-8")
    res = _audit(tmp_path, edits, profile=str(toml))
    assert "EXEC-LOW-HIGH" not in _rules(res) and res.profile.name == "county"
    with pytest.raises(evaltools.RuleError):
        _audit(tmp_path, disable=["NO-SUCH-RULE"])
    with pytest.raises(evaltools.ProfileError):
        _audit(tmp_path, profile={"execution": {"reason_treshold": 1}})


def test_linear_negative_formula(tmp_path):
    edits = {"F20": "<=100万元", "H20": "112.6万元", "K20": 8.74, "K25": 98.64, "L20": "超支"}
    ratio = _audit(tmp_path, edits).indicator_scores.set_index("seq").loc[5]
    linear = _audit(tmp_path, edits, profile={"scoring": {"negative_formula": "linear"}}).indicator_scores
    linear = linear.set_index("seq").loc[5]
    assert abs(ratio["score_recomputed"] - 100 / 112.6 * 10) < 1e-9
    assert abs(linear["score_recomputed"] - (1 - 12.6 / 100) * 10) < 1e-9


def test_yaml_profile(tmp_path):
    need_module("yaml", "PyYAML")
    path = tmp_path / "province.yaml"
    path.write_text("name: province\nexecution:\n  reason_threshold: 60\n  low_rate_high_score: 60\n", encoding="utf-8")
    res = _audit(tmp_path, FAILS["EXEC-NO-REASON"], profile=str(path))
    assert res.profile.name == "province" and not {"EXEC-NO-REASON", "EXEC-LOW-HIGH"} & _rules(res)
