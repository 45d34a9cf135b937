"""The fund block: column headings and fund lines by the vocabulary, amounts in 万元."""

from __future__ import annotations

import re

from ..cellvalues import clean_text, label
from .block import Block, Region, numberish

AMOUNTS = ("budget_initial", "budget_full_year", "executed", "received")
NUMBER_FIELDS = ("budget_initial", "budget_full_year", "executed", "received", "weight", "exec_rate", "score")
_WHAT = {"budget_initial": "年初预算数", "budget_full_year": "全年预算数", "executed": "全年执行数", "received": "到位数",
         "weight": "分值", "exec_rate": "执行率", "score": "得分"}
TOTAL_TO_PROJECT = {"budget_initial": "budget_initial", "budget_full_year": "budget_full_year",
                    "executed": "executed", "weight": "exec_weight", "exec_rate": "exec_rate", "score": "exec_score"}
_POINTS_RE = re.compile(r"[(（](\d+(?:\.\d+)?)分")  # 预算执行情况(万元)(20分), 分值(10分)
_SCORE_POINTS_RE = re.compile(r"得分[(（](\d+(?:\.\d+)?)分")  # 得分(20分*执行率)


def classify_fund(vocab, text: str) -> str | None:
    """A fund line label → its ``source`` (``total``, ``central`` …), or ``None``."""
    s = label(text)
    if s.startswith("其中"):
        s = s[2:].lstrip(":：")
    if not s:
        return None
    return vocab.classify(vocab.fund_lines, s)


def _header_row(region: Region):
    sh, vocab = region.sh, region.vocab
    heading = vocab.classifier(vocab.fund_columns)
    for r in region.rows:
        found: dict[str, int] = {}
        for c, s in sh.labels[r]:
            key = heading(s)
            if key is not None and key not in found:
                found[key] = c
        if sum(k in found for k in ("budget_initial", "budget_full_year", "executed")) >= 2 \
                and not any(_holds_amount(v) for _, v in sh.nonempty[r]):  # a heading row holds no amounts
            return r, found
    return None


def _holds_amount(v) -> bool:
    """A number, or a text that reads as one (a PDF or Word cell holds 6.84 as text)."""
    return isinstance(v, (int, float)) or (isinstance(v, str) and any(ch.isdigit() for ch in v) and numberish(v))


