"""Where the forms of a sheet start and end, from the labels the vocabulary names."""

from __future__ import annotations

from .sheet import Sheet
from .vocabulary import Vocabulary

_TITLE_MAX = 120  # a longer text that contains a title word is a paragraph, not a title


def is_title(vocab: Vocabulary, s: str) -> bool:
    return len(s) < _TITLE_MAX and vocab.title(s)


def title_like(sh: Sheet, r: int, i: int, known) -> bool:
    """A title stands on a row of its own (with at most a project name and a year beside it), never
    as the value of a label."""
    row = sh.labels[r]
    if len(sh.nonempty[r]) > 3:
        return False
    return not any(known(s) for _, s in row[:i])


def segments(sh: Sheet, vocab: Vocabulary) -> list[tuple[int, int, int]]:
    """``(region_start, form_start, end)`` row spans of the forms in a sheet, top to bottom."""
    marks = vocab.segment_marks
    is_name, is_block = marks["name"], marks["block"]
    titles, names, blocks, weak = [], [], [], []
    kind_of = vocab.segment_kind
    lists = {"title": titles, "name": names, "block": blocks, "weak": weak}
    known = vocab.is_known_label
    long = 2 * vocab.max_label_len
    for r, row in enumerate(sh.labels):
        for i, (c, s) in enumerate(row):
            if len(s) > long and "表" not in s and not s.startswith("项目"):
                continue  # a long text that names no form (an indicator, a goal): the usual case
            kind = kind_of(s)
            if kind == "title" and not title_like(sh, r, i, known):
                continue  # an indicator named 按时报送绩效目标申报表, a conclusion ending in 自评表
            if kind is not None:
                lists[kind].append(r)
    # 部门 starts a (department-wide) form only where no 项目名称 stands close by
    names += [r for r in weak if not any(abs(n - r) <= 4 for n in names)]
    # a name label only starts a form once per form: 项目名称 and 部门 rows of one header count once
    starts: list[int] = []
    for r in sorted(set(names)):
        if starts and r - starts[-1] <= 2 and not any(starts[-1] < t <= r for t in titles):
            continue
        above = [t for t in titles if r - 4 <= t < r and (not starts or t > starts[-1])]
        starts.append(above[0] if above else r)
    for t in sorted(set(titles)):
        # A title with no name label below it still starts a form (its header block is missing).
        if not any(t <= s_ <= t + 4 for s_ in starts) and not any(n - 4 <= t <= n for n in names):
            starts.append(t)
    starts = sorted(set(starts))
    # two titles on consecutive rows (a title and its subtitle) start one form
    starts = [s for i, s in enumerate(starts) if i == 0 or s - starts[i - 1] > 1
              or not (s in titles and starts[i - 1] in titles)]
    if not starts and blocks:
        starts = [min(blocks)]
    if not starts:
        return []
    # Blocks above the first start belong to a form that lost its header.
    if blocks and min(blocks) < starts[0]:
        starts.insert(0, min(blocks))
    spans: list[tuple[int, int, int]] = []
    for i, s in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else sh.height
        # A title alone (a notes sheet's "绩效自评表填表说明") is not a form: it needs a block; its rows
        # stay with the form above, so nothing is dropped.
        if any(s <= r < end for r in names + blocks):
            spans.append((s, s, end))
        elif spans:
            spans[-1] = (spans[-1][0], spans[-1][1], end)
    if spans:
        spans[0] = (0, spans[0][1], spans[0][2])  # rows above the first form are accounted to it
    return spans
