"""The parse cache: a re-run re-parses only the files whose content changed."""

from __future__ import annotations

import shutil
import sys

import openpyxl
import pandas.testing as pdt
import pytest

import evaltools
from conftest import SEED_DIR

TABLES = ("projects", "funds", "indicators", "load_errors", "cells", "unmapped", "sheets")
L = sys.modules["evaltools.load"]


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = L.parse_bytes

    def counting(path, data, *rest):
        calls.append(path.name)
        return real(path, data, *rest)

    monkeypatch.setattr(L, "parse_bytes", counting)
    return calls


def test_cache_gives_the_same_book_and_skips_unchanged_files(tmp_path, counted):
    data = tmp_path / "data"
    shutil.copytree(SEED_DIR, data)
    (data / "broken.xlsx").write_bytes(b"%PDF-1.4 not a workbook")
    cache = tmp_path / "cache"
    plain = evaltools.load(data)
    counted.clear()
    first = evaltools.load(data, cache=cache)
    assert len(counted) == 9
    counted.clear()
    second = evaltools.load(data, cache=cache)
    assert counted == []  # nothing re-parsed
    for t in TABLES:
        pdt.assert_frame_equal(getattr(first, t), getattr(plain, t))
        pdt.assert_frame_equal(getattr(second, t), getattr(plain, t))
    target = sorted(data.glob("03_*.xlsx"))[0]
    wb = openpyxl.load_workbook(target)
    wb["Sheet2"]["D3"] = "日常办公经费（修订）"  # one file's content changes
    wb.save(target)
    counted.clear()
    third = evaltools.load(data, cache=cache)
    assert counted == [target.name]
    assert "日常办公经费（修订）" in set(third.projects["project_name"])
    shutil.copy(sorted(SEED_DIR.glob("05_*.xlsx"))[0], data / "copy_of_05.xlsx")
    counted.clear()
    evaltools.load(data, cache=cache)
    assert counted == []  # the same bytes under another name: content-addressed, already parsed


def test_moved_folder_hits_the_cache_with_its_own_paths(tmp_path, counted):
    a, b = tmp_path / "a", tmp_path / "b" / "moved"
    shutil.copytree(SEED_DIR, a)
    evaltools.load(a, cache=tmp_path / "cache")
    shutil.move(str(a), str(b))
    counted.clear()
    book = evaltools.load(b, cache=tmp_path / "cache")
    assert counted == []
    assert all(str(b) in f for f in book.projects["source_file"])
    assert all(str(b) in f for f in book.cells["source_file"].astype(str))


def test_new_version_starts_a_new_cache(tmp_path, counted, monkeypatch):
    evaltools.load(SEED_DIR, cache=tmp_path / "cache")
    monkeypatch.setattr(evaltools._version, "__version__", "9.9.9")
    counted.clear()
    evaltools.load(SEED_DIR, cache=tmp_path / "cache")
    assert len(counted) == 8
    assert any(p.name.startswith("9.9.9-") for p in (tmp_path / "cache").iterdir())


def test_corrupt_cache_entry_is_reparsed(tmp_path, counted):
    cache = tmp_path / "cache"
    evaltools.load(SEED_DIR, cache=cache)
    for p in cache.rglob("*.pkl"):
        p.write_bytes(b"garbage")
    counted.clear()
    book = evaltools.load(SEED_DIR, cache=cache)
    assert len(counted) == 8 and len(book.projects) == 8
