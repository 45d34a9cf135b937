"""The indicator table: column headings by the vocabulary, one row per indicator.

Template debris is recognised, not audited: ``……`` continuation rows are no indicators (their
cells stay unmapped), a ``其中…`` row is a breakdown of the indicator above (``parent``), a ★ marks
a core indicator, a weight range ``(0-20)分`` on a 一级指标 is a range, not a weight.
"""

from __future__ import annotations

import functools
import re

from ..cellvalues import _label, clean_text, is_empty, label, to_text
from ..read import cell_name
from .block import Block, Region

TEXT_FIELDS = ("name", "nature", "target", "adjusted_target", "unit", "actual", "deviation_reason", "method", "status")
NUMBER_FIELDS = (("weight", "分值"), ("score", "得分"), ("weight_share", "权重占比"), ("weighted_score", "折算得分"),
                 ("score_coefficient", "得分系数"), ("review_score", "复核分"))
_DOTS = frozenset(".…。·,，、 ")
_BLOCK_POINTS_RE = re.compile(r"[(（](\d+(?:\.\d+)?)分[)）]")
_PERCENT_FIELDS = ("weight_share", "score_coefficient")
_YES = ("是", "√", "✓", "★", "核心")
_INLINE_WEIGHT_RE = re.compile(r"^(.*?)[(（\[【]?(\d+(?:\.\d+)?)分[)）\]】]?$")
_WEIGHT_RANGE_RE = re.compile(r"^(.*?)[(（\[【]?(\d+(?:\.\d+)?\s*[-－—~～至]\s*\d+(?:\.\d+)?)[)）\]】]?分[)）\]】]?$")
_REQUIRED = (("name", "三级指标"), ("target", "年度指标值"), ("actual", "实际完成值"), ("weight", "分值"), ("score", "得分"))


@functools.lru_cache(maxsize=1 << 14)  # the same category cells recur on every row and form
def split_inline_weight(level1: str) -> tuple[str, float | None]:
    """``产出指标(50分)`` → (``产出指标``, 50.0)."""
    s = label(level1)
    m = _INLINE_WEIGHT_RE.match(s)
    if m and m.group(1):
        return m.group(1).rstrip("(（[【"), float(m.group(2))
    return s, None


@functools.lru_cache(maxsize=1 << 14)
def split_weight_range(level1: str) -> tuple[str, str]:
    """``成本指标(0-20)分`` → (``成本指标``, ``0-20``); no range → (level1, "")."""
    s = label(level1)
    m = _WEIGHT_RANGE_RE.match(s)
    if m and m.group(1):
        return m.group(1).rstrip("(（[【"), re.sub(r"\s", "", m.group(2))
    return s, ""


def _columns(region: Region, r: int) -> dict[str, int]:
    cols: dict[str, int] = {}
    heading = region.vocab.indicator_heading  # 四、年度绩效指标完成情况 names the table, not a column
    for c, s in region.sh.labels[r]:
        key = heading(s)
        if key is not None and key not in cols:
            cols[key] = c
    return cols


def _header(region: Region, start: int | None = None, stop: int | None = None
            ) -> tuple[int, dict[str, int], bool] | None:
    """The first heading row from ``start`` (and whether the list is flat: no 一级 / 二级 columns)."""
    for r in range(region.r0 if start is None else start, region.r1 if stop is None else stop):
        cols = _columns(region, r)
        if "level1" in cols and ("name" in cols or "level2" in cols):
            return r, cols, False
        if "name" in cols and "target" in cols and ("weight" in cols or "actual" in cols):
            return r, cols, True
        if "name" in cols and "weight" in cols and "score" in cols:  # a checklist: 评价内容 | 分值 | 自评分
            return r, cols, True
    return None


