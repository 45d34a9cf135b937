"""Read 年度指标值 / 调整后指标值 / 实际完成值 texts the way a reviewer reads them.

``parse_value`` turns a printed value into a :class:`Value`: an operator, a number and a canonical
unit (``"<=4.83万元"``, ``"不低于95%"``, ``"1000M"``, ``"三个"``), a qualitative label with its result
tier (``"资金拨付及时到位"`` → 及时, ``"部分达成"`` → partial), a period (``"2020年1月1日—12月底"``),
a frequency (``"一月一次"``), an empty cell, or ``"unparsed"`` when the text states nothing a program
can check (``"全县各乡镇、各单位"``). ``meets`` says whether an actual value meets a target,
``direction`` whether a target is positive, negative or an equality.

Reading conventions (the ambiguous cases, decided once here):

* Text is NFKC-normalised (full-width digits, ``＝ ＞ ＜ ％ ，`` become ASCII) and all whitespace is
  removed before reading, so the result does not depend on spacing or character width.
* ``以上`` / ``以下`` / ``以内`` include the number (as in Chinese legal usage): ``95%以上`` is ``>=95``.
  A printed prefix operator wins over a suffix one (``≥95%以上`` is ``>=``).
* A range ``95%-100%`` reads as its lower bound with ``>=`` (the plan promises at least the lower end).
* ``100余人`` / ``100多人`` read as ``>=100人``; ``约`` / ``左右`` are dropped.
* ``N月`` alone (``12月``) is a month, i.e. a period; ``N个月`` and ``>=N月`` are durations.
  ``NNNN年`` with a plausible year (1900–2100) is a period, smaller numbers with 年 are durations.
* ``全年`` / ``本年度`` / ``年内`` … are periods with label ``全年`` and no dates, unless
  ``parse_value(text, year=...)`` supplies the evaluation year; year-less dates (``12月底前``) alike.
* A deadline (``2021年12月31日前``, ``年底前``, ``截至…``) is a period with ``op="<="`` and only ``end``;
  ``…起`` / ``…以后`` a period with ``op=">="`` and only ``start``. ``N月前`` means by the end of month N.
* Qualitative tiers are the result a text states when read as an actual value: verdicts
  (``达成年度指标`` / ``部分达成`` / ``未完成`` …) give their own tier; a descriptive label
  (``及时``, ``健全``, ``得到保障``) asserts that the state was reached, so it is ``achieved``;
  ``基本…`` / ``部分…`` make it ``partial``, a negation (``不及时``, ``未到位``) makes it ``not`` and the
  label becomes ``"不" + label``.
* Units are canonical (``M``/``兆`` → ``Mbps``, ``名``/``位`` → ``人``, ``个月`` → ``月``, ``千克`` → ``公斤``);
  ``万``/``亿`` before a non-money unit multiply (``1.2万人`` → 12000 人); a bare ``万`` multiplies a
  unitless number. Trailing words after the unit are ignored (``100%覆盖`` → 100 %).
* Dimensions beyond the core list: ``volume``, ``concentration``, ``data``, ``energy``, composite
  ``"money/count"`` style ones for ``元/人``, and ``frequency`` for frequency values.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import math
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Value", "direction", "meets", "normalize", "parse_value"]

KINDS = ("number", "qualitative", "period", "frequency", "empty", "unparsed")
TIERS = ("achieved", "partial", "not")


@dataclass(frozen=True)
class Value:
    """One printed target or actual value, as read."""

    text: str  # as printed (unchanged)
    kind: str  # "number" | "qualitative" | "period" | "frequency" | "empty" | "unparsed"
    op: str | None = None  # "=", ">=", "<=", ">", "<"; None when none printed
    number: float | None = None
    unit: str = ""  # canonical unit; "" when none printed
    dimension: str = ""  # "count" | "percent" | "money" | "duration" | ... | "" (none)
    label: str = ""  # qualitative (and word periods): the canonical label found
    tier: str | None = None  # qualitative result tier: "achieved" | "partial" | "not" | None
    start: datetime.date | None = None  # period
    end: datetime.date | None = None
    per: str = ""  # frequency: "日", "周", "月", "季度", "半年", "年"

    def money_wan(self) -> float | None:
        """A money amount in 万元 (元/10000, 千元/10, 亿元×10000), else None."""
        if self.kind != "number" or self.dimension != "money" or self.number is None:
            return None
        return self.number * _FACTORS[self.unit]

    def comparable(self, other: Value) -> bool:
        """Whether the two values measure the same thing, so that one can be checked against the other.

        Numbers: the same unit, units convertible within one dimension (元/万元, 小时/分钟, 公里/km,
        %/‰), or one side bare (a unit left off). Frequencies with frequencies, and with counts of
        次 (or bare numbers) read as a year's occurrences. Periods with periods, labels with labels.
        """
        a, b = self, other
        if a.kind == "frequency" and b.kind == "frequency":
            return True
        if {a.kind, b.kind} == {"frequency", "number"}:
            n = a if a.kind == "number" else b
            return n.unit in ("", "次")
        if a.kind == "number" and b.kind == "number":
            if a.unit == b.unit or not a.unit or not b.unit:
                return True
            return (a.dimension == b.dimension and a.unit in _FACTORS and b.unit in _FACTORS
                    and frozenset({a.unit, b.unit}) not in _INCOMPARABLE)
        return bool(a.kind == b.kind and a.kind in ("period", "qualitative"))


# ---------------------------------------------------------------------------------------------
# Units

# raw spelling → (canonical unit, dimension); the longest spelling matching wins
_UNIT_TABLE: dict[str, tuple[str, str]] = {}
# canonical unit → factor to its dimension's base unit, for units that convert into each other
_FACTORS: dict[str, float] = {}


def _units(dimension: str, spec: dict[str, tuple[str, ...] | str], factors: dict[str, float] | None = None):
    for canon, spellings in spec.items():
        spellings = (spellings,) if isinstance(spellings, str) else spellings
        for s in (canon, *spellings):
            _UNIT_TABLE[s] = (canon, dimension)
    for canon, f in (factors or {}).items():
        _FACTORS[canon] = f


_units("count", {
    "人": ("名", "位"), "人次": ("人/次",), "户": (), "户次": (), "套": (), "台": (), "台套": (), "台次": (),
    "个": (), "条": (), "次": (), "项": (), "份": (), "家": (), "家次": (), "所": (), "篇": (), "场": (),
    "场次": (), "期": (), "期次": (), "批": (), "批次": (), "座": (), "处": (), "辆": (), "件": (), "件次": (),
    "本": (), "册": (), "张": (), "支": (), "只": (), "头": (), "株": (), "棵": (), "间": (), "栋": (), "幢": (),
    "部": (), "根": (), "块": (), "宗": (), "类": (), "门": (), "班": (), "组": (), "村": (), "校": (), "例": (),
    "盏": (), "眼": (), "艘": (), "架": (), "架次": (), "匹": (), "羽": (), "床": (), "节": (), "车次": (),
    "轮": (), "届": (), "单": (), "笔": (), "起": (), "封": (), "页": (), "首": (), "幅": (), "课": (), "门次": (),
    "人日": (), "工日": (), "天次": (), "个村": (), "个乡镇": (), "个单位": (), "网点": (), "站": (), "点位": (),
})
_units("percent", {"%": ("％",), "‰": ()}, {"%": 1.0, "‰": 0.1})
_units("money", {"元": (), "千元": (), "万元": (), "百万元": (), "亿元": ()},
       {"元": 1e-4, "千元": 0.1, "万元": 1.0, "百万元": 100.0, "亿元": 1e4})
_units("duration", {
    "秒": ("秒钟",), "分钟": ("min",), "小时": ("个小时", "h", "时"), "天": ("日历天",), "日": (), "周": ("个周", "星期"),
    "月": ("个月",), "季度": ("个季度",), "年": ("个年度",), "工作日": ("个工作日",), "课时": (), "学时": (),
}, {"秒": 1 / 3600, "分钟": 1 / 60, "小时": 1.0, "天": 24.0, "日": 24.0, "周": 168.0,
    "月": 365 * 24 / 12, "季度": 365 * 24 / 4, "年": 365 * 24.0})
_units("speed", {"Kbps": ("K", "kb/s", "kbit/s"), "Mbps": ("M", "兆", "Mb", "Mb/s", "M/s", "Mbit/s", "兆bps", "MB/s"),
                 "Gbps": ("G", "千兆", "Gb", "Gb/s", "G/s", "Gbit/s", "GB/s")},
       {"Kbps": 1e-3, "Mbps": 1.0, "Gbps": 1e3})
_units("length", {"米": ("m", "延米"), "厘米": ("cm",), "毫米": ("mm",), "公里": ("千米",), "km": ()},
       {"米": 1.0, "厘米": 0.01, "毫米": 0.001, "公里": 1000.0, "km": 1000.0})
_units("area", {"平方米": ("m²", "平米", "平方"), "亩": (), "公顷": ("hm²",), "平方公里": ("km²", "平方千米")},
       {"平方米": 1.0, "亩": 10000 / 15, "公顷": 1e4, "平方公里": 1e6})
_units("weight", {"克": ("g",), "公斤": ("千克", "kg"), "斤": (), "吨": ("t",)},
       {"克": 1e-3, "公斤": 1.0, "斤": 0.5, "吨": 1000.0})
_units("volume", {"立方米": ("m³", "方"), "升": ("L",)}, {"立方米": 1.0, "升": 1e-3})
_units("concentration", {"微克/立方米": ("μg/m³", "ug/m³"), "毫克/立方米": ("mg/m³",), "毫克/升": ("mg/L", "mg/l")},
       {"微克/立方米": 1e-3, "毫克/立方米": 1.0, "毫克/升": 1.0})
_units("data", {"MB": (), "GB": (), "TB": ()}, {"MB": 1e-3, "GB": 1.0, "TB": 1e3})
_units("energy", {"千瓦时": ("kWh", "度电")}, {"千瓦时": 1.0})
_units("points", {"点": (), "百分点": ("个百分点",)}, {"点": 1.0, "百分点": 1.0})
_units("points", {"分": ()})  # a score: not convertible into 点

# 毫克/立方米 and 毫克/升 share the factor 1 but are different things: keep them apart
_INCOMPARABLE = {frozenset({"毫克/立方米", "毫克/升"})}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_UNIT_RE = re.compile(_alternation(_UNIT_TABLE))
# Latin spellings typed in any case ("KM", "mbps"); single letters stay case-sensitive (M ≠ m)
_UNIT_CI = {k.lower(): v for k, v in _UNIT_TABLE.items() if k.isascii() and len(k) >= 2}
_UNIT_CI_RE = re.compile(_alternation(_UNIT_CI), re.IGNORECASE)


def _match_unit(s: str, i: int) -> tuple[str, str, int] | None:
    """The unit starting at ``s[i]``: (canonical, dimension, end) or None."""
    m = _UNIT_RE.match(s, i)
    c = _UNIT_CI_RE.match(s, i)
    if c and (not m or c.end() > m.end()):
        canon, dim = _UNIT_CI[c.group().lower()]
        return canon, dim, c.end()
    if m:
        canon, dim = _UNIT_TABLE[m.group()]
        return canon, dim, m.end()
    return None


# ---------------------------------------------------------------------------------------------
# Operators

_OP_SYMBOLS = (  # applied after NFKC, in this order
    ("≧", ">="), ("≦", "<="), ("≥", ">="), ("≤", "<="), ("⩾", ">="), ("⩽", "<="), ("≮", ">="), ("≯", "<="),
    ("›", ">"), ("‹", "<"), ("〉", ">"), ("〈", "<"), ("》", ">"), ("《", "<"),
)
_OP_SYMBOL_FIX = re.compile(r"(?:>=|=>)=*|(?:<=|=<)=*|={2,}")
_OP_SYMBOL_FIX_MAP = {">": ">=", "=>": ">=", "<": "<=", "=<": "<="}

_PREFIX_WORDS = {
    ">=": ("不低于", "不少于", "不小于", "不得低于", "不得少于", "不应低于", "至少", "最少", "大于等于", "大于或等于",
           "高于或等于", "多于或等于", "达到", "达"),
    "<=": ("不超过", "不高于", "不大于", "不多于", "不得超过", "不得高于", "不应超过", "最多", "至多", "最高", "小于等于",
           "小于或等于", "低于或等于", "控制在", "控制"),
    ">": ("高于", "大于", "超过", "多于"),
    "<": ("低于", "小于", "少于", "不足", "不到", "未满"),
    "=": ("等于", "为"),
}
_PREFIX_OP = {w: op for op, ws in _PREFIX_WORDS.items() for w in ws}
_SYMBOL_RE = r">=|<=|>|<|="
# the operator closest to the number, possibly followed by filler words ("控制在", "达到")
_HEAD_OP_RE = re.compile(rf"(?P<op>{_SYMBOL_RE}|{_alternation(_PREFIX_OP)})(?:在|为|达|到|是|:)*$")
_SUFFIX_WORDS = {
    ">=": ("及以上", "或以上", "以上", "之上"),
    "<=": ("及以下", "或以下", "以下", "以内", "之内", "内", "以下内"),
}
_SUFFIX_OP = {w: op for op, ws in _SUFFIX_WORDS.items() for w in ws}
_SUFFIX_RE = re.compile(_alternation(_SUFFIX_OP))

_EMPTY = frozenset({
    "", "-", "--", "---", "—", "——", "–", "――", "―", "‐", "/", "//", "\\", "无", "暂无", "空", "不适用", "n/a",
    "na", "null", "none", "nan", "#n/a", "/无", "无/",
})

# ---------------------------------------------------------------------------------------------
# Numbers

_NUM_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "[零〇一二两三四五六七八九十百千]+"
_CN_RE = re.compile(_CN)


def _cn_int(s: str) -> int | None:
    """A small Chinese numeral (``三`` 3, ``十二`` 12, ``两百`` 200, ``一千零五`` 1005)."""
    if not s:
        return None
    if len(s) > 1 and all(c in _CN_DIGITS for c in s) and ("〇" in s or "零" in s):  # 一〇〇, digit by digit
        return int("".join(str(_CN_DIGITS[c]) for c in s)) if len(s) > 1 else _CN_DIGITS[s]
    total, digit = 0, None
    for c in s:
        if c in _CN_DIGITS:
            if digit is not None and _CN_DIGITS[c] != 0:
                return None  # "三四" is not a numeral here
            digit = _CN_DIGITS[c] or None
        elif c in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[c]
            digit = None
        else:
            return None
    return total + (digit or 0)


# ---------------------------------------------------------------------------------------------
# Qualitative labels

# canonical label → spellings; a "primary" label names the quality asked for, a "secondary" one
# only reinforces it ("及时到位" is about 及时, "有效提高" about 提升)
_PRIMARY = {
    "及时": ("及时", "按时", "按期", "准时", "如期"),
    "健全": ("健全",),
    "完善": ("完善",),
    "推动": ("推动", "推进", "促进", "助推", "助力", "带动"),
    "提升": ("提升", "提高", "增强", "加强", "增加", "增长", "增进", "上升", "增收", "扩大"),
    "改善": ("改善", "好转", "优化", "改观"),
    "降低": ("降低", "减少", "减轻", "下降", "减低", "缩短"),
    "保障": ("保障", "保证", "确保"),
    "满足": ("满足",),
    "长期": ("长期", "长久", "永久", "持久", "长效"),
    "准确": ("准确", "精准", "精确", "无误", "正确"),
    "规范": ("规范", "合规"),
    "发挥": ("发挥",),
    "向好": ("向好",),
    "丰富": ("丰富",),
    "稳定": ("稳定", "平稳", "稳固"),
    "安全": ("安全",),
    "覆盖": ("全覆盖", "覆盖"),
    "符合": ("符合",),
    "满意": ("满意",),
    "畅通": ("畅通",),
    "高效": ("高效",),
    "便捷": ("便捷", "便利", "方便"),
    "公开": ("公开", "透明"),
    "充足": ("充足", "足额"),
    "良好": ("良好", "较好", "完好"),
    "优秀": ("优秀",),
    "合格": ("合格",),
    "达标": ("达标",),
    "落实": ("落实",),
}
_SECONDARY = {
    "到位": ("到位",),
    "正常": ("正常", "顺利"),
    "有效": ("有效", "见效", "成效"),
    "明显": ("明显", "显著"),
    "建立": ("建立", "建成"),
}
# verdicts: (canonical label, tier, spellings); partial before not before achieved, so that
# "未全部完成" is partial and "未完成" is not before "完成" is seen
_VERDICTS = (
    ("部分达成", "partial", ("部分达成", "基本达成", "部分完成", "基本完成", "基本实现", "部分实现", "基本达到",
                          "部分达到", "基本达标", "大部分完成", "未全部完成", "未完全", "尚未全部", "未能全部")),
    ("不合格", "not", ("不合格",)),
    ("不及时", "not", ("滞后", "延期", "延迟", "推迟", "逾期", "超期")),
    ("未达成", "not", ("未达成", "未完成", "未实现", "未达到", "未达标", "不达标", "没有完成", "没有达到", "没有实现",
                    "未能完成", "未能实现", "未能达到", "未按期", "未按时", "未落实", "未开展", "未启动", "未执行")),
    ("达成年度指标", "achieved", ("达成年度指标", "达成预期指标", "达成年度目标", "达成预期目标", "达到预期", "达成目标",
                          "达到目标", "已达成", "达成", "达到")),
    ("完成", "achieved", ("全部完成", "全面完成", "圆满完成", "已完成", "完成")),
    ("实现", "achieved", ("已实现", "实现")),
)
_WHOLE_WORDS = {  # texts that are a label only when they are the whole text
    "是": ("是", "achieved"), "已": ("是", "achieved"), "有": ("是", "achieved"), "否": ("否", "not"),
    "优": ("优秀", "achieved"), "良": ("良好", "achieved"), "好": ("良好", "achieved"), "中": ("中", "partial"),
    "差": ("差", "not"), "√": ("是", "achieved"), "✓": ("是", "achieved"), "×": ("否", "not"),
}
_NEGATORS = ("不能", "未能", "没有", "无法", "尚未", "不够", "不太", "不", "未", "没", "欠")
_PARTIALS = ("大部分", "基本", "部分", "初步")

_DESCR = {s: (canon, True) for canon, ss in _PRIMARY.items() for s in ss}
_DESCR.update({s: (canon, False) for canon, ss in _SECONDARY.items() for s in ss})
_DESCR_RE = re.compile(_alternation(_DESCR))
_VERDICT_RES = tuple((label, tier, re.compile(_alternation(ss))) for label, tier, ss in _VERDICTS)
_NEG_RE = re.compile(f"(?:{_alternation(_NEGATORS)})$")
_PART_RE = re.compile(f"(?:{_alternation(_PARTIALS)})$")
_TIER_RANK = {"achieved": 0, "partial": 1, "not": 2}

# ---------------------------------------------------------------------------------------------
# Periods and frequencies

_YEAR = r"(?:19|20)\d{2}"
_MONTH = r"(?:1[0-2]|0?[1-9])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_MOD = r"底|末|初|中旬|上旬|下旬|上半年|下半年|全年|第?[一二三四1-4]季度"
_CN_DATE_RE = re.compile(
    rf"(?:(?P<y>{_YEAR})年(?:度)?)?(?:(?P<m>{_MONTH})月(?:份)?)?(?:(?P<d>{_DAY})[日号])?(?P<mod>{_MOD})?"
)
_NUM_DATE_RE = re.compile(rf"(?P<y>{_YEAR})(?P<sep>[./-])(?P<m>{_MONTH})(?!\d)(?:(?P=sep)(?P<d>{_DAY})(?!\d))?")
_NUM_DATE2_RE = re.compile(rf"(?P<m>{_MONTH})(?:[./-](?P<d>{_DAY}))?(?!\d)")  # second half: "2021.1-12"
_DAY_ONLY_RE = re.compile(rf"(?P<d>{_DAY})[日号]")
_YEAR_MONTHS_RE = re.compile(rf"(?P<y>{_YEAR})年(?P<m1>{_MONTH})月?(?:-|~|—|–|―|至|到)(?P<m2>{_MONTH})月(?P<mod>底|末)?")
_RANGE_SEP_RE = re.compile(r"——|--|—|–|―|-|~|至|到")
_PERIOD_SUFFIX = {
    "<=": ("底前", "末前", "之前", "以前", "前", "为止", "止", "以内", "之内", "内"),
    ">=": ("起", "以后", "之后", "开始", "以来"),
}
_PERIOD_SUFFIX_OP = {w: op for op, ws in _PERIOD_SUFFIX.items() for w in ws}
_PERIOD_SUFFIX_RE = re.compile(_alternation(_PERIOD_SUFFIX_OP))
_MONTH_DURATION_TAILS = ("以内", "之内", "内", "以上", "以下", "及以上", "及以下", "或以上", "或以下")
_DEADLINE_PREFIX_RE = re.compile(r"(?:截至|截止|截止到|截至到|到|至)$")
_WORD_PERIOD_RE = re.compile(
    r"^(?:全年|全年度|本年|本年度|当年|当年度|年度内|年内|本年内|当年内|年度|全年内|本年度内)"
    r"(?:内|期间)?(?:完成|实施|执行|开展|运行|使用|服务|租赁)?$"
)
_YEAR_END_RE = re.compile(r"^(?:本年|当年)?(?:年底|年末|年终)(?P<before>前|之前|以前)?(?:完成)?$")

_PER = r"(?P<per>半年|半年度|季度|季|年度|年|个月|月|周|星期|礼拜|天|日)"
_PER_CANON = {"半年": "半年", "半年度": "半年", "季度": "季度", "季": "季度", "年度": "年", "年": "年", "个月": "月",
              "月": "月", "周": "周", "星期": "周", "礼拜": "周", "天": "日", "日": "日"}
_PER_PER_YEAR = {"日": 365.0, "周": 52.0, "月": 12.0, "季度": 4.0, "半年": 2.0, "年": 1.0}
_FREQ_UNIT = r"(?P<u>次|回|遍|期|场|轮|报|趟)"
_FREQ_OPS = rf"(?P<op>{_SYMBOL_RE}|{_alternation(w for w, o in _PREFIX_OP.items() if o != '=')})?"
_FREQ_SUFFIX = rf"(?P<suf>{_alternation(_SUFFIX_OP)})?"
_FREQ_RES = (
    # 一月一次, 每月1次, 每季度开展一次, 一年两次, 半年一次, 每月至少1次
    re.compile(rf"^(?P<pre>每|每个|每一|一|1)?{_PER}度?(?P<fill>\D{{0,8}}?){_FREQ_OPS}(?P<n>\d+|{_CN}){_FREQ_UNIT}"
               rf"{_FREQ_SUFFIX}(?P<tail>\D{{0,8}})$"),
    # 1次/月, ≥2次/年, 12次每年
    re.compile(rf"^{_FREQ_OPS}(?P<n>\d+|{_CN}){_FREQ_UNIT}(?:/|每){_PER}度?{_FREQ_SUFFIX}$"),
)
_FREQ_HINT_RE = re.compile(r"^[一1]|半年|按")
_FREQ_ONCE_RE = re.compile(rf"^(?:按|每){_PER}度?(?:一次|1次)?(?:开展|进行|支付|发放|报送|拨付|结算|检查|更新|维护)?$")

_PERCENT_WORD_RE = re.compile(r"百分之(?P<n>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)")
_SPACE_RE = re.compile(r"\s+")
_SUPERSCRIPT_RE = re.compile(r"(?<=[a-zA-Z])[23](?![\d.])")
_TRAILING_PUNCT = ".。;；,，、!！"
_DIGIT_RE = re.compile(r"\d")


def normalize(text: str) -> str:
    """NFKC (full width → half width), no whitespace, operators spelled in ASCII."""
    s = _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))
    # removing a space can leave a base letter next to a combining mark: compose again
    s = unicodedata.normalize("NFKC", s)
    for a, b in _OP_SYMBOLS:
        if a in s:
            s = s.replace(a, b)
    if "=" in s:
        s = _OP_SYMBOL_FIX.sub(lambda m: _OP_SYMBOL_FIX_MAP.get(m.group().rstrip("=") or "=", "="), s)
    if "2" in s or "3" in s:
        s = _SUPERSCRIPT_RE.sub(lambda m: "²" if m.group() == "2" else "³", s)  # m2 is a unit, not a number
    return s.strip(_TRAILING_PUNCT)


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_value(text: object, *, year: int | None = None) -> Value:
    """Read a printed value. Never raises; accepts str, int, float, None (and dates, Decimals).

    ``year`` (the evaluation year) dates periods printed without a year (``全年``, ``12月底前``).
    """
    try:
        if text is None:
            return Value("", "empty")
        if isinstance(text, str):
            return _parse_str(text, year)
        if isinstance(text, bool):
            return Value("是" if text else "否", "qualitative", label="是" if text else "否",
                         tier="achieved" if text else "not")
        if isinstance(text, datetime.datetime):
            text = text.date()
        if isinstance(text, datetime.date):
            return Value(text.isoformat(), "period", start=text, end=text)
        if isinstance(text, (int, float)) or type(text).__name__ == "Decimal":
            x = float(text)
            if math.isnan(x):
                return Value("", "empty")
            printed = str(int(x)) if math.isfinite(x) and x.is_integer() and abs(x) < 1e15 else str(text)
            if not math.isfinite(x):
                return Value(printed, "unparsed")
            return Value(printed, "number", number=x)
        return _parse_str(str(text), year)
    except Exception:  # noqa: BLE001 - a reader of messy forms must not stop on one cell: report it unparsed
        return Value(text if isinstance(text, str) else repr(text), "unparsed")


@functools.lru_cache(maxsize=1 << 16)  # the same texts recur in every form of a batch
def _parse_str(text: str, year: int | None) -> Value:
    s = normalize(text)
    if s.lower() in _EMPTY:
        return Value(text, "empty")
    if "百分之" in s:
        s = _PERCENT_WORD_RE.sub(lambda m: _percent_word(m.group("n")), s)
    fields = (
        _parse_frequency(s)
        or _parse_period(s, year)
        or _parse_number(s)
        or _parse_qualitative(s)
    )
    if fields is None:
        return Value(text, "unparsed")
    return Value(text, **fields)


def _percent_word(n: str) -> str:
    if n[0].isdigit():
        return n + "%"
    v = _cn_int(n) if n != "百" else 100
    return f"{v}%" if v is not None else n


def _parse_frequency(s: str) -> dict | None:
    if "每" not in s and "/" not in s and not _FREQ_HINT_RE.search(s):
        return None
    m = _FREQ_ONCE_RE.match(s)
    if m:
        return {"kind": "frequency", "number": 1.0, "unit": "次", "dimension": "frequency", "per": _PER_CANON[m.group("per")]}
    for i, rx in enumerate(_FREQ_RES):
        m = rx.match(s)
        if not m:
            continue
        g = m.groupdict()
        if i == 0:
            pre = g["pre"]
            if pre is None and g["per"] not in ("半年", "半年度"):
                continue  # "日常检查2次" is not "per day"
            if (g["fill"] or g["tail"]) and not (pre or "").startswith("每"):
                continue
            if any(c.isdigit() for c in g["fill"] or ""):
                continue
        n = float(g["n"]) if g["n"][0].isdigit() else _cn_int(g["n"])
        if n is None:
            continue
        op = _PREFIX_OP.get(g["op"], g["op"]) if g["op"] else None
        if op is None and g["suf"]:
            op = _SUFFIX_OP[g["suf"]]
        unit = "次" if g["u"] in ("次", "回", "遍", "趟", "报") else g["u"]
        return {"kind": "frequency", "op": op, "number": float(n), "unit": unit, "dimension": "frequency",
                    "per": _PER_CANON[g["per"]]}
    return None


def _month_end(y: int, m: int) -> datetime.date:
    return datetime.date(y, m, calendar.monthrange(y, m)[1])


def _span(y: int | None, m: int | None, d: int | None, mod: str | None):
    """(start, end) of a date expression; None dates when the year is unknown. Raises on invalid dates."""
    if y is None:
        return None, None
    if m is None:
        if mod in ("底", "末"):
            return datetime.date(y, 12, 31), datetime.date(y, 12, 31)
        if mod == "初":
            return datetime.date(y, 1, 1), datetime.date(y, 1, 31)
        if mod == "上半年":
            return datetime.date(y, 1, 1), datetime.date(y, 6, 30)
        if mod == "下半年":
            return datetime.date(y, 7, 1), datetime.date(y, 12, 31)
        if mod and "季度" in mod:
            q = "一二三四1234".index(mod.lstrip("第")[0]) % 4 + 1
            return datetime.date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
        return datetime.date(y, 1, 1), datetime.date(y, 12, 31)
    if d is not None:
        day = datetime.date(y, m, d)
        return day, day
    last = calendar.monthrange(y, m)[1]
    if mod in ("底", "末"):
        return datetime.date(y, m, last), datetime.date(y, m, last)
    if mod in ("初", "上旬"):
        return datetime.date(y, m, 1), datetime.date(y, m, 10)
    if mod == "中旬":
        return datetime.date(y, m, 11), datetime.date(y, m, 20)
    if mod == "下旬":
        return datetime.date(y, m, 21), datetime.date(y, m, last)
    return datetime.date(y, m, 1), datetime.date(y, m, last)


def _int(x: str | None) -> int | None:
    return int(x) if x else None


def _date_token(s: str, i: int, inherit: tuple[int | None, int | None] | None, numeric_ok: bool):
    """A date expression at ``s[i]``: (y, m, d, mod, end, numeric, printed_year) or None."""
    m = _NUM_DATE_RE.match(s, i)
    if m:
        return int(m["y"]), int(m["m"]), _int(m["d"]), None, m.end(), True, True
    m = _CN_DATE_RE.match(s, i)
    if m and (m["y"] or m["m"]) and m.end() > i:
        y, mo, d = _int(m["y"]), _int(m["m"]), _int(m["d"])
        if m["y"] and not m["m"] and m["d"]:
            return None  # "2021年5日" is no date
        printed = y is not None
        if y is None and inherit:
            y = inherit[0]
        return y, mo, d, m["mod"], m.end(), False, printed
    if inherit is not None:
        if inherit[1] is not None:
            m = _DAY_ONLY_RE.match(s, i)
            if m:
                return inherit[0], inherit[1], int(m["d"]), None, m.end(), False, False
        if numeric_ok:
            m = _NUM_DATE2_RE.match(s, i)
            if m:
                return inherit[0], int(m["m"]), _int(m["d"]), None, m.end(), True, False
    return None


def _parse_period(s: str, year: int | None) -> dict | None:
    if _WORD_PERIOD_RE.match(s):
        start, end = _span(year, None, None, None)
        return {"kind": "period", "label": "全年", "start": start, "end": end}
    m = _YEAR_END_RE.match(s)
    if m:
        end = datetime.date(year, 12, 31) if year else None
        if m["before"]:
            return {"kind": "period", "op": "<=", "label": "年底", "end": end}
        return {"kind": "period", "label": "年底", "start": end, "end": end}
    if not ("年" in s or "月" in s or "." in s or "-" in s or "/" in s):
        return None
    m = _YEAR_MONTHS_RE.search(s)
    if m:
        y, m1, m2 = int(m["y"]), int(m["m1"]), int(m["m2"])
        rest = s[: m.start()] + s[m.end():]
        if m1 <= m2 and not _DIGIT_RE.search(rest):
            return {"kind": "period", "start": datetime.date(y, m1, 1), "end": _month_end(y, m2)}
    for i in range(len(s)):
        if not s[i].isdigit() or (i and s[i - 1].isdigit()):
            continue
        try:
            found = _period_at(s, i, year)
        except ValueError:  # "2021年2月30日": no such day, so no period
            found = None
        if found is not None:
            return found
        break  # only the first number can start the period: a second one makes the text mixed
    return None


def _period_at(s: str, i: int, year: int | None) -> dict | None:
    t1 = _date_token(s, i, (year, None) if year else None, False)
    if t1 is None:
        return None
    y1, m1, d1, mod1, j, numeric1, printed1 = t1
    head = s[:i]
    if _HEAD_OP_RE.search(head) and (numeric1 or (not printed1 and d1 is None and not mod1)):
        return None  # ">=3月" is a duration of months, ">=2021.5" a number
    start1, end1 = _span(y1, m1, d1, mod1)
    start, end, op = start1, end1, None
    ranged = False
    sep = _RANGE_SEP_RE.match(s, j)
    if sep:
        t2 = _date_token(s, sep.end(), (y1, m1), numeric1)
        if t2 is not None and (t2[1] is not None or t2[6]):  # a month, or a printed year
            y2, m2, d2, mod2, k, _, _ = t2
            _, end = _span(y2, m2, d2, mod2)
            j, ranged = k, True
    tail = s[j:]
    if numeric1 and not ranged and d1 is None and tail and not _PERIOD_SUFFIX_RE.match(tail):
        return None  # "2021.5万元" is an amount, not May 2021
    if not printed1 and not ranged and d1 is None and not mod1 and tail.startswith(_MONTH_DURATION_TAILS):
        return None  # "3月以内", "3月以上": months counted, not a month named
    sm = _PERIOD_SUFFIX_RE.match(s, j)
    if sm and not ranged:
        op = _PERIOD_SUFFIX_OP[sm.group()]
        j = sm.end()
        if sm.group() in ("以内", "之内", "内"):
            op = None  # "2021年内": within the year, i.e. the year itself
    elif not ranged and _DEADLINE_PREFIX_RE.search(head):
        op = "<="
    rest = head + s[j:]
    if _DIGIT_RE.search(rest):
        return None
    if op == "<=":
        start = None
    elif op == ">=":
        end = None
    if start is not None and end is not None and end < start:
        return None
    return {"kind": "period", "op": op, "start": start, "end": end}


def _parse_number(s: str) -> dict | None:
    nums = list(_NUM_RE.finditer(s))
    if not nums:
        return _parse_cn_number(s)
    if len(nums) == 1:
        return _number_fields(s, nums[0], None)
    if len(nums) == 2:
        a, b = nums
        between = s[a.end(): b.start()]
        u = _match_unit(between, 0)
        k = u[2] if u else 0
        sep = _RANGE_SEP_RE.fullmatch(between[k:])
        if sep:
            lo, hi = _num(a.group()), _num(b.group())
            if lo <= hi:
                fields = _number_fields(s, b, a)
                if fields is not None:
                    if not fields["unit"] and u:
                        fields.update(unit=u[0], dimension=u[1])
                    fields.update(op=fields["op"] or ">=", number=lo)
                    return fields
    return None


def _num(t: str) -> float:
    return float(t.replace(",", ""))


def _number_fields(s: str, m: re.Match, first: re.Match | None) -> dict | None:
    """Fields of a number ``m`` with its unit and operators; ``first`` is a range's lower bound."""
    x = _num(m.group())
    head = s[: (first or m).start()]
    op = None
    hm = _HEAD_OP_RE.search(head)
    if hm:
        op = _PREFIX_OP.get(hm["op"], hm["op"])
        head = head[: hm.start()]
    if head.endswith("-") and not _DIGIT_RE.search(head):
        x = -x
    j = m.end()
    unit, dim = "", ""
    if s.startswith(("万", "亿"), j) and not s.startswith(("万元", "亿元"), j):
        x *= 1e4 if s[j] == "万" else 1e8
        j += 1
    if s.startswith(("余", "多"), j):
        op = op or ">="
        j += 1
    u = _match_unit(s, j)
    if u:
        unit, dim, j = u
        # "元/人": an amount per head is not an amount (COST rules must not add it up)
        if s.startswith("/", j):
            u2 = _match_unit(s, j + 1)
            if u2 and (unit + "/" + u2[0]) not in _UNIT_TABLE:
                unit, dim, j = f"{unit}/{u2[0]}", f"{dim}/{u2[1]}", u2[2]
    if s.startswith(("余", "多"), j):
        op = op or ">="
        j += 1
    sm = _SUFFIX_RE.match(s, j)
    if sm:
        op = op or _SUFFIX_OP[sm.group()]
    return {"kind": "number", "op": op, "number": x, "unit": unit, "dimension": dim}


