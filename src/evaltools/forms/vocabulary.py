"""The label vocabulary: which words, synonyms and patterns name each field of a form, as data.

``vocabulary.toml`` beside this module is the built-in vocabulary. A user extends it for their
province with a TOML file of the same shape (``load(..., vocabulary=FILE)``, ``--vocabulary
FILE``): every list in the user file is added *before* the built-in one (a user's words are tried
first), a table the built-in file lacks is added, and an unknown section or key is an error (a
typo must not silently match nothing).

A pattern is matched against a cell's normalised label (NFKC, no whitespace, no trailing colon):

- ``项目名称``  — the label is exactly this;
- ``主管部门*`` — the label starts with this;
- ``*资金总额*`` — the label contains this;
- ``*自评表``  — the label ends with this;
- ``re:^…$``   — a regular expression (``re.search``).

Each field's patterns compile once per process into one ``Matcher`` (a set lookup, a tuple of
prefixes and of parts, and at most one combined regex), so testing a cell is one call.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..cellvalues import label as _label
from ..errors import VocabularyError


class _Memo(dict):
    """label → verdict of ``fn``, filled on first look-up: the same labels recur in every form of a batch.

    Calling it is ``dict.__getitem__`` (no Python frame on a hit, the common case); a miss runs
    ``__missing__``.
    """

    __slots__ = ("fn",)

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    __call__ = dict.__getitem__

    def __missing__(self, s):
        hit = self._compute(s)
        if len(self) > 100_000:
            self.clear()
        self[s] = hit
        return hit

    def _compute(self, s):
        return self.fn(s)

    def __reduce__(self):  # a memo travels empty: workers fill their own
        return (_Memo, (self.fn,))

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other


class Matcher(_Memo):
    """Tests a normalised label against one field's patterns in one call (memoised)."""

    __slots__ = ("patterns", "exact", "prefixes", "suffixes", "parts", "regex")

    def __init__(self, patterns: tuple[str, ...] = (), exact: frozenset[str] = frozenset(),
                 prefixes: tuple[str, ...] = (), suffixes: tuple[str, ...] = (), parts: tuple[str, ...] = (),
                 regex: re.Pattern | None = None):
        super().__init__(None)
        self.patterns, self.exact, self.prefixes = tuple(patterns), frozenset(exact), tuple(prefixes)
        self.suffixes, self.parts, self.regex = tuple(suffixes), tuple(parts), regex

    def __reduce__(self):
        return (Matcher, (self.patterns, self.exact, self.prefixes, self.suffixes, self.parts, self.regex))

    def __repr__(self) -> str:
        return f"Matcher({self.patterns!r})"


    @classmethod
    def compile(cls, patterns: Iterable[str], where: str = "") -> "Matcher":
        pats = tuple(patterns)
        exact, prefixes, suffixes, parts, regexes = set(), [], [], [], []
        for p in pats:
            if not isinstance(p, str) or not p:
                raise VocabularyError(f"词表“{where}”中有空的或非文本的匹配项：{p!r}")
            if p.startswith("re:"):
                try:
                    re.compile(p[3:])
                except re.error as exc:
                    raise VocabularyError(f"词表“{where}”中的正则表达式“{p[3:]}”无效：{exc}") from None
                regexes.append(p[3:])
                continue
            star_start, star_end = p.startswith("*"), p.endswith("*") and len(p) > 1
            core = _label(p.strip("*"))
            if not core:
                raise VocabularyError(f"词表“{where}”中的匹配项“{p}”去掉 * 后为空：它会匹配所有单元格")
            if star_start and star_end:
                parts.append(core)
            elif star_end:
                prefixes.append(core)
            elif star_start:
                suffixes.append(core)
            else:
                exact.add(_label(p))
        # str.startswith / endswith / in are C loops that stop early; an alternation regex would try
        # every alternative at every position of a long text
        try:
            rx = re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None
        except re.error as exc:  # e.g. a global flag such as (?i) inside one of them
            raise VocabularyError(f"词表“{where}”中的正则表达式无法合并：{exc}（请勿使用 (?i) 等全局标记）") from None
        return cls(pats, frozenset(exact), tuple(prefixes), tuple(suffixes), tuple(parts), rx)

    def _test(self, s: str) -> bool:
        if s in self.exact:
            return True
        if self.prefixes and s.startswith(self.prefixes):
            return True
        if self.suffixes and s.endswith(self.suffixes):
            return True
        for part in self.parts:
            if part in s:
                return True
        return self.regex is not None and self.regex.search(s) is not None

    _compute = _test  # a miss runs the pattern test itself


