"""Generating a county of synthetic forms: ``generate`` (a small county, one folder per
主管部门) and ``generate_corpus`` (a large one for benchmarks), each with its truth files and a
``Manifest`` of what was written.

Same arguments → byte-identical files: all randomness comes from ``random.Random`` instances
seeded from ``seed`` and the form's key, and the writers fix every timestamp.
"""

from __future__ import annotations

import csv
import json
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from .anomalies import (
    FORM_KINDS, apply_boilerplate, assign_anomalies, boilerplate_departments, build_content,
)
from .catalogue import (
    CONTENT_VARIANTS, EXCLUSIVE_GROUPS, PROJECTS, UNITS, VARIANT_OPTIONS, VARIANTS, Department,
    build_departments, cn_number, safe_name,
)
from .content import short_name
from .render import (
    Canvas, SheetSpec, form_widths, notes_sheet, render_form, require_writers, write_xls, write_xlsx,
)
from .truth import anomaly_records, form_truth, truth_document


# --------------------------------------------------------------------------------------------
# Planning the county: forms, variants, files


@dataclass
class FormPlan:
    key: str
    seed: int
    dept: Department
    domain: str
    project_index: int
    project_name: str
    unit: str
    goal_expected: str
    variants: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    anomalies: list[str] = field(default_factory=list)
    reserved_seed: bool = False


@dataclass
class FilePlan:
    dept: Department
    forms: list[FormPlan]
    kind: str = "single"  # single | multi-sheet | stacked
    xls: bool = False
    notes: str = ""  # "" | before | after
    shift: tuple[int, int] = (0, 0)
    sheet_names: list[str] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)

    @property
    def placement_variants(self) -> list[str]:
        out = []
        if self.shift != (0, 0):
            out.append("shifted")
        if self.notes:
            out.append("notes-sheet")
        if self.kind != "single":
            out.append(self.kind)
        if self.xls:
            out.append("xls")
        return out


def _plan_projects(dept: Department, n: int, seed: int, year: int) -> list[FormPlan]:
    rng = random.Random(f"{seed}/projects/{dept.index}")
    pool = [(d, name, goal) for d in dept.domains for name, goal in PROJECTS[d]]
    rng.shuffle(pool)
    plans = []
    for k in range(n):
        domain, name, goal = pool[k % len(pool)]
        name = name.format(y=year, p=year - 1)
        if k >= len(pool):
            name = f"{name}（{cn_number(k // len(pool) + 1)}期）"
        if rng.random() < 0.55:
            unit = dept.name
        else:
            unit = dept.county + rng.choice(UNITS[domain])
        key = f"synthetic_{dept.index:03d}_{k + 1:02d}"
        plans.append(FormPlan(key, seed, dept, domain, k + 1, name, unit, goal))
    return plans


def _allowed_variants(variants) -> set[str]:
    if variants == "all":
        return set(VARIANTS)
    if variants in (None, "seed", "none"):
        return {"seed"}
    names = {variants} if isinstance(variants, str) else set(variants)
    unknown = names - set(VARIANTS)
    if unknown:
        raise ValueError(f"unknown variants: {sorted(unknown)}")
    return names


def _conflicts(variant: str, chosen: Iterable[str]) -> bool:
    chosen = set(chosen)
    return any(variant in g and chosen & (set(g) - {variant}) for g in EXCLUSIVE_GROUPS)


def _assign_variants(plans: list[FormPlan], allowed: set[str], rng: random.Random) -> None:
    content = [v for v in CONTENT_VARIANTS if v in allowed]
    for plan in plans:
        if plan.reserved_seed or rng.random() < 0.3:
            continue
        for v in content:
            if rng.random() < 0.14 and not _conflicts(v, plan.variants):
                plan.variants.append(v)
    # Coverage: every allowed variant on at least one form.
    free = [p for p in plans if not p.reserved_seed]
    for v in content:
        if free and not any(v in p.variants for p in plans):
            options = [p for p in free if not _conflicts(v, p.variants)] or free
            target = min(options, key=lambda p: (len(p.variants), rng.random()))
            if not _conflicts(v, target.variants):
                target.variants.append(v)
    for plan in plans:
        plan.variants.sort(key=CONTENT_VARIANTS.index)
        prng = random.Random(f"{plan.seed}/options/{plan.key}")
        for v in plan.variants:
            if v in VARIANT_OPTIONS:
                key, choices = VARIANT_OPTIONS[v]
                plan.options[key] = prng.choice(choices)


