"""21 湖北 广水市交通运输局 2021 乡村道路建设养护项目 — 广水市财政预算支出项目绩效目标自评表.

Rebuilt from shared/real-forms/21-hubei-guangshui-xiangcundaolu-2021.txt, the text layer of a PDF
on a document-sharing site: multi-line cells broken up and interleaved, tall merged labels read
where their middle falls ("产出 指标 40 分 项目 绩效 85 分" after the 质量 rows). The page footer
"— 1 —" is the PDF's, not the form's. Part 1 (项目决策 2分, 项目管理 13分) has 分值 / 自评分 /
复核分; part 2 (项目绩效 85分, per 项目年度目标) has no 分值 column: weights only in the 一级 / 二级
cells ("产出指标 40分", "数量指标 15分"). The fund row prints 309 three times and 100%: one source
column, 合计 and 执行数; which source column is lost in the text: 本级 (the city's own funds) is
taken. 项目属性: 常年性 is the option whose box glyph is missing (ticked). The 复核分 column is
empty throughout (the finance bureau's review, not done). The text ends in the 产出指标 block at
"农村" after the two 质量指标 rows: the workbook ends there.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet, grid  # noqa: E402

SOURCE = "https://pdf.wenkuvip.com/archives/bqg98jldqkx8g2xm7pe6.html"
FILE = "21_hubei_guangshui_2021.xlsx"


cells: dict[str, object] = {
    "A1": "广水市财政预算支出项目绩效目标自评表",
    "F2": "填报日期：2022年8月10日",
    "A3": "项目名称", "B3": "乡村道路建设养护项目", "E3": "项目主管单位", "F3": "广水市交通运输局",
    "H3": "自评总分：", "I3": 95,
    "A4": "项目实施单位", "B4": "广水市交通运输局", "E4": "项目负责人", "F4": "孙章勇", "H4": "单位领导审签：",
    "A5": "项目属性", "B5": "1、常年性☑  2、延续性□  3、一次性□  4、新增性□",
    "A6": "项目资金\n来源",
    "B6": "中央\n（万元）", "C6": "省、地\n（万元）", "D6": "本级\n（万元）", "E6": "其他\n（万元）",
    "F6": "合计\n（万元）", "G6": "执行数\n（万元）", "H6": "执行率",
    "D7": 309, "F7": 309, "G7": 309, "H7": 1,
    "A8": "项目年度目标", "B8": "1.完成乡村道路建设养护里程300公里；\n2.\n3.",
    # part 1: 项目权重 A:B, 评价内容 C:E, 分值 F, 自评分 G, 复核分 H, 评价标准及依据 I
    "A9": "项目权重", "C9": "评价内容", "F9": "分值", "G9": "自评分", "H9": "复核分", "I9": "评价标准及依据",
    "A10": "项目决策\n2分", "C10": "决策依据", "F10": 2, "G10": 2,
    "I10": "有项目年度工作计划或有上级文件或审批报告计2分，没有不得分。",
    "A11": "项目管理\n13分", "C11": "财务制度", "F11": 3, "G11": 3,
    "I11": "1、单位财务管理制度1分；\n2、项目管理制度1分；\n3、有制度执行佐证资料1分。没有不得分。",
    "C12": "组织机构", "F12": 2, "G12": 2, "I12": "有明确的绩效管理机构或专人负责2分。没有不得分",
    "C13": "运行监管", "F13": 4, "G13": 4, "I13": "1、运行监管记录3分；\n2、填报《项目支出绩效监控表》1分。没有不得分。",
    "C14": "目标申报", "F14": 4, "G14": 4,
    "I14": "1、项目绩效目标全申报的1分，缺一项扣0.5分，扣完为止；\n2、绩效目标规范1分，不规范扣0.5分；\n"
           "3、按时申报绩效目标计2分，逾期扣1分。",
    # part 2: 项目绩效 A, 一级 B, 二级 C, 三级 D, 年初指标值 E, 年终完成值 F, 自评分 G, 复核分 H, 评价标准 I
    "A15": "项目绩效\n85分", "B15": "项目年度目标1：乡村道路建设养护项目",
    "B16": "一级指标", "C16": "二级指标", "D16": "指标名称（三级指标）", "E16": "年初指标值", "F16": "年终完成值",
    "G16": "自评分", "H16": "复核分", "I16": "评价标准",
    "B17": "产出指标\n40分", "C17": "数量指标\n15分", "D17": "乡村道路建设养护里程", "E17": "300公里", "F17": "300公里",
    "G17": 15,
    "I17": "1、提供三级指标完成程度的佐证资料；\n2、三级指标分值按三级指标个数平均确定（15分÷三级指标个数），四舍五入保留整数。",
    "C18": "质量指标\n12分", "D18": "农村公路建设验收合格率",
    "D19": "农村公路养护验收合格率",
    "D20": "农村",
}

MERGES = [
    "A1:I1", "F2:I2",
    "B3:D3", "F3:G3", "B4:D4", "F4:G4", "H4:I4", "B5:I5",
    "A6:A7", "H6:I6", "H7:I7",
    "B8:I8",
    "A9:B9", "C9:E9",
    "A10:B10", "C10:E10",
    "A11:B14", "C11:E11", "C12:E12", "C13:E13", "C14:E14",
    "A15:A20", "B15:I15",
    "B17:B20", "C18:C19",
]

SHEETS = [
    Sheet(
        "Sheet1",
        grid(cells),
        merges=MERGES,
        formats={"H7": "0%"},
        widths={"A": 10, "B": 10, "C": 10, "D": 22, "E": 11, "F": 11, "G": 8, "H": 8, "I": 40},
    )
]
