"""Deterministic synthetic 项目支出绩效自评表 workbooks, with the expected loaded records.

``generate`` writes a small county (one folder per 主管部门) and ``generate_corpus`` a large one for
benchmarks. Every workbook comes with its truth (``truth.json``): for each form the record a loader
should produce (projects / funds / indicators, with the field names of ``evaltools.schema``), the
layout variants it uses and the anomalies injected into it (rule id, the A1 cell affected, a
Chinese detail).

Same arguments → byte-identical files: all randomness comes from ``random.Random`` instances
seeded from ``seed`` and the form's key, and the writers fix every timestamp.

truth.json::

    generator, version, params, variant_names, anomaly_kinds,
    departments: [{index, name, code, county, folder}],
    files: [{file, format, department_index, layout, sheets: [{name, kind, forms}]}],
    forms: [{form, file, sheet, form_index (0-based within the sheet), department_index, domain,
             variants, template, variant_options, clean, expected_info,
             anchor (A1 of the title cell), form_range,
             project: {the 23 fields of schema.PROJECTS from project_name to remarks, + title},
             funds: [{source, label, budget_initial, budget_full_year, executed, weight,
                      exec_rate, score, row}],
             indicators: [{seq, level1, level1_weight, level2, name, target, adjusted_target,
                           actual, weight, score, deviation_reason, nature, row}],
             cells: {project field → A1}, indicator_columns, fund_columns, anomalies}],
    anomalies: [{rule, form, file, sheet, cell, cells, detail, collateral}]

Numbers are JSON numbers as printed (``"1,234.5"`` → 1234.5, ``"85.09%"`` → 85.09); n/a is null.
``collateral`` lists rules that may legitimately fire as a consequence of the anomaly (a weight
total off by 5 also breaks the 10/50/30/10 split: WEIGHT-PROFILE).

Forms without anomalies are internally consistent; the only rules that may fire on them are the
info-level ones listed in each form's ``expected_info`` (``FUND-ADJUSTED``, ``TXT-GOAL-BARE``,
rarely ``VAL-COPIED``). When a budget was adjusted during the year, cost targets were planned on
年初预算数 and the actuals are measured against the 调整后指标值 column.
"""

from __future__ import annotations

import csv
import json
import math
import random
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .xlsxio import SheetSpec, cell_ref, range_ref, write_xls, write_xlsx

__all__ = [
    "ANOMALY_KINDS",
    "SMALL_COUNTY",
    "PLACEMENT_VARIANTS",
    "CONTENT_VARIANTS",
    "VARIANTS",
    "Manifest",
    "generate",
    "generate_corpus",
]

TRUTH_VERSION = 1

# --------------------------------------------------------------------------------------------
# Variant and anomaly names (the public vocabulary of truth.json)

PLACEMENT_VARIANTS = ("shifted", "notes-sheet", "multi-sheet", "stacked", "xls")
CONTENT_VARIANTS = (
    "fund-current-year",  # 其中：当年财政拨款 / 本年财政拨款 / 财政资金 instead of the split
    "fund-total-colon",  # 年度资金总额：
    "na-marker",  # —, -, / or blank for n/a in child 分值/得分
    "no-adjusted",  # no 调整后指标值 column
    "weight-header",  # 分值 written 权重
    "actual-header",  # 实际完成值 written 全年实际值 / 完成值
    "deviation-header",  # 偏差原因 written 未完成原因分析 / 未完成原因及拟采取的改进措施
    "inline-weight",  # 产出指标(50分) / 产 出 指 标 （50分）
    "fullwidth-operators",  # ≥ ≤ ＝ ＜
    "word-operators",  # 不低于 / 不超过 / 以上 / 以内
    "bare-number",  # targets with no operator
    "nature-column",  # a separate 指标性质 column
    "operator-in-actual",  # actual values such as ≥96%
    "numbers-as-text",  # amounts, rates and scores stored as text ("1,234.5", "85.09%")
    "spaced-labels",  # 项 目 名 称
    "fullwidth-punct",  # 项目名称：, 市县（区）财政资金
    "dept-code-prefix",  # 002-示例县教育局
    "dept-code-bracket",  # [002]示例县教育局
    "dept-no-code",  # 示例县教育局
)
VARIANTS = ("seed",) + PLACEMENT_VARIANTS + CONTENT_VARIANTS
_EXCLUSIVE_GROUPS = (
    ("fullwidth-operators", "word-operators"),
    ("dept-code-prefix", "dept-code-bracket", "dept-no-code"),
)

# Anomaly kind → the rule id (rules.md) a correct audit reports for it.
ANOMALY_KINDS = (
    "FUND-SUM",
    "EXEC-SCORE",
    "FUND-RATE",
    "COST-UNIT-SCALE",
    "COST-EXCEEDS-EXECUTED",
    "FUND-OVERSPEND",
    "SCORE-MISSED-FULL",
    "VAL-COPIED",
    "CLASS-SATISFACTION",
    "VAL-VACUOUS",
    "YEAR-MISMATCH",
    "TXT-BOILERPLATE",
    "SCORE-TOTAL",
    "WEIGHT-TOTAL",
    "SCORE-RANGE",
    "DEV-MISSING",
    "STR-PLACEHOLDER",
    "SAT-MISSING",
)
# At most one anomaly per group on a form: members of a group rewrite the same numbers.
_ANOMALY_GROUPS = {
    "funds": (
        "FUND-SUM",
        "EXEC-SCORE",
        "FUND-RATE",
        "COST-UNIT-SCALE",
        "COST-EXCEEDS-EXECUTED",
        "FUND-OVERSPEND",
    ),
    "totals": ("SCORE-TOTAL", "WEIGHT-TOTAL", "SCORE-RANGE"),
    "values": ("SCORE-MISSED-FULL", "VAL-COPIED", "VAL-VACUOUS", "YEAR-MISMATCH", "DEV-MISSING"),
    "structure": ("CLASS-SATISFACTION", "SAT-MISSING", "STR-PLACEHOLDER"),
}
_GROUP_OF = {kind: group for group, kinds in _ANOMALY_GROUPS.items() for kind in kinds}
_FORM_KINDS = tuple(k for k in ANOMALY_KINDS if k != "TXT-BOILERPLATE")
# Applied in this order: structure first, then values, weights, funds; totals are computed last.
_APPLY_ORDER = ("structure", "values", "totals", "funds")

BOILERPLATE_TEXT = "及时列出预算，保证资金到位。"

# --------------------------------------------------------------------------------------------
# Catalogue: departments, domains, projects and indicators


@dataclass(frozen=True)
class Bureau:
    suffix: str  # 教育局 (the county name is prefixed)
    code: str
    domains: tuple[str, ...]


BUREAUS = (
    Bureau("人民政府办公室", "002", ("it", "office")),
    Bureau("教育局", "003", ("edu", "office")),
    Bureau("财政局", "005", ("office", "it")),
    Bureau("公安局", "006", ("office", "it")),
    Bureau("民政局", "008", ("civil", "office")),
    Bureau("人力资源和社会保障局", "010", ("civil", "office")),
    Bureau("卫生健康局", "012", ("health", "office")),
    Bureau("自然资源局", "014", ("eco", "office")),
    Bureau("农业农村局", "015", ("agri", "office")),
    Bureau("水利局", "016", ("water", "office")),
    Bureau("住房和城乡建设局", "017", ("transport", "eco")),
    Bureau("交通运输局", "018", ("transport", "office")),
    Bureau("文化和旅游局", "021", ("culture", "office")),
    Bureau("生态环境局", "023", ("eco", "office")),
    Bureau("应急管理局", "025", ("office", "it")),
    Bureau("医疗保障局", "027", ("health", "civil")),
    Bureau("退役军人事务局", "029", ("civil", "office")),
    Bureau("乡村振兴局", "031", ("agri", "civil")),
    Bureau("市场监督管理局", "033", ("office",)),
    Bureau("统计局", "035", ("office",)),
)


@dataclass(frozen=True)
class IndicatorTemplate:
    """One kind of 三级指标. ``kind``: quant (number + unit), qual (a word), date (a period)."""

    level2: str
    name: str
    kind: str
    unit: str = ""
    op: str = ""
    lo: float = 0
    hi: float = 0
    word: str = ""
    only: tuple[str, ...] = ()  # fits only projects whose name contains one of these


def _only(template: IndicatorTemplate, *keywords: str) -> IndicatorTemplate:
    return IndicatorTemplate(**{**template.__dict__, "only": keywords})


def _q(level2: str, name: str, unit: str, op: str, lo: float, hi: float = 0):
    return IndicatorTemplate(level2, name, "quant", unit, op, lo, hi or lo)


def _w(level2: str, name: str, word: str):
    return IndicatorTemplate(level2, name, "qual", word=word)


def _d(level2: str, name: str):
    return IndicatorTemplate(level2, name, "date")


QTY, QLT, TIME, COST = "数量指标", "质量指标", "时效指标", "成本指标"
ECON, SOC, ECO, SUST = "经济效益", "社会效益", "生态效益", "可持续影响指标"
SAT = "服务对象满意度指标"
OUTPUT, EFFECT, SATISFACTION = "产出指标", "效益指标", "满意度指标"
_LEVEL1_OF = {QTY: OUTPUT, QLT: OUTPUT, TIME: OUTPUT, COST: OUTPUT,
              ECON: EFFECT, SOC: EFFECT, ECO: EFFECT, SUST: EFFECT, SAT: SATISFACTION}
_LEVEL2_ORDER = (QTY, QLT, TIME, COST, ECON, SOC, ECO, SUST, SAT)

GENERIC_INDICATORS = (
    _q(QTY, "开展督导检查次数", "次", ">=", 4, 24),
    _q(QTY, "组织业务培训次数", "次", ">=", 2, 12),
    _q(QLT, "资金使用准确率", "%", "=", 100),
    _q(QLT, "资金发放准确率（%）", "%", "=", 100),
    _q(QLT, "验收合格率（%）", "%", ">=", 95, 98),
    _w(QLT, "工作完成质量", "达标"),
    _q(TIME, "资金拨付及时率（%）", "%", "=", 100),
    _w(TIME, "工作开展及时性", "及时"),
    _d(TIME, "项目完成时限"),
    _w(SOC, "单位日常工作", "得到保障"),
    _w(SOC, "工作效能", "提升"),
    _w(SUST, "长效管理制度", "完善"),
    _w(SUST, "长效管理机制", "健全"),
)