def read_indicators(region: Region, taken: set) -> Block:
    """Every indicator table of the form, top to bottom (a checklist sheet has two: 决策/管理, then 绩效)."""
    b = Block(region)
    sh, vocab = region.sh, region.vocab
    hdr = _header(region)
    total_rows = range(hdr[0] + 1 if hdr is not None else region.r0, region.r1)
    total_hit = region.find(vocab.total, rows=total_rows)
    b.info["total_row"] = total_hit[0] if total_hit else None
    if hdr is None:
        b.error(None, None, "indicators-table-missing")
        return b
    stop = total_hit[0] if total_hit else _end_of_indicators(region, hdr[0])
    tables = [hdr]
    while True:  # a second heading row below the first table starts a table of its own
        nxt = _header(region, tables[-1][0] + 2, stop)
        if nxt is None:
            break
        tables.append(nxt)
    state = {"seq": 0, "carry": {}}
    for k, (r_hdr, cols, flat) in enumerate(tables):
        end = tables[k + 1][0] - (1 if _upper_headings(region, tables[k + 1][0], tables[k + 1][1]) else 0) \
            if k + 1 < len(tables) else stop
        for key, c in state["carry"].items():  # the 项目权重 column of the first table runs on below
            cols.setdefault(key, c)
        _read_table(b, region, r_hdr, cols, flat, end, state, first=(k == 0))
        if "part" in cols:
            state["carry"]["part"] = cols["part"]
    b.info["flat"] = all(t[2] for t in tables)
    b.info["end"] = stop
    if b.info["flat"]:
        b.flag("flat")
    r_hdr, cols = tables[0][0], tables[0][1]
    lvl1_col = cols.get("level1", cols.get("name", 0))
    if not b.rows:
        b.error(r_hdr, lvl1_col, "indicators-empty")
    for r, c in sorted(b.info.pop("block_cells", ())):  # 年度绩效目标(80分): the points of the whole table
        m = _BLOCK_POINTS_RE.search(label(sh.raw(r, c)))
        if m:
            b.info["block_points"] = float(m.group(1))
            break
    return b


