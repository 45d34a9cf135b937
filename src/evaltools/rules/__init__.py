"""The rule registry: a rule is a small function registered with an id, a severity and a category.

Its docstring documents it (``docs/rules.md`` is generated from the registry, the way ruff and
sqlfluff document theirs) in fixed sections: a one-line Chinese title, then ``Why:``, ``Fails:``
and ``Passes:``. A form rule takes ``(form, profile)`` and yields ``Hit``s; a department rule
takes ``(forms, profile)`` (every form of one 主管部门) and yields ``(form, Hit)`` pairs. A row rule
(``scope="indicators"``) takes ``(table, profile)``, the audited indicators of every form as one
DataFrame (``facts.indicator_table``: the loaded columns and the parsed, scored ones), and
yields ``(form_id, Hit)`` pairs: it decides with column operations, in one call for the batch.

A built-in form rule that looks at one row at a time also has a row twin (``@rows_of``), which
the audit runs when the table is made anyway (a row rule is enabled) or when asked
(``audit(..., vectorised=True)``); a test holds the two to the same findings.

Users register their own rules from a notebook with the same decorator::

    from evaltools.rules import rule, Hit

    @rule("MY-RULE", severity="warning", category="自定义")
    def my_rule(form, profile):
        \"\"\"项目名称含有“测试”。

        Why: ...
        Fails: ...
        Passes: ...
        \"\"\"
        if "测试" in form.project["project_name"]:
            yield Hit("项目名称含有“测试”", field="project_name")

    @rule("MY-ROWS", severity="info", category="自定义", scope="indicators")
    def my_rows(table, profile):
        \"\"\"得分为 0 的指标。\"\"\"
        for r in table[table["score"] == 0].itertuples():
            yield r.form_id, Hit(f"指标“{r.name}”得分为 0", table="indicators", key=r.key, field="score")
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..errors import EvaltoolsError, RuleError  # noqa: F401 - re-exported
from ..schema import SEVERITY_LABELS, SEVERITY_ORDER  # the one severity table; re-exported for rule authors

SEVERITIES = tuple(SEVERITY_ORDER)  # most severe first
DOC_SECTIONS = ("Why:", "Fails:", "Passes:")


def meaningful(text: str, profile) -> bool:
    """A free text that says something: not empty and not one of the profile's 无/暂无/… words."""
    t = (text or "").strip()
    return bool(t) and t not in profile["text.empty_words"]


@dataclass(frozen=True)
class Hit:
    """What a rule found: a Chinese message and the value it points at.

    ``table``/``key``/``field`` name the value the way ``Book.cells`` does (``funds``/``total``/
    ``executed``; ``indicators``/``3``/``score``; ``projects``/""/``total_score``); the audit turns
    them into the A1 cell. ``cell`` may be given directly instead.
    """

    message: str
    field: str = ""
    table: str = "projects"
    key: str = ""
    expected: str = ""
    actual: str = ""
    cell: str = ""
    severity: str = ""  # empty: the rule's severity
    extra: dict = dataclasses.field(default_factory=dict, compare=False)  # values of columns added to schema.FINDINGS


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    category: str
    func: Callable = field(repr=False, compare=False)
    scope: str = "form"  # one of SCOPES
    # what the form must have for the rule to judge it (see NEEDS); a form without it is skipped
    needs: tuple[str, ...] = ()
    # a form rule's row twin (``rows_of``): the same findings from column operations on the batch
    rows: Callable | None = field(default=None, repr=False, compare=False)

    @property
    def doc(self) -> str:
        import inspect

        return inspect.getdoc(self.func) or ""

    @property
    def title(self) -> str:
        return self.doc.splitlines()[0].strip() if self.doc else ""

    def section(self, name: str) -> str:
        """The text of a docstring section (``Why``, ``Fails``, ``Passes``)."""
        text, out, on = self.doc, [], False
        for line in text.splitlines():
            stripped = line.strip()
            if any(stripped.startswith(s) for s in DOC_SECTIONS):
                on = stripped.startswith(name + ":")
                if on:
                    out.append(stripped[len(name) + 1 :].strip())
                continue
            if on:
                out.append(stripped)
        return " ".join(x for x in out if x).strip()


SCOPES = {"form": "每张表", "department": "每个主管部门", "indicators": "每个指标行（按列运算）"}
"""A rule's scope → how the rule reference names it."""

NEEDS = {
    "weights": ("no-weights", "指标分值（分值列）"),
    "scores": ("no-scores", "指标得分（得分列）"),
    "execution": ("exec-none", "预算执行得分"),
    "categories": ("flat", "一级/二级指标分类"),
}
"""A rule's need → (the convention token of forms that lack it, what it is in Chinese)."""


_ERROR_TOKENS = {"weights": "error-weights", "scores": "error-scores", "execution": "error-execution"}


def lacks(convention: frozenset[str] | set[str], needs: tuple[str, ...]) -> str | None:
    """The first need a form of this convention cannot meet, or None."""
    for n in needs:
        token = NEEDS[n][0]
        if token in convention or (n == "execution" and ("exec-indicator" in convention or "exec-unknown" in convention)):
            return n
        if _ERROR_TOKENS.get(n) in convention:  # the value is printed as #DIV/0! and kin: unknown, not 0
            return n
    return None