def read_funds(region: Region) -> Block:
    b = Block(region)
    sh, vocab = region.sh, region.vocab
    p = b.values
    for key in ("budget_initial", "budget_full_year", "executed", "exec_weight", "exec_rate", "exec_score"):
        p[key] = None
    hdr = _header_row(region)
    if hdr is None:
        if _read_pairs(region, b) or _read_by_source(region, b) or _read_list(region, b):
            return b
        b.error(None, None, "funds-table-missing")
        return b
    r, cols = hdr
    b.info["header_row"] = r
    first_amount_col = min(cols.values())
    scale = 1.0
    block_points = None
    block_label = None
    # the block's own label: left of the amounts, on the header row or just above it (merged down)
    for rr in range(max(region.r0, r - 2), r + 1):
        for c, s in sh.labels[rr]:
            reaches = sh.merge_end.get((rr, c), (rr, c))[0] >= r  # merged down to the header row
            if c < first_amount_col and vocab.fund_block(s) and (rr, c) not in b.used and (rr == r or reaches):
                b.used.add((rr, c))
                block_label = block_label or (rr, c)
                if vocab.amounts_yuan(s):
                    scale = 1e-4  # amounts printed in 元: the contract is 万元
                    b.flag("amounts-yuan")
                m = _POINTS_RE.search(s.replace("万元", ""))
                if m:
                    block_points = float(m.group(1))
    for c, s in sh.labels[r]:
        if any(c == cc for cc in cols.values()):
            b.used.add((r, c))
            m = _SCORE_POINTS_RE.search(s) or (_POINTS_RE.search(s) if vocab.classify(vocab.fund_columns, s) == "weight" else None)
            if m and block_points is None:
                block_points = float(m.group(1))
        elif c < first_amount_col and vocab.fund_filler(s):
            b.used.add((r, c))
        elif c > first_amount_col and (r, c) not in b.used:
            b.error(r, c, "funds-column-unknown", label=clean_text(sh.raw(r, c)))
    b.info["block_points"] = block_points
    b.info["columns"] = cols
    b.info["weight_heading"] = label(sh.raw(r, cols["weight"])) if "weight" in cols else ""
    total = None
    rr = r + 1
    while rr < region.r1:
        lab_cells = [(c, s) for c, s in sh.labels[rr] if c < first_amount_col]
        if not sh.nonempty[rr]:
            rr += 1
            if rr - r > 12:
                break
            continue
        if not lab_cells:
            merged = [sh.merge_origin[(rr, c)] for c in range(first_amount_col) if (rr, c) in sh.merge_origin]
            named = [o for o in merged if classify_fund(vocab, label(sh.raw(*o)))]
            if not b.rows and (named or block_label is not None) and any(numberish(sh.raw(rr, cc)) for cc in cols.values()):
                # one line with no label of its own: a fund-line label merged down beside it (年度资金总额),
                # else the block's label names it (部门预算执行情况)
                label_at = named[-1] if named else block_label
                source = classify_fund(vocab, label(sh.raw(*label_at))) if named else "total"
                lab_cells, s_lab, c_lab = [(label_at[1], "")], "", label_at[1]
            else:
                break
        else:
            c_lab, s_lab = lab_cells[-1]
            source = classify_fund(vocab, s_lab)
            label_at = (rr, c_lab)
        if source is None:
            amount_cols = [cols[k] for k in AMOUNTS if k in cols]
            other_block = any(vocab.is_known_label(x) or vocab.indicator_block(x) or x.startswith(("一级指标", "预期目标"))
                              for _, x in sh.labels[rr])
            if not other_block and any(numberish(sh.raw(rr, cc)) for cc in amount_cols):
                b.error(rr, c_lab, "funds-row-unknown", label=clean_text(sh.raw(rr, c_lab)))
                rr += 1
                continue
            break
        for c, s in lab_cells[:-1]:
            if vocab.fund_block(s):
                b.used.add((rr, c))
        line: dict[str, object] = {"source": source, "label": clean_text(sh.raw(*label_at)), "row": rr + 1}
        key = source if not any(f["source"] == source for f in b.rows) else f"{source}#{rr + 1}"
        line["key"] = key
        b.put("funds", key, "label", *label_at, sh.raw(*label_at))
        for fld in NUMBER_FIELDS:
            if fld in cols:
                # "50000元" in a 万元 table is not silently read as 万元: it is reported
                units = ("万元",) if fld in AMOUNTS else ("分",)
                v = b.number("funds", key, fld, rr, cols[fld], _WHAT[fld], units)
                if v is not None and scale != 1.0 and fld in AMOUNTS:
                    v = v * scale
                line[fld] = v
            else:
                line[fld] = None
        if "method" in cols:
            v = sh.raw(rr, cols["method"])
            line["method"] = clean_text(v)
            if line["method"]:
                b.put("funds", key, "method", rr, cols["method"], v)
        _fraction_rate(b, line, rr, cols)
        if "：" in s_lab.replace(":", "：") and s_lab.startswith("年度资金总额"):
            b.flag("fund-colon")
        b.rows.append(line)
        if source == "total" and total is None:
            total = line
        rr += 1
    if total is None:
        b.error(r, first_amount_col, "funds-total-row-missing")
        return b
    b.info["total"] = total
    # the project-level copies of the total row trace to the same cells
    for table, key, fld, cell, raw in list(b.cells):
        if table == "funds" and key == "total" and fld in TOTAL_TO_PROJECT:
            b.cells.append(("projects", "", TOTAL_TO_PROJECT[fld], cell, raw))
    p["budget_initial"] = total["budget_initial"]
    p["budget_full_year"] = total["budget_full_year"]
    p["executed"] = total["executed"]
    if total["weight"] is None and "weight" not in cols and block_points is not None:
        total["weight"] = block_points  # 预算执行情况(万元)(20分) with no 分值 column: the block states the points
    p["exec_weight"] = total["weight"]
    p["exec_rate"] = total["exec_rate"]
    p["exec_score"] = total["score"]
    if any(f["source"] == "current_year" for f in b.rows):
        b.flag("fund-current-year")
    return b


