"""The audited indicators of a batch as one table, for the row rules' column operations.

One row per indicator the form rules see (``Form.indicators``: the 其中 breakdown rows are left
out), in the forms' order and then the form's own. Beside the loaded columns it holds what
``scoring`` parsed and recomputed: the values' kinds, operators, numbers and units, the verdict,
the direction and the recomputed score. The parsed columns are made once per distinct printed
texts (``Indicator.judged``), not once per row: a province prints the same few hundred targets
thousands of times.
"""

from __future__ import annotations

import numpy as np

from .scoring import num

# the loaded texts the table carries (the other loaded columns stay on the Form objects)
LOADED = ("name", "level1", "level2", "target", "adjusted_target", "actual", "deviation_reason")

# parsed columns: name → what of (target, adjusted, actual, goal) it is
_VALUE_COLUMNS = {
    "target_kind": (0, "kind"), "adjusted_kind": (1, "kind"), "actual_kind": (2, "kind"),
    "target_text": (0, "text"), "adjusted_text": (1, "text"), "actual_text": (2, "text"),
    "goal_kind": (3, "kind"), "goal_text": (3, "text"), "goal_op": (3, "op"), "goal_number": (3, "number"),
    "goal_unit": (3, "unit"), "goal_dimension": (3, "dimension"),
    "actual_op": (2, "op"), "actual_number": (2, "number"), "actual_unit": (2, "unit"),
    "actual_dimension": (2, "dimension"), "actual_tier": (2, "tier"),
}
_FLOATS = ("goal_number", "actual_number", "goal_money", "actual_money")


def indicator_table(forms):
    """The indicators of ``forms`` (``scoring.Form``) as a DataFrame.

    Columns: ``form_id``, ``form`` (the form's position in ``forms``), ``seq``, ``key`` (``str(seq)``,
    as a ``Hit`` names the row), ``profile`` (the profile the form is scored under), ``convention``,
    ``year`` (the form's evaluation year, None if not printed), ``target_value``, ``adjusted_value``,
    ``actual_value`` and ``goal_value`` (the ``targets.Value`` objects),
    the ``LOADED`` texts, ``weight``, ``score`` and ``calc`` (NaN where none), ``formula``, ``met``
    and ``direction`` (None where unknown), ``missed`` (``met`` is False), ``score_error`` (a row
    without a score whose 得分 cell prints an Excel error), the ``_VALUE_COLUMNS`` of the parsed values, ``goal_money``/``actual_money`` (万元, NaN if not
    money) and ``comparable`` (the goal and the actual measure the same thing).
    """
    import pandas as pd

    inds = [i for f in forms for i in f.indicators]
    at = np.repeat(np.arange(len(forms), dtype=np.intp), [len(f.indicators) for f in forms])
    judged: dict[int, int] = {}
    uniques: list[tuple] = []
    codes = []
    for i in inds:
        j = i.judged
        if j is None:  # an Indicator made outside scoring.score_form
            j = (i.target, i.adjusted, i.actual, i.goal, i.direction, i.met, None)
        k = judged.get(id(j))
        if k is None:
            k = judged[id(j)] = len(uniques)
            uniques.append(j)
        codes.append(k)
    idx = np.asarray(codes, dtype=np.intp)

    def per_form(values):
        arr = np.empty(max(1, len(forms)), dtype=object)
        arr[: len(forms)] = values
        return arr[at] if len(at) else arr[:0]

    rows = [i.row for i in inds]
    seq = [i.seq for i in inds]
    data = {"form_id": per_form([f.form_id for f in forms]), "form": at, "seq": np.array(seq, dtype=np.int64),
            "key": np.array(seq, dtype=np.int64).astype(str).astype(object),
            "profile": per_form([f.profile_name for f in forms]),
            "convention": per_form([",".join(sorted(f.convention)) for f in forms]),
            "year": per_form([num(f.project.get("year")) for f in forms])}
    for c in LOADED:
        data[c] = np.array([r.get(c, "") for r in rows], dtype=object)
    for c in ("weight", "score", "calc"):
        data[c] = np.array([getattr(i, c) for i in inds], dtype=np.float64)  # None → NaN
    data["formula"] = np.array([i.formula for i in inds], dtype=object)
    # asked only of a row without a score: whether its 得分 cell prints an Excel error
    data["score_error"] = np.array([i.score is None and i.is_error("score") for i in inds], dtype=bool)
    per = {"met": [u[5] for u in uniques], "direction": [u[4] for u in uniques],
           "missed": [u[5] is False for u in uniques]}
    for c, (which, attr) in _VALUE_COLUMNS.items():
        per[c] = [getattr(u[which], attr) for u in uniques]
    for c, which in (("target_value", 0), ("adjusted_value", 1), ("actual_value", 2), ("goal_value", 3)):
        per[c] = [u[which] for u in uniques]
    per["goal_money"] = [u[3].money_wan() for u in uniques]
    per["actual_money"] = [u[2].money_wan() for u in uniques]
    per["comparable"] = [u[3].comparable(u[2]) for u in uniques]
    for c, values in per.items():
        if c in _FLOATS:
            arr = np.array([np.nan if v is None else v for v in values] or [np.nan], dtype=np.float64)
        elif c in ("comparable", "missed"):
            arr = np.array(values or [False], dtype=bool)
        else:
            arr = np.empty(max(1, len(values)), dtype=object)
            arr[: len(values)] = values
        data[c] = arr[idx] if len(idx) else arr[:0]
    # texts stay object columns: inferring pandas' string dtype over the 28 of them would cost
    # more than the rules that read them
    return pd.DataFrame({c: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v
                         for c, v in data.items()})


def each_distinct(values, test) -> np.ndarray:
    """``test(value)`` for every value of a column, asked once per distinct value: the texts of a
    batch repeat (a few hundred 二级指标 names over 100,000 rows), so a Python test of a text costs
    what the distinct texts cost."""
    import pandas as pd

    codes, distinct = pd.factorize(pd.Series(values, dtype=object, copy=False), use_na_sentinel=False)
    answers = np.array([bool(test(v)) for v in distinct] or [False], dtype=bool)
    return answers[codes] if len(codes) else answers[:0]