_NEVER = Matcher(())


@dataclass(frozen=True)
class FormType:
    name: str
    title: Matcher
    audited: bool
    header: Matcher  # a header label that marks this type when the title does not


class _patterns(functools.cached_property):
    """A vocabulary entry (``section.key``) compiled into one ``Matcher`` on first use."""

    def __init__(self, dotted: str):
        section, key = dotted.split(".")
        super().__init__(lambda vocab: Matcher.compile(vocab.data[section][key], dotted))
        self.__doc__ = f"The patterns of ``{dotted}``."


class _fields_of(functools.cached_property):
    """A vocabulary section of fields (``key = [patterns]``) as ``(key, Matcher)`` pairs, in order."""

    def __init__(self, section: str):
        super().__init__(lambda vocab: _compiled(vocab, section))
        self.__doc__ = f"The fields of ``[{section}]`` in the order they are tried."


@dataclass(frozen=True)
class Vocabulary:
    """The compiled vocabulary: ``Matcher``s per field, in the order they are tried."""

    data: dict = field(repr=False, compare=False)
    digest: str = ""
    source: str = "built-in"

    def __reduce__(self):  # compiled matchers and memos are rebuilt where the vocabulary is used
        return (Vocabulary, (self.data, self.digest, self.source))

    # -- sections, compiled on first use ---------------------------------------------------------


    title = _patterns("title.marks")

    @functools.cached_property
    def year_row(self) -> re.Pattern:
        return re.compile(self.data["title"]["year_row"])

    @functools.cached_property
    def title_year(self) -> re.Pattern:
        return re.compile(self.data["title"]["title_year"])

    @functools.cached_property
    def form_types(self) -> tuple[FormType, ...]:
        out = []
        for i, ft in enumerate(self.data["form_types"]):
            out.append(FormType(ft["name"], Matcher.compile(ft.get("title", []), f"form_types[{i}].title"),
                                bool(ft.get("audited", True)),
                                Matcher.compile(ft.get("header", []), f"form_types[{i}].header")))
        return tuple(out)

    header = _fields_of("header")

    header_extra = _patterns("header_extra.labels")

    header_score = _patterns("header_extra.score")

    conclusions = _fields_of("conclusions")

    conclusion_blocks = _patterns("blocks.conclusions")

    @functools.cached_property
    def value_labels(self) -> tuple[tuple[str, Matcher], ...]:
        """Header and conclusion fields: labels whose value stands right of (or inline after) them."""
        return self.header + self.conclusions

    fund_block = _patterns("blocks.funds")

    fund_columns = _fields_of("fund_columns")

    @functools.cached_property
    def fund_lines(self) -> tuple[tuple[str, Matcher], ...]:
        return _compiled_list(self, "fund_lines")

    fund_groups = _patterns("blocks.fund_groups")

    fund_filler = _patterns("blocks.fund_filler")

    fund_management = _patterns("blocks.fund_management")

    goal_block = _patterns("blocks.goals")

    goals = _fields_of("goals")

    indicator_block = _patterns("blocks.indicators")

    indicator_columns = _fields_of("indicator_columns")

    total = _patterns("blocks.total")

    @functools.cached_property
    def ocr_words(self) -> frozenset[str]:
        """Every word the vocabulary spells out (its patterns without ``*``, regexes aside) and the
        ``[ocr] words``, normalised: what an OCR reading of a label is corrected to (``ocr_words``)."""
        out: set[str] = set()

        def walk(node) -> None:  # the pattern lists only: a fund line's key (other, provincial) is no word
            if isinstance(node, dict):
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    if isinstance(value, str):
                        word = _label(value.strip("*")) if not value.startswith("re:") else ""
                        if len(word) >= 2:
                            out.add(word)
                    else:
                        walk(value)

        walk({k: v for k, v in self.data.items() if k not in ("title", "limits", "debris")})
        return frozenset(out)

    @functools.cached_property
    def debris(self) -> dict[str, Matcher]:
        return {k: Matcher.compile(v, f"debris.{k}") for k, v in self.data["debris"].items()}

    amounts_yuan = _patterns("units.yuan")

    @functools.cached_property
    def block_labels(self) -> Matcher:
        """Every label that names a block and carries no value of its own."""
        pats = []
        for key in ("funds", "goals", "indicators", "conclusions", "other", "fund_management"):
            pats += self.data["blocks"][key]
        return Matcher.compile(pats, "blocks")

    @functools.cached_property
    def max_label_len(self) -> int:
        return int(self.data["limits"]["max_label_length"])

    @functools.cached_property
    def segment_marks(self) -> dict[str, Matcher]:
        """What starts a form in a sheet: its title, its name label, the first label of a block."""
        return {
            "name": Matcher.compile(self.data["segments"]["name"], "segments.name"),
            "block": Matcher.compile(self.data["segments"]["block"], "segments.block"),
            "weak": Matcher.compile(self.data["segments"]["weak_name"], "segments.weak_name"),
        }

    # -- one look-up per label: what a label can start, what column it heads ------------------------

    @functools.cached_property
    def segment_kind(self) -> _Memo:
        """label → ``title``, ``name``, ``weak`` or ``block`` (what starts a form), or None."""
        return _Memo(self._segment_kind)

    def _segment_kind(self, s: str) -> str | None:
        marks = self.segment_marks
        if len(s) > 2 * self.max_label_len and not s.startswith(self._inline_name_heads):
            # a long text (an indicator, a goal) can at most be a title: skip the label tests
            return "title" if len(s) < 120 and self.title(s) else None
        return ("title" if len(s) < 120 and self.title(s) else "name" if marks["name"](s)
                else "weak" if marks["weak"](s) else "block" if marks["block"](s) else None)

    @functools.cached_property
    def _inline_name_heads(self) -> tuple[str, ...]:
        """Name labels that may carry their value inline (项目名称：…): long, but still a form start."""
        return tuple(p for p in self.segment_marks["name"].exact) + tuple(self.segment_marks["name"].prefixes)

    @functools.cached_property
    def indicator_heading(self) -> _Memo:
        """label → the indicator column it heads (None for the table's own label and for long texts)."""
        return _Memo(self._indicator_heading)

    def _indicator_heading(self, s: str) -> str | None:
        if len(s) > 2 * self.max_label_len:
            return None  # a column heading is a short label; long texts are the table's values
        return None if self.indicator_block(s) else self.classify(self.indicator_columns, s)

    # -- helpers --------------------------------------------------------------------------------

    def classify(self, fields: tuple[tuple[str, Matcher], ...], s: str) -> str | None:
        """The first field of ``fields`` whose patterns match ``s`` (memoised per field list)."""
        return self.classifier(fields)(s)

    def classifier(self, fields: tuple[tuple[str, Matcher], ...]) -> _Memo:
        """``classify`` for one field list as a memo to call in a loop: label → first field or None."""
        memo = self._classified.get(id(fields))
        if memo is None:
            anyone = self._any_of(fields)

            def first(label: str) -> str | None:
                # most cells name no field at all: one combined test says so before the fields are tried
                return next((k for k, m in fields if m(label)), None) if anyone._test(label) else None

            memo = self._classified[id(fields)] = _Memo(first)
        return memo

    @functools.cached_property
    def _classified(self) -> dict:
        return {}

    def _any_of(self, fields: tuple[tuple[str, Matcher], ...]) -> Matcher:
        combined = self._combined.get(id(fields))
        if combined is None:
            combined = Matcher.compile([p for _, m in fields for p in m.patterns], "combined")
            self._combined[id(fields)] = combined
        return combined

    @functools.cached_property
    def _combined(self) -> dict:
        return {}


    def is_known_label(self, s: str) -> bool:
        """A label of the form (a field's or a block's): never taken as another field's value."""
        if not s or len(s) > self.max_label_len:
            return False
        return self.known_label(s)

    @functools.cached_property
    def known_label(self) -> Matcher:
        pats: list[str] = []
        for _, m in self.value_labels:
            pats += m.patterns
        pats += self.block_labels.patterns + self.total.patterns + self.header_extra.patterns + self.header_score.patterns
        return Matcher.compile(pats, "labels")


