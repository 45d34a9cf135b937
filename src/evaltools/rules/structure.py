"""Rules on the form's structure: indicators filed in the right place, nothing left unfilled."""

from __future__ import annotations

import re

import numpy as np

from ..facts import each_distinct
from . import Hit, rows_of, rule

OUTPUT_KINDS = ("数量", "质量", "时效", "成本")
_PLACEHOLDER_NAME = re.compile(r"^指标\d+[:：]?$")
_TEXT_FIELDS = ("project_name", "implementing_unit", "goal_expected", "goal_actual", "experience", "problems",
                "suggestion_decision", "suggestion_budget", "suggestion_funds", "suggestion_management",
                "suggestion_other", "remarks")


def _sat(i) -> bool:
    return "满意" in str(i["name"])


@rule("CLASS-SATISFACTION", severity="warning", category="结构", needs=('categories',))
def class_satisfaction(form, profile):
    """满意度指标放在了满意度指标以外，或满意度指标下填的不是满意度。

    Why: satisfaction is scored in its own 一级 block; filed under 效益指标 it takes benefit points,
    and a management-system indicator under 满意度指标 claims satisfaction nobody measured.
    Fails: 公众满意度 under 效益指标; 长效管理制度健全性 under 满意度指标.
    Passes: 使用人员满意度 under 满意度指标 / 服务对象满意度指标.
    """
    for i in form.indicators:
        in_block = "满意" in str(i["level1"])
        if _sat(i) and not in_block:
            # the row's own name cell, not the 一级 cell merged over several rows
            yield Hit(f"满意度指标“{i['name']}”放在了“{i['level1']}”下", table="indicators", key=str(i.seq),
                      field="name", expected="满意度指标", actual=str(i["level1"]))
        elif in_block and not _sat(i):
            yield Hit(f"满意度指标下的“{i['name']}”不是满意度指标", table="indicators", key=str(i.seq), field="name",
                      expected="满意度（如服务对象满意度）", actual=str(i["name"]))


@rule("SAT-MISSING", severity="warning", category="结构")
def sat_missing(form, profile):
    """没有满意度指标，或满意度指标分值为 0。

    Why: the national template requires a 满意度 indicator (10 points); without it the form
    never asks the people served.
    Fails: no indicator naming 满意; 服务对象满意度 with 分值 0.
    Passes: 使用人员满意度 >=98%, 分值 10.
    """
    if not form.indicators:
        return
    sats = [i for i in form.indicators if _sat(i)]
    if not sats:
        yield Hit("表中没有满意度指标", table="indicators", key=str(form.indicators[-1].seq), field="name",
                  expected="满意度指标", actual="无")
    elif "no-weights" not in form.convention and all(i.weight is not None and i.weight <= 0 for i in sats):
        yield Hit("满意度指标分值为 0", table="indicators", key=str(sats[0].seq), field="weight", expected="> 0",
                  actual="0")


@rule("SAT-NO-SURVEY", severity="info", category="结构")
def sat_no_survey(form, profile):
    """声称了满意度，但全表没有任何调查依据（问卷、调查、样本、份数、人次）。

    Why: satisfaction is a survey result (satisfied respondents / valid respondents); a rate
    with no survey behind it is weak evidence.
    Fails: 使用人员满意度 98%, and no text mentions a questionnaire or sample.
    Passes: 实际完成情况 “发放问卷300份，收回有效问卷297份”.
    """
    sats = [i for i in form.indicators if _sat(i) and i.actual.kind != "empty"]
    if not sats:
        return
    words = profile["text.survey_words"]
    p = form.project
    texts = [str(p.get(k, "")) for k in _TEXT_FIELDS] + [
        f"{i['actual']} {i['deviation_reason']} {i['name']}" for i in form.indicators]
    if any(w in t for t in texts for w in words):
        return
    i = sats[0]
    yield Hit(f"满意度“{i['name']}”实际 {i.actual.text}，表中没有问卷或调查依据", table="indicators", key=str(i.seq),
              field="actual", expected="调查方式与样本", actual=i.actual.text)


@rule("STR-PLACEHOLDER", severity="error", category="结构")
def str_placeholder(form, profile):
    """留有模板占位内容（**、指标1、……、(100字以内) 等）。

    Why: template placeholders mean the form was not filled in; whatever score it shows was
    not earned by the text beside it.
    Fails: 三级指标 “指标1”; 主要经验做法 “……”.
    Passes: 三级指标 “平台采购数量”.
    """
    marks = profile["text.placeholders"]
    p = form.project
    # one scan of all the form's text first: almost every form has no placeholder at all
    inline = [m for m in marks if not _PLACEHOLDER_NAME.match(m)]
    every = "\n".join([str(p.get(k, "") or "") for k in _TEXT_FIELDS] + [
        f"{i['target']}\n{i['adjusted_target']}\n{i['actual']}\n{i['deviation_reason']}\n{i['name']}"
        for i in form.indicators])
    if not any(m in every for m in inline) and not any(_PLACEHOLDER_NAME.match(str(i["name"])) for i in form.indicators):
        return
    for k in _TEXT_FIELDS:
        t = str(p.get(k, "") or "")
        hit = next((m for m in marks if m in t), None)
        if hit:
            yield Hit(f"“{t[:30]}”含模板占位内容“{hit}”", field=k, actual=t[:60])
    # "指标1" is a placeholder as a whole name, not inside a text ("指标10分" is fine)
    for i in form.indicators:
        for fld in ("name", "target", "adjusted_target", "actual", "deviation_reason"):
            t = str(i[fld] or "")
            if fld == "name" and _PLACEHOLDER_NAME.match(t):
                hit = t
            else:
                hit = next((m for m in inline if m in t), None)
            if hit:
                yield Hit(f"指标“{i['name']}”含模板占位内容（{hit}）", table="indicators", key=str(i.seq), field=fld,
                          actual=t[:60])


