"""Errors have one home and stable codes: every exception is defined in ``errors.py`` and exported,
every load problem and rule crash carries a code from ``errors.PROBLEMS`` beside its message, and
``docs/errors.md`` is generated from that table."""

from __future__ import annotations

import ast
import re
import shutil

import pytest

import evaltools
from conftest import ROOT, SEED_DIR
from evaltools import errors
from evaltools.rules import Hit, Registry, rule
from test_load_errors import _bad_files

PKG = ROOT / "src" / "evaltools"


def _template_regex(code: str) -> re.Pattern:
    parts = re.split(r"\{[a-z_]+\}", errors.CODES[code].template)
    return re.compile(".*?".join(re.escape(p) for p in parts), re.S)


def _check_rows(frame) -> None:
    for row in frame.to_dict("records"):
        p = errors.CODES.get(row["code"])
        assert p is not None, row
        assert row["level"] == p.level, row
        assert _template_regex(row["code"]).fullmatch(row["message"]), row


def test_docs_errors_md_is_current():
    assert (ROOT / "docs" / "errors.md").read_text(encoding="utf-8") == errors.reference_markdown(), (
        "docs/errors.md is stale: run `python -m evaltools errors --markdown > docs/errors.md`")


def test_every_bad_file_row_matches_its_template(tmp_path):
    book = evaltools.load(_bad_files(tmp_path / "in"))  # each file's code: tests/test_load_errors.py
    assert book.load_errors["code"].nunique() == 7
    _check_rows(book.load_errors)


def test_paths_that_name_no_workbook_have_codes(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.png").write_bytes(b"\x89PNG")
    book = evaltools.load([tmp_path / "missing", tmp_path / "empty", tmp_path / "notes.png",
                           str(tmp_path / "none" / "*.xlsx")])
    assert sorted(book.load_errors["code"]) == ["file-unsupported-type", "folder-no-workbook", "glob-no-match",
                                                "path-missing"]
    _check_rows(book.load_errors)


def test_every_row_of_the_real_and_synthetic_data_matches_its_template():
    book = evaltools.load(ROOT / "data")
    assert len(book.load_errors) > 10 and book.load_errors["code"].nunique() > 5
    _check_rows(book.load_errors)


def test_strict_carries_the_code(tmp_path):
    d = _bad_files(tmp_path / "in")
    with pytest.raises(evaltools.LoadError) as exc:
        evaltools.load(d / "zero.xlsx", strict=True)
    assert exc.value.code == "file-empty" and "[file-empty]" in str(exc.value)


def test_a_rule_crash_is_reported_with_its_template(tmp_path):
    reg = Registry()

    @rule("USER-BROKEN", severity="warning", category="自定义", registry=reg)
    def broken(form, profile):
        """总是出错的规则。

        Why: a rule with a bug. Fails: every form. Passes: none.
        """
        raise ZeroDivisionError("boom")
        yield Hit("never")

    shutil.copy(sorted(SEED_DIR.glob("*.xlsx"))[0], tmp_path)
    f = evaltools.audit(evaltools.load(tmp_path), registry=reg).findings
    (msg,) = f.loc[f["rule"] == "AUDIT-CRASH", "message"]
    assert _template_regex("rule-crash").fullmatch(msg) and "USER-BROKEN" in msg and "boom" in msg


def test_pickles_with_its_code():
    import pickle

    exc = errors.ReadError("file-corrupt", "表1", "A1", detail="bad zip")
    back = pickle.loads(pickle.dumps(exc))
    assert (back.code, back.sheet, back.cell, back.message) == ("file-corrupt", "表1", "A1", exc.message)
    assert "bad zip" in back.message


def _calls_with_codes():
    """(file, line, code) for every literal code the package passes to the problem table."""
    takes_code_first = {"problem", "message", "ReadError", "BoundsError"}
    out = []
    for path in PKG.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in takes_code_first:
                args = node.args[:1]
            elif name == "error":  # Block.error(r, c, code, ...), also as error(*rc, code)
                args = [a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)][:1]
            else:
                continue
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    out.append((path.relative_to(PKG), node.lineno, arg.value))
    return out


def test_every_code_used_is_in_the_table_and_every_entry_is_used():
    calls = _calls_with_codes()
    unknown = [(str(p), line, code) for p, line, code in calls if code not in errors.CODES]
    assert not unknown
    read_codes = {code for p, _, code in calls} | set(_kind_codes())
    assert set(errors.CODES) - read_codes == set()


def _kind_codes():
    from evaltools.read import _KIND_CODES

    return _KIND_CODES.values()


def test_every_exception_lives_in_errors_and_is_exported():
    defined = []
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases]
                if any(b.endswith(("Error", "Exception")) or b == "_Coded" for b in bases):
                    defined.append((path.name, node.name))
    assert defined and all(f == "errors.py" for f, _ in defined), [d for d in defined if d[0] != "errors.py"]
    public = {n for _, n in defined if not n.startswith("_") and n != "OwnOutput"}
    assert public <= set(evaltools.__all__), public - set(evaltools.__all__)
    for name in public:
        assert getattr(evaltools, name) is getattr(errors, name)
        assert issubclass(getattr(errors, name), Exception)