@functools.lru_cache(maxsize=64)
def _compiled(vocab: Vocabulary, section: str) -> tuple[tuple[str, Matcher], ...]:
    return tuple((k, Matcher.compile(v, f"{section}.{k}")) for k, v in vocab.data[section].items())


@functools.lru_cache(maxsize=64)
def _compiled_list(vocab: Vocabulary, section: str) -> tuple[tuple[str, Matcher], ...]:
    """A section written as an array of ``{key = …, labels = […]}`` tables (keys may repeat)."""
    return tuple((e["key"], Matcher.compile(e["labels"], f"{section}.{e['key']}")) for e in vocab.data[section])


# --------------------------------------------------------------------------------------------
# Loading and merging


def _builtin_text() -> bytes:
    return resources.files("evaltools.forms").joinpath("vocabulary.toml").read_bytes()


def _merge(base: dict, extra: dict, where: str = "") -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        path = f"{where}.{key}" if where else key
        if key not in out:
            # a new field needs a column of the contract: a user adds labels, not keys
            raise VocabularyError(f"词表中有未知的部分“{path}”" if not where else f"词表中有未知的键“{path}”")
        cur = out[key]
        if isinstance(cur, dict) and isinstance(value, dict):
            out[key] = _merge(cur, value, path)
        elif isinstance(cur, list) and isinstance(value, list):
            out[key] = list(value) + [v for v in cur if v not in value]  # the user's words first
        elif isinstance(cur, list) or isinstance(value, list) or isinstance(cur, dict) or isinstance(value, dict):
            raise VocabularyError(f"词表键“{path}”的类型与内置词表不同")
        else:
            out[key] = value
    return out