_CN_NUMBER_RE = re.compile(
    rf"^(?P<op>{_SYMBOL_RE}|{_alternation(_PREFIX_OP)})?(?P<n>{_CN})(?P<rest>.+)$"
)


def _parse_cn_number(s: str) -> dict | None:
    """``一次``, ``两次``, ``三个``, ``不少于五人``: only when the whole text is numeral + unit."""
    m = _CN_NUMBER_RE.match(s)
    if not m:
        return None
    n = _cn_int(m["n"])
    if n is None:
        return None
    rest = m["rest"]
    u = _match_unit(rest, 0)
    if not u:
        return None
    unit, dim, j = u
    op = _PREFIX_OP.get(m["op"], m["op"]) if m["op"] else None
    tail = rest[j:]
    if tail:
        sm = _SUFFIX_RE.fullmatch(tail)
        if not sm:
            return None
        op = op or _SUFFIX_OP[sm.group()]
    return {"kind": "number", "op": op, "number": float(n), "unit": unit, "dimension": dim}


def _parse_qualitative(s: str) -> dict | None:
    if s in _WHOLE_WORDS:
        label, tier = _WHOLE_WORDS[s]
        return {"kind": "qualitative", "label": label, "tier": tier}
    worst = None  # worst tier stated anywhere in the text
    verdict_label = ""
    taken = [False] * len(s)  # characters consumed by a verdict ("未完成" is not also "完成")
    for label, tier, rx in _VERDICT_RES:
        for m in rx.finditer(s):
            if any(taken[m.start(): m.end()]):
                continue
            for k in range(m.start(), m.end()):
                taken[k] = True
            if not verdict_label:
                verdict_label = label
            if worst is None or _TIER_RANK[tier] > _TIER_RANK[worst]:
                worst = tier
    primary = secondary = None
    for m in _DESCR_RE.finditer(s):
        if any(taken[m.start(): m.end()]):
            continue
        canon, is_primary = _DESCR[m.group()]
        before = s[: m.start()]
        tier = "achieved"
        if _NEG_RE.search(before) and not before.endswith("不断"):
            tier = "not"
        elif _PART_RE.search(before):
            tier = "partial"
        if worst is None or _TIER_RANK[tier] > _TIER_RANK[worst]:
            worst = tier
        found = ("不" + canon if tier == "not" else canon, tier)
        if is_primary and primary is None:
            primary = found
        elif not is_primary and secondary is None:
            secondary = found
    if primary:
        label = primary[0]
    elif verdict_label:
        label = verdict_label
    elif secondary:
        label = secondary[0]
    else:
        return None
    return {"kind": "qualitative", "label": label, "tier": worst}


