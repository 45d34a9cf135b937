"""The header block: title, evaluation year, project name, 主管部门, 实施单位 and the extras."""

from __future__ import annotations

import re

from ..errors import NumberError
from ..cellvalues import clean_text, label, parse_number, to_text
from .block import Block, Region
from ..read import cell_name
from .segments import is_title, title_like

_COLONS = ("：", ":")
_DEPT_NAME_CODE_RE = re.compile(r"^(.*?\D)\s*[-－—_–]\s*(\d{2,})$")
_DEPT_CODE_NAME_RE = re.compile(r"^[\[【(（]?(\d{2,})[\]】)）]?\s*[-－—_–]?\s*(\D.*)$")
_DEPT_PAREN_CODE_RE = re.compile(r"^(.*?)[(（\[【](\d{2,})[)）\]】]$")
HEADER_FIELDS = ("project_name", "department", "implementing_unit")


def read_title(region: Region) -> Block:
    """The title row and the evaluation year (a ``（2021年度）`` row, or ``2021年度`` in the title)."""
    b = Block(region)
    sh, vocab = region.sh, region.vocab
    p = b.values
    known = vocab.is_known_label
    hit = next(((r, c) for r in region.rows for i, (c, s) in enumerate(sh.labels[r])
                if is_title(vocab, s) and title_like(sh, r, i, known)), None)
    if hit:
        r, _ = hit
        parts = []
        for c, _s in sh.labels[r]:
            parts.append(clean_text(sh.raw(r, c)))
            b.put("projects", "", "title", r, c, sh.raw(r, c))
        p["title"] = "".join(parts)
        rows = range(r, min(r + 4, region.r1))
    else:
        p["title"] = ""
        rows = range(region.r0, min(region.r0 + 4, region.r1))
    for r in rows:
        cells = sh.nonempty[r]
        if not cells or (r, cells[0][0]) in b.used:
            continue
        joined = label("".join(to_text(v) for _, v in cells))
        m = vocab.year_row.match(joined)
        if m:
            p["year"] = int(m.group(1))
            for c, v in cells:  # （ 2021 年度）: the year is the cell holding its digits
                if m.group(1) in to_text(v):
                    b.put("projects", "", "year", r, c, v)
                else:
                    b.used.add((r, c))
            return b
    # only "2021年度" in a title names the evaluation year; "2020年…" is usually the project's own
    m = vocab.title_year.search(p["title"])
    p["year"] = int(m.group(1)) if m else None
    if p["year"] is None:
        b.error(None, None, "year-missing")
    return b


def split_inline(raw: object) -> tuple[str, str]:
    """``"项目名称：XX"`` → (``"项目名称"``, ``"XX"``); no colon → (raw, "")."""
    if not isinstance(raw, str):
        return "", ""
    text = raw.strip()
    i = min((j for j in (text.find(ch) for ch in _COLONS) if j >= 0), default=-1)
    if i >= 0:
        return text[:i], text[i + 1 :].strip()
    return text, ""


def read_labelled(region: Region, taken: set, fields, table_values: dict, b: Block, on_repeat=None,
                  rows=None) -> set[str]:
    """Fill ``fields`` (``(key, matcher)`` pairs) from labels whose value is right of or inline after them."""
    sh, vocab = region.sh, region.vocab
    seen: set[str] = set()
    classify = vocab.classifier(fields)
    for r in rows if rows is not None else region.rows:
        for c, s in sh.labels[r]:
            if (r, c) in taken or (r, c) in b.used:
                continue
            raw = sh.raw(r, c)
            if isinstance(raw, str) and ("：" in raw or ":" in raw):
                head, tail = split_inline(raw)
                lab = label(head) if tail else s
            else:  # no colon: the label is the cell (the usual case, no splitting)
                head, tail, lab = raw, "", s
            if len(lab) > vocab.max_label_len:
                continue
            if on_repeat is not None:
                on_repeat(r, c, s, seen)
            first = classify(lab)
            if first is None:
                continue  # the usual case, answered by one look-up
            for key, pred in fields if first in seen else ((first, None),):
                if key in seen:
                    continue
                if pred is not None and not pred(lab):
                    continue
                if tail:
                    seen.add(key)
                    b.put("projects", "", key, r, c, raw)
                    table_values[key] = tail
                    break
                else:
                    seen.add(key)
                    b.used.add((r, c))
                    hit = region.value_right(r, c)
                    if hit:
                        v = sh.raw(*hit)
                        b.put("projects", "", key, hit[0], hit[1], v)
                        table_values[key] = clean_text(v)
                    else:
                        table_values[key] = ""
                    break
    return seen


