"""Rules on the free texts: problems admitted, results described, no boilerplate."""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict

from ..scoring import num
from . import Hit, meaningful, rule

BOILERPLATE_FIELDS = {
    "experience": "主要经验做法", "problems": "存在的主要问题", "suggestion_decision": "对项目决策的建议",
    "suggestion_budget": "对预算安排与执行的建议", "suggestion_funds": "对资金管理的建议",
    "suggestion_management": "项目管理的建议",
}
_PUNCT = re.compile(r"[\s，。、；：,.;:！!？?“”\"'（）()]+")


@rule("TXT-NO-PROBLEMS", severity="warning", category="文字")
def txt_no_problems(form, profile):
    """表中扣了分，存在的主要问题却写“无”或空着。

    Why: points were lost for a reason; the problems section is where the department says what
    it was and what it will change.
    Fails: 总分 97.5, 存在的主要问题 “无”.
    Passes: 总分 99.9, 存在的主要问题 “故障处理的及时性还有待提高”.
    """
    if "problems" not in str(form.project.get("labels", "problems")).split(","):
        return  # the template has no 存在问题 field: nothing was left empty
    total, weight = num(form.project.get("total_score")), num(form.project.get("total_weight"))
    if total is None or weight is None or total >= weight - 1e-9:
        return
    text = form.project.get("problems", "")
    if not meaningful(text, profile):
        yield Hit(f"总分 {total:g}（满分 {weight:g}）扣了分，存在的主要问题却填“{text or '空'}”", field="problems",
                  expected="说明扣分原因", actual=text or "（空）")


@rule("TXT-GOAL-BARE", severity="info", category="文字")
def txt_goal_bare(form, profile):
    """实际完成情况只写“已完成”，或照抄预期目标。

    Why: the actual result should say what was achieved, with figures; “已完成” repeats the
    score instead of supporting it.
    Fails: 实际完成情况 “已完成”.
    Passes: 实际完成情况 “完成 6 户帮扶，发放资金 18 万元”.
    """
    p = form.project
    actual, expected = (p.get("goal_actual") or "").strip(), (p.get("goal_expected") or "").strip()
    if not actual:
        return
    if actual in profile["text.bare_goal_words"]:
        yield Hit(f"实际完成情况只写了“{actual}”", field="goal_actual", expected="具体完成内容", actual=actual)
    elif expected and _norm(actual) == _norm(expected):
        yield Hit("实际完成情况照抄了预期目标", field="goal_actual", expected="具体完成内容", actual=actual[:60])


def _norm(t: str) -> str:
    return _PUNCT.sub("", t or "")


@rule("TXT-BOILERPLATE", severity="info", category="文字", scope="department")
def txt_boilerplate(forms, profile):
    """同一主管部门的多张表使用相同或几乎相同的结论、建议文字。

    Why: the same sentence in every form of a department (“及时列出预算，保证资金到位。”) says nothing
    about any one project; the conclusion was not written for it.
    Fails: 对预算安排与执行的建议 “及时列出预算，保证资金到位。” in five forms of 壶关县人民政府办公室.
    Passes: each form's suggestions name its own project's issues.
    """
    min_forms, min_len = profile["text.boilerplate_min_forms"], profile["text.boilerplate_min_length"]
    for fld, title in BOILERPLATE_FIELDS.items():
        texts = [(f, _norm(f.project.get(fld, ""))) for f in forms]
        texts = [(f, t) for f, t in texts if len(t) >= min_len]
        if len(texts) < min_forms:
            continue
        groups = _cluster([t for _, t in texts], profile["text.boilerplate_similarity"])
        per_text = Counter(t for _, t in texts)
        sizes = {id(m): sum(per_text[u] for u in m) for m in groups.values()}  # forms per group
        for f, t in texts:
            n = sizes[id(groups[t])]
            if n >= min_forms:
                yield f, Hit(f"{title}“{f.project.get(fld, '')[:30]}”与本部门另外 {n - 1} 张表相同或几乎相同",
                             field=fld, expected="针对本项目的表述", actual=f"{n} 张表相同")


_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def _bigrams(t: str) -> frozenset:
    return frozenset(t[k : k + 2] for k in range(len(t) - 1))


def _cluster(texts: list[str], ratio: float) -> dict[str, set[str]]:
    """Group near-identical texts (difflib ratio ≥ ``ratio``): text → the set it belongs to.

    Texts whose figures differ are never the same: “执行率为87.08%” and “执行率为91.98%” report
    two projects' own numbers, even in one sentence pattern.
    """
    distinct = sorted(set(texts))
    parent = {t: t for t in distinct}

    def find(t):
        while parent[t] != t:
            t = parent[t]
        return t

    # the groups are the connected parts of the "similar" relation, whatever order pairs are tried
    # in: so only pairs that can be similar are tried, those with the same figures and lengths
    # close enough (ratio() ≤ 2·min/(len a + len b)), each bucket shortest first
    buckets: dict[tuple, list[str]] = defaultdict(list)
    for t in distinct:
        buckets[tuple(_DIGITS.findall(t))].append(t)
    for bucket in buckets.values():
        if len(bucket) < 2:
            continue
        bucket.sort(key=len)
        grams: dict[str, frozenset] = {}  # made for the texts a pair needs them of
        matchers: dict[str, difflib.SequenceMatcher] = {}  # made for a pair that needs difflib: few do
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                if 2 * len(a) < ratio * (len(a) + len(b)):
                    break  # b and every later text are too long for a
                if find(a) == find(b):
                    continue
                # cheap prefilter: texts this similar share most of their character bigrams
                ga = grams.get(a)
                if ga is None:
                    ga = grams[a] = _bigrams(a)
                gb = grams.get(b)
                if gb is None:
                    gb = grams[b] = _bigrams(b)
                if ga and gb and 2 * len(ga & gb) < (ratio - 0.2) * (len(ga) + len(gb)):
                    continue
                # ratio() is not quite symmetric: the text first in sort order is always seq2
                # (which difflib caches: compare many against one)
                lo, hi = (a, b) if a < b else (b, a)
                matcher = matchers.get(lo)
                if matcher is None:
                    matcher = matchers[lo] = difflib.SequenceMatcher(None, autojunk=False)
                    matcher.set_seq2(lo)
                matcher.set_seq1(hi)
                if matcher.ratio() >= ratio:
                    parent[find(b)] = find(a)
    members: dict[str, set[str]] = defaultdict(set)
    for t in distinct:
        members[find(t)].add(t)
    return {t: members[find(t)] for t in distinct}