# ---------------------------------------------------------------------------------------------
# Comparing


def direction(target: Value) -> str | None:
    """``"positive"`` (>=, >, 不低于, 以上), ``"negative"`` (<=, <, 不超过, 以内), ``"equal"`` (=), or None
    (no operator printed, or not a quantity)."""
    if target.kind not in ("number", "frequency", "period"):
        return None
    return {">=": "positive", ">": "positive", "<=": "negative", "<": "negative", "=": "equal"}.get(target.op)


def _base(v: Value, other: Value) -> float:
    """``v.number`` in a unit shared with ``other`` (base unit when they differ)."""
    if v.unit and other.unit and v.unit != other.unit:
        return v.number * _FACTORS[v.unit]
    return v.number


def _compare(op: str, a: float, t: float, side: int, tol: float) -> bool:
    """Does ``a`` meet ``op t``? ``side`` is -1/+1 when the actual itself says "<a"/">a"."""
    eps = tol * max(1.0, abs(a), abs(t))
    d = a - t
    if op == ">=":
        return d > eps if side < 0 else d >= -eps
    if op == ">":
        return d >= -eps if side > 0 else d > eps
    if op == "<=":
        return d < -eps if side > 0 else d <= eps
    if op == "<":
        return d <= eps if side < 0 else d < -eps
    return side == 0 and abs(d) <= eps  # "="