DOMAIN_INDICATORS: dict[str, tuple[IndicatorTemplate, ...]] = {
    "office": (
        _q(QTY, "合同工人数", "人", "<=", 1, 6),
        _q(QTY, "召开工作会议次数", "次", ">=", 4, 12),
        _only(_q(QTY, "考核奖励人数（人）", "人", "=", 20, 120), '考核'),
        _q(QTY, "保障在职人员数（人）", "人", "=", 12, 80),
        _w(QLT, "经费使用规范性", "规范"),
        _w(TIME, "经费支付及时性", "及时"),
        _w(SOC, "单位正常运转", "得到保障"),
        _w(SOC, "保障单位正常运转", "保障"),
        _w(SOC, "干部职工工作积极性", "有效提高"),
        _w(SUST, "内部管理制度", "健全"),
    ),
    "it": (
        _only(_q(QTY, "外网出口电路速率", "M", "=", 100, 1000), '网络', '电路', '外网'),
        _only(_q(QTY, "租用电子政务网线数", "条", "=", 1, 5), '网络', '电子政务'),
        _q(QTY, "运维保障信息系统数（个）", "个", "=", 2, 15),
        _only(_q(QTY, "平台采购数量", "套", "=", 1, 3), '平台', '系统'),
        _only(_q(QTY, "网络安全测评系统数（个）", "个", "=", 2, 12), '安全', '测评'),
        _q(QLT, "线路网络稳定率", "%", ">=", 98, 99),
        _q(QLT, "故障修复处理时间", "小时", "<", 2, 4),
        _q(QLT, "故障降低率（%）", "%", "<=", 3, 5),
        _q(QLT, "系统正常运行率（%）", "%", ">=", 95, 99),
        _w(TIME, "业务处理及时性", "及时"),
        _w(SOC, "信息资源共享和协同办公", "实现"),
        _w(SOC, "政务服务能力", "明显提升"),
        _q(SUST, "使用年限", "年", ">=", 3, 5),
        _w(SUST, "正常使用年限", "长期"),
        _w(QLT, "满足使用程度", "满足"),
    ),
    "edu": (
        _only(_q(QTY, "资助学生人数（人）", "人", "=", 200, 3000), '资助', '助学', '补助', '营养'),
        _q(QTY, "受益学校数量（所）", "所", "=", 5, 40),
        _only(_q(QTY, "维修改造校舍面积（平方米）", "平方米", ">=", 500, 8000), '校舍', '维修'),
        _only(_q(QTY, "培训教师人次", "人次", ">=", 100, 800), '培训'),
        _only(_q(QTY, "购置多媒体教学设备（套）", "套", "=", 10, 120), '信息化', '设备'),
        _q(QLT, "资助对象识别准确率", "%", "=", 100),
        _q(QLT, "工程验收合格率", "%", "=", 100),
        _q(QLT, "培训合格率（%）", "%", ">=", 95, 98),
        _w(SOC, "办学条件", "明显改善"),
        _w(SOC, "家庭经济困难学生负担", "有效减轻"),
        _q(SOC, "义务教育巩固率（%）", "%", ">=", 96, 98),
        _w(SUST, "学生资助长效机制", "健全"),
    ),
    "health": (
        _only(_q(QTY, "家庭医生签约人数（人）", "人", ">=", 5000, 30000), '家庭医生', '公共卫生'),
        _q(QTY, "65岁以上老年人健康管理人数", "人", ">=", 3000, 15000),
        _only(_q(QTY, "医疗设备购置数量（台）", "台", "=", 2, 40), '设备'),
        _q(QTY, "开展健康教育讲座次数", "次", ">=", 12, 48),
        _q(QLT, "居民电子健康档案建档率", "%", ">=", 85, 95),
        _q(QLT, "适龄儿童疫苗接种率", "%", ">=", 90, 95),
        _only(_q(QLT, "设备验收合格率", "%", "=", 100), '设备'),
        _q(TIME, "传染病报告及时率", "%", ">=", 95, 99),
        _w(SOC, "群众健康水平", "逐步提高"),
        _q(SOC, "重大传染病发生率（%）", "%", "<=", 1, 3),
        _w(SUST, "基层医疗服务能力", "持续提升"),
    ),
    "agri": (
        _only(_q(QTY, "建设高标准农田面积（亩）", "亩", ">=", 1000, 20000), '农田'),
        _q(QTY, "农业技术培训人次", "人次", ">=", 200, 2000),
        _q(QTY, "受益农户数（户）", "户", ">=", 200, 5000),
        _only(_q(QLT, "动物强制免疫密度", "%", ">=", 90, 95), '防疫', '动物'),
        _q(QLT, "补贴发放准确率", "%", "=", 100),
        _q(ECON, "亩均增产（公斤）", "公斤", ">=", 20, 80),
        _w(ECON, "农民收入", "稳步增加"),
        _q(ECO, "农村生活垃圾治理率", "%", ">=", 85, 95),
        _w(ECO, "农村人居环境", "明显改善"),
        _w(SUST, "农业产业发展", "持续向好"),
    ),
    "transport": (
        _q(QTY, "农村公路养护里程（公里）", "公里", ">=", 50, 600),
        _only(_q(QTY, "新建道路长度", "公里", "=", 2, 40), '道路建设', '乡村道路'),
        _only(_q(QTY, "桥梁维修数量（座）", "座", "=", 1, 8), '桥'),
        _q(QLT, "工程验收合格率", "%", "=", 100),
        _q(QLT, "优良路率", "%", ">=", 75, 90),
        _w(SOC, "群众出行条件", "明显改善"),
        _q(SOC, "交通事故发生率（%）", "%", "<=", 1, 3),
        _q(SUST, "道路使用年限", "年", ">=", 8, 15),
    ),
    "civil": (
        _q(QTY, "保障人数（人）", "人", "=", 300, 6000),
        _q(QTY, "救助人次", "人次", ">=", 200, 3000),
        _only(_q(QTY, "开发公益性岗位数（个）", "个", "=", 20, 300), '公益性岗位'),
        _q(QLT, "补助发放准确率", "%", "=", 100),
        _q(TIME, "资金发放及时率", "%", "=", 100),
        _w(SOC, "困难群众基本生活", "得到保障"),
        _w(SOC, "社会救助兜底作用", "有效发挥"),
        _w(SUST, "社会救助长效机制", "健全"),
    ),
    "water": (
        _q(QTY, "受益人口（人）", "人", ">=", 1000, 20000),
        _only(_q(QTY, "治理河道长度（公里）", "公里", "=", 1, 15), '河'),
        _only(_q(QTY, "新建供水工程（处）", "处", "=", 2, 20), '饮水', '供水'),
        _q(QLT, "工程质量合格率", "%", "=", 100),
        _q(SOC, "农村自来水普及率", "%", ">=", 90, 97),
        _w(ECO, "河道水生态环境", "明显改善"),
        _q(ECO, "水土流失治理面积（平方公里）", "平方公里", ">=", 5, 40),
        _q(SUST, "工程设计使用年限", "年", ">=", 10, 20),
    ),
    "culture": (
        _only(_q(QTY, "送戏下乡场次", "场", "=", 20, 120), '送戏', '惠民'),
        _q(QTY, "举办文化活动次数", "次", ">=", 5, 30),
        _q(QTY, "免费开放天数", "天", ">=", 280, 310),
        _only(_q(QLT, "文物修缮验收合格率", "%", "=", 100), '文物'),
        _w(SOC, "群众文化生活", "更加丰富"),
        _w(SOC, "公共文化服务水平", "提升"),
        _w(SUST, "公共文化服务体系", "完善"),
    ),
    "eco": (
        _q(QTY, "空气质量优良天数", "天", ">=", 250, 300),
        _q(QTY, "开展执法检查次数", "次", ">=", 12, 60),
        _q(QLT, "监测数据有效率", "%", ">=", 90, 95),
        _q(ECO, "PM2.5平均浓度（微克/立方米）", "微克/立方米", "<=", 35, 50),
        _w(ECO, "生态环境质量", "持续改善"),
        _w(SUST, "环境监管长效机制", "健全"),
    ),
}

SATISFACTION_NAMES = {
    "office": ("工作人员满意度（%）", "单位人员满意度（%）"),
    "it": ("使用人员满意度", "使用人员满意度（%）"),
    "edu": ("学生及家长满意度（%）", "受助学生满意度"),
    "health": ("患者满意度（%）", "签约居民满意度"),
    "agri": ("受益农户满意度（%）", "项目区群众满意度"),
    "transport": ("沿线群众满意度（%）", "群众出行满意度"),
    "civil": ("救助对象满意度（%）", "受益群众满意度"),
    "water": ("受益群众满意度（%）", "项目区群众满意度"),
    "culture": ("观众满意度（%）", "群众满意度（%）"),
    "eco": ("群众满意度（%）", "周边群众满意度"),
}

COST_NAMES = {
    "office": ("劳务费用", "其他商品服务支出", "办公费", "印刷费"),
    "it": ("运行费用", "平台建设成本", "政务网线租赁成本", "网络线路维护成本", "设备购置成本"),
    "edu": ("补助资金发放成本", "维修改造成本", "设备购置成本", "培训成本"),
    "health": ("设备购置成本", "补助资金成本", "宣传印刷成本", "服务运行成本"),
    "agri": ("工程建设成本", "补贴资金成本", "培训成本", "物资采购成本"),
    "transport": ("工程建设成本", "养护成本", "材料采购成本"),
    "civil": ("补助资金成本", "岗位补贴成本", "救助资金成本"),
    "water": ("工程建设成本", "设备购置成本", "运行维护成本"),
    "culture": ("演出服务成本", "修缮工程成本", "活动组织成本"),
    "eco": ("监测运行成本", "设备购置成本", "治理工程成本"),
}

BUDGET_RANGES = {
    "office": (3, 120), "it": (10, 300), "edu": (30, 1500), "health": (20, 800),
    "agri": (20, 1200), "transport": (50, 3000), "civil": (20, 2000), "water": (30, 1500),
    "culture": (5, 300), "eco": (10, 600),
}

# (project name, 预期目标). ``{y}`` is the evaluation year, ``{p}`` the previous year.
PROJECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "office": (
        ("日常办公经费", "保障单位日常正常运转"),
        ("机关运行经费（年初预算固定经费）", "保障机关日常工作正常运行，提高行政效能。"),
        ("{p}年度目标责任制考核奖", "对单位工作人员年度考核结果发放目标考核奖金，激发干部职工工作积极性。"),
        ("公务用车运行维护费", "保障公务用车正常运行，规范公务用车管理。"),
        ("档案管理工作经费", "完成档案整理、数字化和安全保管工作，提升档案管理水平。"),
        ("聘用人员经费", "保障聘用人员工资及时足额发放，保障各项工作顺利开展。"),
        ("会议及培训经费", "按计划组织召开工作会议和业务培训，提升干部职工业务能力。"),
        ("督查督办工作经费", "抓好重点工作督查督办，确保各项决策部署落到实处。"),
        ("政务值班及应急工作经费", "做好政务值班和突发事件应急处置工作，保障政令畅通。"),
    ),
    "it": (
        ("电子政务网络维护", "保障政府工作运转"),
        ("提升电子政务外网出口电路速率", "提升政务服务能力和工作效率"),
        ("全县政府系统协同办公平台建设", "推动全县政府系统政务办公一体化，实现信息资源共享和协同办公"),
        ("政务服务平台运维经费", "保障政务服务平台稳定运行，提高群众办事效率。"),
        ("网络安全等级保护测评", "完成重要信息系统等级保护测评，提升网络安全防护能力。"),
        ("视频会议系统升级改造", "完成视频会议系统升级，保障各类视频会议顺利召开。"),
        ("政府网站普查监测系统建设", "建成网站监测系统，保障政府网站安全规范运行。"),
        ("机房设施配套经费", "完善机房配套设施，保障信息系统安全稳定运行。"),
    ),
    "edu": (
        ("义务教育学校公用经费", "保障义务教育学校正常运转，改善办学条件。"),
        ("农村义务教育学生营养改善计划", "为农村义务教育学生提供营养膳食补助，改善学生营养健康状况。"),
        ("学前教育幼儿资助资金", "资助家庭经济困难幼儿接受普惠性学前教育，减轻家庭负担。"),
        ("普通高中国家助学金", "按标准足额发放国家助学金，保障家庭经济困难学生顺利完成学业。"),
        ("中小学校舍维修改造工程", "完成校舍维修改造任务，消除校舍安全隐患，改善办学条件。"),
        ("中小学教师能力提升培训", "组织开展教师全员培训，提高教师教育教学能力。"),
        ("教育信息化设备购置", "为学校配备多媒体教学设备，推进教育信息化建设。"),
        ("寄宿制学生生活补助", "按时足额发放寄宿生生活补助，保障学生在校生活。"),
        ("特殊教育学校补助经费", "保障特殊教育学校正常运转，提高特殊教育质量。"),
    ),
    "health": (
        ("基本公共卫生服务项目", "为城乡居民提供基本公共卫生服务，提高居民健康水平。"),
        ("家庭医生签约服务经费", "推进家庭医生签约服务，提高重点人群签约覆盖率。"),
        ("乡村医生补助资金", "落实乡村医生补助政策，稳定乡村医生队伍。"),
        ("疾病预防控制工作经费", "做好重大传染病防控工作，有效控制传染病发生。"),
        ("县级医院医疗设备购置", "购置医疗设备，提升县级医院诊疗服务能力。"),
        ("健康教育宣传经费", "开展健康教育宣传活动，提高居民健康素养水平。"),
        ("妇幼保健服务项目", "做好孕产妇和儿童健康管理，保障妇女儿童健康。"),
        ("疫苗接种工作经费", "按计划完成适龄人群疫苗接种，建立免疫屏障。"),
    ),
    "agri": (
        ("高标准农田建设项目", "建设高标准农田，提高耕地质量和粮食综合生产能力。"),
        ("基层农技推广体系建设", "开展农业技术培训和推广服务，提高农业科技水平。"),
        ("动物防疫工作经费", "做好重大动物疫病强制免疫工作，保障畜牧业健康发展。"),
        ("耕地地力保护补贴", "按时足额发放耕地地力保护补贴，保护农民种粮积极性。"),
        ("农村人居环境整治", "开展农村人居环境整治，改善农村生产生活条件。"),
        ("特色产业发展扶持资金", "扶持特色产业发展，带动农户增收。"),
        ("农机购置补贴资金", "落实农机购置补贴政策，提高农业机械化水平。"),
        ("村集体经济发展扶持项目", "扶持村集体经济发展，增强村级组织服务能力。"),
    ),
    "transport": (
        ("农村公路养护工程", "完成农村公路日常养护任务，保障道路安全畅通。"),
        ("乡村道路建设项目", "新建改建乡村道路，改善群众出行条件。"),
        ("危桥改造工程", "完成危桥维修加固改造，消除安全隐患。"),
        ("道路安全隐患整治", "整治公路安全隐患路段，降低交通事故发生率。"),
        ("城乡公交运营补贴", "落实城乡公交运营补贴，保障城乡公交正常运营。"),
        ("客运站改造提升工程", "完成客运站改造提升，提高旅客服务水平。"),
    ),
    "civil": (
        ("城乡最低生活保障资金", "按时足额发放低保资金，保障困难群众基本生活。"),
        ("特困人员救助供养资金", "落实特困人员救助供养政策，保障特困人员基本生活。"),
        ("临时救助资金", "对遭遇突发性、紧迫性困难的群众及时给予救助。"),
        ("高龄老人津贴", "按标准发放高龄津贴，提高老年人生活质量。"),
        ("残疾人两项补贴", "落实困难残疾人生活补贴和重度残疾人护理补贴政策。"),
        ("公益性岗位补贴", "开发公益性岗位，帮助就业困难人员实现就业。"),
        ("就业技能培训补贴", "开展职业技能培训，提高劳动者就业能力。"),
    ),
    "water": (
        ("农村饮水安全巩固提升工程", "巩固提升农村饮水安全保障水平，让群众喝上放心水。"),
        ("中小河流治理项目", "完成河道综合治理，提高河道防洪能力。"),
        ("小型水库除险加固", "完成小型水库除险加固，消除水库安全隐患。"),
        ("水土保持综合治理", "开展水土流失综合治理，改善生态环境。"),
        ("河长制工作经费", "落实河长制各项工作，改善河湖生态环境。"),
    ),
    "culture": (
        ("文化惠民送戏下乡", "开展送戏下乡演出，丰富基层群众文化生活。"),
        ("公共文化服务体系建设", "完善公共文化服务设施，提升公共文化服务水平。"),
        ("文物保护修缮工程", "完成文物本体保护修缮，保护历史文化遗产。"),
        ("全民健身活动经费", "组织开展全民健身活动，增强群众体质。"),
        ("图书馆文化馆免费开放", "保障图书馆、文化馆免费开放，满足群众文化需求。"),
    ),
    "eco": (
        ("大气污染防治专项资金", "开展大气污染防治工作，改善环境空气质量。"),
        ("农村环境综合整治", "开展农村环境综合整治，改善农村生态环境。"),
        ("环境监测站运行经费", "保障环境监测站正常运行，确保监测数据真实准确。"),
        ("生态环境执法工作经费", "加强生态环境执法检查，依法查处环境违法行为。"),
        ("矿山生态修复治理", "开展矿山生态修复，恢复矿区生态环境。"),
    ),
}

UNITS = {
    "office": ("机关事务服务中心", "档案馆"),
    "it": ("大数据服务中心", "政务信息中心"),
    "edu": ("第一中学", "实验小学", "职业高级中学", "特殊教育学校"),
    "health": ("人民医院", "疾病预防控制中心", "妇幼保健计划生育服务中心"),
    "agri": ("农业技术推广中心", "畜牧兽医服务中心", "农业综合行政执法队"),
    "transport": ("公路管理段", "运输管理所"),
    "civil": ("社会福利院", "社会救助服务中心", "就业服务中心"),
    "water": ("水利工程建设管理站", "水土保持站"),
    "culture": ("文化馆", "图书馆", "文物保护中心"),
    "eco": ("环境监测站", "生态环境保护综合行政执法队"),
}

