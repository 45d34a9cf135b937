"""Deterministic synthetic 项目支出绩效自评表 workbooks, with the expected loaded records.

``generate`` writes a small county (one folder per 主管部门) and ``generate_corpus`` a large one for
benchmarks. Every workbook comes with its truth (``truth.json``): for each form the record a loader
should produce (projects / funds / indicators, with the field names of ``evaltools.schema``), the
layout variants it uses and the anomalies injected into it (rule id, the A1 cell affected, a
Chinese detail).

Same arguments → byte-identical files: all randomness comes from ``random.Random`` instances
seeded from ``seed`` and the form's key, and the writers fix every timestamp.

Forms without anomalies are internally consistent; the only rules that may fire on them are the
info-level ones listed in each form's ``expected_info`` (``FUND-ADJUSTED``, ``TXT-GOAL-BARE``,
rarely ``VAL-COPIED``). When a budget was adjusted during the year, cost targets were planned on
年初预算数 and the actuals are measured against the 调整后指标值 column.

The parts, each with one job:

- ``catalogue``: variant and anomaly names, departments, projects, indicator templates, texts,
  the county definitions (``SMALL_COUNTY``);
- ``content``: a form's funds, indicators and texts, planned consistent;
- ``anomalies``: which forms get which anomalies, and the rewrites that inject them;
- ``render``: a form drawn as cells and merges, sheets written as ``.xlsx`` (XlsxWriter) and
  ``.xls`` (xlwt), the ``synth`` extra: ``pip install "evaltools[synth]"``;
- ``corpus``: ``generate``, ``generate_corpus`` and the ``Manifest``;
- ``truth``: the numbers as printed, the scores computed independently of ``evaltools.rules``,
  and the records of truth.json (its layout is described there).
"""

from __future__ import annotations

# The public names of the single module this package replaced: every import of them keeps working.
from .anomalies import Mark, build_content
from .catalogue import (
    ANOMALY_KINDS, BOILERPLATE_TEXT, BUDGET_RANGES, BUREAUS, CONTENT_VARIANTS, COST, COST_NAMES,
    DEVIATION_REASONS, DOMAIN_INDICATORS, ECO, ECON, EFFECT, GENERIC_INDICATORS, NOTES_LINES,
    OUTPUT, PLACEMENT_VARIANTS, PROJECTS, QLT, QTY, SAT, SATISFACTION, SATISFACTION_NAMES,
    SMALL_COUNTY, SOC, SUST, TIME, UNITS, VARIANTS, Bureau, Department, IndicatorTemplate,
    build_departments,
)
from .content import FormContent, FundLine, Indicator
from .corpus import FilePlan, FormPlan, Manifest, generate, generate_corpus
from .render import (
    Canvas, Layout, Rendered, SheetSpec, cell_ref, range_ref, render_form, write_xls, write_xlsx,
)
from .truth import PROJECT_KEYS, TRUTH_VERSION, anomaly_records, dtext, jnum, q2

# The project fields of a truth record, in order (the name tests use).
_PROJECT_KEYS = PROJECT_KEYS

__all__ = [
    "ANOMALY_KINDS",
    "SMALL_COUNTY",
    "PLACEMENT_VARIANTS",
    "CONTENT_VARIANTS",
    "VARIANTS",
    "Manifest",
    "generate",
    "generate_corpus",
]