class Registry:
    """Rules by id, in registration order. Tests use fresh instances, never the global one."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def register(self, r: Rule, *, replace: bool = False) -> Rule:
        if r.severity not in SEVERITIES:
            raise RuleError(f"rule {r.id}: severity {r.severity!r} is not one of {', '.join(SEVERITIES)}")
        if r.scope not in SCOPES:
            raise RuleError(f"rule {r.id}: scope must be one of {', '.join(repr(x) for x in SCOPES)}")
        if r.rows is not None and r.scope != "form":
            raise RuleError(f"rule {r.id}: only a form rule has a row twin (rows_of)")
        for n in r.needs:
            if n not in NEEDS:
                raise RuleError(f"rule {r.id}: unknown need {n!r} (one of {', '.join(NEEDS)})")
        if r.id in self._rules and not replace:
            raise RuleError(f"rule {r.id} is already registered (pass replace=True to redefine it)")
        self._rules[r.id] = r
        return r

    def get(self, rule_id: str) -> Rule:
        try:
            return self._rules[rule_id]
        except KeyError:
            raise RuleError(f"unknown rule id {rule_id!r}") from None

    def __contains__(self, rule_id: str) -> bool:
        return rule_id in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(list(self._rules.values()))

    def __len__(self) -> int:
        return len(self._rules)

    def ids(self) -> list[str]:
        return list(self._rules)

    def copy(self) -> Registry:
        new = Registry()
        new._rules = dict(self._rules)
        return new


REGISTRY = Registry()


def rule(rule_id: str, *, severity: str, category: str, scope: str = "form", registry: Registry | None = None,
         replace: bool = False, needs: tuple[str, ...] | list[str] = ()):
    """Register the decorated function as rule ``rule_id`` (in the global registry by default).

    ``needs`` names what a form must have for the rule to judge it (``weights``, ``scores``,
    ``execution``, ``categories``): a form whose scoring convention lacks it (a form without a 分值
    column, say) is skipped, so a missing value is never judged as 0.

    Re-running a notebook cell that defines a user rule replaces it instead of failing, so
    ``replace`` defaults to True for rules registered from ``__main__``.
    """

    def deco(func: Callable) -> Callable:
        reg = registry if registry is not None else REGISTRY
        again = replace or getattr(func, "__module__", "") == "__main__"
        reg.register(Rule(rule_id, severity, category, func, scope, tuple(needs)), replace=again)
        return func

    return deco


def rows_of(rule_id: str, *, registry: Registry | None = None):
    """Register the decorated function as the row twin of form rule ``rule_id``: called as
    ``func(table, profile)`` on ``facts.indicator_table`` (the rows of the forms the rule judges,
    those of one profile), it yields ``(form_id, Hit)`` pairs, the same hits in the same order as
    the form rule would over those forms' indicators. Which of the two runs is ``audit``'s
    ``vectorised``; a twin that raises is replaced by its form rule."""

    def deco(func: Callable) -> Callable:
        reg = registry if registry is not None else REGISTRY
        reg.register(dataclasses.replace(reg.get(rule_id), rows=func), replace=True)
        return func

    return deco


def builtin_registry() -> Registry:
    """The registry with every built-in rule loaded (importing the rule modules registers them)."""
    from . import funds, scores, structure, text, values  # noqa: F401

    return REGISTRY


def rule_titles(registry: Registry | None = None) -> dict[str, str]:
    """Rule id → its Chinese title (the docstring's first line), for headings and plot labels."""
    return {r.id: r.title for r in (registry or builtin_registry())}


def render_docs(registry: Registry | None = None) -> str:
    """The rule reference (``docs/rules.md``), generated from the registry."""
    reg = registry or builtin_registry()
    lines = [
        "<!-- generated by `python -m evaltools rules --markdown`; do not edit -->",
        "# 审核规则 (audit rules)",
        "",
        "Every finding names one of these rules. Severities: **error** (arithmetic or logic impossible),",
        "**warning** (likely inflated, inconsistent or unsupported), **info** (a quality signal). Thresholds",
        "come from the profile (`src/evaltools/profiles/national.toml`); disable a rule with",
        "`rules.disabled = [\"ID\"]` in a profile or `audit(book, disable=[\"ID\"])`.",
        "",
        "| id | severity | category | checks |",
        "|---|---|---|---|",
    ]
    for r in reg:
        lines.append(f"| [{r.id}](#{r.id.lower()}) | {r.severity} | {r.category} | {r.title} |")
    for r in reg:
        lines += ["", f"## {r.id}", "", f"**{r.title}**", "",
                  f"Severity: {r.severity} ({SEVERITY_LABELS[r.severity]}) · category: {r.category} · "
                  f"scope: {SCOPES[r.scope]}{'（按列运算）' if r.rows is not None else ''}"
                  + (f" · needs: {'、'.join(NEEDS[n][1] for n in r.needs)}（表中没有时不检查）" if r.needs else ""), ""]
        for name, head in (("Why", "Why it matters"), ("Fails", "Fails"), ("Passes", "Passes")):
            text = r.section(name)
            if text:
                lines += [f"*{head}:* {text}", ""]
    return "\n".join(lines).rstrip() + "\n"