@functools.lru_cache(maxsize=16)
def _load(path_key: str, mtime_ns: int) -> Vocabulary:
    base_bytes = _builtin_text()
    data = tomllib.loads(base_bytes.decode("utf-8"))
    h = hashlib.sha256(base_bytes)
    source = "built-in"
    if path_key:
        try:
            text = Path(path_key).read_bytes()
            extra = tomllib.loads(text.decode("utf-8"))
        except OSError as exc:
            raise VocabularyError(f"词表文件“{path_key}”无法读取：{exc.strerror or exc}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise VocabularyError(f"词表文件“{path_key}”不是有效的 TOML：{exc}") from None
        data = _merge(data, extra)
        h.update(b"\0" + text)
        source = path_key
    vocab = Vocabulary(data=data, digest=h.hexdigest()[:16], source=source)
    _validate(vocab)
    return vocab


def _validate(vocab: Vocabulary) -> None:
    """Check the shape and compile everything now: a bad file is reported when it is given, not mid-batch."""
    from ..schema import FUND_SOURCES

    data = vocab.data
    for i, ft in enumerate(data.get("form_types", [])):
        if not isinstance(ft, dict) or not isinstance(ft.get("name"), str) or not ft["name"]:
            raise VocabularyError(f"词表 form_types[{i}] 缺少表式名称 name")
        if not isinstance(ft.get("audited", True), bool):
            raise VocabularyError(f"词表 form_types[{i}].audited 应为 true 或 false")
    for i, fl in enumerate(data.get("fund_lines", [])):
        if not isinstance(fl, dict) or "key" not in fl or "labels" not in fl:
            raise VocabularyError(f"词表 fund_lines[{i}] 应有 key 和 labels")
        if fl["key"] not in FUND_SOURCES:
            raise VocabularyError(f"词表 fund_lines[{i}].key “{fl['key']}”不是资金来源之一（{'、'.join(FUND_SOURCES)}）")
    if not isinstance(data.get("limits", {}).get("max_label_length"), int):
        raise VocabularyError("词表 limits.max_label_length 应为整数")
    for key in ("year_row", "title_year"):
        try:
            re.compile(data["title"][key])
        except (re.error, TypeError) as exc:
            raise VocabularyError(f"词表 title.{key} 不是有效的正则表达式：{exc}") from None
    try:
        for name in dir(Vocabulary):
            if isinstance(getattr(Vocabulary, name), functools.cached_property):
                getattr(vocab, name)
    except (KeyError, TypeError, AttributeError) as exc:
        raise VocabularyError(f"词表结构有误：{type(exc).__name__}: {exc}") from None


def load_vocabulary(vocabulary: "str | Path | Vocabulary | None" = None) -> Vocabulary:
    """The built-in vocabulary, or it extended by a user's TOML file (compiled once per process)."""
    if isinstance(vocabulary, Vocabulary):
        return vocabulary
    if vocabulary is None or vocabulary == "":
        return _load("", 0)
    p = Path(vocabulary).resolve()
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise VocabularyError(f"词表文件“{vocabulary}”无法读取：{exc.strerror or exc}") from None
    return _load(str(p), mtime)


def builtin() -> Vocabulary:
    return _load("", 0)