def _fraction_rate(b: Block, line: dict, r: int, cols: dict) -> None:
    """A rate stored as a fraction (a percent-formatted 0.75, or a printed ``1`` for 100%) → percent.

    Only a numeric cell in (0, 1.5] (or, from a PDF or Word file, a printed number without %) is
    rescaled, and only when the amounts on its row say the percent reading is the right one; a text
    ``0.75`` or ``0.75%`` in a workbook is taken as printed.
    """
    v, full, done = line.get("exec_rate"), line.get("budget_full_year"), line.get("executed")
    if full is None:
        full = line.get("budget_initial")
    c = cols.get("exec_rate")
    if v is None or c is None or not 0 < v <= 1.5:
        return
    raw = b.region.sh.raw(r, c)
    # a text "0.75" or "0.75%" typed into a workbook is taken as printed; in a PDF or Word file every
    # cell is text, and a printed 1 there is what a numeric 1 is in a workbook (a "%" is still a percent)
    if isinstance(raw, str) and (not b.region.sh.grid.places or "%" in raw or "％" in raw):
        return
    if (r, c) in b.region.sh.grid.percent_cells:  # formatted as a percentage: 0.76 shows as 76%
        line["exec_rate"] = v * 100
        b.flag("rate-fraction")
        return
    if not full or done is None:
        return
    implied = done / full * 100
    if abs(v * 100 - implied) < abs(v - implied):
        line["exec_rate"] = v * 100
        b.flag("rate-fraction")


_AMOUNT_TEXT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(万元|万)")


def _amount(b: Block, key: str, fld: str, r: int, c: int) -> float | None:
    """An amount cell; a text such as ``854万(高标准农田建设400万元,…)`` gives its leading 854."""
    raw = b.region.sh.raw(r, c)
    if isinstance(raw, str):
        m = _AMOUNT_TEXT_RE.match(raw)
        if m and not numberish(raw):
            b.put("funds", key, fld, r, c, raw)
            b.flag("amount-text")
            return float(m.group(1))
    return b.number("funds", key, fld, r, c, _WHAT[fld], ("万元",))


def _read_pairs(region: Region, b: Block) -> bool:
    """Side-by-side blocks where each amount has its label beside it (Hebei's 预算执行情况)::

        预算安排情况(调整后) | 资金到位情况 | 资金执行情况 | 预算执行进度(%)
        预算数 | 6.84      | 到位数 | 6.84 | 执行数 | 6.84 | 100
        其中:财政资金 | 6.84 | 其中:财政资金 | 6.84 | 其中:财政资金 | 6.84

    The first row is the total (labelled by its first label), the rows below it its parts.
    """
    sh, vocab = region.sh, region.vocab
    for r in region.rows:
        pairs: list[tuple[str, int, int]] = []  # (field, label col, value col)
        for c, s in sh.labels[r]:
            key = vocab.classify(vocab.fund_columns, s)
            if key not in AMOUNTS or any(k == key for k, _, _ in pairs):
                continue
            nxt = next((cc for cc, _ in sh.nonempty[r] if cc > sh.span_end_col(r, c)), None)
            if nxt is not None and numberish(sh.raw(r, nxt)):
                pairs.append((key, c, nxt))
        if sum(k in ("budget_full_year", "budget_initial", "executed") for k, _, _ in pairs) >= 2:
            break
    else:
        return False
    b.flag("fund-pairs")
    b.info["header_row"] = r
    p = b.values
    # group headings and the block label above the pairs; a rate column headed above its number
    rate_col = None
    for rr in range(max(region.r0, r - 2), r):
        for c, s in sh.labels[rr]:
            if vocab.classify(vocab.fund_columns, s) == "exec_rate":
                rate_col = c
                b.used.add((rr, c))
            elif vocab.fund_block(s) or vocab.fund_groups(s):
                b.used.add((rr, c))
    label_col = pairs[0][1]
    total = None
    rr = r
    while rr < region.r1:
        lab = label(sh.raw(rr, label_col))
        source = "total" if rr == r else classify_fund(vocab, lab)
        if not lab or source is None:
            break
        key = source if not any(f["source"] == source for f in b.rows) else f"{source}#{rr + 1}"
        line: dict[str, object] = {"source": source, "label": clean_text(sh.raw(rr, label_col)), "row": rr + 1,
                                   "key": key}
        line.update({f: None for f in NUMBER_FIELDS})
        b.put("funds", key, "label", rr, label_col, sh.raw(rr, label_col))
        for fld, c_lab, c_val in pairs:
            if c_lab != label_col:
                b.used.add((rr, c_lab))  # the label repeated beside each amount
            line[fld] = b.number("funds", key, fld, rr, c_val, _WHAT[fld], ("万元",))
        if rate_col is not None:
            line["exec_rate"] = b.number("funds", key, "exec_rate", rr, rate_col, _WHAT["exec_rate"])
        b.rows.append(line)
        total = total or line
        rr += 1
    for table, key, fld, cell, raw in list(b.cells):
        if table == "funds" and key == "total" and fld in TOTAL_TO_PROJECT:
            b.cells.append(("projects", "", TOTAL_TO_PROJECT[fld], cell, raw))
    for fld, pf in TOTAL_TO_PROJECT.items():
        p[pf] = total.get(fld)
    b.info["total"] = total
    b.info["columns"] = {fld: c for fld, _, c in pairs}
    return True