DEVIATION_REASONS = (
    "受疫情影响，部分工作推迟开展，下一步将加快推进。",
    "项目实施进度滞后，下一步将加强调度，确保按期完成。",
    "部分任务受季节因素影响未能完成，将在次年一季度完成。",
    "前期调研不够充分，指标设置偏高，今后将科学设定绩效目标。",
    "宣传力度不够，服务对象覆盖面不足，下一步将加大宣传力度。",
    "故障处理的及时性有待提高，将进一步完善应急响应机制。",
    "部分设备采购周期较长，未能按期到位，将督促供应商尽快交付。",
)

# Fragments for conclusion texts: combined per form so that no two forms of a department share
# a text unless the TXT-BOILERPLATE anomaly puts it there.
_EXPERIENCE = (
    ("严格按照相关规定", "强化组织领导", "加强部门协调配合", "细化实施方案", "健全工作机制",
     "坚持问题导向", "压实工作责任"),
    ("及时拨付{s}资金", "规范{s}资金使用", "有序推进{s}各项工作", "加强{s}过程监管",
     "精准落实{s}相关政策", "严格{s}资金审批程序"),
    ("保障项目顺利实施", "有效提升工作效率", "确保资金使用安全", "保障单位正常运转",
     "促进年度目标实现", "取得了较好成效"),
)
_SUGGEST_DECISION = (
    ("结合{s}实际需求", "立足{s}工作实际", "充分调研论证{s}", "围绕{s}年度任务"),
    ("科学确定项目内容", "提高项目决策的科学性", "细化量化绩效目标", "合理确定实施规模"),
    ("促进整体目标实现", "确保项目取得实效", "提高财政资金使用效益"),
)
_SUGGEST_BUDGET = (
    ("结合{s}实施进度", "根据{s}实际需求", "提前谋划{s}", "科学测算{s}所需资金"),
    ("科学编制预算", "细化预算编制", "合理安排预算", "及时申报预算"),
    ("确保资金及时足额到位", "加快预算执行进度", "避免资金闲置沉淀", "提高预算编制准确性"),
)
_SUGGEST_FUNDS = (
    ("严格执行财务管理制度", "按照相关规定", "加强{s}资金监管", "规范{s}资金支付流程"),
    ("合理安排资金支出", "做到专款专用", "确保资金使用安全", "提高资金使用效益"),
)
_SUGGEST_MANAGEMENT = (
    ("加强{s}过程管理", "建立健全{s}管理制度", "落实{s}项目责任制", "强化{s}绩效监控"),
    ("保证项目顺利实施", "确保按期完成任务", "注重时效有序推进", "全面提升管理水平"),
)
_GOAL_DONE = (
    "已完成{s}年度目标任务，{e}。",
    "按计划完成{s}各项工作，{e}。",
    "{s}各项任务全部完成，{e}。",
)
_EFFECT_DONE = {
    "office": "保障了单位日常工作正常运转", "it": "信息化服务能力明显提升",
    "edu": "办学条件得到改善", "health": "群众健康水平逐步提高",
    "agri": "农业生产条件得到改善", "transport": "群众出行条件明显改善",
    "civil": "困难群众基本生活得到保障", "water": "群众用水条件得到改善",
    "culture": "群众文化生活更加丰富", "eco": "生态环境质量持续改善",
}

NOTES_LINES = (
    "填表说明：",
    "1.本表由项目实施单位填写，主管部门审核后报送财政部门。",
    "2.项目资金（万元）：按全年实际到位资金填写，保留两位小数。",
    "3.执行率=全年执行数/全年预算数×100%；预算执行率得分=执行率×分值，最高不超过分值。",
    "4.绩效指标分值：预算执行率10分，产出指标50分，效益指标30分，满意度指标10分，合计100分。",
    "5.定量指标实际完成值达到指标值的得满分，未达到的按实际完成值/指标值×分值计算得分。",
    "6.未完成年度指标值或得分低于分值的，须在偏差原因分析及改进措施栏说明原因。",
    "7.满意度指标应以问卷调查等方式取得，注明有效样本数量。",
)

# --------------------------------------------------------------------------------------------
# Numbers


def q2(value: Decimal) -> Decimal:
    """Round half up to 2 places (the way the forms' spreadsheets round)."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def dtext(value: Decimal, places: int | None = None) -> str:
    """Plain text of a Decimal without trailing zeros (or with exactly ``places`` decimals)."""
    if places is not None:
        return format(value.quantize(Decimal(1).scaleb(-places)), "f")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def jnum(value: Decimal | int | float | None) -> int | float | None:
    """A JSON number exactly as printed: ints stay ints, ``93.63`` stays ``93.63``."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        value = Decimal(str(value))
    if value == value.to_integral_value():
        return int(value)
    return float(dtext(value))


def _rand_amount(rng: random.Random, lo: float, hi: float, decimals: int) -> Decimal:
    """A log-uniform amount in [lo, hi] with ``decimals`` places (at least 0.01)."""
    x = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    step = Decimal(1).scaleb(-decimals)
    return max(Decimal(repr(x)).quantize(step, rounding=ROUND_HALF_UP), step)


def _rand_decimals(rng: random.Random) -> int:
    return rng.choices((0, 1, 2, 3, 4), weights=(30, 15, 40, 8, 7))[0]


# --------------------------------------------------------------------------------------------
# Form content


@dataclass
class FundLine:
    """One row of 项目资金 (amounts in 万元 before any scaling)."""

    source: str
    label: str  # as printed (with leading spaces)
    initial: Decimal
    full: Decimal
    executed: Decimal
    weight: int | None = None  # 10 on the total row
    rate: Decimal | None = None
    score: Decimal | None = None
    printed_zero: bool = False  # FUND-SUM: the row prints 0 for every amount


@dataclass
class Indicator:
    """One 三级指标 with its structured values; texts are formatted at render time."""

    level1: str
    level2: str
    name: str
    kind: str  # quant | qual | date
    op: str = ""  # canonical: = >= <= < >
    unit: str = ""
    target: Decimal | None = None
    actual: Decimal | None = None
    word: str = ""  # qualitative or date target text
    actual_word: str = ""
    weight: int = 0
    score: Decimal = Decimal(0)
    deviation: str = ""
    adjusted: Decimal | None = None  # 调整后指标值 (same op and unit)
    cost: bool = False
    target_places: int | None = None  # print the target with this many decimals ("3.50万元")
    fixed_score: bool = False  # an anomaly set the score; do not recompute
    op_in_actual: bool = False


@dataclass
class Mark:
    """An injected anomaly, pointing at a cell symbolically until the form is rendered."""

    kind: str
    where: tuple  # ("project", field) | ("fund", source, field) | ("ind", Indicator, field)
    detail: str
    also: list[tuple] = field(default_factory=list)
    collateral: list[str] = field(default_factory=list)


@dataclass
class FormContent:
    key: str
    dept: "Department"
    domain: str
    year: int
    project_name: str
    unit: str
    goal_expected: str
    goal_actual: str = ""
    experience: str = ""
    problems: str = ""
    suggestions: dict[str, str] = field(default_factory=dict)
    funds: list[FundLine] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    amount_scale: int = 1  # COST-UNIT-SCALE prints amounts in 元
    exec_score_override: Decimal | None = None
    total_rate_override: Decimal | None = None
    total_score_delta: Decimal = Decimal(0)
    anomalies: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    text_placeholder: str = ""  # STR-PLACEHOLDER in a text field: the field name
    variants: set[str] = field(default_factory=set)
    options: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> FundLine:
        return self.funds[0]

    @property
    def exec_score(self) -> Decimal:
        if self.exec_score_override is not None:
            return self.exec_score_override
        return self.total.score or Decimal(0)

    @property
    def total_score(self) -> Decimal:
        return self.exec_score + sum(i.score for i in self.indicators) + self.total_score_delta

    @property
    def lost_points(self) -> bool:
        """Points lost on the recomputed execution score or on any indicator."""
        true_exec = self.total.score if self.total.score is not None else Decimal(0)
        return true_exec < 10 or any(i.score < i.weight for i in self.indicators)


@dataclass(frozen=True)
class Department:
    index: int
    name: str  # 示例县教育局
    code: str
    domains: tuple[str, ...]
    county: str

    @property
    def folder(self) -> str:
        return f"synthetic_{self.index:03d}_{_safe(self.name)}"


def _short_name(project: str) -> str:
    """A short form of a project name for inserting into texts."""
    text = re.sub(r"[（(][^）)]*[）)]", "", project)
    text = re.sub(r"^\d{4}年度?", "", text)
    return text[:14] or project[:14]


# ---- indicators -----------------------------------------------------------------------------


def _ind_from_template(t: IndicatorTemplate, rng: random.Random, year: int) -> Indicator:
    level1 = _LEVEL1_OF[t.level2]
    if t.kind == "qual":
        return Indicator(level1, t.level2, t.name, "qual", word=t.word, actual_word=t.word)
    if t.kind == "date":
        word = rng.choice((f"{year}年12月底前", f"{year}年1月1日—12月底"))
        actual = word if "—" in word else f"{year}年12月"
        return Indicator(level1, t.level2, t.name, "date", word=word, actual_word=actual)
    if t.unit == "M":
        value = Decimal(rng.choice((100, 200, 500, 1000)))
    elif t.lo == t.hi:
        value = Decimal(repr(t.lo)).normalize()
    elif t.unit == "%":
        value = Decimal(rng.randint(int(t.lo), int(t.hi)))
    else:
        value = Decimal(int(math.exp(rng.uniform(math.log(t.lo), math.log(t.hi)))))
        if value >= 100:  # plans use round numbers
            value = (value / 10).to_integral_value() * 10
    return Indicator(level1, t.level2, t.name, "quant", op=t.op, unit=t.unit,
                     target=value, actual=value)


def _met(ind: Indicator) -> bool:
    """Whether the actual value meets the (adjusted) target, strict operators honoured."""
    if ind.kind != "quant":
        return ind.actual_word != "部分达成"
    target = ind.adjusted if ind.adjusted is not None else ind.target
    a = ind.actual
    return {
        "=": a == target,
        ">=": a >= target,
        ">": a > target,
        "<=": a <= target,
        "<": a < target,
    }[ind.op]


def _formula_score(ind: Indicator) -> Decimal:
    """The national formula: met → full; positive missed → a/t; negative missed → t/a."""
    w = Decimal(ind.weight)
    if _met(ind):
        return w
    if ind.kind != "quant":
        return q2(w * Decimal("0.7"))
    target = ind.adjusted if ind.adjusted is not None else ind.target
    a = ind.actual
    negative = ind.op in ("<=", "<") or (ind.op == "=" and a > target)
    if negative:
        return q2(target / a * w) if a else w
    return q2(a / target * w) if target else w


def _rescore(content: FormContent) -> None:
    for ind in content.indicators:
        if not ind.fixed_score:
            ind.score = _formula_score(ind)