def _read_table(b: Block, region: Region, r_hdr: int, cols: dict, flat: bool, end: int, state: dict,
                first: bool) -> None:
    sh, vocab = region.sh, region.vocab
    header_rows = [r_hdr]
    upper = _upper_headings(region, r_hdr, cols)
    if upper:  # 实际完成值 | 分值 | 得分 over a row that splits 年度指标值 into 指标性质 | 指标值 | 度量单位
        cols.update(upper)
        header_rows.insert(0, r_hdr - 1)
    if first:
        b.info["header_row"] = header_rows[0]
    if r_hdr + 1 < region.r1 and _is_subheader(region, r_hdr, cols):
        _split_headings(region, r_hdr, cols)
        header_rows.append(r_hdr + 1)
    # 三级指标 merged over two columns with a text of its own in the second: the 指标解释
    if "name" in cols and "method" not in cols:
        span = sh.merge_end.get((r_hdr, cols["name"]))
        if span and span[1] > cols["name"] and (span[1] - cols["name"]) == 1 and cols["name"] + 1 not in cols.values():
            cols["method"] = cols["name"] + 1
    for hr in header_rows:
        for c, s in sh.labels[hr]:
            if (hr, c) in b.used:
                continue
            if vocab.classify(vocab.indicator_columns, s) is not None or vocab.indicator_block(s) or vocab.block_labels(s):
                b.used.add((hr, c))
                if vocab.indicator_block(s):
                    b.info.setdefault("block_cells", []).append((hr, c))
            else:
                b.error(hr, c, "indicators-column-unknown", label=clean_text(sh.raw(hr, c)))
    if first:
        b.info["columns"] = dict(cols)
    else:
        for fld, c in cols.items():
            b.info["columns"].setdefault(fld, c)
    for fld, c in cols.items():  # where each column is: a finding on an empty cell can still point at it
        hr = next((h for h in header_rows if not is_empty(sh.raw(h, c))), None)
        if hr is not None:
            b.cells.append(("columns", "indicators", fld, cell_name(hr, c), to_text(sh.raw(hr, c))))
    if "adjusted_target" not in cols:
        b.flag("no-adjusted")
    if "nature" in cols:
        b.flag("nature-column")
    for need, what in _REQUIRED:
        if need not in cols:
            b.info.setdefault("missing", []).append(need)
            if need in ("name", "target"):
                b.error(r_hdr, min(cols.values()) if cols else 0, "indicators-column-missing", what=what)
    lvl1_col = cols.get("level1", cols.get("name", 0))
    prev1 = prev2 = ""
    prev1w = prev2w = None
    prev_range = ""
    parent_seq, parent_group = None, None
    seq = state["seq"]
    content_keys = [k for k in ("name", "target", "actual", "weight", "score") if k in cols]
    placeholder, ellipsis, breakdown = vocab.debris["placeholder"], vocab.debris["ellipsis"], vocab.debris["breakdown"]
    core_mark = vocab.debris["core_mark"]
    text_cols = [(f, cols[f]) for f in TEXT_FIELDS if f in cols]
    number_cols = [(f, what, cols[f]) for f, what in NUMBER_FIELDS if f in cols]
    absent = {f: "" for f in TEXT_FIELDS if f not in cols} | {f: None for f, _ in NUMBER_FIELDS if f not in cols}
    content_cols = [cols[k] for k in content_keys]
    for r in range(header_rows[-1] + 1, end):
        if not sh.nonempty[r]:
            continue
        present = {c for c, _ in sh.nonempty[r]}
        if not any(c in present for c in content_cols):
            # a row with only category cells (or a repeated header): consume category labels
            if any(s.startswith(("一级指标", "三级指标")) for _, s in sh.labels[r]):
                for c, _s in sh.labels[r]:
                    b.used.add((r, c))
            continue
        spread = {fld: sh.spread(r, col) for fld, col in text_cols}
        texts = [to_text(spread[k][0]).strip() for k in ("name", "target", "actual") if k in cols]
        if all(not t for t in texts):
            # numbers without an indicator (a 总分 row that lost its label): not an indicator
            b.error(r, cols.get("weight", lvl1_col), "indicator-row-unnamed")
            continue
        if all(not t or (t[0] in _DOTS and ellipsis(label(t))) for t in texts) and not any(
                not is_empty(sh.raw(r, cols[k])) for k in ("weight", "score") if k in cols):
            b.flag("debris-rows")  # the template's "……" row: its cells stay unmapped
            continue
        seq += 1
        key = str(seq)
        ind: dict[str, object] = {"seq": seq, "row": r + 1}
        for c, s in sh.labels[r]:
            if c < lvl1_col and (vocab.indicator_block(s) or vocab.block_labels(s)):
                b.used.add((r, c))
                if vocab.indicator_block(s):
                    b.info.setdefault("block_cells", []).append((r, c))
        for lvl in ("level1", "level2"):
            ind[lvl] = _level(b, r, cols.get(lvl), key, lvl)
        part = _level(b, r, cols["part"], key, "part") if "part" in cols else ""
        ind["part"], ind["part_weight"] = split_inline_weight(part) if part else ("", None)
        ind["level2"], ind["level2_weight"] = split_inline_weight(str(ind["level2"])) if ind["level2"] else ("", None)
        name1, rng = split_weight_range(str(ind["level1"]))
        if rng:
            ind["level1"], ind["level1_weight"] = name1, None
            b.flag("weight-range")
        else:
            ind["level1"], ind["level1_weight"] = split_inline_weight(str(ind["level1"]))
        ind["level1_weight_range"] = rng
        if ind["level1_weight"] is not None:
            b.flag("inline-weight")
        # An unmerged blank category cell continues the one above, as a reader takes it.
        if not ind["level1"]:
            ind["level1"], ind["level1_weight"], ind["level1_weight_range"] = prev1, prev1w, prev_range
        elif ind["level1"] != prev1:
            prev2 = ""
        if not ind["level2"]:
            ind["level2"], ind["level2_weight"] = prev2, prev2w
        prev1, prev1w, prev2, prev2w = str(ind["level1"]), ind["level1_weight"], str(ind["level2"]), ind["level2_weight"]
        prev_range = str(ind["level1_weight_range"])
        ind.update(absent)
        for fld, col in text_cols:
            v, origin = spread[fld]
            if not is_empty(v):
                if origin == (r, col):
                    b.put("indicators", key, fld, r, col, v)
                else:  # one reason merged down over several rows applies to each of them
                    b.cells.append(("indicators", key, fld, cell_name(*origin), to_text(v)))
                if fld in ("target", "actual", "adjusted_target") and isinstance(v, (int, float)) \
                        and 0 < abs(v) <= 10 and origin in sh.grid.percent_cells:
                    v = _percent_text(v)  # a percent-formatted 1 is shown as 100%
                    b.flag("percent-cells")
            ind[fld] = v.strip() if v.__class__ is str else clean_text(v)
        for fld, what, col in number_cols:
            ind[fld] = b.number("indicators", key, fld, r, col, what, ("分", "%") if fld in _PERCENT_FIELDS else ("分",))
            if fld in _PERCENT_FIELDS and ind[fld] is not None and (r, col) in sh.grid.percent_cells:
                ind[fld] = ind[fld] * 100
        name = str(ind["name"])
        mark = core_mark(name)
        ind["core_mark"] = ""
        if mark:  # ★★★农村低保发放人数: the mark is no part of the name
            stripped = name.lstrip("★☆")
            ind["core_mark"], ind["name"] = name[: len(name) - len(stripped)], stripped.strip()
            name = str(ind["name"])
        ind["core"] = bool(mark)
        if "core" in cols:
            v = sh.raw(r, cols["core"])
            if not is_empty(v):
                b.put("indicators", key, "core", r, cols["core"], v)
                ind["core"] = ind["core"] or to_text(v).strip() in _YES
        ind["placeholder"] = bool(placeholder(_label(name)) or placeholder(_label(str(ind["target"]))))
        group = (ind["level1"], ind["level2"])
        if breakdown(_label(name)) and parent_seq is not None and group == parent_group:
            ind["parent"] = parent_seq  # 其中… under the indicator above it, in the same 一级 / 二级
            b.flag("breakdown-rows")
        else:
            ind["parent"] = None
            parent_seq, parent_group = seq, group
        b.rows.append(ind)
    state["seq"] = seq