def _group_files(dept_plans: list[FormPlan], allowed: set[str],
                 rng: random.Random) -> list[FilePlan]:
    """One file per form, except runs of 2–3 forms put on several sheets or stacked in one."""
    files: list[FilePlan] = []
    i = 0
    while i < len(dept_plans):
        plan = dept_plans[i]
        kind, size = "single", 1
        # The reserved seed form is always alone (plans after it are never reserved).
        if not plan.reserved_seed and i + 1 < len(dept_plans):
            roll = rng.random()
            if roll < 0.10 and "multi-sheet" in allowed:
                kind, size = "multi-sheet", rng.randint(2, 3)
            elif roll < 0.18 and "stacked" in allowed:
                kind, size = "stacked", rng.randint(2, 3)
        group = dept_plans[i:i + size]
        files.append(FilePlan(plan.dept, group, kind if len(group) > 1 else "single"))
        i += len(group)
    return files


def _place_files(files: list[FilePlan], allowed: set[str], rng: random.Random) -> None:
    for f in files:
        if any(p.reserved_seed for p in f.forms):
            continue
        if "xls" in allowed and rng.random() < 0.1:
            f.xls = True
        if "notes-sheet" in allowed and rng.random() < 0.1:
            f.notes = rng.choice(("before", "after"))
        if "shifted" in allowed and rng.random() < 0.12:
            f.shift = (rng.randint(0, 5), rng.randint(0, 3))
            if f.shift == (0, 0):
                f.shift = (2, 1)


def _cover_placement(files: list[FilePlan], allowed: set[str], rng: random.Random) -> list[FilePlan]:
    """Make sure each allowed placement variant appears in at least one file."""
    free = lambda: [f for f in files if not any(p.reserved_seed for p in f.forms)]
    for kind in ("multi-sheet", "stacked"):
        if kind in allowed and not any(f.kind == kind for f in files):
            singles = [f for f in free() if f.kind == "single"]
            pairs = [(a, b) for a, b in zip(singles, singles[1:]) if a.dept == b.dept]
            if pairs:
                a, b = rng.choice(pairs)
                a.forms.extend(b.forms)
                a.kind = kind
                files.remove(b)
    for flag in ("xls", "notes-sheet", "shifted"):
        if flag not in allowed or not free():
            continue
        if any(flag in f.placement_variants for f in files):
            continue
        target = rng.choice(free())
        if flag == "xls":
            target.xls = True
        elif flag == "notes-sheet":
            target.notes = rng.choice(("before", "after"))
        else:
            target.shift = (rng.randint(1, 5), rng.randint(1, 3))
    return files


def _sheet_names(f: FilePlan, rng: random.Random) -> list[str]:
    if f.kind != "multi-sheet":
        name = rng.choice(("Sheet2", "Sheet2", "Sheet1", "项目自评表"))
        return ["Sheet2" if f.forms[0].reserved_seed else name]
    style = rng.choice(("sheet", "name", "number"))
    names = []
    for k, p in enumerate(f.forms):
        if style == "sheet":
            name = f"Sheet{k + 1}"
        elif style == "number":
            name = f"{k + 1}"
        else:
            name = safe_name(short_name(p.project_name), 20)
        while name in names:
            name = f"{name}{k + 1}"
        names.append(name)
    return names


def _file_name(f: FilePlan) -> str:
    first = f.forms[0]
    ext = "xls" if f.xls else "xlsx"
    stem = f"synthetic_{first.dept.index:03d}_{first.project_index:02d}"
    if len(f.forms) == 1:
        return f"{stem}_{safe_name(first.project_name)}.{ext}"
    last = f.forms[-1]
    return f"{stem}-{last.project_index:02d}_{safe_name(first.dept.name, 20)}项目绩效自评表.{ext}"


# --------------------------------------------------------------------------------------------
# Writing


