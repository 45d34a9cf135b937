"""Cell values: numbers typed as text, n/a tokens, labels with spaces and full-width symbols."""

from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaltools.cellvalues import NumberError, decimals_of, label, parse_number, to_text


@pytest.mark.parametrize("raw,value", [
    (24, 24.0), (93.63, 93.63), ("50000", 50000.0), ("'50000", 50000.0), ("85.09%", 85.09),
    ("1,234.5", 1234.5), ("１２３４．５", 1234.5), ("4.83万元", 4.83), (" 7.5 ", 7.5), ("-3", -3.0),
    ("--", None), ("—", None), ("/", None), ("", None), ("无", None), (None, None), ("－", None),
])
def test_parse_number(raw, value):
    got = parse_number(raw, units=("万元",))
    assert got == value if value is None else math.isclose(got, value)


@pytest.mark.parametrize("raw", ["十五", "15分钟", "abc", "1.2.3", "=6人"])
def test_parse_number_rejects(raw):
    with pytest.raises(NumberError):
        parse_number(raw)


@pytest.mark.parametrize("raw,want", [
    ("项 目 名 称", "项目名称"), ("实　施　单　位", "实施单位"), ("年度资金总额：", "年度资金总额"),
    ("产 出 指 标 （50分）", "产出指标(50分)"), ("项目管理中存在的\n主要问题及原因分析", "项目管理中存在的主要问题及原因分析"),
])
def test_label(raw, want):
    assert label(raw) == want


def test_to_text_and_decimals():
    assert to_text(100.0) == "100" and to_text(93.63) == "93.63" and to_text(None) == ""
    assert decimals_of("93.63") == 2 and decimals_of("75") == 0 and decimals_of("85.09%") == 2
    assert decimals_of("--") is None


@given(st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_number_text_round_trip(d):
    text = f"{d:f}"
    assert math.isclose(parse_number(text), float(d), rel_tol=1e-12, abs_tol=1e-9)
    assert math.isclose(parse_number(text + "%"), float(d), rel_tol=1e-12, abs_tol=1e-9)
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in text)
    assert math.isclose(parse_number(wide), float(d), rel_tol=1e-12, abs_tol=1e-9)


@given(st.text())
def test_parse_number_never_raises_anything_else(text):
    try:
        parse_number(text)
    except NumberError:
        pass


@given(st.text())
def test_label_is_idempotent_and_spaceless(text):
    once = label(text)
    assert label(once) == once
    assert not any(ch.isspace() for ch in once)
    assert label(unicodedata.normalize("NFKC", text)) == once