def _split_weights(total: int, n: int, rng: random.Random, cap: int = 20) -> list[int]:
    """Integer weights summing to ``total``, in steps of 5 when they fit, none above ``cap``."""
    if n == 1:
        return [total]
    step = 5 if n * 5 <= total and total % 5 == 0 and rng.random() < 0.75 else 1
    base = 5 if step == 5 else max(3, min(5, total // n))
    weights = [base] * n
    remaining = total - base * n
    cap = max(cap, math.ceil(total / n))
    while remaining > 0:
        i = rng.randrange(n)
        if weights[i] + step <= cap:
            weights[i] += step
            remaining -= step
    return weights


def _pick_templates(domain: str, project: str,
                    rng: random.Random) -> dict[str, list[IndicatorTemplate]]:
    pool = [t for t in DOMAIN_INDICATORS[domain] + GENERIC_INDICATORS
            if not t.only or any(k in project for k in t.only)]
    by_level2: dict[str, list[IndicatorTemplate]] = {}
    for t in pool:
        by_level2.setdefault(t.level2, []).append(t)
    for level2 in by_level2:
        rng.shuffle(by_level2[level2])
    return by_level2


def _plan_indicators(content: FormContent, rng: random.Random) -> None:
    """6–12 indicators: every 产出 category, 1–3 效益, one 满意度; weights 50/30/10."""
    pool = _pick_templates(content.domain, content.project_name, rng)
    n_out = rng.randint(4, 7)
    n_eff = rng.randint(1, 3)
    extra_out = n_out - 4
    chosen: list[Indicator] = []
    counts = {QTY: 1, QLT: 1, TIME: 1, COST: 1}
    for _ in range(extra_out):
        counts[rng.choice((QTY, QTY, QLT, QLT, COST))] += 1
    counts[COST] = min(counts[COST], 2)
    for level2 in (QTY, QLT, TIME):
        for t in pool.get(level2, [])[: counts[level2]]:
            chosen.append(_ind_from_template(t, rng, content.year))
    chosen.extend(_plan_costs(content, rng, counts[COST]))
    effect_levels = [lv for lv in (ECON, SOC, ECO, SUST) if pool.get(lv)]
    eff_picks: list[IndicatorTemplate] = []
    used: set[str] = set()
    for i in range(n_eff):
        level2 = SOC if i == 0 and pool.get(SOC) else rng.choice(effect_levels)
        options = [t for t in pool[level2] if t.name not in used]
        if options:
            eff_picks.append(options[0])
            used.add(options[0].name)
    chosen.extend(_ind_from_template(t, rng, content.year) for t in eff_picks)
    chosen.append(_plan_satisfaction(content, rng))
    _assign_weights(chosen, rng)
    content.indicators = _ordered(chosen)


def _plan_satisfaction(content: FormContent, rng: random.Random) -> Indicator:
    name = rng.choice(SATISFACTION_NAMES[content.domain])
    target = Decimal(rng.choice((85, 90, 90, 95, 95, 96, 97, 98)))
    return Indicator(SATISFACTION, SAT, name, "quant", op=">=", unit="%",
                     target=target, actual=target)


def _assign_weights(indicators: list[Indicator], rng: random.Random) -> None:
    for level1, total in ((OUTPUT, 50), (EFFECT, 30), (SATISFACTION, 10)):
        group = [i for i in indicators if i.level1 == level1]
        if group:
            for ind, w in zip(group, _split_weights(total, len(group), rng)):
                ind.weight = w


def _ordered(indicators: list[Indicator]) -> list[Indicator]:
    """Group rows by 一级 then 二级 (stable), as the forms print them."""
    rank = {lv: i for i, lv in enumerate(_LEVEL2_ORDER)}
    l1_rank = {OUTPUT: 0, EFFECT: 1, SATISFACTION: 2}
    return sorted(indicators, key=lambda i: (l1_rank.get(i.level1, 3), rank.get(i.level2, 9)))


def _split_amount(total: Decimal, n: int, rng: random.Random, places: int) -> list[Decimal]:
    """Split ``total`` into ``n`` positive parts with ``places`` decimals, summing exactly."""
    step = Decimal(1).scaleb(-places)
    if n == 1 or total < step * n:
        return [total] + [Decimal(0)] * (n - 1)
    shares = sorted(rng.uniform(0.15, 0.85) for _ in range(n - 1))
    parts, prev = [], Decimal(0)
    for s in shares:
        cut = (total * Decimal(repr(s))).quantize(step, rounding=ROUND_HALF_UP)
        cut = min(max(cut, prev + step), total - step)
        parts.append(cut - prev)
        prev = cut
    parts.append(total - prev)
    return parts


def _places(value: Decimal) -> int:
    exp = value.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def _plan_costs(content: FormContent, rng: random.Random, n: int) -> list[Indicator]:
    """成本指标 in 万元 splitting the full-year budget; actuals split the executed amount."""
    total = content.total
    places = max(2, _places(total.full))
    names = list(COST_NAMES[content.domain])
    rng.shuffle(names)
    n = 1 if total.full < Decimal("0.1") else n
    targets = _split_amount(total.full, n, rng, places)
    costs = []
    for name, target in zip(names, targets):
        ind = Indicator(OUTPUT, COST, name, "quant", op="<=", unit="万元", target=target,
                        actual=target, cost=True)
        if rng.random() < 0.15 and _places(target) <= 2:
            ind.target_places = 2
        costs.append(ind)
    _set_cost_actuals(costs, min(total.executed, total.full))
    if total.executed == total.full and rng.random() < 0.3:
        for ind in costs:
            ind.op = "="
    return costs


def _set_cost_actuals(costs: list[Indicator], spent: Decimal) -> None:
    """Actuals proportional to targets, summing exactly to ``spent``, none above its target."""
    budget = sum(c.target for c in costs) or Decimal(1)
    places = max([_places(c.target) for c in costs] + [_places(spent), 2])
    step = Decimal(1).scaleb(-places)
    remaining = spent
    for i, c in enumerate(costs):
        if i == len(costs) - 1:
            c.actual = remaining
        else:
            share = (c.target * spent / budget).quantize(step, rounding=ROUND_HALF_UP)
            c.actual = min(share, c.target, remaining)
            remaining -= c.actual
    overflow = costs[-1].actual - costs[-1].target
    for c in costs[:-1]:
        if overflow <= 0:
            break
        room = min(c.target - c.actual, overflow)
        c.actual += room
        costs[-1].actual -= room
        overflow -= room


def _realise_actuals(content: FormContent, rng: random.Random, n_missed: int) -> None:
    """Turn planned targets into actual values: most met (some overshoot), ``n_missed`` missed."""
    candidates = [i for i in content.indicators if not i.cost and i.level1 != SATISFACTION]
    missed = set(id(i) for i in rng.sample(candidates, min(n_missed, len(candidates))))
    for ind in content.indicators:
        if ind.cost:
            continue
        if id(ind) in missed:
            _miss(ind, rng)
        else:
            _meet(ind, rng)


_COUNT_UNITS = ("人", "个", "次", "条", "套", "台", "所", "座", "处", "场", "户", "人次")


def _meet(ind: Indicator, rng: random.Random) -> None:
    """A met actual: ``=`` exactly, ``>=`` at or a little above (never 130%), ``<`` strictly."""
    if ind.kind != "quant":
        if ind.kind == "qual" and rng.random() < 0.35:
            ind.actual_word = rng.choice(("达成年度指标", "已达成", "已完成"))
        return
    t = ind.target
    if ind.op == ">=":
        if ind.unit == "%":
            room = Decimal(100) - t
            bump = Decimal(repr(rng.choice((0, 0.5, 1, 1.5, 2, 3))))
            if ind.level1 == SATISFACTION:
                bump = max(bump, Decimal("0.5"))
            ind.actual = min(Decimal(100), t + bump) if room > 0 else t
        else:
            factor = Decimal(repr(rng.choice((1, 1, 1.02, 1.05, 1.1))))
            ind.actual = max((t * factor).to_integral_value(), t)
    elif ind.op in ("<=", "<"):
        if ind.unit in _COUNT_UNITS:
            ind.actual = t - 1 if (t >= 2 and (ind.op == "<" or rng.random() < 0.5)) else t
        elif ind.op == "<" or rng.random() < 0.5:
            value = (t * Decimal(repr(rng.uniform(0.4, 0.9)))).quantize(Decimal("0.1"))
            ind.actual = Decimal(dtext(value if Decimal(0) < value < t else t / 2))
        else:
            ind.actual = t
    else:
        ind.actual = t


def _miss(ind: Indicator, rng: random.Random) -> None:
    if ind.kind == "date":
        ind.kind, ind.word = "qual", "按期完成"
        ind.actual_word = "部分达成"
    elif ind.kind == "qual":
        ind.actual_word = "部分达成"
    elif ind.op in ("<=", "<"):
        if ind.unit in _COUNT_UNITS:
            ind.actual = ind.target + 1
        else:
            over = ind.target * Decimal(repr(rng.uniform(1.05, 1.25)))
            ind.actual = Decimal(dtext(q2(over)))
    else:
        factor = Decimal(repr(rng.uniform(0.85, 0.98)))
        if ind.unit == "%":
            ind.actual = Decimal(dtext(q2(ind.target * factor).quantize(Decimal("0.1"))))
        else:
            ind.actual = min((ind.target * factor).to_integral_value(), ind.target - 1)
    ind.deviation = rng.choice(DEVIATION_REASONS)


def _copied_share(content: FormContent) -> float:
    """Share of quantitative indicators whose actual equals the (adjusted) target exactly."""
    quant = [i for i in content.indicators if i.kind == "quant"]
    return sum(i.actual == _effective_target(i) for i in quant) / max(1, len(quant))


def _avoid_copied(content: FormContent, rng: random.Random, frozen: set[int]) -> None:
    """Keep forms off VAL-COPIED: some ``=`` plans read ``>=`` and overshoot a little, some
    cost lines come in under budget. Indicators an anomaly relies on (``frozen``) stay as they are.
    """
    quant = [i for i in content.indicators
             if i.kind == "quant" and id(i) not in frozen and not i.fixed_score]
    for ind in [i for i in quant if i.op == "=" and not i.cost]:
        if _copied_share(content) < 0.7:
            return
        if ind.unit == "%" and ind.target >= 99:
            continue
        if ind.unit != "%" and ind.target < 10:
            continue  # +1 on a small count would overshoot by 10% or more
        ind.op = ">="
        if ind.unit == "%":
            ind.actual = ind.target + Decimal("0.5")
        else:
            bump = max(Decimal(1), (ind.target * Decimal("0.05")).to_integral_value())
            ind.actual = ind.target + bump
    for ind in [i for i in quant if i.cost and i.actual == _effective_target(i)]:
        if _copied_share(content) < 0.7:
            return
        target = _effective_target(ind)
        step = Decimal(1).scaleb(-max(2, _places(target)))
        if target > step * 10:
            ind.op = "<="
            ind.actual = target - step * rng.randint(1, 9)


# ---- funds ----------------------------------------------------------------------------------

_STANDARD_LABELS = (
    ("central", "    其中：中央财政资金"),
    ("provincial", "          省级财政资金"),
    ("local", "          市县(区)财政资金"),
    ("carryover", "          上年结转资金"),
    ("other", "          其他资金"),
)


def _fund_labels(content: FormContent) -> list[tuple[str, str]]:
    if "fund-current-year" in content.variants:
        label = content.options.setdefault("fund_label", "当年财政拨款")
        return [("current_year", f"    其中：{label}"), ("carryover", "          上年结转资金"),
                ("other", "          其他资金")]
    labels = list(_STANDARD_LABELS)
    if "fullwidth-punct" in content.variants:
        labels[2] = ("local", "          市县（区）财政资金")
    return labels


def _plan_funds(content: FormContent, rng: random.Random, rate_kind: str) -> None:
    """The fund block: children hold the money, the total row sums them."""
    labels = _fund_labels(content)
    sources = [s for s, _ in labels]
    main = "local" if "local" in sources else "current_year"
    holders = [main]
    for extra in ("central", "provincial", "carryover", "other"):
        if extra in sources and rng.random() < 0.18:
            holders.append(extra)
    lo, hi = BUDGET_RANGES[content.domain]
    decimals = _rand_decimals(rng)
    lines = []
    for source, label in labels:
        full = _rand_amount(rng, lo, hi, decimals) if source in holders else Decimal(0)
        if source != main and full:
            full = _rand_amount(rng, lo / 3, hi / 3, decimals)
        lines.append(FundLine(source, label, full, full, full))
    if rng.random() < 0.15:  # budget adjusted during the year (FUND-ADJUSTED, info)
        line = next(l for l in lines if l.source == main)
        line.initial = _rand_amount(rng, float(line.full) * 0.7, float(line.full) * 0.95, decimals)
    ratio = {"full": 1.0, "high": rng.uniform(0.9, 0.9995), "mid": rng.uniform(0.8, 0.9),
             "over": rng.uniform(1.02, 1.15), "zero": 0.0,
             "gap": rng.uniform(0.85, 0.97)}[rate_kind]
    step = Decimal(1).scaleb(-max(decimals, 2))
    for line in lines:
        line.executed = (line.full * Decimal(repr(ratio))).quantize(step, rounding=ROUND_HALF_UP)
        if rate_kind in ("high", "mid", "gap") and line.full and line.executed == line.full:
            line.executed -= step
        line.executed = Decimal(dtext(line.executed))
    total_label = "年度资金总额：" if "fund-total-colon" in content.variants else "年度资金总额"
    total = FundLine("total", total_label,
                     sum(l.initial for l in lines), sum(l.full for l in lines),
                     sum(l.executed for l in lines), weight=10)
    content.funds = [total] + lines
    _compute_rates(content)


def _compute_rates(content: FormContent) -> None:
    """Rates to 2 places; the execution score from the unrounded ratio (both within 0.005)."""
    for line in content.funds:
        line.rate = q2(line.executed / line.full * 100) if line.full else Decimal(0)
    total = content.total
    ratio = total.executed / total.full if total.full else Decimal(0)
    total.score = q2(min(ratio, Decimal(1)) * 10)


# ---- texts ----------------------------------------------------------------------------------


def _compose(parts: Sequence[Sequence[str]], rng: random.Random, short: str, sep="，") -> str:
    return sep.join(rng.choice(p) for p in parts).replace("{s}", short) + "。"


def _unique(make: Callable[[], str], used: set[str]) -> str:
    text = make()
    for _ in range(8):
        if text not in used:
            break
        text = make()
    used.add(text)
    return text


def _plan_texts(content: FormContent, rng: random.Random, used: dict[str, set[str]]) -> None:
    """Conclusion texts that agree with the numbers (problems named when points were lost)."""
    short = _short_name(content.project_name)
    has_sat = any("满意" in i.name and i.level1 == SATISFACTION for i in content.indicators)
    survey = ""
    if has_sat:
        n = rng.choice((50, 80, 100, 120, 150, 200, 300))
        survey = f"发放满意度调查问卷{n}份，收回有效问卷{n - rng.randint(0, 5)}份"
    bare = rng.random() < 0.3
    if bare:
        content.goal_actual = "已完成"
    else:
        text = rng.choice(_GOAL_DONE).format(s=short, e=_EFFECT_DONE[content.domain])
        content.goal_actual = text[:-1] + (f"；{survey}。" if survey else "。")
    exp = _unique(lambda: _compose(_EXPERIENCE, rng, short), used["experience"])
    if bare and survey:
        exp = exp[:-1] + f"；{survey}。"
    content.experience = exp
    content.problems = _problems_text(content, rng)
    s = content.suggestions
    s["decision"] = _unique(lambda: _compose(_SUGGEST_DECISION, rng, short), used["decision"])
    s["budget"] = _unique(lambda: _compose(_SUGGEST_BUDGET, rng, short), used["budget"])
    s["funds"] = _unique(lambda: _compose(_SUGGEST_FUNDS, rng, short), used["funds"])
    s["management"] = _unique(lambda: _compose(_SUGGEST_MANAGEMENT, rng, short),
                              used["management"])
    s["other"] = "无" if rng.random() < 0.85 else f"继续做好{short}绩效跟踪管理。"
    s["remarks"] = "无"


def _problems_text(content: FormContent, rng: random.Random) -> str:
    if not content.lost_points and (content.total.rate or 0) >= 90:
        return "无"
    parts = []
    true_rate = _true_rate(content)
    if true_rate < 100:
        parts.append(f"部分资金尚未支付，预算执行率为{dtext(true_rate)}%，未达到100%")
    missed = [i for i in content.indicators if i.score < i.weight]
    if missed:
        parts.append(f"{missed[0].name}未完全达到年度指标值")
    if not parts:
        parts.append("项目前期准备不够充分，绩效目标设置还需进一步细化")
    return "；".join(parts) + "。"


def _true_rate(content: FormContent) -> Decimal:
    children = content.funds[1:]
    full = sum(l.full for l in children)
    return q2(sum(l.executed for l in children) / full * 100) if full else Decimal(0)


# --------------------------------------------------------------------------------------------
# Anomalies


def _effective_target(ind: Indicator) -> Decimal | None:
    return ind.adjusted if ind.adjusted is not None else ind.target


def _cost_inds(content: FormContent) -> list[Indicator]:
    return [i for i in content.indicators if i.cost]


def _first(content: FormContent, pred: Callable[[Indicator], bool]) -> Indicator | None:
    return next((i for i in content.indicators if pred(i)), None)


def _an_fund_sum(c: FormContent, rng: random.Random) -> Mark:
    total = c.total
    if rng.random() < 0.5:
        total.printed_zero = True
        return Mark("FUND-SUM", ("fund", "total", "budget_initial"),
                    f"年度资金总额填报为0，而其中各项资金合计{dtext(total.full)}万元。",
                    also=[("fund", "total", "budget_full_year"), ("fund", "total", "executed")],
                    # the total row's printed rate (0) then contradicts its 其中 rows, as in the seed
                    collateral=["COST-EXCEEDS-EXECUTED", "EXEC-LOW-HIGH", "EXEC-NO-REASON", "FUND-RATE"])
    delta = max(Decimal("0.01"), q2(total.initial * Decimal(repr(rng.uniform(0.05, 0.3)))))
    total.initial += delta
    return Mark("FUND-SUM", ("fund", "total", "budget_initial"),
                f"年度资金总额年初预算数{dtext(total.initial)}万元，与其中各项合计"
                f"{dtext(total.initial - delta)}万元不符。",
                collateral=["FUND-ADJUSTED"])


def _an_exec_score(c: FormContent, rng: random.Random) -> Mark:
    total = c.total
    if total.executed == 0:
        c.exec_score_override = Decimal(10)
        return Mark("EXEC-SCORE", ("project", "exec_score"),
                    "全年执行数为0、执行率为0，预算执行率仍得10分。",
                    collateral=["EXEC-LOW-HIGH"])
    wrong = Decimal(10) if total.rate < 100 else Decimal(rng.choice(("8", "9", "9.5")))
    c.exec_score_override = wrong
    return Mark("EXEC-SCORE", ("project", "exec_score"),
                f"执行率{dtext(total.rate)}%，预算执行率得分应为{dtext(total.score)}分，"
                f"填报为{dtext(wrong)}分。")


def _an_fund_rate(c: FormContent, rng: random.Random) -> Mark:
    total = c.total
    wrong = Decimal(100) if total.rate < 99 else q2(total.rate - Decimal(rng.randint(3, 12)))
    c.total_rate_override = wrong
    return Mark("FUND-RATE", ("fund", "total", "exec_rate"),
                f"全年执行数{dtext(total.executed)}万元/全年预算数{dtext(total.full)}万元，"
                f"执行率应为{dtext(total.rate)}%，填报为{dtext(wrong)}%。")


def _an_cost_unit_scale(c: FormContent, rng: random.Random) -> Mark:
    c.amount_scale = 10000
    costs = _cost_inds(c)
    cost_sum = sum(i.target for i in costs)
    return Mark("COST-UNIT-SCALE", ("fund", "total", "budget_full_year"),
                f"项目资金按元填入万元栏（全年预算数{dtext(c.total.full * 10000)}），"
                f"成本指标合计{dtext(cost_sum)}万元。",
                also=[("ind", i, "target") for i in costs])


def _an_cost_exceeds(c: FormContent, rng: random.Random) -> Mark:
    costs = _cost_inds(c)
    for ind in costs:
        ind.op = "="
        ind.actual = _effective_target(ind)
    spent = sum(i.actual for i in costs)
    return Mark("COST-EXCEEDS-EXECUTED", ("ind", costs[0], "actual"),
                f"成本指标实际完成值合计{dtext(spent)}万元，超过全年执行数"
                f"{dtext(c.total.executed)}万元。",
                also=[("ind", i, "actual") for i in costs[1:]] + [("fund", "total", "executed")])


def _an_overspend(c: FormContent, rng: random.Random) -> Mark:
    total = c.total
    holders = [l for l in c.funds[1:] if l.executed > l.full]
    for ind in _cost_inds(c):
        ind.actual = _effective_target(ind)  # the cost plan is the budget; spending beyond it is not costed
    return Mark("FUND-OVERSPEND", ("fund", "total", "executed"),
                f"全年执行数{dtext(total.executed)}万元超过全年预算数{dtext(total.full)}万元。",
                also=[("fund", l.source, "executed") for l in holders])


def _an_score_missed_full(c: FormContent, rng: random.Random) -> Mark:
    ind = _first(c, lambda i: i.level2 == QLT and not i.cost) or _first(c, lambda i: not i.cost)
    if rng.random() < 0.5 or c.domain == "it":
        ind.name, ind.unit, ind.target = "故障修复处理时间", "小时", Decimal(1)
    else:
        ind.name, ind.unit, ind.target = "单位正常运转成本（降低百分点）", "点", Decimal(100)
    ind.kind, ind.op, ind.actual = "quant", "<", ind.target
    ind.score, ind.fixed_score, ind.deviation = Decimal(ind.weight), True, ""
    ind.word = ind.actual_word = ""
    return Mark("SCORE-MISSED-FULL", ("ind", ind, "score"),
                f"{ind.name}指标值<{dtext(ind.target)}{ind.unit}，实际完成值"
                f"{dtext(ind.actual)}{ind.unit}未达到，仍得满分{ind.weight}分。",
                also=[("ind", ind, "actual")], collateral=["DEV-MISSING", "TXT-NO-PROBLEMS"])


def _an_val_copied(c: FormContent, rng: random.Random) -> Mark:
    for ind in c.indicators:
        ind.deviation = ""
        if ind.adjusted is not None:  # copied from the plan as finally adjusted
            ind.target, ind.adjusted = ind.adjusted, None
        if ind.kind == "quant":
            # A strict target copied into its actual would also be a missed target: relax it.
            ind.op = {"<": "<=", ">": ">="}.get(ind.op, ind.op)
            ind.actual = _effective_target(ind)
        else:
            ind.actual_word = ind.word
    first = _first(c, lambda i: i.kind == "quant")
    return Mark("VAL-COPIED", ("ind", first, "actual"),
                "全部实际完成值与年度指标值完全一致，疑似照抄指标值。")


def _an_class_satisfaction(c: FormContent, rng: random.Random) -> Mark:
    if rng.random() < 0.5:
        host = _first(c, lambda i: i.level1 == EFFECT and i.weight >= 8)
        if host is None:
            return _an_class_satisfaction_mgmt(c, rng)
        ind = Indicator(EFFECT, SOC, "公众满意度", "quant", op=">=", unit="%",
                        target=Decimal(95), actual=Decimal(96))
        ind.weight = host.weight // 2
        host.weight -= ind.weight
        c.indicators = _ordered(c.indicators + [ind])
        return Mark("CLASS-SATISFACTION", ("ind", ind, "name"),
                    "满意度指标“公众满意度”填列在效益指标（社会效益）下。",
                    also=[("ind", ind, "level1")])
    return _an_class_satisfaction_mgmt(c, rng)


def _an_class_satisfaction_mgmt(c: FormContent, rng: random.Random) -> Mark:
    sat = _first(c, lambda i: i.level1 == SATISFACTION)
    ind = Indicator(SATISFACTION, SAT, "长效管理制度健全性", "qual", word="健全", actual_word="健全")
    ind.weight = sat.weight // 2
    sat.weight -= ind.weight
    c.indicators = _ordered(c.indicators + [ind])
    return Mark("CLASS-SATISFACTION", ("ind", ind, "name"),
                "满意度指标下填列“长效管理制度健全性”，不属于满意度。")


def _an_vacuous(c: FormContent, rng: random.Random) -> Mark:
    sat = _first(c, lambda i: i.level1 == SATISFACTION and i.kind == "quant")
    if sat is not None and rng.random() < 0.5:
        ind = sat
        ind.op, ind.target, ind.actual = ">=", Decimal(100), Decimal(100)
        detail = "满意度指标值设为>=100%，无法不达成。"
    else:
        ind = _first(c, lambda i: i.level2 == QLT and not i.cost)
        ind.name = rng.choice(("政策覆盖率", "项目覆盖率（%）", "资金使用效率提升度（%）"))
        ind.kind, ind.op, ind.unit = "quant", "<=", "%"
        ind.target = ind.actual = Decimal(100)
        ind.word = ind.actual_word = ""
        detail = f"{ind.name}指标值设为<=100%，任何结果都能达成。"
    ind.deviation = ""
    return Mark("VAL-VACUOUS", ("ind", ind, "target"), detail)


def _an_year_mismatch(c: FormContent, rng: random.Random) -> Mark:
    ind = _first(c, lambda i: i.level2 == TIME)
    ind.name = rng.choice(("线路租赁期限", "项目实施期限", "资金支付期限"))
    ind.kind, ind.op, ind.unit, ind.target, ind.actual = "date", "", "", None, None
    ind.word = ind.actual_word = f"{c.year - 1}年1月1日—12月底"
    ind.deviation = ""
    return Mark("YEAR-MISMATCH", ("ind", ind, "target"),
                f"{c.year}年度自评表的时效指标期间为{ind.word}，不在评价年度内。",
                also=[("ind", ind, "actual")])


def _an_dev_missing(c: FormContent, rng: random.Random) -> Mark:
    ind = next((i for i in c.indicators if i.score < i.weight), None)
    if ind is None:
        cands = [i for i in c.indicators if not i.cost and i.level1 == OUTPUT]
        ind = rng.choice(cands)
        _miss(ind, rng)
    ind.deviation = rng.choice(("", "无"))
    return Mark("DEV-MISSING", ("ind", ind, "deviation_reason"),
                f"{ind.name}未达到年度指标值（失分），偏差原因分析为空或“无”。")


def _an_placeholder(c: FormContent, rng: random.Random) -> Mark:
    if rng.random() < 0.6:
        ind = _first(c, lambda i: i.level1 == EFFECT) or c.indicators[-1]
        ind.name = f"指标{rng.randint(1, 3)}"
        return Mark("STR-PLACEHOLDER", ("ind", ind, "name"),
                    f"三级指标名称为模板占位符“{ind.name}”。")
    c.text_placeholder = "suggestion_other"
    return Mark("STR-PLACEHOLDER", ("project", "suggestion_other"),
                "其他建议栏保留模板占位符“……”。")


def _an_sat_missing(c: FormContent, rng: random.Random) -> Mark:
    sat = _first(c, lambda i: i.level1 == SATISFACTION)
    host = _first(c, lambda i: i.level1 == EFFECT)
    if rng.random() < 0.5 and len(c.indicators) > 6:  # keep at least 6 indicators
        c.indicators.remove(sat)
        host.weight += sat.weight
        return Mark("SAT-MISSING", ("header", "level1"),
                    "绩效指标中没有满意度指标，满意度分值并入效益指标。",
                    collateral=["WEIGHT-PROFILE"])
    host.weight += sat.weight
    sat.weight = 0
    return Mark("SAT-MISSING", ("ind", sat, "weight"),
                f"满意度指标“{sat.name}”分值为0。", collateral=["WEIGHT-PROFILE"])


def _an_weight_total(c: FormContent, rng: random.Random) -> Mark:
    ind = max((i for i in c.indicators if i.level1 != SATISFACTION and not i.fixed_score),
              key=lambda i: i.weight)
    delta = 5 if rng.random() < 0.5 else -min(5, ind.weight - 2)
    ind.weight += delta
    return Mark("WEIGHT-TOTAL", ("project", "total_weight"),
                f"预算执行率分值与各指标分值合计{10 + sum(i.weight for i in c.indicators)}分，"
                "与总分100分不符。",
                also=[("ind", ind, "weight")], collateral=["WEIGHT-PROFILE"])


def _an_score_range(c: FormContent, rng: random.Random) -> Mark:
    met = [i for i in c.indicators if i.weight > 0 and i.score == i.weight and not i.fixed_score]
    ind = rng.choice(met or [i for i in c.indicators if i.weight > 0])
    ind.score = Decimal(ind.weight + rng.randint(1, 5))
    ind.fixed_score = True
    return Mark("SCORE-RANGE", ("ind", ind, "score"),
                f"{ind.name}得分{dtext(ind.score)}分，超过分值{ind.weight}分。",
                collateral=["SCORE-INFLATED"])


def _an_score_total(c: FormContent, rng: random.Random) -> Mark:
    delta = Decimal(rng.choice((-5, -3, -2, -1.5, -0.5, 0.5, 1, 2)))
    c.total_score_delta = delta
    return Mark("SCORE-TOTAL", ("project", "total_score"),
                f"总分与预算执行率得分加各指标得分之和相差{dtext(delta)}分。")


_ANOMALY_FUNCS: dict[str, Callable[[FormContent, random.Random], Mark]] = {
    "FUND-SUM": _an_fund_sum,
    "EXEC-SCORE": _an_exec_score,
    "FUND-RATE": _an_fund_rate,
    "COST-UNIT-SCALE": _an_cost_unit_scale,
    "COST-EXCEEDS-EXECUTED": _an_cost_exceeds,
    "FUND-OVERSPEND": _an_overspend,
    "SCORE-MISSED-FULL": _an_score_missed_full,
    "VAL-COPIED": _an_val_copied,
    "CLASS-SATISFACTION": _an_class_satisfaction,
    "VAL-VACUOUS": _an_vacuous,
    "YEAR-MISMATCH": _an_year_mismatch,
    "DEV-MISSING": _an_dev_missing,
    "STR-PLACEHOLDER": _an_placeholder,
    "SAT-MISSING": _an_sat_missing,
    "WEIGHT-TOTAL": _an_weight_total,
    "SCORE-RANGE": _an_score_range,
    "SCORE-TOTAL": _an_score_total,
}


def _rate_kind(kinds: set[str], rng: random.Random) -> str:
    """Execution scenario, constrained by the anomalies planned for the form."""
    if "FUND-OVERSPEND" in kinds:
        return "over"
    if "COST-EXCEEDS-EXECUTED" in kinds:
        return "gap"
    if "VAL-COPIED" in kinds:
        return "full"  # copied cost actuals equal the budget, so all of it was spent
    if "EXEC-SCORE" in kinds:
        return rng.choice(("zero", "high", "mid"))
    if "FUND-RATE" in kinds:
        return rng.choice(("full", "high"))
    return rng.choices(("full", "high", "mid"), weights=(55, 33, 12))[0]


def build_content(plan: "FormPlan", year: int, used: dict[str, set[str]]) -> FormContent:
    """Plan one form: funds, indicators, anomalies, then texts that agree with the result."""
    rng = random.Random(f"{plan.seed}/content/{plan.key}")
    kinds = set(plan.anomalies)
    c = FormContent(plan.key, plan.dept, plan.domain, year, plan.project_name, plan.unit,
                    plan.goal_expected, variants=set(plan.variants), options=dict(plan.options))
    _plan_funds(c, rng, _rate_kind(kinds, rng))
    _plan_indicators(c, rng)
    n_missed = 0 if kinds & {"VAL-COPIED"} else rng.choices((0, 1, 2), weights=(70, 22, 8))[0]
    _realise_actuals(c, rng, n_missed)
    _plan_adjusted(c, rng)
    _rescore(c)
    for group in _APPLY_ORDER:
        for kind in plan.anomalies:
            if _GROUP_OF[kind] == group:
                c.marks.append(_ANOMALY_FUNCS[kind](c, rng))
                _rescore(c)
    if "VAL-COPIED" not in kinds:
        _avoid_copied(c, rng, _frozen(c, kinds))
        _rescore(c)
    c.anomalies = list(plan.anomalies)
    _plan_texts(c, rng, used)
    if c.problems == "无" and c.total_score < 100:
        # The printed total shows lost points that the form's problems text does not name.
        for mark in c.marks:
            if mark.kind in ("WEIGHT-TOTAL", "SCORE-TOTAL", "EXEC-SCORE"):
                mark.collateral.append("TXT-NO-PROBLEMS")
    if c.text_placeholder == "suggestion_other":
        c.suggestions["other"] = "……"
    _plan_operator_in_actual(c, rng)
    return c


def _frozen(c: FormContent, kinds: set[str]) -> set[int]:
    """Indicators that an injected anomaly points at or depends on."""
    frozen = {id(w[1]) for m in c.marks for w in [m.where, *m.also] if w[0] == "ind"}
    if kinds & {"COST-EXCEEDS-EXECUTED", "FUND-OVERSPEND"}:
        frozen |= {id(i) for i in _cost_inds(c)}
    return frozen


def _plan_adjusted(c: FormContent, rng: random.Random) -> None:
    """When the budget was adjusted, cost targets were planned on 年初预算数 and adjusted later."""
    total = c.total
    if "no-adjusted" in c.variants or total.initial == total.full:
        return
    for ind in _cost_inds(c):
        ind.adjusted = ind.target
        ind.target = Decimal(dtext(q2(ind.target * total.initial / total.full)))


def _plan_operator_in_actual(c: FormContent, rng: random.Random) -> None:
    if "operator-in-actual" not in c.variants:
        return
    quant = [i for i in c.indicators
             if i.kind == "quant" and i.op in (">=", "<=") and _met(i) and not i.fixed_score]
    for ind in rng.sample(quant, max(1, len(quant) // 2)) if quant else []:
        ind.op_in_actual = True


# --------------------------------------------------------------------------------------------
# Rendering: content + layout → cells, merges, truth


@dataclass
class Layout:
    """Printed-form choices derived from a form's content variants."""

    na: str = "--"
    weight_header: str = "分值"
    actual_header: str = "实际完成值"
    deviation_header: str = "偏差原因分析及改进措施"
    inline: str = ""  # "" | half | full | spaced
    ops: str = "ascii"  # ascii | fullwidth | words
    bare: bool = False
    nature: bool = False
    adjusted: bool = True
    as_text: bool = False
    thousands: bool = False  # "1,234.5" rather than "1234.5" when numbers are text
    spaced: bool = False
    punct: bool = False
    dept: str = "suffix"  # suffix | prefix | bracket | none


def _layout(content: FormContent) -> Layout:
    v, o = content.variants, content.options
    lay = Layout()
    if "na-marker" in v:
        lay.na = o["na"]
    if "weight-header" in v:
        lay.weight_header = "权重"
    if "actual-header" in v:
        lay.actual_header = o["actual_header"]
    if "deviation-header" in v:
        lay.deviation_header = o["deviation_header"]
    if "inline-weight" in v:
        lay.inline = o["inline"]
    if "fullwidth-operators" in v:
        lay.ops = "fullwidth"
    elif "word-operators" in v:
        lay.ops = "words"
    lay.bare = "bare-number" in v
    lay.nature = "nature-column" in v
    lay.adjusted = "no-adjusted" not in v
    lay.as_text = "numbers-as-text" in v
    lay.thousands = o.get("thousands") == "comma"
    lay.spaced = "spaced-labels" in v
    lay.punct = "fullwidth-punct" in v
    for name, style in (("dept-code-prefix", "prefix"), ("dept-code-bracket", "bracket"),
                        ("dept-no-code", "none")):
        if name in v:
            lay.dept = style
    return lay


_FULLWIDTH_OPS = {">=": "≥", "<=": "≤", "=": "＝", "<": "＜", ">": "＞"}


def _op_text(ind: Indicator, value: str, lay: Layout) -> str:
    op = ind.op
    if lay.ops == "fullwidth":
        return _FULLWIDTH_OPS[op] + value
    if lay.ops == "words" and op in (">=", "<="):
        # A stable choice per indicator name so target and actual read alike.
        first = (sum(map(ord, ind.name)) % 2) == 0
        if op == ">=":
            return f"不低于{value}" if first else f"{value}以上"
        return f"不超过{value}" if first else f"{value}以内"
    return op + value


def _target_text(ind: Indicator, lay: Layout, value: Decimal | None = None) -> str:
    if ind.kind != "quant":
        return ind.word
    value = ind.target if value is None else value
    number = dtext(value, ind.target_places) if value is ind.target else dtext(value)
    shown = f"{number}{ind.unit}"
    bare_ok = ind.op == "=" or (ind.op == ">=" and ind.actual == ind.target)
    if lay.bare and bare_ok and not ind.cost:
        return shown
    return _op_text(ind, shown, lay)


def _actual_text(ind: Indicator, lay: Layout) -> str:
    if ind.kind != "quant":
        return ind.actual_word
    shown = f"{dtext(ind.actual)}{ind.unit}"
    return _op_text(ind, shown, lay) if ind.op_in_actual else shown


def _nature(ind: Indicator) -> str:
    if ind.kind != "quant":
        return "定性"
    return "反向" if ind.op in ("<=", "<") else "正向"


def _spaced(text: str) -> str:
    return " ".join(text)


class Canvas:
    """Cells and merges of one sheet, written relative to a form's origin."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], object] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.r0 = 0
        self.c0 = 0

    def put(self, r: int, c: int, value, merge_to: tuple[int, int] | None = None) -> str:
        """Write ``value`` at form-relative (r, c); returns the absolute A1 reference."""
        ar, ac = r + self.r0, c + self.c0
        if value is not None and value != "":
            self.cells[(ar, ac)] = value
        if merge_to and merge_to != (r, c):
            self.merges.append((ar, ac, merge_to[0] + self.r0, merge_to[1] + self.c0))
        return cell_ref(ar, ac)


def _amount_cell(value: Decimal, lay: Layout) -> tuple[object, int | float]:
    """(cell value, truth number) for an amount in 万元."""
    number = jnum(value)
    if lay.as_text:
        text = f"{value:,}" if lay.thousands and abs(value) >= 1000 else dtext(value)
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text, number
    return number, number


def _rate_cell(value: Decimal, lay: Layout) -> tuple[object, int | float]:
    number = jnum(value)
    return (f"{dtext(value)}%" if lay.as_text else number), number


def _score_cell(value: Decimal | int, lay: Layout) -> tuple[object, int | float]:
    number = jnum(value)
    return (dtext(Decimal(number)) if lay.as_text else number), number


def _ind_columns(lay: Layout) -> dict[str, tuple[int, int]]:
    cols = {"level1": (3, 3), "level2": (4, 4), "name": (5, 5)}
    if lay.nature:
        cols["nature"] = (6, 6)
        cols["target"] = (7, 7)
        if lay.adjusted:
            cols["adjusted_target"] = (8, 8)
            cols["actual"] = (9, 9)
        else:
            cols["actual"] = (8, 9)
    elif lay.adjusted:
        cols.update(target=(6, 6), adjusted_target=(7, 7), actual=(8, 9))
    else:
        cols.update(target=(6, 7), actual=(8, 9))
    cols.update(weight=(10, 10), score=(11, 11), deviation_reason=(12, 13))
    return cols


_FUND_FIELD_COL = {"label": 4, "budget_initial": 6, "budget_full_year": 8, "executed": 10,
                   "weight": 11, "exec_rate": 12, "score": 13}
_PROJECT_FIELD_AT_TOTAL = {"budget_initial": 6, "budget_full_year": 8, "executed": 10,
                           "exec_weight": 11, "exec_rate": 12, "exec_score": 13}


@dataclass
class Rendered:
    """A form drawn on a canvas: its truth record and where things landed."""

    truth: dict
    height: int
    refs: dict  # symbolic location → A1


def _label(text: str, lay: Layout, colon: bool = False) -> str:
    shown = _spaced(text) if lay.spaced else text
    return shown + "：" if (colon and lay.punct) else shown


def render_form(content: FormContent, canvas: Canvas) -> Rendered:
    """Draw ``content`` at the canvas origin in the seed's layout, modified by its variants."""
    lay = _layout(content)
    put = canvas.put
    refs: dict = {}
    cells: dict[str, str] = {}
    project: dict = {}

    # Header.
    title_ref = put(1, 2, content.project_name, (1, 7))
    put(1, 8, "项目绩效自评表", (1, 13))
    put(2, 7, "（")
    year_value = str(content.year) if lay.as_text else content.year
    cells["year"] = put(2, 8, year_value)
    put(2, 9, "年度）")
    cells["label:项目名称"] = put(3, 2, _label("项目名称", lay, True), (3, 3))
    cells["project_name"] = put(3, 4, content.project_name, (3, 13))
    put(4, 2, _label("主管部门", lay, True), (4, 3))
    dept = content.dept
    dept_text = {"suffix": f"{dept.name}-{dept.code}", "prefix": f"{dept.code}-{dept.name}",
                 "bracket": f"[{dept.code}]{dept.name}", "none": dept.name}[lay.dept]
    cells["department"] = cells["department_code"] = put(4, 4, dept_text, (4, 7))
    put(4, 8, _label("实施单位", lay, True), (4, 9))
    cells["implementing_unit"] = put(4, 10, content.unit, (4, 13))
    project.update(project_name=content.project_name, department=dept.name,
                   department_code="" if lay.dept == "none" else dept.code,
                   implementing_unit=content.unit, year=content.year)

    # Funds.
    funds_truth = _render_funds(content, lay, canvas, refs, cells, project)
    n_fund = len(content.funds)

    # Goals.
    g = 6 + n_fund
    put(g, 2, _label("年度总体目标", lay), (g + 1, 2))
    put(g, 3, "预期目标", (g, 7))
    put(g, 8, "实际完成情况", (g, 13))
    cells["goal_expected"] = put(g + 1, 3, content.goal_expected, (g + 1, 7))
    cells["goal_actual"] = put(g + 1, 8, content.goal_actual, (g + 1, 13))
    project.update(goal_expected=content.goal_expected, goal_actual=content.goal_actual)

    # Indicators.
    h = g + 3
    ind_truth, ind_cols = _render_indicators(content, lay, canvas, h, refs)
    n = len(content.indicators)

    # Totals.
    t = h + n + 2
    put(t, 2, _label("总分", lay), (t, 9))
    weight_value, weight_num = _score_cell(100, lay)
    cells["total_weight"] = put(t, 10, weight_value)
    score_value, score_num = _score_cell(content.total_score, lay)
    cells["total_score"] = put(t, 11, score_value)
    project.update(total_weight=weight_num, total_score=score_num)
    refs[("project", "total_weight")] = cells["total_weight"]
    refs[("project", "total_score")] = cells["total_score"]

    # Conclusions.
    c = t + 2
    put(c, 2, _label("项目自评结论", lay), (c + 7, 2))
    put(c, 3, "主要经验做法", (c, 4))
    cells["experience"] = put(c, 5, content.experience, (c, 13))
    put(c + 1, 3, "项目管理中存在的\n主要问题及原因分析", (c + 1, 4))
    cells["problems"] = put(c + 1, 5, content.problems, (c + 1, 13))
    put(c + 2, 3, "下一步改进措施及\n管理建议", (c + 7, 4))
    project.update(experience=content.experience, problems=content.problems)
    s = content.suggestions
    for k, (label, key, fld) in enumerate((
        ("对项目决策的建议：", "decision", "suggestion_decision"),
        ("对预算安排与执行的建议：", "budget", "suggestion_budget"),
        ("对资金管理的建议：", "funds", "suggestion_funds"),
        ("项目管理的建议：", "management", "suggestion_management"),
        ("其他：", "other", "suggestion_other"),
        ("备注：", "remarks", "remarks"),
    )):
        put(c + 2 + k, 5, label)
        cells[fld] = put(c + 2 + k, 6, s[key], (c + 2 + k, 13))
        project[fld] = s[key]
    for fld in ("project_name", "experience", "problems", "suggestion_decision",
                "suggestion_budget", "suggestion_funds", "suggestion_management",
                "suggestion_other", "remarks", "goal_expected", "goal_actual"):
        refs[("project", fld)] = cells[fld]
    refs[("project", "exec_score")] = cells["exec_score"]

    height = c + 7
    top_left = (canvas.r0 + 1, canvas.c0 + 2)
    form_range = range_ref(top_left[0], top_left[1], canvas.r0 + height, canvas.c0 + 13)
    ordered_project = {k: project.get(k) for k in _PROJECT_KEYS}
    ordered_project["title"] = f"{content.project_name}项目绩效自评表"
    truth = {
        "anchor": title_ref,
        "form_range": form_range,
        "project": ordered_project,
        "funds": funds_truth,
        "indicators": ind_truth,
        "cells": cells,
        "indicator_columns": {k: cell_ref(1, v[0] + canvas.c0)[:-1] for k, v in ind_cols.items()},
        "fund_columns": {k: cell_ref(1, v + canvas.c0)[:-1] for k, v in _FUND_FIELD_COL.items()},
    }
    refs[("header", "level1")] = cell_ref(canvas.r0 + h, canvas.c0 + 3)
    return Rendered(truth, height, refs)


_PROJECT_KEYS = (
    "project_name", "department", "department_code", "implementing_unit", "year",
    "budget_initial", "budget_full_year", "executed", "exec_weight", "exec_rate", "exec_score",
    "total_weight", "total_score", "goal_expected", "goal_actual", "experience", "problems",
    "suggestion_decision", "suggestion_budget", "suggestion_funds", "suggestion_management",
    "suggestion_other", "remarks",
)


def _render_funds(content: FormContent, lay: Layout, canvas: Canvas, refs: dict,
                  cells: dict, project: dict) -> list[dict]:
    put = canvas.put
    n_fund = len(content.funds)
    put(5, 2, "项目资金（万元）", (5 + n_fund, 3))
    canvas.merges.append((5 + canvas.r0, 4 + canvas.c0, 5 + canvas.r0, 5 + canvas.c0))
    put(5, 6, "年初预算数", (5, 7))
    put(5, 8, "全年预算数", (5, 9))
    put(5, 10, "全年执行数")
    put(5, 11, lay.weight_header)
    put(5, 12, "执行率")
    put(5, 13, "得分")
    scale = Decimal(content.amount_scale)
    rows = []
    for k, line in enumerate(content.funds):
        r = 6 + k
        is_total = line.source == "total"
        amounts = [line.initial, line.full, line.executed]
        if line.printed_zero:
            amounts = [Decimal(0)] * 3
        put(r, 4, line.label, (r, 5))
        row = {"source": line.source, "label": line.label.strip()}
        for fld, col, amount in zip(("budget_initial", "budget_full_year", "executed"),
                                    (6, 8, 10), amounts):
            value, number = _amount_cell(amount * scale, lay)
            ref = put(r, col, value, (r, col + 1) if col < 10 else None)
            row[fld] = number
            refs[("fund", line.source, fld)] = ref
        rate = line.rate
        if is_total and line.printed_zero:
            rate = Decimal(0)
        if is_total and content.total_rate_override is not None:
            rate = content.total_rate_override
        if is_total:
            w_value, w_num = _score_cell(10, lay)
            s_value, s_num = _score_cell(content.exec_score, lay)
        else:
            w_value = s_value = lay.na or None
            w_num = s_num = None
        refs[("fund", line.source, "weight")] = put(r, 11, w_value)
        rate_value, rate_num = _rate_cell(rate, lay)
        refs[("fund", line.source, "exec_rate")] = put(r, 12, rate_value)
        refs[("fund", line.source, "score")] = put(r, 13, s_value)
        row.update(weight=w_num, exec_rate=rate_num, score=s_num, row=r + canvas.r0)
        rows.append(row)
        if is_total:
            for fld, col in _PROJECT_FIELD_AT_TOTAL.items():
                cells[fld] = cell_ref(r + canvas.r0, col + canvas.c0)
            project.update(budget_initial=row["budget_initial"],
                           budget_full_year=row["budget_full_year"], executed=row["executed"],
                           exec_weight=w_num, exec_rate=rate_num, exec_score=s_num)
    return rows


def _level1_text(level1: str, weight: int, lay: Layout) -> str:
    if lay.inline == "half":
        return f"{level1}({weight}分)"
    if lay.inline == "full":
        return f"{level1}（{weight}分）"
    if lay.inline == "spaced":
        return f"{_spaced(level1)} （{weight}分）"
    return level1


def _render_indicators(content: FormContent, lay: Layout, canvas: Canvas, h: int,
                       refs: dict) -> tuple[list[dict], dict]:
    put = canvas.put
    cols = _ind_columns(lay)
    headers = {"level1": "一级指标", "level2": "二级指标", "name": "三级指标",
               "nature": "指标性质", "target": "年度指标值", "adjusted_target": "调整后指标值",
               "actual": lay.actual_header, "weight": lay.weight_header, "score": "得分",
               "deviation_reason": lay.deviation_header}
    for key, (c0, c1) in cols.items():
        put(h, c0, headers[key], (h, c1))
    inds = content.indicators
    n = len(inds)
    if n:
        put(h + 1, 2, "绩效目标", (h + n, 2))
    l1_weights: dict[str, int] = {}
    for ind in inds:
        l1_weights[ind.level1] = l1_weights.get(ind.level1, 0) + ind.weight
    rows = []
    l1_top = h + 1
    for k, ind in enumerate(inds):
        r = h + 1 + k
        if k == 0 or inds[k - 1].level1 != ind.level1:
            l1_top = r
            end = k
            while end + 1 < n and inds[end + 1].level1 == ind.level1:
                end += 1
            text = _level1_text(ind.level1, l1_weights[ind.level1], lay)
            put(r, 3, text, (h + 1 + end, 3))
        if k == 0 or (inds[k - 1].level2, inds[k - 1].level1) != (ind.level2, ind.level1):
            end = k
            while end + 1 < n and (inds[end + 1].level2, inds[end + 1].level1) == (
                    ind.level2, ind.level1):
                end += 1
            put(r, 4, ind.level2, (h + 1 + end, 4))
        values = {
            "name": ind.name,
            "nature": _nature(ind),
            "target": _target_text(ind, lay),
            "adjusted_target": _target_text(ind, lay, ind.adjusted) if ind.adjusted is not None
            and lay.adjusted else "",
            "actual": _actual_text(ind, lay),
            "deviation_reason": ind.deviation,
        }
        for key in ("name", "nature", "target", "adjusted_target", "actual", "deviation_reason"):
            if key in cols:
                c0, c1 = cols[key]
                refs[("ind", id(ind), key)] = put(r, c0, values[key], (r, c1))
        w_value, w_num = _score_cell(ind.weight, lay)
        s_value, s_num = _score_cell(ind.score, lay)
        refs[("ind", id(ind), "weight")] = put(r, 10, w_value)
        refs[("ind", id(ind), "score")] = put(r, 11, s_value)
        # The 一级 text sits in the top cell of its vertical merge.
        refs[("ind", id(ind), "level1")] = cell_ref(l1_top + canvas.r0, 3 + canvas.c0)
        rows.append({
            "seq": k + 1,
            "level1": ind.level1,
            "level1_weight": l1_weights[ind.level1] if lay.inline else None,
            "level2": ind.level2,
            "name": ind.name,
            "target": values["target"],
            "adjusted_target": values["adjusted_target"] if "adjusted_target" in cols else "",
            "actual": values["actual"],
            "weight": w_num,
            "score": s_num,
            "deviation_reason": ind.deviation,
            "nature": values["nature"] if lay.nature else "",
            "row": r + canvas.r0,
        })
    return rows, cols


def _resolve(where: tuple, refs: dict) -> str:
    if where[0] == "ind":
        return refs[("ind", id(where[1]), where[2])]
    return refs[where]


def anomaly_records(content: FormContent, rendered: Rendered, file: str, sheet: str) -> list:
    """The truth entries of a form's anomalies, their cells resolved to A1."""
    out = []
    for mark in content.marks:
        cell = _resolve(mark.where, rendered.refs)
        extra = [_resolve(w, rendered.refs) for w in mark.also]
        out.append({
            "rule": mark.kind,
            "form": content.key,
            "file": file,
            "sheet": sheet,
            "cell": cell,
            "cells": [cell] + [e for e in extra if e != cell],
            "detail": mark.detail,
            "collateral": list(mark.collateral),
        })
    return out


# --------------------------------------------------------------------------------------------
# Planning the county: departments, forms, variants, anomalies, files


@dataclass
class FormPlan:
    key: str
    seed: int
    dept: Department
    domain: str
    project_index: int
    project_name: str
    unit: str
    goal_expected: str
    variants: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    anomalies: list[str] = field(default_factory=list)
    reserved_seed: bool = False


@dataclass
class FilePlan:
    dept: Department
    forms: list[FormPlan]
    kind: str = "single"  # single | multi-sheet | stacked
    xls: bool = False
    notes: str = ""  # "" | before | after
    shift: tuple[int, int] = (0, 0)
    sheet_names: list[str] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)

    @property
    def placement_variants(self) -> list[str]:
        out = []
        if self.shift != (0, 0):
            out.append("shifted")
        if self.notes:
            out.append("notes-sheet")
        if self.kind != "single":
            out.append(self.kind)
        if self.xls:
            out.append("xls")
        return out


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """Chinese numeral for 1..999 (二, 十二, 一百零五); larger numbers stay in digits."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "十" if tens == 1 else _CN_DIGITS[tens] + "十"
        return head + (_CN_DIGITS[ones] if ones else "")
    if n >= 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    head = _CN_DIGITS[hundreds] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + _CN_DIGITS[rest]
    return head + ("一" if rest < 20 else "") + _cn_number(rest)


def _county_name(base: str, k: int) -> str:
    if k == 0:
        return base
    stem = base[:-1] if base.endswith(("县", "区", "市")) else base
    suffix = base[-1] if base.endswith(("县", "区", "市")) else "县"
    return f"{stem}{_cn_number(k + 1)}{suffix}"


def build_departments(n: int, county: str, rng: random.Random) -> list[Department]:
    """``n`` departments; past the bureau list, further (numbered) counties are used."""
    order = list(BUREAUS)
    rng.shuffle(order)
    out = []
    for i in range(n):
        bureau = order[i % len(order)]
        county_name = _county_name(county, i // len(order))
        out.append(Department(i + 1, f"{county_name}{bureau.suffix}", bureau.code,
                              bureau.domains, county_name))
    return out


def _plan_projects(dept: Department, n: int, seed: int, year: int) -> list[FormPlan]:
    rng = random.Random(f"{seed}/projects/{dept.index}")
    pool = [(d, name, goal) for d in dept.domains for name, goal in PROJECTS[d]]
    rng.shuffle(pool)
    plans = []
    for k in range(n):
        domain, name, goal = pool[k % len(pool)]
        name = name.format(y=year, p=year - 1)
        if k >= len(pool):
            name = f"{name}（{_cn_number(k // len(pool) + 1)}期）"
        if rng.random() < 0.55:
            unit = dept.name
        else:
            unit = dept.county + rng.choice(UNITS[domain])
        key = f"synthetic_{dept.index:03d}_{k + 1:02d}"
        plans.append(FormPlan(key, seed, dept, domain, k + 1, name, unit, goal))
    return plans


_OPTION_CHOICES = {
    "na-marker": ("na", ("—", "-", "/", "")),
    "actual-header": ("actual_header", ("全年实际值", "完成值")),
    "deviation-header": ("deviation_header", ("未完成原因分析", "未完成原因及拟采取的改进措施")),
    "inline-weight": ("inline", ("half", "full", "spaced")),
    "fund-current-year": ("fund_label", ("当年财政拨款", "本年财政拨款", "财政资金")),
    "numbers-as-text": ("thousands", ("comma", "plain")),
}


def _allowed_variants(variants) -> set[str]:
    if variants == "all":
        return set(VARIANTS)
    if variants in (None, "seed", "none"):
        return {"seed"}
    names = {variants} if isinstance(variants, str) else set(variants)
    unknown = names - set(VARIANTS)
    if unknown:
        raise ValueError(f"unknown variants: {sorted(unknown)}")
    return names


def _conflicts(variant: str, chosen: Iterable[str]) -> bool:
    chosen = set(chosen)
    return any(variant in g and chosen & (set(g) - {variant}) for g in _EXCLUSIVE_GROUPS)


def _assign_variants(plans: list[FormPlan], allowed: set[str], rng: random.Random) -> None:
    content = [v for v in CONTENT_VARIANTS if v in allowed]
    for plan in plans:
        if plan.reserved_seed or rng.random() < 0.3:
            continue
        for v in content:
            if rng.random() < 0.14 and not _conflicts(v, plan.variants):
                plan.variants.append(v)
    # Coverage: every allowed variant on at least one form.
    free = [p for p in plans if not p.reserved_seed]
    for v in content:
        if free and not any(v in p.variants for p in plans):
            options = [p for p in free if not _conflicts(v, p.variants)] or free
            target = min(options, key=lambda p: (len(p.variants), rng.random()))
            if not _conflicts(v, target.variants):
                target.variants.append(v)
    for plan in plans:
        plan.variants.sort(key=CONTENT_VARIANTS.index)
        prng = random.Random(f"{plan.seed}/options/{plan.key}")
        for v in plan.variants:
            if v in _OPTION_CHOICES:
                key, choices = _OPTION_CHOICES[v]
                plan.options[key] = prng.choice(choices)


def _compatible(kind: str, chosen: list[str]) -> bool:
    return all(_GROUP_OF[kind] != _GROUP_OF[k] for k in chosen)


def _assign_anomalies(plans: list[FormPlan], rate: float, rng: random.Random,
                      kinds: Sequence[str]) -> None:
    candidates = [p for p in plans if not p.reserved_seed]
    if rate <= 0 or not candidates or not kinds:
        return
    n_anom = min(len(candidates), max(1, round(len(plans) * rate)))
    chosen = rng.sample(candidates, n_anom)
    # Coverage first: every kind once, on the least loaded compatible form.
    order = list(kinds)
    rng.shuffle(order)
    for kind in order:
        options = [p for p in chosen if _compatible(kind, p.anomalies) and len(p.anomalies) < 3]
        if options:
            target = min(options, key=lambda p: (len(p.anomalies), rng.random()))
            target.anomalies.append(kind)
    for plan in chosen:
        if not plan.anomalies:
            plan.anomalies.append(rng.choice(kinds))
        if len(plan.anomalies) == 1 and rng.random() < 0.2:
            extra = [k for k in kinds if _compatible(k, plan.anomalies)]
            if extra:
                plan.anomalies.append(rng.choice(extra))


def _group_files(dept_plans: list[FormPlan], allowed: set[str],
                 rng: random.Random) -> list[FilePlan]:
    """One file per form, except runs of 2–3 forms put on several sheets or stacked in one."""
    files: list[FilePlan] = []
    i = 0
    while i < len(dept_plans):
        plan = dept_plans[i]
        kind, size = "single", 1
        # The reserved seed form is always alone (plans after it are never reserved).
        if not plan.reserved_seed and i + 1 < len(dept_plans):
            roll = rng.random()
            if roll < 0.10 and "multi-sheet" in allowed:
                kind, size = "multi-sheet", rng.randint(2, 3)
            elif roll < 0.18 and "stacked" in allowed:
                kind, size = "stacked", rng.randint(2, 3)
        group = dept_plans[i:i + size]
        files.append(FilePlan(plan.dept, group, kind if len(group) > 1 else "single"))
        i += len(group)
    return files


def _place_files(files: list[FilePlan], allowed: set[str], rng: random.Random) -> None:
    for f in files:
        if any(p.reserved_seed for p in f.forms):
            continue
        if "xls" in allowed and rng.random() < 0.1:
            f.xls = True
        if "notes-sheet" in allowed and rng.random() < 0.1:
            f.notes = rng.choice(("before", "after"))
        if "shifted" in allowed and rng.random() < 0.12:
            f.shift = (rng.randint(0, 5), rng.randint(0, 3))
            if f.shift == (0, 0):
                f.shift = (2, 1)


def _cover_placement(files: list[FilePlan], allowed: set[str], rng: random.Random) -> list[FilePlan]:
    """Make sure each allowed placement variant appears in at least one file."""
    free = lambda: [f for f in files if not any(p.reserved_seed for p in f.forms)]
    for kind in ("multi-sheet", "stacked"):
        if kind in allowed and not any(f.kind == kind for f in files):
            singles = [f for f in free() if f.kind == "single"]
            pairs = [(a, b) for a, b in zip(singles, singles[1:]) if a.dept == b.dept]
            if pairs:
                a, b = rng.choice(pairs)
                a.forms.extend(b.forms)
                a.kind = kind
                files.remove(b)
    for flag in ("xls", "notes-sheet", "shifted"):
        if flag not in allowed or not free():
            continue
        if any(flag in f.placement_variants for f in files):
            continue
        target = rng.choice(free())
        if flag == "xls":
            target.xls = True
        elif flag == "notes-sheet":
            target.notes = rng.choice(("before", "after"))
        else:
            target.shift = (rng.randint(1, 5), rng.randint(1, 3))
    return files


_UNSAFE = re.compile(r'[\\/:*?"<>|\s\[\]]+')


def _safe(text: str, limit: int = 30) -> str:
    """A file-system-safe fragment of ``text`` (no path or shell-hostile characters)."""
    return _UNSAFE.sub("", text)[:limit] or "form"


def _sheet_names(f: FilePlan, rng: random.Random) -> list[str]:
    if f.kind != "multi-sheet":
        name = rng.choice(("Sheet2", "Sheet2", "Sheet1", "项目自评表"))
        return ["Sheet2" if f.forms[0].reserved_seed else name]
    style = rng.choice(("sheet", "name", "number"))
    names = []
    for k, p in enumerate(f.forms):
        if style == "sheet":
            name = f"Sheet{k + 1}"
        elif style == "number":
            name = f"{k + 1}"
        else:
            name = _safe(_short_name(p.project_name), 20)
        while name in names:
            name = f"{name}{k + 1}"
        names.append(name)
    return names


def _file_name(f: FilePlan) -> str:
    first = f.forms[0]
    ext = "xls" if f.xls else "xlsx"
    stem = f"synthetic_{first.dept.index:03d}_{first.project_index:02d}"
    if len(f.forms) == 1:
        return f"{stem}_{_safe(first.project_name)}.{ext}"
    last = f.forms[-1]
    return f"{stem}-{last.project_index:02d}_{_safe(first.dept.name, 20)}项目绩效自评表.{ext}"


# --------------------------------------------------------------------------------------------
# Writing


_COL_WIDTHS = {1: 3, 2: 9, 3: 11, 4: 13, 5: 24, 6: 14, 7: 12, 8: 10, 9: 8, 10: 8, 11: 8,
               12: 12, 13: 10}


def _notes_sheet() -> SheetSpec:
    cells = {(k + 1, 1): line for k, line in enumerate(NOTES_LINES)}
    return SheetSpec("填表说明", cells, [(k + 1, 1, k + 1, 10) for k in range(len(NOTES_LINES))],
                     {1: 12}, style=0)


def _widths(shift_c: int) -> dict[int, float]:
    return {c + shift_c: w for c, w in _COL_WIDTHS.items()}


def _form_truth(plan: FormPlan, f: FilePlan, rel: str, sheet: str, index: int,
                content: FormContent, rendered: Rendered, anomalies: list[dict]) -> dict:
    variants = f.placement_variants + [v for v in CONTENT_VARIANTS if v in content.variants]
    info = []
    if any(row["budget_initial"] != row["budget_full_year"] for row in rendered.truth["funds"]):
        info.append("FUND-ADJUSTED")
    if content.goal_actual in ("已完成", "完成"):
        info.append("TXT-GOAL-BARE")
    if "VAL-COPIED" not in content.anomalies and _copied_share(content) >= 0.9:
        info.append("VAL-COPIED")
    truth = {
        "form": plan.key,
        "file": rel,
        "sheet": sheet,
        "form_index": index,
        "department_index": plan.dept.index,
        "domain": plan.domain,
        "variants": variants or ["seed"],
        "template": ",".join(variants) if variants else "seed",
        "variant_options": dict(plan.options),
        "clean": not anomalies,
        "expected_info": info,
    }
    truth.update(rendered.truth)
    truth["anomalies"] = anomalies
    return truth


def _write_file(f: FilePlan, out_dir: Path, year: int, used: dict[str, dict[str, set[str]]],
                boilerplate: set[int], rng: random.Random,
                excel_like: bool = False) -> tuple[dict, list[dict]]:
    rel_dir = f.dept.folder
    name = _file_name(f)
    rel = f"{rel_dir}/{name}"
    (out_dir / rel_dir).mkdir(parents=True, exist_ok=True)
    names = _sheet_names(f, rng)
    sheets: list[SheetSpec] = []
    forms_truth: list[dict] = []
    shift_r, shift_c = f.shift
    canvases: list[tuple[str, Canvas, list]] = []
    if f.kind == "multi-sheet":
        groups = [[p] for p in f.forms]
    else:
        groups = [f.forms]
    for sheet_name, group in zip(names, groups):
        canvas = Canvas()
        canvas.r0, canvas.c0 = shift_r, shift_c
        blocks: list[tuple[int, int, int, int]] = []
        for index, plan in enumerate(group):
            content = build_content(plan, year, used.setdefault(
                str(plan.dept.index), _new_used()))
            if plan.dept.index in boilerplate:
                content.suggestions["budget"] = BOILERPLATE_TEXT
                content.marks.append(Mark("TXT-BOILERPLATE", ("project", "suggestion_budget"),
                                          f"本部门各项目“对预算安排与执行的建议”均为"
                                          f"“{BOILERPLATE_TEXT}”。"))
            n_cells, n_merges = len(canvas.cells), len(canvas.merges)
            rendered = render_form(content, canvas)
            blocks.append(_block(canvas, n_cells, n_merges, rendered.height))
            anomalies = anomaly_records(content, rendered, rel, sheet_name)
            forms_truth.append(_form_truth(plan, f, rel, sheet_name, index, content,
                                           rendered, anomalies))
            canvas.r0 += rendered.height + rng.randint(2, 4)
        canvases.append((sheet_name, canvas, blocks))
    for sheet_name, canvas, blocks in canvases:
        sheets.append(SheetSpec(sheet_name, canvas.cells, canvas.merges, _widths(shift_c),
                                blocks=blocks, title_rows=2))
    if f.notes == "before":
        sheets.insert(0, _notes_sheet())
    elif f.notes == "after":
        sheets.append(_notes_sheet())
    path = out_dir / rel
    if f.xls:
        write_xls(path, sheets)
    else:
        write_xlsx(path, sheets, created=f"{year + 1}-01-15T08:00:00Z", creator="evaltools.synth",
                   excel_like=excel_like)
    file_truth = {
        "file": rel,
        "format": "xls" if f.xls else "xlsx",
        "department_index": f.dept.index,
        "layout": f.kind,
        "sheets": [{"name": s.name, "kind": "notes" if s.name == "填表说明" else "form",
                    "forms": [t["form"] for t in forms_truth if t["sheet"] == s.name]}
                   for s in sheets],
    }
    return file_truth, forms_truth


def _block(canvas: Canvas, n_cells: int, n_merges: int, height: int) -> tuple[int, int, int, int]:
    """The rectangle of the form just drawn (its bordered area, from column B of the form)."""
    keys = list(canvas.cells)[n_cells:]
    for r0, c0, r1, c1 in canvas.merges[n_merges:]:
        keys += [(r0, c0), (r1, c1)]
    top = canvas.r0 + 1
    left = min([canvas.c0 + 2] + [c for _, c in keys])
    right = max([canvas.c0 + 13] + [c for _, c in keys])
    return (top, left, top + height - 1, right)


def _new_used() -> dict[str, set[str]]:
    return {k: set() for k in ("experience", "decision", "budget", "funds", "management")}


@dataclass
class Manifest:
    """What ``generate`` wrote: the workbook paths, the truth file and the truth itself."""

    out_dir: Path
    files: list[Path]
    truth_path: Path
    anomalies_csv: Path
    truth: dict

    @property
    def forms(self) -> list[dict]:
        return self.truth["forms"]

    @property
    def anomalies(self) -> list[dict]:
        return self.truth["anomalies"]

    def form(self, key: str) -> dict:
        return next(f for f in self.forms if f["form"] == key)


def generate(
    out_dir: str | Path,
    *,
    n_forms: int | None = None,
    n_departments: int = 5,
    projects_per_department: tuple[int, int] = (4, 12),
    seed: int = 0,
    year: int = 2021,
    variants="all",
    anomaly_rate: float = 0.35,
    county: str = "示例县",
    excel_like: bool = False,
) -> Manifest:
    """Write a synthetic county of self-evaluation workbooks under ``out_dir``, with its truth.

    ``variants``: ``"all"`` (every variant appears at least once when there are enough forms),
    ``"seed"`` (the seed layout only) or an iterable of names from ``VARIANTS``. ``anomaly_rate``:
    the share of forms given anomalies; when positive every kind is injected at least once as
    far as the number of forms allows. ``n_forms`` overrides ``projects_per_department``.
    ``excel_like``: write the ``.xlsx`` files the way Excel/WPS save a bordered form (every cell
    of each form's rectangle styled and present, padded to 25 columns, WPS-sized styles; see
    ``xlsxio``); values and merges are the same, so the truth is the same.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    allowed = _allowed_variants(variants)
    depts = build_departments(n_departments, county, rng)
    counts = _form_counts(len(depts), n_forms, projects_per_department, rng)
    plans_by_dept = [_plan_projects(d, n, seed, year) for d, n in zip(depts, counts)]
    plans = [p for group in plans_by_dept for p in group]
    if "seed" in allowed and plans:
        plans[0].reserved_seed = True
    _assign_variants(plans, allowed, random.Random(f"{seed}/variants"))
    _assign_anomalies(plans, anomaly_rate, random.Random(f"{seed}/anomalies"), _FORM_KINDS)
    # The reserved seed form stays clean, so its department never gets the boilerplate.
    reserved = {p.dept.index for p in plans if p.reserved_seed}
    boilerplate = _boilerplate_departments(
        [d for d in depts if d.index not in reserved],
        [n for d, n in zip(depts, counts) if d.index not in reserved],
        anomaly_rate, random.Random(f"{seed}/boilerplate"))
    grouping_rng = random.Random(f"{seed}/files")
    files: list[FilePlan] = []
    for group in plans_by_dept:
        files.extend(_group_files(group, allowed, grouping_rng))
    _place_files(files, allowed, grouping_rng)
    files = _cover_placement(files, allowed, grouping_rng)
    used: dict[str, dict[str, set[str]]] = {}
    file_truths, form_truths = [], []
    write_rng = random.Random(f"{seed}/write")
    for f in files:
        ft, forms = _write_file(f, out_dir, year, used, boilerplate, write_rng, excel_like)
        file_truths.append(ft)
        form_truths.extend(forms)
    form_truths.sort(key=lambda t: t["form"])
    params = dict(
        seed=seed, year=year, n_forms=len(plans), n_departments=len(depts),
        variants=variants if isinstance(variants, str) else sorted(allowed),
        anomaly_rate=anomaly_rate, county=county)
    if excel_like:  # recorded only when set, so plain output keeps its earlier truth.json
        params["excel_like"] = True
    truth = _truth_document(depts, file_truths, form_truths, params)
    return _write_truth(out_dir, truth, [out_dir / ft["file"] for ft in file_truths])


def _form_counts(n_depts: int, n_forms: int | None, per_dept: tuple[int, int],
                 rng: random.Random) -> list[int]:
    if n_forms is None:
        return [rng.randint(*per_dept) for _ in range(n_depts)]
    base, extra = divmod(n_forms, n_depts)
    return [base + (1 if i < extra else 0) for i in range(n_depts)]


def _boilerplate_departments(depts: list[Department], counts: list[int], rate: float,
                             rng: random.Random) -> set[int]:
    eligible = [d.index for d, n in zip(depts, counts) if n >= 2]
    if rate <= 0 or not eligible:
        return set()
    chosen = {i for i in eligible if rng.random() < rate / 3}
    return chosen or {rng.choice(eligible)}


def _truth_document(depts, file_truths, form_truths, params) -> dict:
    anomalies = [a for t in form_truths for a in t["anomalies"]]
    return {
        "generator": "evaltools.synth",
        "version": TRUTH_VERSION,
        "params": params,
        "variant_names": list(VARIANTS),
        "anomaly_kinds": list(ANOMALY_KINDS),
        "departments": [{"index": d.index, "name": d.name, "code": d.code,
                         "county": d.county, "folder": d.folder} for d in depts],
        "files": file_truths,
        "forms": form_truths,
        "anomalies": anomalies,
    }


_CSV_FIELDS = ("form", "rule", "file", "sheet", "cell", "cells", "detail", "collateral")


def _write_truth(out_dir: Path, truth: dict, files: list[Path]) -> Manifest:
    truth_path = out_dir / "truth.json"
    indent = 1 if len(truth["forms"]) <= 2000 else None
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=indent) + "\n",
                          encoding="utf-8")
    csv_path = out_dir / "truth_anomalies.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=_CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for a in truth["anomalies"]:
            writer.writerow({**{k: a[k] for k in _CSV_FIELDS},
                             "cells": " ".join(a["cells"]),
                             "collateral": " ".join(a["collateral"])})
    return Manifest(out_dir, files, truth_path, csv_path, truth)


SMALL_COUNTY = dict(n_departments=5, projects_per_department=(6, 10), seed=2021, year=2021,
                    variants="all", anomaly_rate=0.35, county="示例县")
"""The committed county under ``data/synthetic/`` (``scripts/make_synthetic.py``)."""


def generate_corpus(out_dir: str | Path, n_forms: int = 1000, seed: int = 0, *,
                    year: int = 2021, anomaly_rate: float = 0.35,
                    excel_like: bool = True) -> Manifest:
    """A large corpus for benchmarks: ``n_forms`` over about 8 forms per department, all variants.

    The ``.xlsx`` files are written Excel/WPS-like by default (``excel_like``), so that readers
    pay what real workbooks cost: every cell of each form present and styled, 25 columns, full
    styles. ``excel_like=False`` writes only the non-empty cells (same values and merges).
    """
    n_departments = max(1, math.ceil(n_forms / 8))
    return generate(out_dir, n_forms=n_forms, n_departments=n_departments, seed=seed,
                    year=year, variants="all", anomaly_rate=anomaly_rate,
                    excel_like=excel_like)