def _read_by_source(region: Region, b: Block) -> bool:
    """Sources as columns, one row of amounts (Hubei's checklist)::

        项目资金来源 | 中央 | 省、地 | 本级 | 其他 | 合计 | 执行数 | 执行率
                     |      |       | 309  |      | 309  | 309    | 100%

    Each source column is a fund line with its budget; the total line also takes 执行数 and 执行率.
    """
    sh, vocab = region.sh, region.vocab
    for r in region.rows:
        srcs = [(c, s, classify_fund(vocab, s)) for c, s in sh.labels[r]]
        srcs = [(c, s, k) for c, s, k in srcs if k is not None]
        heads = {vocab.classify(vocab.fund_columns, s): c for c, s in sh.labels[r]}
        if len(srcs) >= 2 and "executed" in heads and not any(_holds_amount(v) for _, v in sh.nonempty[r]):
            break
    else:
        return False
    vr = next((rr for rr in range(r + 1, min(r + 3, region.r1)) if sh.nonempty[rr]), None)
    if vr is None or not any(numberish(v) for _, v in sh.nonempty[vr]):
        return False
    b.flag("fund-by-source")
    b.info["header_row"] = r
    for c, s in sh.labels[r]:
        if vocab.fund_block(s) or vocab.classify(vocab.fund_columns, s) in ("executed", "exec_rate"):
            b.used.add((r, c))
    total = None
    for c, s, source in srcs:
        key = source if not any(f["source"] == source for f in b.rows) else f"{source}#{c + 1}"
        line: dict[str, object] = {"source": source, "label": clean_text(sh.raw(r, c)), "row": vr + 1, "key": key}
        line.update({f: None for f in NUMBER_FIELDS})
        b.put("funds", key, "label", r, c, sh.raw(r, c))
        line["budget_full_year"] = b.number("funds", key, "budget_full_year", vr, c, _WHAT["budget_full_year"], ("万元",))
        if source == "total" and total is None:
            total = line
            if "executed" in heads:
                line["executed"] = b.number("funds", key, "executed", vr, heads["executed"], _WHAT["executed"], ("万元",))
            if "exec_rate" in heads:
                line["exec_rate"] = b.number("funds", key, "exec_rate", vr, heads["exec_rate"], _WHAT["exec_rate"])
                _fraction_rate(b, line, vr, {"exec_rate": heads["exec_rate"]})
        b.rows.append(line)
    if total is None:
        b.error(r, srcs[0][0], "funds-total-column-missing")
        return True
    for table, key, fld, cell, raw in list(b.cells):
        if table == "funds" and key == "total" and fld in TOTAL_TO_PROJECT:
            b.cells.append(("projects", "", TOTAL_TO_PROJECT[fld], cell, raw))
    for fld, pf in TOTAL_TO_PROJECT.items():
        b.values[pf] = total.get(fld)
    b.info["total"] = total
    b.info["columns"] = {"budget_full_year": srcs[0][0], **{k: v for k, v in heads.items() if k}}
    return True


