"""What else a form prints: its instructions (注：…), a 资金管理情况 block, a 预算执行率 scoring row.

Read after every other block, from the cells they left: nothing here may take a value a field
reader wants.
"""

from __future__ import annotations

from ..cellvalues import clean_text, label
from .block import Block, Region


def read_notes(region: Region, taken: set, skip_rows=frozenset()) -> Block:
    """``skip_rows``: the indicator rows (their cells are values, never notes)."""
    b = Block(region)
    sh, vocab = region.sh, region.vocab
    instruction = vocab.debris["instruction"]
    notes: list[str] = []
    management: list[str] = []
    fm = vocab.fund_management
    for r in region.rows:
        if r in skip_rows:
            continue
        for c, s in sh.labels[r]:
            if (r, c) in taken:
                continue
            if instruction(s):
                b.put("projects", "", "footnote", r, c, sh.raw(r, c))
                notes.append(clean_text(sh.raw(r, c)))
            elif fm(s) and len(s) <= vocab.max_label_len:
                b.used.add((r, c))
                management += _management(region, r, c, taken, b)
            elif s in ("预算执行率", "预算执行") and c < sh.width // 2:
                b.used.add((r, c))  # the indicator table's own execution row
                b.info["exec_row"] = True
    b.values["footnote"] = "\n".join(notes)
    b.values["fund_management"] = "\n".join(management)
    return b


def _management(region: Region, r0: int, c0: int, taken: set, b: Block) -> list[str]:
    """Rows ``item | 情况说明`` beside the 资金管理情况 label (merged down over them)."""
    sh = region.sh
    end = sh.merge_end.get((r0, c0), (r0, c0))[0]
    out = []
    for r in range(r0, min(end, region.r1 - 1) + 1):
        cells = [(c, v) for c, v in sh.nonempty[r] if c > c0 and (r, c) not in taken and (r, c) not in b.used]
        if len(cells) >= 2 and label(cells[0][1]) not in ("情况说明",):
            (ci, item), (cd, desc) = cells[0], cells[1]
            b.put("projects", "", "fund_management", r, ci, item)
            b.put("projects", "", "fund_management", r, cd, desc)
            out.append(f"{clean_text(item)}：{clean_text(desc)}")
        else:
            for c, _ in cells:
                if label(sh.raw(r, c)) == "情况说明":
                    b.used.add((r, c))
    return out
