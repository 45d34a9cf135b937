"""Turn raw cell values into text, labels and numbers, the way a reviewer reads them.

Departments type numbers as text (``'50000'``, ``85.09%``, ``1,234.5``), use full-width digits and
symbols, space labels out (``项 目 名 称``) and write ``--``/``—``/``/`` for "not applicable".
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata

from .errors import NumberError

MISSING_TOKENS = frozenset(
    {"", "-", "--", "---", "—", "——", "–", "－", "/", "／", "\\", "n/a", "na", "无", "空", "不适用", "null"}
)

_SPACE_RE = re.compile(r"\s+")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def to_text(value: object) -> str:
    """A cell value as the text a reader sees: numbers without a spurious ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        if isinstance(value, _dt.datetime) and value.time() == _dt.time():
            return value.date().isoformat()
        return value.isoformat()
    return str(value)


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


def label(value: object) -> str:
    """Normalise a label for matching: NFKC (full width → half width), no whitespace, no colon."""
    if not isinstance(value, str):
        return ""
    return _label(value)


@functools.lru_cache(maxsize=1 << 16)  # the same labels recur in every form of a batch
def _label(value: str) -> str:
    text = _SPACE_RE.sub("", unicodedata.normalize("NFKC", value))
    # removing a space can leave a base letter next to a combining mark: compose again
    return unicodedata.normalize("NFKC", text).rstrip(":")


def clean_text(value: object) -> str:
    """A free-text field as printed, only stripped of surrounding whitespace."""
    return to_text(value).strip()


def decimals_of(raw: str) -> int | None:
    """How many decimals a printed number shows (``"93.63"`` → 2, ``"75"`` → 0)."""
    text = unicodedata.normalize("NFKC", raw).strip().rstrip("%").replace(",", "")
    m = re.search(r"\.(\d+)$", text)
    if m:
        return len(m.group(1))
    return 0 if re.search(r"\d$", text) else None


def parse_number(value: object, *, units: tuple[str, ...] = ()) -> float | None:
    """A number from a cell: ``None`` when the cell says n/a; ``NumberError`` when unreadable.

    ``units`` are suffixes accepted and dropped (``万元`` on an amount, ``分`` on a score).
    A trailing ``%`` is dropped: rates are kept in percent.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return None
        return float(value)
    if not isinstance(value, str):
        raise NumberError(to_text(value))
    text = unicodedata.normalize("NFKC", value).strip()
    if text.lower() in MISSING_TOKENS:
        return None
    text = text.lstrip("'").replace(",", "").replace(" ", "")
    for unit in units:
        if text.endswith(unit):
            text = text[: -len(unit)]
            break
    if text.endswith("%"):
        text = text[:-1]
    if _NUMBER_RE.match(text):
        return float(text)
    raise NumberError(value)
