"""``audit()``: recompute every score, run every rule, point each finding at its cell.

A rule that raises on odd input becomes a finding of its own (``AUDIT-CRASH``); the audit of the
other forms and rules goes on.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import traceback
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import schema
from .profile import Profile, load_profile, profile_for
from .schema import SEVERITY_ORDER
from .errors import RuleError, message
from .load import records as _records
from .rules import Hit, Registry, builtin_registry, lacks
from .scoring import Form, form_scores_frame, indicator_scores_frame, score_form

FINDING_COLUMNS = schema.finding_columns()  # as imported; the audit reads schema.FINDINGS on every run


@dataclass
class AuditResult:
    """Findings (one row each, fixed columns even when empty) and the recomputed scores.

    ``form_scores`` (printed vs recomputed per form) and ``indicator_scores`` (per indicator, with
    the parsed target and actual and the formula used) are built on first use.
    """

    findings: object  # pandas.DataFrame with FINDING_COLUMNS
    profile: Profile
    forms: list[Form] = field(default_factory=list, repr=False)

    @functools.cached_property
    def form_scores(self):
        return form_scores_frame(self.forms)

    @functools.cached_property
    def indicator_scores(self):
        return indicator_scores_frame(self.forms)

    @property
    def counts(self):
        """Findings by severity and rule."""
        f = self.findings
        return f.groupby(["severity", "rule"], sort=False).size().rename("findings").reset_index()

    @property
    def has_errors(self) -> bool:
        return bool((self.findings["severity"] == "error").any())

    def summary(self) -> str:
        f = self.findings
        lines = [f"审核 {len(self.forms)} 份自评表：发现问题 {len(f)} 条"
                 f"（错误 {int((f['severity'] == 'error').sum())}，警告 {int((f['severity'] == 'warning').sum())}，"
                 f"提示 {int((f['severity'] == 'info').sum())}）"]
        if len(f):
            lines.append("")
            lines.append("按规则：")
            c = f.groupby(["severity", "rule"]).size().reset_index(name="n")
            c["o"] = c["severity"].map(SEVERITY_ORDER)
            for r in c.sort_values(["o", "n"], ascending=[True, False]).itertuples():
                lines.append(f"  {r.rule:24s} {schema.SEVERITY_LABELS.get(r.severity, r.severity)}  {r.n}")
        return "\n".join(lines)


def build_forms(book, profile: Profile, auto: bool = False) -> list[Form]:
    """One ``Form`` per audited form, with parsed values and recomputed scores.

    Forms of a type the project audit leaves out (``projects.audited`` false: target tables,
    department-wide forms) get none. With ``auto`` each form is scored under the built-in profile
    that fits its scoring convention (``profile_for``), else all under ``profile``.
    """
    funds_by: dict[str, list[dict]] = defaultdict(list)
    for r in _records(book.funds):
        funds_by[r["form_id"]].append(r)
    inds_by: dict[str, list[dict]] = defaultdict(list)
    for r in _records(book.indicators):
        inds_by[r["form_id"]].append(r)
    forms = []
    profiles: dict[str, Profile] = {}
    memos: dict[int, dict] = {}  # id(profile) → texts → judged (scoring.score_form)
    for p in _records(book.projects):
        if p.get("audited") is False:
            continue
        fid = p["form_id"]
        prof = profile
        if auto:
            name = profile_for(str(p.get("convention") or "").split(","))
            prof = profiles.get(name) or profiles.setdefault(name, profile if name == profile.name else load_profile(name))
        forms.append(score_form(p, funds_by.get(fid, []), sorted(inds_by.get(fid, []), key=lambda r: r["seq"]),
                                prof, memos.setdefault(id(prof), {})))
    return forms


def audit(book, profile: str | dict | Profile | None = "auto", *, disable: Iterable[str] = (),
          only: Iterable[str] | None = None, registry: Registry | None = None, executor=None,
          vectorised: bool | None = None) -> AuditResult:
    """Audit every form of a loaded ``Book``.

    ``profile`` is ``"auto"`` (the default: each form under the built-in profile that fits its
    scoring convention — ``national`` for 10-point execution, ``exec20`` for 20 — shown per form in
    ``form_scores.profile``), a built-in name, a TOML/YAML path, a dict of overrides, or a ``Profile``
    (used for every form). A rule that needs what a form does not have (a 分值 column, an
    execution score) is not run on it. Forms ``projects.audited`` marks false are left out;
    ``disable`` skips rules by id, ``only`` runs just those; ``registry`` replaces the built-in
    rules (user rules registered with ``@rule`` are in the built-in registry already).
    With an ``executor`` (any ``concurrent.futures.Executor``: processes, a Dask cluster) each
    主管部门 is audited as one task — department rules see all of its forms — and the results are
    merged in the book's order: the same findings as in one process.
    A rule that looks at one indicator row at a time has two forms with the same findings (the
    test suite compares them): form by form, and as column operations over the batch's indicators
    (its row twin, ``rules.rows_of``). ``vectorised=True`` runs the twins, False the form rules;
    None (the default) runs the twins when a row rule (``scope="indicators"``) makes the
    indicators' table anyway, else the form rules: assembling the table costs more than the
    twins save on the objects the form rules read (BENCHMARKS.md, "Audit").
    """
    auto = isinstance(profile, str) and profile == "auto"
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    if executor is not None:
        return _audit_on(executor, book, "auto" if auto else prof, tuple(disable), None if only is None else tuple(only),
                         registry, vectorised)
    reg = registry if registry is not None else builtin_registry()
    skip = set(disable) | prof.disabled
    wanted = set(only) if only is not None else None
    for rid in skip | (wanted or set()):
        reg.get(rid)  # an unknown id is misuse: raise now, not silently run everything
    rules = [r for r in reg if r.id not in skip and (wanted is None or r.id in wanted) and r.id != "AUDIT-CRASH"]
    if vectorised is None:
        vectorised = any(r.scope == "indicators" for r in rules)
    with _gc_paused():
        return _audit(book, prof, auto, reg, rules, vectorised)


@contextlib.contextmanager
def _gc_paused():
    """The cyclic garbage collector off for the audit: it builds hundreds of thousands of small
    objects that all stay alive until it returns, and each collection would walk them all (a
    sixth of the audit's time on 10,000 forms). Little of it is cyclic garbage; collection resumes after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _audit(book, prof: Profile, auto: bool, reg: Registry, rules: list, vectorised: bool) -> AuditResult:
    forms = build_forms(book, prof, auto)
    by_name = {prof.name: prof}
    for f in forms:
        if f.profile_name not in by_name:
            by_name[f.profile_name] = load_profile(f.profile_name)
    # a hit is kept with (its form's position, its rule's position): sorted by them, the hits are
    # in the order a form-by-form pass makes them, whichever path found them
    hits: list[tuple[int, int, Form, object, Hit]] = []
    by_row = [r for r in rules if r.scope == "indicators" or (vectorised and r.rows is not None)]
    by_form = [(k, r) for k, r in enumerate(rules) if r.scope == "form" and not (vectorised and r.rows is not None)]
    if by_row:
        failed = _row_rules(forms, by_name, reg, rules, by_row, hits)
        by_form = sorted(by_form + [(rules.index(r), r) for r in failed], key=lambda kr: kr[0])
    for n, f in enumerate(forms):
        fprof = by_name[f.profile_name]
        for k, r in by_form:
            if r.needs and lacks(f.convention, r.needs):
                continue
            try:
                for h in r.func(f, fprof) or ():
                    hits.append((n, k, f, r, h))
            except Exception as exc:  # a rule bug must not abort the audit
                hits.append((n, k, f, _crash_rule(reg), _crash_hit(r.id, exc)))
    by_dept: dict[str, list[int]] = defaultdict(list)
    for n, f in enumerate(forms):
        by_dept[f.department].append(n)
    at = {id(f): n for n, f in enumerate(forms)}
    for k, r in enumerate(rules):
        if r.scope != "department":
            continue
        k += len(rules)  # after the form rules' hits of the same form, as the rules run
        for members in by_dept.values():
            dept_forms = [forms[n] for n in members]
            try:
                for f, h in r.func(dept_forms, prof) or ():
                    hits.append((at.get(id(f), members[0]), k, f, r, h))
            except Exception as exc:
                hits.append((members[0], k, dept_forms[0], _crash_rule(reg), _crash_hit(r.id, exc)))
    hits.sort(key=lambda x: (x[0], x[1]))
    findings = _findings_frame(book, [(f, r, h) for _, _, f, r, h in hits], prof)
    return AuditResult(findings=findings, profile=prof, forms=forms)


def _row_rules(forms, by_name: dict, reg: Registry, rules: list, by_row: list, hits: list) -> list:
    """Run the row rules and the row twins on ``facts.indicator_table``, once per profile; returns
    the twins that raised, for the form-by-form pass (whose AUDIT-CRASH names the form)."""
    import numpy as np

    from .facts import indicator_table

    table = indicator_table(forms)
    if not len(table):
        return []
    by_id = {f.form_id: n for n, f in enumerate(forms)}
    parts = []
    names = table["profile"].unique()
    groups = [(names[0], table)] if len(names) == 1 else table.groupby("profile", sort=False)
    for name, part in groups:
        codes, conventions = part["convention"].factorize()
        parts.append((by_name[name], part, codes, [frozenset(x for x in c.split(",") if x) for c in conventions], {}))

    def judged(part, codes, conventions, memo, needs):
        """The rows of the forms whose convention has what the rule needs."""
        if not needs:
            return part
        if needs not in memo:
            ok = np.array([not lacks(c, needs) for c in conventions] or [True], dtype=bool)
            memo[needs] = part if ok.all() else part[ok[codes]]  # most batches: every form has it
        return memo[needs]

    failed = []
    for r in by_row:
        k = rules.index(r)
        func = r.func if r.scope == "indicators" else r.rows
        found: list[tuple[int, int, Form, object, Hit]] = []
        try:
            for fprof, part, codes, conventions, memo in parts:
                for form_id, h in func(judged(part, codes, conventions, memo, r.needs), fprof) or ():
                    n = by_id[form_id]
                    found.append((n, k, forms[n], r, h))
        except Exception as exc:
            if r.scope != "indicators":
                failed.append(r)
                continue
            found = [(0, k, forms[0], _crash_rule(reg), _crash_hit(r.id, exc))]
        hits.extend(found)
    return failed


def _audit_part(book, prof, disable, only, registry, vectorised=None):
    r = audit(book, prof, disable=disable, only=only, registry=registry, vectorised=vectorised)
    return r.findings, r.forms


def _audit_on(executor, book, prof, disable, only, registry, vectorised=None) -> AuditResult:
    import pandas as pd

    parts = [book.subset(ids) for _, ids in book.projects.groupby("department", sort=False)["form_id"]]
    futures = [executor.submit(_audit_part, part, prof, disable, only, registry, vectorised) for part in parts]
    findings, forms = [], {}
    for fut in futures:
        f, fs = fut.result()
        findings.append(f)
        forms.update({x.form_id: x for x in fs})
    order = list(book.projects["form_id"])
    base = prof if isinstance(prof, Profile) else load_profile(prof)
    merged = pd.concat(findings, ignore_index=True) if findings else _findings_frame(book, [], base)
    pos = {fid: i for i, fid in enumerate(order)}
    merged = merged.iloc[merged["form_id"].map(pos).argsort(kind="stable")].reset_index(drop=True)
    return AuditResult(findings=merged, profile=base, forms=[forms[fid] for fid in order if fid in forms])


def _crash_rule(reg: Registry):
    try:
        return reg.get("AUDIT-CRASH")
    except RuleError:
        return builtin_registry().get("AUDIT-CRASH")


def _crash_hit(rule_id: str, exc: Exception) -> Hit:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    text = message("rule-crash", rule_id=rule_id, error=f"{type(exc).__name__}: {exc}",
                   where=f"{where.filename.split('/')[-1]}:{where.lineno}")
    return Hit(text, actual=rule_id)


# A value that was not printed (an empty 偏差原因) has no cell of its own: point at its row.
_ROW_FALLBACK = {"indicators": ("score", "weight", "name", "actual", "target"),
                 "funds": ("label", "executed", "budget_full_year"),
                 "projects": ()}


def _empty_cell(index: dict, f: Form, h: Hit) -> str:
    """The cell of a value the form left empty: its column's heading letters, its indicator's row."""
    if h.table != "indicators":
        return ""
    head = index.get((f.form_id, "columns", "indicators", h.field))
    ind = next((i for i in f.all_indicators if str(i.seq) == str(h.key)), None)
    if not head or ind is None or not ind.row.get("row"):
        return ""
    return "".join(ch for ch in head if ch.isalpha()) + str(int(ind.row["row"]))


def _resolve(index: dict, f: Form, h: Hit) -> str:
    form_id = f.form_id
    key = str(h.key)
    cell = index.get((form_id, h.table, key, h.field)) or _empty_cell(index, f, h)
    if cell:
        return cell
    for other in _ROW_FALLBACK.get(h.table, ()):
        cell = index.get((form_id, h.table, key, other))
        if cell:
            return cell
    return ""


OCR_NOTE = "（OCR 识别值，请对照原件核对）"


def _mark_ocr(df, cells) -> None:
    """Every finding of a form read by OCR says so: the scan may hold what OCR did not read (an
    empty cell may be a missed one), or not what it read."""
    if "ocr" not in cells.columns or not len(df) or not cells["ocr"].any():
        return
    scanned = set(cells.loc[cells["ocr"], "form_id"].astype(str))
    hit = df["form_id"].astype(str).isin(scanned)
    df.loc[hit, "message"] = df.loc[hit, "message"].astype(str) + OCR_NOTE


def _cell_index(cells, hits) -> dict:
    """(form_id, table, key, field) → A1, for just the values the hits name (and their row fallbacks)."""
    import numpy as np
    import pandas as pd

    wanted = set()
    for f, _, h in hits:
        if h.cell:
            continue
        for fld in (h.field,) + _ROW_FALLBACK.get(h.table, ()):
            wanted.add((f.form_id, h.table, str(h.key), fld))
        if h.table == "indicators":
            wanted.add((f.form_id, "columns", "indicators", h.field))
    if not wanted:
        return {}
    keys = ("form_id", "table", "key", "field")
    if all(isinstance(cells[c].dtype, pd.CategoricalDtype) for c in keys):
        return _cell_index_codes(cells, keys, wanted)
    return _cell_index_text(cells, keys, wanted)


def _cell_index_text(cells, keys, wanted: set) -> dict:
    import pandas as pd

    want = pd.DataFrame(list(wanted), columns=list(keys))
    have = cells[list(keys) + ["cell"]].astype({c: str for c in keys}).drop_duplicates(list(keys))
    m = want.merge(have, on=list(keys), how="inner")
    return {(a, b, c, d): e for a, b, c, d, e in zip(m["form_id"], m["table"], m["key"], m["field"], m["cell"])}


def _cell_index_codes(cells, keys, wanted: set) -> dict:
    """``_cell_index`` on the categorical codes of the loaded cells: each of the table's four keys
    becomes one integer, and only the few looked-up values are turned back into text (converting
    the whole table's keys to text, a million cells for 10,000 forms, cost more than the rules)."""
    import numpy as np

    combined = np.zeros(len(cells), dtype=np.int64)
    lookups, scale = [], 1
    for c in keys:
        col = cells[c].cat
        n = len(col.categories) + 1
        scale *= n
        if scale >= 2 ** 62:  # pragma: no cover - more distinct keys than any batch holds
            return _cell_index_text(cells, keys, wanted)
        combined = combined * n + (col.codes.to_numpy().astype(np.int64) + 1)  # -1 (missing) → 0
        lookups.append((n, {str(v): k + 1 for k, v in enumerate(col.categories)}))
    asked = {}
    for w in wanted:
        code = 0
        for (n, lookup), v in zip(lookups, w):
            k = lookup.get(v)
            if k is None:
                break
            code = code * n + k
        else:
            asked[code] = w
    if not asked:
        return {}
    rows = np.flatnonzero(np.isin(combined, np.fromiter(asked, dtype=np.int64, count=len(asked))))
    found, first = np.unique(combined[rows], return_index=True)  # the first cell of a key, as drop_duplicates
    a1 = cells["cell"].take(rows[first]).tolist()
    return {asked[int(code)]: cell for code, cell in zip(found, a1)}


def _stable_key(form: Form, h: Hit) -> str:
    """An indicator is named by its categories and name, not its position: inserting a row must not
    change the ids (and so the reviewer's entries) of the findings below it."""
    if h.table != "indicators" or not h.key:
        return str(h.key)
    ind = next((i for i in form.indicators if str(i.seq) == str(h.key)), None)
    return str(h.key) if ind is None else f"{ind['level1']}|{ind['level2']}|{ind['name']}"


def _value(column, made: dict, project: dict, hit: Hit) -> object:
    """One finding's value for a ``schema.FINDINGS`` column, from where the column says it comes."""
    if column.source in ("audit", "rule") or column.name in made:
        return made.get(column.name, "")
    if column.source == "form":
        return project.get(column.name, "")
    value = getattr(hit, column.name, None)
    return hit.extra.get(column.name, "") if value is None else value


def _findings_frame(book, hits, prof: Profile):
    import pandas as pd

    if not hits:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in schema.finding_columns()})
    index = _cell_index(book.cells, hits)
    columns = schema.FINDINGS
    seen: dict[tuple, int] = defaultdict(int)
    rows = []
    for f, r, h in hits:
        p = f.project
        cell = h.cell or _resolve(index, f, h) or p.get("anchor", "")
        ident = (f.form_id, r.id, h.table, _stable_key(f, h), h.field, h.cell)
        n = seen[ident]
        seen[ident] += 1
        fid_text = "|".join(map(str, ident + (n,)))
        made = {"finding_id": hashlib.sha1(fid_text.encode()).hexdigest()[:12], "cell": cell, "form_id": f.form_id,
                "rule": r.id, "severity": h.severity or prof.severity_of(r.id, r.severity), "category": r.category}
        rows.append({c.name: _value(c, made, p, h) for c in columns})
    df = pd.DataFrame(rows, columns=[c.name for c in columns])
    _mark_ocr(df, book.cells)
    order = {fid: i for i, fid in enumerate(book.projects["form_id"])}
    df["_o"] = df["form_id"].map(order)
    df["_s"] = df["severity"].map(SEVERITY_ORDER)
    df = df.sort_values(["_o", "_s"], kind="stable").drop(columns=["_o", "_s"]).reset_index(drop=True)
    return df.astype(str)
