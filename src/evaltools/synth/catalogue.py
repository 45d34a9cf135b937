"""What synthetic forms are made of: variant and anomaly names, departments, projects,
indicator templates, the texts the conclusions are composed from, and the county definitions.

Data only (and the few helpers that pick from it): no randomness is drawn at import.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

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
EXCLUSIVE_GROUPS = (
    ("fullwidth-operators", "word-operators"),
    ("dept-code-prefix", "dept-code-bracket", "dept-no-code"),
)
# Variant → (option key, the choices a form draws from) for variants printed several ways.
VARIANT_OPTIONS = {
    "na-marker": ("na", ("—", "-", "/", "")),
    "actual-header": ("actual_header", ("全年实际值", "完成值")),
    "deviation-header": ("deviation_header", ("未完成原因分析", "未完成原因及拟采取的改进措施")),
    "inline-weight": ("inline", ("half", "full", "spaced")),
    "fund-current-year": ("fund_label", ("当年财政拨款", "本年财政拨款", "财政资金")),
    "numbers-as-text": ("thousands", ("comma", "plain")),
}

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


# --------------------------------------------------------------------------------------------
# Bureaus, domains, projects and indicators


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
LEVEL1_OF = {QTY: OUTPUT, QLT: OUTPUT, TIME: OUTPUT, COST: OUTPUT,
              ECON: EFFECT, SOC: EFFECT, ECO: EFFECT, SUST: EFFECT, SAT: SATISFACTION}
LEVEL2_ORDER = (QTY, QLT, TIME, COST, ECON, SOC, ECO, SUST, SAT)

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
EXPERIENCE = (
    ("严格按照相关规定", "强化组织领导", "加强部门协调配合", "细化实施方案", "健全工作机制",
     "坚持问题导向", "压实工作责任"),
    ("及时拨付{s}资金", "规范{s}资金使用", "有序推进{s}各项工作", "加强{s}过程监管",
     "精准落实{s}相关政策", "严格{s}资金审批程序"),
    ("保障项目顺利实施", "有效提升工作效率", "确保资金使用安全", "保障单位正常运转",
     "促进年度目标实现", "取得了较好成效"),
)
SUGGEST_DECISION = (
    ("结合{s}实际需求", "立足{s}工作实际", "充分调研论证{s}", "围绕{s}年度任务"),
    ("科学确定项目内容", "提高项目决策的科学性", "细化量化绩效目标", "合理确定实施规模"),
    ("促进整体目标实现", "确保项目取得实效", "提高财政资金使用效益"),
)
SUGGEST_BUDGET = (
    ("结合{s}实施进度", "根据{s}实际需求", "提前谋划{s}", "科学测算{s}所需资金"),
    ("科学编制预算", "细化预算编制", "合理安排预算", "及时申报预算"),
    ("确保资金及时足额到位", "加快预算执行进度", "避免资金闲置沉淀", "提高预算编制准确性"),
)
SUGGEST_FUNDS = (
    ("严格执行财务管理制度", "按照相关规定", "加强{s}资金监管", "规范{s}资金支付流程"),
    ("合理安排资金支出", "做到专款专用", "确保资金使用安全", "提高资金使用效益"),
)
SUGGEST_MANAGEMENT = (
    ("加强{s}过程管理", "建立健全{s}管理制度", "落实{s}项目责任制", "强化{s}绩效监控"),
    ("保证项目顺利实施", "确保按期完成任务", "注重时效有序推进", "全面提升管理水平"),
)
GOAL_DONE = (
    "已完成{s}年度目标任务，{e}。",
    "按计划完成{s}各项工作，{e}。",
    "{s}各项任务全部完成，{e}。",
)
EFFECT_DONE = {
    "office": "保障了单位日常工作正常运转", "it": "信息化服务能力明显提升",
    "edu": "办学条件得到改善", "health": "群众健康水平逐步提高",
    "agri": "农业生产条件得到改善", "transport": "群众出行条件明显改善",
    "civil": "困难群众基本生活得到保障", "water": "群众用水条件得到改善",
    "culture": "群众文化生活更加丰富", "eco": "生态环境质量持续改善",
}

# TXT-BOILERPLATE: every form of a department gets this 对预算安排与执行的建议.
BOILERPLATE_TEXT = "及时列出预算，保证资金到位。"

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
# Counties and departments


@dataclass(frozen=True)
class Department:
    index: int
    name: str  # 示例县教育局
    code: str
    domains: tuple[str, ...]
    county: str

    @property
    def folder(self) -> str:
        return f"synthetic_{self.index:03d}_{safe_name(self.name)}"


_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
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
    return head + ("一" if rest < 20 else "") + cn_number(rest)


def _county_name(base: str, k: int) -> str:
    if k == 0:
        return base
    stem = base[:-1] if base.endswith(("县", "区", "市")) else base
    suffix = base[-1] if base.endswith(("县", "区", "市")) else "县"
    return f"{stem}{cn_number(k + 1)}{suffix}"


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


_UNSAFE = re.compile(r'[\\/:*?"<>|\s\[\]]+')


def safe_name(text: str, limit: int = 30) -> str:
    """A file-system-safe fragment of ``text`` (no path or shell-hostile characters)."""
    return _UNSAFE.sub("", text)[:limit] or "form"


SMALL_COUNTY = dict(n_departments=5, projects_per_department=(6, 10), seed=2021, year=2021,
                    variants="all", anomaly_rate=0.35, county="示例县")
"""The committed county under ``data/synthetic/`` (``scripts/make_synthetic.py``)."""