def _write_file(f: FilePlan, out_dir: Path, year: int, used: dict[str, dict[str, set[str]]],
                boilerplate: set[int], rng: random.Random,
                excel_like: bool = False) -> tuple[dict, list[dict]]:
    rel_dir = f.dept.folder
    name = _file_name(f)
    rel = f"{rel_dir}/{name}"
    (out_dir / rel_dir).mkdir(parents=True, exist_ok=True)
    names = _sheet_names(f, rng)
    sheets: list[SheetSpec] = []
    forms_truth: list[dict] = []
    shift_r, shift_c = f.shift
    canvases: list[tuple[str, Canvas, list]] = []
    if f.kind == "multi-sheet":
        groups = [[p] for p in f.forms]
    else:
        groups = [f.forms]
    for sheet_name, group in zip(names, groups):
        canvas = Canvas()
        canvas.r0, canvas.c0 = shift_r, shift_c
        blocks: list[tuple[int, int, int, int]] = []
        for index, plan in enumerate(group):
            content = build_content(plan, year, used.setdefault(
                str(plan.dept.index), _new_used()))
            if plan.dept.index in boilerplate:
                apply_boilerplate(content)
            n_cells, n_merges = len(canvas.cells), len(canvas.merges)
            rendered = render_form(content, canvas)
            blocks.append(_block(canvas, n_cells, n_merges, rendered.height))
            anomalies = anomaly_records(content, rendered, rel, sheet_name)
            forms_truth.append(form_truth(plan, f, rel, sheet_name, index, content,
                                           rendered, anomalies))
            canvas.r0 += rendered.height + rng.randint(2, 4)
        canvases.append((sheet_name, canvas, blocks))
    for sheet_name, canvas, blocks in canvases:
        sheets.append(SheetSpec(sheet_name, canvas.cells, canvas.merges, form_widths(shift_c),
                                blocks=blocks, title_rows=2))
    if f.notes == "before":
        sheets.insert(0, notes_sheet())
    elif f.notes == "after":
        sheets.append(notes_sheet())
    path = out_dir / rel
    if f.xls:
        write_xls(path, sheets)
    else:
        write_xlsx(path, sheets, created=datetime(year + 1, 1, 15, 8, 0, 0, tzinfo=timezone.utc),
                   creator="evaltools.synth", excel_like=excel_like)
    file_truth = {
        "file": rel,
        "format": "xls" if f.xls else "xlsx",
        "department_index": f.dept.index,
        "layout": f.kind,
        "sheets": [{"name": s.name, "kind": "notes" if s.name == "填表说明" else "form",
                    "forms": [t["form"] for t in forms_truth if t["sheet"] == s.name]}
                   for s in sheets],
    }
    return file_truth, forms_truth


def _block(canvas: Canvas, n_cells: int, n_merges: int, height: int) -> tuple[int, int, int, int]:
    """The rectangle of the form just drawn (its bordered area, from column B of the form)."""
    keys = list(canvas.cells)[n_cells:]
    for r0, c0, r1, c1 in canvas.merges[n_merges:]:
        keys += [(r0, c0), (r1, c1)]
    top = canvas.r0 + 1
    left = min([canvas.c0 + 2] + [c for _, c in keys])
    right = max([canvas.c0 + 13] + [c for _, c in keys])
    return (top, left, top + height - 1, right)


def _new_used() -> dict[str, set[str]]:
    return {k: set() for k in ("experience", "decision", "budget", "funds", "management")}


@dataclass
class Manifest:
    """What ``generate`` wrote: the workbook paths, the truth file and the truth itself."""

    out_dir: Path
    files: list[Path]
    truth_path: Path
    anomalies_csv: Path
    truth: dict

    @property
    def forms(self) -> list[dict]:
        return self.truth["forms"]

    @property
    def anomalies(self) -> list[dict]:
        return self.truth["anomalies"]

    def form(self, key: str) -> dict:
        return next(f for f in self.forms if f["form"] == key)


_CSV_FIELDS = ("form", "rule", "file", "sheet", "cell", "cells", "detail", "collateral")


def _write_truth(out_dir: Path, truth: dict, files: list[Path]) -> Manifest:
    truth_path = out_dir / "truth.json"
    indent = 1 if len(truth["forms"]) <= 2000 else None
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=indent) + "\n",
                          encoding="utf-8")
    csv_path = out_dir / "truth_anomalies.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=_CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for a in truth["anomalies"]:
            writer.writerow({**{k: a[k] for k in _CSV_FIELDS},
                             "cells": " ".join(a["cells"]),
                             "collateral": " ".join(a["collateral"])})
    return Manifest(out_dir, files, truth_path, csv_path, truth)


# --------------------------------------------------------------------------------------------
# The generators


