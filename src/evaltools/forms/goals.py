"""年度总体目标: the expected and the achieved goal texts."""

from __future__ import annotations

from ..cellvalues import clean_text, is_empty
from .block import Block, Region


def read_goals(region: Region, taken: set) -> Block:
    b = Block(region)
    sh, vocab = region.sh, region.vocab
    p = b.values
    p["goal_expected"], p["goal_actual"], p["goal_adjusted"] = "", "", ""
    p["completion_rate"] = None
    hit = region.find(lambda s: vocab.goal_block(s))
    heads: dict[str, tuple[int, int]] = {}
    goal_fields = vocab.goals
    if hit is None:
        # some templates have no block label: the 预期目标 / 实际完成情况 headings alone
        hit = region.find(lambda s: vocab.classify(goal_fields, s) == "expected" and len(s) <= vocab.max_label_len)
        if hit is None:
            b.error(None, None, "goals-missing")
            return b
    else:
        b.used.add(hit)
    r, c = hit
    for rr in range(r, min(r + 3, region.r1)):
        for cc, s in sh.labels[rr]:
            if (rr, cc) in taken or (rr, cc) in b.used or len(s) > vocab.max_label_len:
                continue
            key = vocab.classify(goal_fields, s)
            if key is not None and key not in heads:
                heads[key] = (rr, cc)
        if heads and not any(vocab.classify(goal_fields, s) for _, s in sh.labels[min(rr + 1, region.r1 - 1)]):
            break  # the next row holds no heading of its own (年初设定目标 | … over 完成情况 | …)
    if not heads:
        # the texts stand right of the block label: the goal, then (if there is one) the result
        v = region.value_right(r, c)
        if v:
            b.put("projects", "", "goal_expected", *v, sh.raw(*v))
            p["goal_expected"] = clean_text(sh.raw(*v))
            w = region.value_right(*v)
            if w:
                b.put("projects", "", "goal_actual", *w, sh.raw(*w))
                p["goal_actual"] = clean_text(sh.raw(*w))
        return b
    for h in heads.values():
        b.used.add(h)
    exp, act, adj, rate = heads.get("expected"), heads.get("actual"), heads.get("adjusted"), heads.get("completion_rate")
    hr = min(h[0] for h in heads.values())
    # side by side on one row, each heading with its text to its right (年初设定目标 | text | 实际 | text)
    if exp and act and exp[0] != act[0]:
        for key, h in (("goal_expected", exp), ("goal_actual", act)):
            v = region.value_right(*h)
            if v:
                b.put("projects", "", key, *v, sh.raw(*v))
                p[key] = clean_text(sh.raw(*v))
        return b
    # values are in the first non-empty row under the header, between header columns
    bounds = sorted(h[1] for h in heads.values()) + [10**6]
    for rr in range(hr + 1, min(hr + 4, region.r1)):
        if not any(cc > c for cc, _ in sh.nonempty[rr]):
            continue
        if any(s_.startswith(("一级指标", "三级指标")) or vocab.is_known_label(s_) for _, s_ in sh.labels[rr]):
            break  # the goal texts are empty: the next row is another block, not a goal
        for key, h in (("goal_expected", exp), ("goal_adjusted", adj), ("goal_actual", act), ("completion_rate", rate)):
            if h is None:
                continue
            lo = h[1]
            hi = next(bd for bd in bounds if bd > lo)
            for cc in range(lo, min(hi, len(sh.rows[rr]))):
                v = sh.raw(rr, cc)
                if not is_empty(v):
                    if key == "completion_rate":
                        p[key] = b.number("projects", "", key, rr, cc, "总体完成率")
                    else:
                        b.put("projects", "", key, rr, cc, v)
                        p[key] = clean_text(v)
                    break
        break
    return b