def _read_list(region: Region, b: Block) -> bool:
    """A fund block without column headings (target tables): label | amount rows beside its label.

    The one amount is the budget set at budget time (``budget_initial``). A 年度预算执行率 row is a
    target (``exec_rate_target``), a 分值 beside it the execution weight.
    """
    sh, vocab = region.sh, region.vocab
    hit = region.find(lambda s: vocab.fund_block(s) and len(s) <= vocab.max_label_len + 8)
    if hit is None:
        return False
    r0, c0 = hit
    end = sh.merge_end.get(hit, hit)[0]
    b.used.add(hit)
    if vocab.amounts_yuan(sh.labels[r0][[c for c, _ in sh.labels[r0]].index(c0)][1]):
        b.flag("amounts-yuan")
    m = _POINTS_RE.search(label(sh.raw(r0, c0)).replace("万元", "").replace("\n", ""))
    b.info["block_points"] = float(m.group(1)) if m else None
    b.info["columns"] = {}
    total = None
    p = b.values
    for r in range(r0, min(max(end, r0) + 1, region.r1) if end > r0 else min(r0 + 8, region.r1)):
        labs = [(c, s) for c, s in sh.labels[r] if c > c0 and (r, c) not in b.used]
        if r > end and (not labs or vocab.goal_block(labs[0][1]) or vocab.indicator_block(labs[0][1])
                        or vocab.is_known_label(labs[0][1]) and classify_fund(vocab, labs[0][1]) is None):
            break
        if any(vocab.fund_filler(s) for _, s in labs):  # 资金来源 | 资金总额: the list's headings
            b.used.update((r, c) for c, _ in labs)
            continue
        i = 0
        while i < len(labs):
            c, s = labs[i]
            source = classify_fund(vocab, s)
            col_key = vocab.classify(vocab.fund_columns, s)
            nxt = next((cc for cc, v in sh.nonempty[r] if cc > sh.span_end_col(r, c)), None)
            if source is not None:
                key = source if not any(f["source"] == source for f in b.rows) else f"{source}#{r + 1}"
                line = {"source": source, "label": clean_text(sh.raw(r, c)), "row": r + 1, "key": key}
                line.update({f: None for f in NUMBER_FIELDS})
                b.put("funds", key, "label", r, c, sh.raw(r, c))
                if nxt is not None and not (isinstance(sh.raw(r, nxt), str) and vocab.is_known_label(label(sh.raw(r, nxt)))):
                    line["budget_initial"] = _amount(b, key, "budget_initial", r, nxt)
                b.rows.append(line)
                if source == "total" and total is None:
                    total = line
            elif col_key in ("exec_rate", "weight") and nxt is not None:
                fld = "exec_rate_target" if col_key == "exec_rate" else "exec_weight"
                b.used.add((r, c))
                v = b.number("projects", "", fld, r, nxt, "执行率" if col_key == "exec_rate" else "分值", ("分",))
                if v is not None and fld == "exec_rate_target" and (r, nxt) in sh.grid.percent_cells:
                    v = v * 100
                p[fld] = v
            elif col_key is not None or vocab.fund_filler(s):
                b.used.add((r, c))  # a heading of the list (资金来源, 资金总额)
            i += 1
    if not b.rows:
        return False
    if p.get("exec_weight") is not None and b.info.get("block_points") is None:
        b.info["block_points"] = p["exec_weight"]
    b.flag("fund-list")
    b.info["header_row"] = r0
    if total is not None:
        for table, key, fld, cell, raw in list(b.cells):
            if table == "funds" and key == "total" and fld == "budget_initial":
                b.cells.append(("projects", "", "budget_initial", cell, raw))
        p["budget_initial"] = total["budget_initial"]
        b.info["total"] = total
    return True
