"""The truth of a synthetic form: its numbers as printed, its scores, and its truth.json record.

The scores (met targets, the national formula, execution rates and scores) are computed here
from the form's planned values, independently of ``evaltools.rules`` and ``evaltools.audit``:
the tests compare the audit against this truth, so it must not be derived from the audit. Keep
this module free of imports from the rest of evaltools (tests/test_synth.py checks it).

truth.json::

    generator, version, params, variant_names, anomaly_kinds,
    departments: [{index, name, code, county, folder}],
    files: [{file, format, department_index, layout, sheets: [{name, kind, forms}]}],
    forms: [{form, file, sheet, form_index (0-based within the sheet), department_index, domain,
             variants, template, variant_options, clean, expected_info,
             anchor (A1 of the title cell), form_range,
             project: {the 23 fields of schema.PROJECTS from project_name to remarks, + title},
             funds: [{source, label, budget_initial, budget_full_year, executed, weight,
                      exec_rate, score, row}],
             indicators: [{seq, level1, level1_weight, level2, name, target, adjusted_target,
                           actual, weight, score, deviation_reason, nature, row}],
             cells: {project field → A1}, indicator_columns, fund_columns, anomalies}],
    anomalies: [{rule, form, file, sheet, cell, cells, detail, collateral}]

Numbers are JSON numbers as printed (``"1,234.5"`` → 1234.5, ``"85.09%"`` → 85.09); n/a is null.
``collateral`` lists rules that may legitimately fire as a consequence of the anomaly (a weight
total off by 5 also breaks the 10/50/30/10 split: WEIGHT-PROFILE).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from .catalogue import ANOMALY_KINDS, CONTENT_VARIANTS, VARIANTS

if TYPE_CHECKING:  # the planned form and where it was drawn; only their attributes are read
    from .content import FormContent, Indicator
    from .corpus import FilePlan, FormPlan
    from .render import Rendered

TRUTH_VERSION = 1


# --------------------------------------------------------------------------------------------
# Numbers as printed


def q2(value: Decimal) -> Decimal:
    """Round half up to 2 places (the way the forms' spreadsheets round)."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def dtext(value: Decimal, places: int | None = None) -> str:
    """Plain text of a Decimal without trailing zeros (or with exactly ``places`` decimals)."""
    if places is not None:
        return format(value.quantize(Decimal(1).scaleb(-places)), "f")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def jnum(value: Decimal | int | float | None) -> int | float | None:
    """A JSON number exactly as printed: ints stay ints, ``93.63`` stays ``93.63``."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        value = Decimal(str(value))
    if value == value.to_integral_value():
        return int(value)
    return float(dtext(value))


# --------------------------------------------------------------------------------------------
# Scoring, as the national rules define it (written here again, not taken from evaltools.rules)


def met(ind: Indicator) -> bool:
    """Whether the actual value meets the (adjusted) target, strict operators honoured."""
    if ind.kind != "quant":
        return ind.actual_word != "部分达成"
    target = ind.adjusted if ind.adjusted is not None else ind.target
    a = ind.actual
    return {
        "=": a == target,
        ">=": a >= target,
        ">": a > target,
        "<=": a <= target,
        "<": a < target,
    }[ind.op]


def formula_score(ind: Indicator) -> Decimal:
    """The national formula: met → full; positive missed → a/t; negative missed → t/a."""
    w = Decimal(ind.weight)
    if met(ind):
        return w
    if ind.kind != "quant":
        return q2(w * Decimal("0.7"))
    target = ind.adjusted if ind.adjusted is not None else ind.target
    a = ind.actual
    negative = ind.op in ("<=", "<") or (ind.op == "=" and a > target)
    if negative:
        return q2(target / a * w) if a else w
    return q2(a / target * w) if target else w


def rescore(content: FormContent) -> None:
    """Score every indicator by the formula, except those an anomaly fixed."""
    for ind in content.indicators:
        if not ind.fixed_score:
            ind.score = formula_score(ind)


def copied_share(content: FormContent) -> float:
    """Share of quantitative indicators whose actual equals the (adjusted) target exactly."""
    quant = [i for i in content.indicators if i.kind == "quant"]
    return sum(i.actual == effective_target(i) for i in quant) / max(1, len(quant))


def compute_rates(content: FormContent) -> None:
    """Rates to 2 places; the execution score from the unrounded ratio (both within 0.005)."""
    for line in content.funds:
        line.rate = q2(line.executed / line.full * 100) if line.full else Decimal(0)
    total = content.total
    ratio = total.executed / total.full if total.full else Decimal(0)
    total.score = q2(min(ratio, Decimal(1)) * 10)


def true_rate(content: FormContent) -> Decimal:
    """The execution rate of the 其中 rows, whatever the total row prints."""
    children = content.funds[1:]
    full = sum(l.full for l in children)
    return q2(sum(l.executed for l in children) / full * 100) if full else Decimal(0)


def effective_target(ind: Indicator) -> Decimal | None:
    return ind.adjusted if ind.adjusted is not None else ind.target


# --------------------------------------------------------------------------------------------
# The records of truth.json

# The project fields of a form's record, in the order they are written.
PROJECT_KEYS = (
    "project_name", "department", "department_code", "implementing_unit", "year",
    "budget_initial", "budget_full_year", "executed", "exec_weight", "exec_rate", "exec_score",
    "total_weight", "total_score", "goal_expected", "goal_actual", "experience", "problems",
    "suggestion_decision", "suggestion_budget", "suggestion_funds", "suggestion_management",
    "suggestion_other", "remarks",
)


def _resolve(where: tuple, refs: dict) -> str:
    if where[0] == "ind":
        return refs[("ind", id(where[1]), where[2])]
    return refs[where]


def anomaly_records(content: FormContent, rendered: Rendered, file: str, sheet: str) -> list:
    """The truth entries of a form's anomalies, their cells resolved to A1."""
    out = []
    for mark in content.marks:
        cell = _resolve(mark.where, rendered.refs)
        extra = [_resolve(w, rendered.refs) for w in mark.also]
        out.append({
            "rule": mark.kind,
            "form": content.key,
            "file": file,
            "sheet": sheet,
            "cell": cell,
            "cells": [cell] + [e for e in extra if e != cell],
            "detail": mark.detail,
            "collateral": list(mark.collateral),
        })
    return out


def form_truth(plan: FormPlan, f: FilePlan, rel: str, sheet: str, index: int,
               content: FormContent, rendered: Rendered, anomalies: list[dict]) -> dict:
    """One form's record: where it is, its variants, what a loader should read, its anomalies."""
    variants = f.placement_variants + [v for v in CONTENT_VARIANTS if v in content.variants]
    info = []
    if any(row["budget_initial"] != row["budget_full_year"] for row in rendered.truth["funds"]):
        info.append("FUND-ADJUSTED")
    if content.goal_actual in ("已完成", "完成"):
        info.append("TXT-GOAL-BARE")
    if "VAL-COPIED" not in content.anomalies and copied_share(content) >= 0.9:
        info.append("VAL-COPIED")
    truth = {
        "form": plan.key,
        "file": rel,
        "sheet": sheet,
        "form_index": index,
        "department_index": plan.dept.index,
        "domain": plan.domain,
        "variants": variants or ["seed"],
        "template": ",".join(variants) if variants else "seed",
        "variant_options": dict(plan.options),
        "clean": not anomalies,
        "expected_info": info,
    }
    truth.update(rendered.truth)
    truth["anomalies"] = anomalies
    return truth


def truth_document(depts, file_truths, form_truths, params) -> dict:
    """The whole truth.json: parameters, vocabulary, departments, files, forms, anomalies."""
    anomalies = [a for t in form_truths for a in t["anomalies"]]
    return {
        "generator": "evaltools.synth",
        "version": TRUTH_VERSION,
        "params": params,
        "variant_names": list(VARIANTS),
        "anomaly_kinds": list(ANOMALY_KINDS),
        "departments": [{"index": d.index, "name": d.name, "code": d.code,
                         "county": d.county, "folder": d.folder} for d in depts],
        "files": file_truths,
        "forms": form_truths,
        "anomalies": anomalies,
    }