def _upper_headings(region: Region, r: int, cols: dict) -> dict[str, int]:
    """Headings of the row above the heading row, for fields that row lacks.

    Only a row of short labels that are all indicator headings (or the table's block label) counts:
    a goal text above the table is never taken for a heading.
    """
    if r - 1 < region.r0:
        return {}
    sh, vocab = region.sh, region.vocab
    cells = sh.nonempty[r - 1]
    if not cells or not all(isinstance(v, str) for _, v in cells):
        return {}
    found: dict[str, int] = {}
    for c, s in sh.labels[r - 1]:
        if len(s) > vocab.max_label_len:
            return {}
        if vocab.indicator_block(s) or vocab.block_labels(s):
            continue
        key = vocab.classify(vocab.indicator_columns, s)
        if key is None:
            return {}
        if key not in cols and key not in found:
            found[key] = c
    return found


def _is_subheader(region: Region, r: int, cols: dict) -> bool:
    """The row under the headings splits some of them (预期指标值 → 符号 | 单位; 自评得分 → 得分 | 权重占比)."""
    sh = region.sh
    cells = sh.nonempty[r + 1]
    if not cells or not all(isinstance(v, str) for _, v in cells):
        return False
    spans = [(c, sh.merge_end[(r, c)][1]) for c in cols.values() if (r, c) in sh.merge_end and sh.merge_end[(r, c)][1] > c]
    return bool(spans) and all(any(c0 <= c <= c1 for c0, c1 in spans) for c, _ in cells)


def _split_headings(region: Region, r: int, cols: dict) -> None:
    sh, vocab = region.sh, region.vocab
    lower: dict[int, str | None] = {c: vocab.classify(vocab.indicator_columns, s) for c, s in sh.labels[r + 1]}
    for key, c0 in list(cols.items()):
        end = sh.merge_end.get((r, c0))
        if not end or end[1] == c0:
            continue
        span = range(c0, end[1] + 1)
        if not any(c in lower for c in span):
            continue
        if not any(lower.get(c) == key for c in span):
            # the upper heading's own column is the one its sub-headings leave unnamed
            free = [c for c in span if c not in lower]
            if free:
                cols[key] = free[0]
            else:
                del cols[key]
    for c, key in lower.items():
        if key is not None:
            cols[key] = c


def _percent_text(v: float) -> str:
    x = round(float(v) * 100, 6)
    return f"{x:g}%"


def _level(b: Block, r: int, col: int | None, key: str, fld: str) -> str:
    if col is None:
        return ""
    v, origin = b.region.sh.spread(r, col)
    if v is None or v.__class__ is str and (not v or v.isspace()):
        return ""
    if origin[0] == r:
        b.put("indicators", key, fld, r, col, v)
    else:  # read through a vertical merge: provenance is the merge's origin cell
        b.cells.append(("indicators", key, fld, cell_name(*origin), to_text(v)))
    return _label(v) if v.__class__ is str else label(v)


def _end_of_indicators(region: Region, hdr: int) -> int:
    stop = region.find(lambda s: region.vocab.conclusion_blocks(s) or s.startswith("主要经验做法"),
                       rows=range(hdr + 1, region.r1))
    return stop[0] if stop else region.r1