def _bare_op(target: Value, assume: str | None) -> str | None:
    if assume != "auto":
        return assume
    # a bare amount on a form is a budget line (spend up to it); a bare count or rate a level to reach
    return "<=" if target.dimension == "money" else ">="


def meets(target: Value, actual: Value, *, tol: float = 1e-9, assume: str | None = "auto") -> bool | None:
    """Does ``actual`` meet ``target``? None when they cannot be compared or either is unknown.

    Strict ``<`` and ``>`` are honoured (``<1小时`` is not met by ``1小时``); ``=`` only by equality
    within ``tol`` (relative to the magnitudes, at least absolute); money is compared in 万元. An
    operator in the actual bounds it: ``<1小时`` meets ``<1小时``; ``≥98%`` reads as 98%. A target
    printed without an operator meets an equal actual; otherwise ``assume`` gives its operator:
    ``"auto"`` (default) reads ``<=`` for money and ``>=`` otherwise, None answers None.
    A qualitative target is met by an actual of tier "achieved", by the same label, or by 100%; a
    period target by an equal or covering period, or one that ends by the target's end. Verdict
    labels (达成年度指标, 部分达成, 未完成 …) answer for any target.
    """
    try:
        return _meets(target, actual, tol, assume)
    except Exception:  # noqa: BLE001 - never let one odd pair stop an audit
        return None


