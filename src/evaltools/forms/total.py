"""The 总分 row: the total weight and the total score the form prints."""

from __future__ import annotations

from ..cellvalues import is_empty
from .block import Block, Region


def read_total(region: Region, total_row: int | None, ind_cols: dict) -> Block:
    b = Block(region)
    p = b.values
    p["total_weight"] = p["total_score"] = None
    if total_row is None:
        b.info["missing"] = True
        return b
    sh, r = region.sh, total_row
    c_lab = next(c for c, s in sh.labels[r] if region.vocab.total(s))
    b.used.add((r, c_lab))
    cw, cs = ind_cols.get("weight"), ind_cols.get("score")
    if cw is None or cs is None or (is_empty(sh.raw(r, cw)) and is_empty(sh.raw(r, cs))):
        nums = [c for c, _ in sh.nonempty[r] if c > c_lab]
        if cw is None and cs is not None and len(nums) == 1:
            cw, cs = None, nums[0]  # no 分值 column: the one number is the score
        else:
            cw, cs = (nums + [None, None])[:2]
    if cw is not None:
        p["total_weight"] = b.number("projects", "", "total_weight", r, cw, "总分分值")
    if cs is not None:
        p["total_score"] = b.number("projects", "", "total_score", r, cs, "总分得分")
        # 总分 | 100 | 96 | 优: a grade printed after the score
        after = [(c, v) for c, v in sh.nonempty[r] if c > cs]
        if after and isinstance(after[0][1], str) and after[0][1].strip() in _GRADES:
            b.put("projects", "", "grade", r, after[0][0], after[0][1])
            b.info["grade"] = after[0][1].strip()
    return b


_GRADES = ("优", "良", "中", "差", "优秀", "良好", "合格", "不合格")
