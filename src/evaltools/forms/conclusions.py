"""The conclusion block below the indicator table: 经验, 问题, 建议, 备注, 评价等级."""

from __future__ import annotations

from .block import Block, Region
from ..cellvalues import label
from .header import read_labelled, split_inline


def read_conclusions(region: Region, taken: set, table: set[int] = frozenset()) -> Block:
    """The labelled texts of the form outside the indicator table's rows (``table``: their numbers).

    Most stand below the table; a 自评等级 may stand in the header."""
    b = Block(region)
    sh, vocab = region.sh, region.vocab
    # the block's own label (项目自评结论) carries no value
    rows = [r for r in region.rows if r not in table]
    for r in rows:
        for c, s in sh.labels[r]:
            if (r, c) in taken or not vocab.conclusion_blocks(s):
                continue
            head, tail = split_inline(sh.raw(r, c))
            if not tail and len(label(head)) <= vocab.max_label_len:
                b.used.add((r, c))
    b.info["seen"] = read_labelled(region, taken, vocab.conclusions, b.values, b, rows=rows)
    for key, _ in vocab.conclusions:
        b.values.setdefault(key, "")
    return b