_VERDICT_LABELS = frozenset(label for label, _, _ in _VERDICTS) | {"是", "否", "不合格", "合格", "达标"}


def _meets(t: Value, a: Value, tol: float, assume: str | None) -> bool | None:
    if t.kind in ("empty", "unparsed") or a.kind in ("empty", "unparsed"):
        return None
    if a.kind == "qualitative":
        if a.tier in ("partial", "not"):
            return False
        if t.kind == "qualitative":
            if a.tier == "achieved" or (a.label and a.label == t.label):
                return True
            return None
        if a.label in _VERDICT_LABELS and a.tier == "achieved":
            return True
        return None
    if t.kind == "qualitative":
        # a completion rate: 100% (or a bare 100) meets; a bare 0..1.5 may be a fraction or a yes/no
        if a.kind == "number" and a.number is not None and (a.unit == "%" or (not a.unit and a.number > 1.5)):
            return a.number >= 100 * (1 - tol)
        return None
    if t.kind == "period":
        return _meets_period(t, a)
    if not t.comparable(a):
        return None
    if t.kind == "frequency" or a.kind == "frequency":
        tv = t.number * _PER_PER_YEAR[t.per] if t.kind == "frequency" else t.number
        av = a.number * _PER_PER_YEAR[a.per] if a.kind == "frequency" else a.number
        op = t.op or (">=" if t.kind == "frequency" else _bare_op(t, assume))
    else:
        if t.number is None or a.number is None:
            return None
        tv, av = _base(t, a), _base(a, t)
        # a percent typed as a fraction (0.98 for 98%) on one side only
        if t.unit == "%" and not a.unit and 0 < av <= 1.5 < tv:
            av *= 100
        elif a.unit == "%" and not t.unit and 0 < tv <= 1.5 < av:
            tv *= 100
        op = t.op or _bare_op(t, assume)
    if tv is None or av is None:
        return None
    side = {"<": -1, ">": 1}.get(a.op, 0)
    if t.op is None:
        if _compare("=", av, tv, side, tol):
            return True
        if op is None:
            return None
    return _compare(op, av, tv, side, tol)


def _meets_period(t: Value, a: Value) -> bool | None:
    if a.kind != "period":
        return None
    if normalize(t.text) == normalize(a.text):
        return True
    if t.start is None and t.end is None:
        if a.start is None and a.end is None and t.label and t.label == a.label:
            return True
        return None
    if a.end is None and a.start is None:
        return None
    if t.op == "<=" or t.start is None:  # a deadline: done by then
        return None if a.end is None else a.end <= t.end
    if t.op == ">=" or t.end is None:  # from a date on
        return None if a.start is None else a.start >= t.start
    if a.start is None or a.end is None:
        return None if a.end is None else a.end <= t.end
    covers = a.start <= t.start and a.end >= t.end
    return covers or a.end <= t.end
