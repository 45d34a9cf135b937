"""The findings table is declared once, in ``schema.FINDINGS``: a column added there (plus its
value in the rule's ``Hit``) reaches the DataFrame, the CSV, findings.xlsx and both HTML views."""

from __future__ import annotations

import csv
import shutil

import openpyxl
import pytest

import evaltools
from conftest import SEED_DIR
from evaltools import schema
from evaltools.excel import write_findings_workbook
from evaltools.explore import findings_table_html
from evaltools.report import DepartmentContext, findings_html
from evaltools.rules import Hit, Registry, rule
from evaltools.safeio import write_audit_tables

BASIS = "财预〔2020〕10号 第三条"


@pytest.fixture
def with_basis(monkeypatch):
    col = schema.Column("basis", "依据", 24, frozenset({"excel", "report", "explore"}), wrap=True)
    monkeypatch.setattr(schema, "FINDINGS", schema.FINDINGS + (col,))
    return col


def _result(tmp_path):
    reg = Registry()

    @rule("USER-BASIS", severity="warning", category="自定义", registry=reg)
    def cites_its_basis(form, profile):
        """每张表都报一条，附上依据。

        Why: a user's rule with a column of its own. Fails: any form. Passes: none.
        """
        yield Hit("示例问题", field="project_name", extra={"basis": BASIS})

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sorted(SEED_DIR.glob("*.xlsx"))[0], data)
    book = evaltools.load(data)
    return book, evaltools.audit(book, registry=reg)


def test_a_column_added_to_the_schema_reaches_every_output(with_basis, tmp_path):
    book, result = _result(tmp_path)
    f = result.findings
    assert list(f.columns) == [c.name for c in schema.FINDINGS] and list(f["basis"]) == [BASIS]

    out = tmp_path / "out"
    write_audit_tables(result, book, out)
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["basis"] == BASIS

    wb = openpyxl.load_workbook(write_findings_workbook(result, book, out / "findings.xlsx").path)
    ws = wb["问题清单"]
    headers = [c.value for c in ws[1]]
    assert "依据" in headers and ws.cell(row=2, column=headers.index("依据") + 1).value == BASIS
    # a schema column sits with the finding's fields, before the reviewer's
    assert headers.index("依据") < headers.index("复核状态")

    ctx = DepartmentContext(data=str(tmp_path / "data"), department="", profile_name="national", book=book,
                            result=result)
    for page in (findings_html(ctx), findings_table_html(f)):
        assert "<th>依据</th>" in page and BASIS in page


def test_without_it_the_outputs_are_as_before(tmp_path):
    book, result = _result(tmp_path)
    assert "basis" not in result.findings.columns
    assert "依据" not in findings_table_html(result.findings)
    # the severity table is the one the outputs use
    assert list(schema.SEVERITY_ORDER) == ["error", "warning", "info"]
    assert evaltools.rules.SEVERITY_LABELS is schema.SEVERITY_LABELS
