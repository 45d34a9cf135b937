"""OCR readings of a form's printed words, corrected against the vocabulary.

tesseract reads a small heading one character wrong now and then (执行率 as 抉行率, 数量指标 as
牙量指标), and a misread heading loses its whole column. A cell read by OCR whose text is one
character (two, for a long word) away from exactly one word of the vocabulary is taken as that word.
Values are left alone: the cell must stand among labels (two other cells of its row or of its
column read as words of the vocabulary), the word must be at least three characters long, the
match must be unique, and the cell must read as no word already. Each correction is reported (``ocr-corrected``, info)
with what OCR read, so nothing changes silently.
"""

from __future__ import annotations

import re
import unicodedata

from ..cellvalues import label
from ..errors import problem
from ..ocr import _HAS_CJK as _CJK  # a Chinese character: what OCR may misread into another
from ..read import Grid, cell_name

# what tesseract leaves at the ends of a short text from specks and rules
_JUNK = re.compile(r"^[\s.,，。、:：;；'\"“”‘’|!！`丨]+|[\s.,，。、;；'\"“”‘’|!！`丨]+$")


def correct(grid: Grid, vocabulary) -> list[tuple[str, str, str, str]]:
    """Correct the OCR cells of ``grid`` in place; the ``ocr-corrected`` problem rows."""
    if not grid.places:
        return []
    words = vocabulary.ocr_words
    by_length: dict[int, list[str]] = {}
    for w in words:
        by_length.setdefault(len(w), []).append(w)
    out = []
    in_row, in_col = _words_around(grid, words)
    for (r, c), place in grid.places.items():
        if not place.ocr or r >= len(grid.rows) or c >= len(grid.rows[r]):
            continue
        raw = grid.rows[r][c]
        if not isinstance(raw, str) or not raw.strip():
            continue
        exact = label(_JUNK.sub("", raw)) in words
        # a label stands among labels: a heading row (年初预算数 | 全年预算数 | …) or a column of them
        # (the conclusions' 主要经验做法, 对项目决策的建议 …); a value such as 质量达标 does not
        if in_row.get(r, 0) - exact < 2 and in_col.get(c, 0) - exact < 2:
            continue
        fixed = _word(raw, words, by_length)
        if fixed is None:
            continue
        word, n = fixed
        colon = "：" if re.search(r"[:：]\s*$", raw) else ""
        grid.rows[r][c] = word + colon
        if word + colon != raw:
            out.append(problem("ocr-corrected", grid.name, cell_name(r, c), raw=raw.strip(), word=word, n=n)[1:])
    return out


def _words_around(grid: Grid, words: frozenset[str]) -> tuple[dict[int, int], dict[int, int]]:
    """How many cells of each row and of each column read as a word of the vocabulary."""
    in_row: dict[int, int] = {}
    in_col: dict[int, int] = {}
    for r, row in enumerate(grid.rows):
        for c, v in enumerate(row):
            if isinstance(v, str) and v and label(_JUNK.sub("", v)) in words:
                in_row[r] = in_row.get(r, 0) + 1
                in_col[c] = in_col.get(c, 0) + 1
    return in_row, in_col


def _word(raw: str, words: frozenset[str], by_length: dict[int, list[str]]) -> tuple[str, int] | None:
    """(the word, characters changed) for an OCR text that is a vocabulary word misread, or None.

    A short text (under seven characters) may differ from its word in one character, not in
    length (已完成 is no misreading of 完成); a longer one in two, its length by one."""
    text = label(_JUNK.sub("", unicodedata.normalize("NFKC", raw)))
    if len(text) < 3 or len(text) > 24 or "\n" in raw.strip() or not _CJK.search(text):
        return None
    if text in words:
        return (text, _distance(label(raw), text, 24)) if text != label(raw) else None
    limit, spread = (1, 0) if len(text) < 7 else (2, 1)
    best: list[tuple[int, str]] = []
    for n in range(len(text) - spread, len(text) + spread + 1):
        for w in by_length.get(n, ()):
            d = _distance(text, w, limit)
            if d <= limit:
                best.append((d, w))
    if not best:
        return None
    best.sort()
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None  # two words as near: no telling which was printed
    w = best[0][1]
    return w, _distance(label(raw), w, 24)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it is sure to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]