def read_header(region: Region, taken: set, title: str, end: int | None = None,
                extras_end: int | None = None) -> Block:
    """项目名称 / 主管部门 / 实施单位 (by any of their names), the header extras and a header score."""
    b = Block(region)
    p = b.values
    vocab = region.vocab
    name_pred = dict(vocab.header)["project_name"]

    def repeat(r, c, s, seen):
        if "project_name" in seen and name_pred(s) and not split_inline(region.sh.raw(r, c))[1]:
            b.error(r, c, "second-form-beside")

    # the header stands above the first table (``end``); a form without tables is read whole
    rows = range(region.r0, end) if end is not None else None
    seen = read_labelled(region, taken, vocab.header, p, b, on_repeat=repeat, rows=rows)
    alt = p.pop("department_alt", None)
    seen.discard("department_alt")
    if alt is not None:
        if "department" not in seen:
            p["department"] = alt
            seen.add("department")
        elif alt:
            b.info["extra"] = [f"部门：{alt}"]  # a unit line above a project form
    p_both = p.get("department_and_unit", "")
    if "department_and_unit" in p:
        both = split_department(p.pop("department_and_unit"))[0] if "implementing_unit" not in seen else ""
        for key in ("department", "implementing_unit"):
            if key not in seen:
                p[key] = both if key == "implementing_unit" else p_both
                seen.add(key)
        seen.discard("department_and_unit")
    # provenance under the fields the values went to
    alt_to = "department" if p.get("department") == alt and alt is not None else "extra"
    cells = []
    for t, k, f, cell, raw in b.cells:
        if f == "department_alt":
            cells.append((t, k, alt_to, cell, raw))
        elif f == "department_and_unit":
            cells += [(t, k, "department", cell, raw), (t, k, "implementing_unit", cell, raw)]
        else:
            cells.append((t, k, f, cell, raw))
    b.cells = cells
    for key in HEADER_FIELDS:
        p.setdefault(key, "")
    _extras(region, taken, b, extras_end)
    b.info["seen"] = seen
    if "project_name" in seen and not p.get("project_name"):
        b.error(None, None, "project-name-empty")
    if "department" in seen and not p.get("department"):
        b.error(None, None, "department-empty")
    dept, code = split_department(p.get("department", ""))
    p["department"], p["department_code"] = dept, code
    return b


def _extras(region: Region, taken: set, b: Block, end: int | None = None) -> None:
    """Header labels the vocabulary knows but the contract has no field for, and a header score.

    Read above the indicator table (``end``): the table's rows hold no header."""
    sh, vocab = region.sh, region.vocab
    extra: list[str] = []
    for r in range(region.r0, end if end is not None else region.r1):
        for c, s in sh.labels[r]:
            if (r, c) in taken or (r, c) in b.used or len(s) > vocab.max_label_len:
                continue
            head, tail = split_inline(sh.raw(r, c))
            lab = label(head) if tail else s
            if vocab.header_score(lab) and "header_score" not in b.values:
                b.used.add((r, c))
                hit = None if tail else region.value_right(r, c)
                raw = tail if tail else (sh.raw(*hit) if hit else "")
                rc = (r, c) if tail else hit
                if rc is not None:
                    b.put("projects", "", "header_score", *rc, sh.raw(*rc))
                    try:
                        b.values["header_score"] = parse_number(raw, units=("分",))
                    except NumberError:
                        b.error(*rc, "header-score-unreadable", text=to_text(raw).strip())
                continue
            if not vocab.header_extra(lab):
                continue
            b.used.add((r, c))
            if tail:
                b.cells.append(("projects", "", "extra", cell_name(r, c), to_text(sh.raw(r, c))))
                extra.append(f"{lab}：{tail}")
                continue
            hit = region.value_right(r, c)
            if hit:
                v = sh.raw(*hit)
                b.put("projects", "", "extra", *hit, v)
                extra.append(f"{clean_text(sh.raw(r, c))}：{clean_text(v)}")
    b.values["extra"] = "\n".join(b.info.get("extra", []) + extra)


def split_department(text: str) -> tuple[str, str]:
    """``壶关县人民政府办公室-002`` → (``壶关县人民政府办公室``, ``002``); no code → (name, "")."""
    t = text.strip()
    if not t:
        return "", ""
    for rx, name_first in ((_DEPT_NAME_CODE_RE, True), (_DEPT_PAREN_CODE_RE, True), (_DEPT_CODE_NAME_RE, False)):
        m = rx.match(t)
        if m:
            a, b = m.group(1).strip(), m.group(2).strip()
            return (a, b) if name_first else (b, a)
    return t, ""
