"""20 宁夏 银川市第六中学 2021 初中公用经费 — 银川市本级部门项目支出绩效自评表 (四维: 决策/管理/产出/效益).

Rebuilt from shared/real-forms/20-ningxia-yinchuan-liuzhong-gongyongjingfei-2021.txt, an OCR
preview of a .docx on a document-sharing site. Undone there: the site's page markers "1、" "2、" "3、"
(e.g. "投入管理 2、预算执行率", "社会效益 3、指标"); OCR misreadings of the template's labels
("实施第位" 实施单位, "项Fl资金(万兀)" 项目资金（万元）, "年初预匏数" 年初预算数, "调整预算将,A、" 调整预算数（A）,
"考值参分" 参考分值, "财政审1度评分" 财政审核评分, "顼目产出" 项目产出, "有资金测第标准" 有资金测算标准, "行个" 有个,
"指标L" 指标1) and of numbers ("IO" 10, "M.8" 14.8). The fund block has a single row whose label
年度资金总额 stands beside both the header and the amounts (one merged cell): the OCR reads it
before the column headers. The completion text of 年度总体目标 is unreadable ("公,4"): that cell is
left empty. The template's two-slot rows ("指标1：" / "指标2：") left unfilled are kept as the
department left them. The text ends inside the first 服务对象满意度指标（10分） row at "学生和老": the
workbook ends there (that cell holds the visible "学生和老").
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet, grid  # noqa: E402

SOURCE = "https://m.yzwku.com/doc/476505.html"
FILE = "20_ningxia_yinchuan_2021.xlsx"


cells: dict[str, object] = {
    "A1": "银川市本级部门项目支出绩效自评表（2021年）",
    "A2": "项目名称", "B2": "初中公用经费", "E2": "主管部门", "F2": "银川市教育局",
    "A3": "实施单位", "B3": "银川市第六中学", "E3": "自评得分", "F3": 98, "G3": "财政审核评分",
    "A4": "项目资金（万元）", "B4": "年度资金总额",
    "D4": "年初预算数", "E4": "调整预算数（A）", "F4": "全年执行数（B）", "G4": "执行率（B/A）",
    "D5": 64.8, "E5": 64.8, "F5": 64.8, "G5": "100%",
    "A6": "年度总体目标", "B6": "年初设定目标", "C6": "保障学校正常工作运行",
    "B7": "年度总体目标完成情况",
    "A8": "一级指标", "B8": "二级指标", "C8": "三级指标", "D8": "参考分值", "E8": "指标值（A）",
    "F8": "全年实际值（B）", "G8": "得分", "H8": "未完成原因分析及改进措施",
}

rows = [
    # row, 一级, 二级, 三级, 参考分值, 指标值(A), 全年实际值(B), 得分
    (9, "项目决策（10分）", "项目目标", "完整性", 4, "—", "目标明确、内容细化、目标量化", 4),
    (10, None, "项目立项", "相关性", 2, "—", "按照学校管理标准对学校进行管理", 2),
    (11, None, None, "可行性", 2, None, "实际工作需求", 2),
    (12, None, None, "适当性", 2, None, "有资金测算标准", 2),
    (13, "项目管理（25分）", "投入管理", "预算执行率", 10, "—", "100%", 9),
    (14, None, "财务管理", "财务管理制度有效性", 7, "—", "财务制度健全，严格执行制度，会计核算规范", 7),
    (15, None, "项目实施", "绩效监控有效性", 2, "—", "持续有效", 2),
    (16, None, None, "管理制度有效性", 6, "—", "严格执行相关管理制度", 6),
    (17, "项目产出（30分）", "数量指标（10分）", "保障人数", 10, "2370人", "2370人", 10),
    (18, None, None, "指标2：", None, None, None, None),
    (19, None, "质量指标（5分）", "公用经费标准", 5, "符合相关文件要求", "符合相关文件要求", 5),
    (20, None, None, "指标2：", None, None, None, None),
    (21, None, "时效指标（5分）", "公用经费完成时间", 5, "2021年12月完成", "2021年12月完成", 4),
    (22, None, None, "指标2：", None, None, None, None),
    (23, None, "成本指标（10分）", "办公所需成本", 4, "15万元", "15万元", 4),
    (24, None, None, "维修（维护）所需成本", 3, "35万元", "35万元", 3),
    (25, None, None, "绿化、水电费等成本", 3, "14.8万元", "14.8万元", 3),
    (26, "项目效益（35分）", "经济效益指标", "指标1：", None, None, None, None),
    (27, None, None, "指标2：", None, None, None, None),
    (28, None, "社会效益指标", "效果显著", 15, "改善学校的办学条件", "改善学校的办学条件", 13),
    (29, None, "生态效益指标", "指标1：", None, None, None, None),
    (30, None, None, "指标2：", None, None, None, None),
    (31, None, "可持续影响指标", "使学生和老师有个更好的学习和工作环境，做到", 10, "社会认可的办学环境。",
     "社会认可的办学环境。", 8),
    (32, None, None, "指标2：", None, None, None, None),
    (33, None, "服务对象满意度指标（10分）", "学生和老", None, None, None, None),
]
for r, *vals in rows:
    for col, v in zip("ABCDEFG", vals):
        if v is not None:
            cells[f"{col}{r}"] = v

MERGES = [
    "A1:H1",
    "B2:D2", "F2:H2", "B3:D3",
    "A4:A5", "B4:C5", "G4:H4", "G5:H5",
    "A6:A7", "C6:H6", "C7:H7",
    "A9:A12", "B10:B12",
    "A13:A16", "B15:B16",
    "A17:A25", "B17:B18", "B19:B20", "B21:B22", "B23:B25",
    "A26:A33", "B26:B27", "B29:B30", "B31:B32",
]

SHEETS = [
    Sheet(
        "Sheet1",
        grid(cells),
        merges=MERGES,
        widths={"A": 12, "B": 16, "C": 26, "D": 9, "E": 18, "F": 22, "G": 8, "H": 20},
    )
]