def generate(
    out_dir: str | Path,
    *,
    n_forms: int | None = None,
    n_departments: int = 5,
    projects_per_department: tuple[int, int] = (4, 12),
    seed: int = 0,
    year: int = 2021,
    variants="all",
    anomaly_rate: float = 0.35,
    county: str = "示例县",
    excel_like: bool = False,
) -> Manifest:
    """Write a synthetic county of self-evaluation workbooks under ``out_dir``, with its truth.

    ``variants``: ``"all"`` (every variant appears at least once when there are enough forms),
    ``"seed"`` (the seed layout only) or an iterable of names from ``VARIANTS``. ``anomaly_rate``:
    the share of forms given anomalies; when positive every kind is injected at least once as
    far as the number of forms allows. ``n_forms`` overrides ``projects_per_department``.
    ``excel_like``: write the ``.xlsx`` files the way Excel/WPS save a bordered form (every cell
    of each form's rectangle formatted and present, padded to 25 columns, row heights and print
    settings; see ``render.write_xlsx``); values and merges are the same, so the truth is the same.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    allowed = _allowed_variants(variants)
    depts = build_departments(n_departments, county, rng)
    counts = _form_counts(len(depts), n_forms, projects_per_department, rng)
    plans_by_dept = [_plan_projects(d, n, seed, year) for d, n in zip(depts, counts)]
    plans = [p for group in plans_by_dept for p in group]
    if "seed" in allowed and plans:
        plans[0].reserved_seed = True
    _assign_variants(plans, allowed, random.Random(f"{seed}/variants"))
    assign_anomalies(plans, anomaly_rate, random.Random(f"{seed}/anomalies"), FORM_KINDS)
    # The reserved seed form stays clean, so its department never gets the boilerplate.
    reserved = {p.dept.index for p in plans if p.reserved_seed}
    boilerplate = boilerplate_departments(
        [d for d in depts if d.index not in reserved],
        [n for d, n in zip(depts, counts) if d.index not in reserved],
        anomaly_rate, random.Random(f"{seed}/boilerplate"))
    grouping_rng = random.Random(f"{seed}/files")
    files: list[FilePlan] = []
    for group in plans_by_dept:
        files.extend(_group_files(group, allowed, grouping_rng))
    _place_files(files, allowed, grouping_rng)
    files = _cover_placement(files, allowed, grouping_rng)
    require_writers(xls=any(f.xls for f in files))  # before the first file is written
    used: dict[str, dict[str, set[str]]] = {}
    file_truths, form_truths = [], []
    write_rng = random.Random(f"{seed}/write")
    for f in files:
        ft, forms = _write_file(f, out_dir, year, used, boilerplate, write_rng, excel_like)
        file_truths.append(ft)
        form_truths.extend(forms)
    form_truths.sort(key=lambda t: t["form"])
    params = dict(
        seed=seed, year=year, n_forms=len(plans), n_departments=len(depts),
        variants=variants if isinstance(variants, str) else sorted(allowed),
        anomaly_rate=anomaly_rate, county=county)
    if excel_like:  # recorded only when set, so plain output keeps its earlier truth.json
        params["excel_like"] = True
    truth = truth_document(depts, file_truths, form_truths, params)
    return _write_truth(out_dir, truth, [out_dir / ft["file"] for ft in file_truths])


def _form_counts(n_depts: int, n_forms: int | None, per_dept: tuple[int, int],
                 rng: random.Random) -> list[int]:
    if n_forms is None:
        return [rng.randint(*per_dept) for _ in range(n_depts)]
    base, extra = divmod(n_forms, n_depts)
    return [base + (1 if i < extra else 0) for i in range(n_depts)]


def generate_corpus(out_dir: str | Path, n_forms: int = 1000, seed: int = 0, *,
                    year: int = 2021, anomaly_rate: float = 0.35,
                    excel_like: bool = True) -> Manifest:
    """A large corpus for benchmarks: ``n_forms`` over about 8 forms per department, all variants.

    The ``.xlsx`` files are written Excel/WPS-like by default (``excel_like``), so that readers
    pay what real workbooks cost: every cell of each form present and styled, 25 columns, full
    styles. ``excel_like=False`` writes only the non-empty cells (same values and merges).
    """
    n_departments = max(1, math.ceil(n_forms / 8))
    return generate(out_dir, n_forms=n_forms, n_departments=n_departments, seed=seed,
                    year=year, variants="all", anomaly_rate=anomaly_rate,
                    excel_like=excel_like)