@rule("STR-UNFILLED", severity="error", category="结构")
def str_unfilled(form, profile):
    """指标行缺少实际完成值或得分。

    Why: an indicator without an actual value or a score was not evaluated; the total cannot
    include it.
    Fails: 三级指标 “使用年限”, 实际完成值 empty.
    Passes: every indicator with 实际完成值 and 得分.
    """
    for i in form.indicators:
        missing = [name for name, empty in (("实际完成值", not str(i["actual"] or "").strip()),
                                            ("得分", i.score is None and "no-scores" not in form.convention
                                                   and not i.is_error("score"))) if empty]
        if missing:
            yield Hit(f"指标“{i['name']}”未填写{'、'.join(missing)}", table="indicators", key=str(i.seq),
                      field="actual" if not str(i["actual"] or "").strip() else "score", expected="已填写", actual="（空）")


@rule("STR-CATEGORY-MISSING", severity="info", category="结构", needs=('categories',))
def str_category_missing(form, profile):
    """产出指标缺少数量、质量、时效、成本中的一类，或没有效益指标。

    Why: the template asks for all four kinds of output indicator and at least one benefit
    indicator; a missing kind is usually the one that would have lost points.
    Fails: 产出指标 with 数量, 质量, 时效 but no 成本指标.
    Passes: 数量, 质量, 时效, 成本 and a 社会效益 indicator.
    """
    if not form.indicators:
        return
    rows = form.all_indicators  # a 其中 row stands in its 二级 like any other
    kinds = {k for i in rows if "产出" in str(i["level1"]) for k in OUTPUT_KINDS if k in str(i["level2"])}
    missing = [k + "指标" for k in OUTPUT_KINDS if k not in kinds]
    has_benefit = any("效益" in str(i["level1"]) for i in rows)
    if missing or not has_benefit:
        what = "、".join(missing + ([] if has_benefit else ["效益指标"]))
        yield Hit(f"缺少{what}", table="indicators", key=str(form.indicators[0].seq), field="level1",
                  expected="数量、质量、时效、成本指标及效益指标", actual=f"缺少{what}")


@rule("AUDIT-CRASH", severity="error", category="审核")
def audit_crash(form, profile):
    """某条规则在这张表上运行出错，结果未知。

    Why: a rule that fails on odd input must not abort the audit of the other forms, nor hide
    that this form was not fully checked; the finding says which rule and why, for a manual look.
    Fails: a rule raising on an unexpected value.
    Passes: every rule ran.
    """
    return ()


@rows_of("STR-UNFILLED")
def _str_unfilled_rows(t, profile):
    """The row twin of STR-UNFILLED (column operations over ``facts.indicator_table``)."""
    blank = np.array([not str(a or "").strip() for a in t["actual"]], dtype=bool)
    scored = ~np.array(["no-scores" in c.split(",") for c in t["convention"]], dtype=bool)
    unscored = np.isnan(t["score"].to_numpy()) & scored & ~t["score_error"].to_numpy()
    sel = blank | unscored
    for r, b, u in zip(t[sel].itertuples(index=False), blank[sel], unscored[sel]):
        missing = [name for name, empty in (("实际完成值", b), ("得分", u)) if empty]
        yield r.form_id, Hit(f"指标“{r.name}”未填写{'、'.join(missing)}", table="indicators", key=r.key,
                             field="actual" if b else "score", expected="已填写", actual="（空）")


@rows_of("CLASS-SATISFACTION")
def _class_satisfaction_rows(t, profile):
    """The row twin of CLASS-SATISFACTION."""
    sat = each_distinct(t["name"], lambda x: "满意" in str(x))
    in_block = each_distinct(t["level1"], lambda x: "满意" in str(x))
    sel = sat != in_block
    for r, s in zip(t[sel].itertuples(index=False), sat[sel]):
        if s:
            yield r.form_id, Hit(f"满意度指标“{r.name}”放在了“{r.level1}”下", table="indicators", key=r.key,
                                 field="name", expected="满意度指标", actual=str(r.level1))
        else:
            yield r.form_id, Hit(f"满意度指标下的“{r.name}”不是满意度指标", table="indicators", key=r.key,
                                 field="name", expected="满意度（如服务对象满意度）", actual=str(r.name))
