"""The synthetic county loads to exactly the records its generator wrote (truth.json).

The generator knows what it printed and where; the loader has to find it by label in every layout
variant. Also: freshly generated corpora (other seeds) load the same way, so the test does not
only hold for the committed sample.
"""

from __future__ import annotations

import json

import pytest

import evaltools
from formkit import same
from conftest import SYNTH_DIR
from evaltools.synth import generate

PROJECT_FIELDS = [
    "project_name", "department", "department_code", "implementing_unit", "year", "budget_initial",
    "budget_full_year", "executed", "exec_weight", "exec_rate", "exec_score", "total_weight", "total_score",
    "goal_expected", "goal_actual", "experience", "problems", "suggestion_decision", "suggestion_budget",
    "suggestion_funds", "suggestion_management", "suggestion_other", "remarks",
]
FUND_FIELDS = ["source", "label", "budget_initial", "budget_full_year", "executed", "weight", "exec_rate", "score"]
IND_FIELDS = ["seq", "level1", "level1_weight", "level2", "name", "target", "adjusted_target", "actual", "weight",
              "score", "deviation_reason", "nature"]




def _check_against_truth(book, truth, root):
    problems = []
    proj = book.projects
    key = {(r.relative_file, r.sheet, r.form_index): r for r in proj.itertuples()}
    assert len(proj) == len(truth["forms"]), (len(proj), len(truth["forms"]))
    for t in truth["forms"]:
        row = key.get((t["file"], t["sheet"], t["form_index"]))
        assert row is not None, f"form {t['form']} ({t['file']}!{t['sheet']} #{t['form_index']}) not loaded"
        where = f"{t['form']} [{','.join(t['variants'])}]"
        for f in PROJECT_FIELDS:
            if not same(getattr(row, f), t["project"][f]):
                problems.append(f"{where} {f}: {getattr(row, f)!r} != {t['project'][f]!r}")
        for table, fields, id_col in (("funds", FUND_FIELDS, "source"), ("indicators", IND_FIELDS, "seq")):
            rows = getattr(book, table)
            got_rows = rows[rows["form_id"] == row.form_id].to_dict("records")
            if len(got_rows) != len(t[table]):
                problems.append(f"{where} {table}: {len(got_rows)} rows != {len(t[table])}")
            for got, want in zip(got_rows, t[table]):
                problems += [f"{where} {table} {want[id_col]}.{f}: {got[f]!r} != {want[f]!r}"
                             for f in fields if not same(got[f], want[f])]
        for f, cell in t.get("cells", {}).items():
            if f.startswith("label:") or f == "department_code":
                continue
            loc = book.locate(row.form_id, f)
            if loc is None or loc[2] != cell:
                problems.append(f"{where} {f} read from {loc and loc[2]}, printed at {cell}")
    assert not problems, "\n".join(problems[:40]) + (f"\n… {len(problems) - 40} more" if len(problems) > 40 else "")


@pytest.fixture(scope="module")
def synth_truth():
    return json.loads((SYNTH_DIR / "truth.json").read_text(encoding="utf-8"))


def test_committed_county_matches_truth(synth_truth):
    book = evaltools.load(SYNTH_DIR)
    assert book.load_errors.empty, book.load_errors.to_dict("records")
    assert book.unmapped.empty, book.unmapped.to_dict("records")
    _check_against_truth(book, synth_truth, SYNTH_DIR)


def test_every_variant_is_in_the_county(synth_truth):
    seen = {v for f in synth_truth["forms"] for v in f["variants"]}
    assert set(synth_truth["variant_names"]) <= seen


@pytest.mark.parametrize("seed", [7, 123])
def test_fresh_corpus_matches_truth(tmp_path, seed):
    manifest = generate(tmp_path / "county", n_departments=4, projects_per_department=(5, 9), seed=seed)
    truth = json.loads((tmp_path / "county" / "truth.json").read_text(encoding="utf-8"))
    book = evaltools.load(tmp_path / "county")
    assert book.load_errors.empty, book.load_errors.to_dict("records")
    assert book.unmapped.empty, book.unmapped.to_dict("records")
    _check_against_truth(book, truth, tmp_path / "county")
    assert len(book.projects) == len(manifest.forms)


def test_cell_accounting_on_synthetic_forms():
    """Every non-empty cell of every synthetic form: taken by a field or label, or unmapped."""
    import python_calamine as pc

    book = evaltools.load(SYNTH_DIR)
    for path, forms in book.projects.groupby("source_file"):
        wb = pc.CalamineWorkbook.from_path(path)
        for sheet, sforms in forms.groupby("sheet"):
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            nonempty = sum(1 for row in rows for v in row if str(v).strip())
            assert sum(book.cell_counts[f] for f in sforms["form_id"]) == nonempty, (path, sheet)
