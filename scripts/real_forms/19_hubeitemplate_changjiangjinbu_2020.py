"""19 (湖北-style, 区 not named) 2020 长江禁捕 / 渔业成品油价格改革补贴 — Hubei 项目自评表 (20 + 80 points).

Rebuilt from shared/real-forms/19-hubeitemplate-qu-changjiangjinbu-chengpinyou-2020.txt, an OCR
preview of a .docx on a document-sharing site. Undone there: the site's page marker "2、" inside
"100%" (时效 row "10 / 2、0%" is 100% | 100% | 10); glued numbers ("1.561.56120" is 1.56 | 1.56 | 1 |
20); the rotated labels read as garbage ("度效标O0B年绩目1分EB" is 年度绩效目标（80分）, "出标产指" 产出指标,
"益标效指" 效益指标, "意指斥满度打" 满意度指标); OCR "2" for ≥ and "W" for ≤ (the 备注 reads "目标值为2X"
and "WX"), so the satisfaction actual "290%" is the department's "≥90%"; the mangled 备注 brackets
("(280酚" → "（≥80%）", "(50册" → "（<50%）"). The checkbox rows: in 项目属性 and 项目类型 the ticked
option has no glyph left in the text while the unticked ones read "0" or "口"; every option of
项目类别 has a glyph, so none is ticked there. 效益指标 shows no 二级 / 三级 / value at all: it is an
empty row of the template. The form has no 分值 column. The text ends inside 备注 3 at
"汇总时,以资金额度为": so does the workbook.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet, grid  # noqa: E402

SOURCE = "https://1wenmi.com/doc/330418.html"
FILE = "19_hubeitemplate_changjiangjinbu_2020.xlsx"


FOOTNOTE = (
    "备注：1.预算执行情况口径：预算数为调整后财政资金总额（包括上年结余结转），执行数为资金使用单位财政资金实际支出数。\n"
    "2.定量指标完成数汇总原则：绝对值直接累加计算，相对值按照资金额度加权平均计算。定量指标计分原则：正向指标"
    "（即目标值为≥X，得分=权重*B/A），反向指标（即目标值为≤X，得分=权重*A/B），得分不得突破权重总额。"
    "定量指标先汇总完成数，再计算得分。\n"
    "3.定性指标计分原则：达成预期指标、部分达成预期指标、未达成预期指标三档，分别按照该指标对应分值区间"
    "100%-80%（≥80%）、80%-50%（50%,80%）、50%-0%（<50%）合理确定分值。汇总时，以资金额度为"
)

cells: dict[str, object] = {
    "A1": "2020年度长江禁捕项目自评表",
    "A2": "单位名称：农业工作科", "E2": "填报日期：",
    "A3": "项目名称", "B3": "渔业成品油价格改革补贴",
    "A4": "主管部门", "B4": "区市场监督管理局", "D4": "项目实施单位", "E4": "农业科",
    "A5": "项目类别", "B5": "1、部门预算项目□  2、市直专项□  3、市对下转移支付项目□",
    "A6": "项目属性", "B6": "1、持续性项目☑  2、新增性项目□",
    "A7": "项目类型", "B7": "1、常年性项目☑  2、延续性项目□  3、一次性项目□",
    "A8": "预算执行情况（万元）（20分）",
    "D8": "预算数（A）", "E8": "执行数（B）", "F8": "执行率（B/A）", "G8": "得分（20分*执行率）",
    "A9": "年度财政资金总额", "D9": 1.56, "E9": 1.56, "F9": 1, "G9": 20,
    "A10": "年度绩效目标（80分）",
    "B10": "一级指标", "C10": "二级指标", "D10": "三级指标", "E10": "年初目标值（A）", "F10": "实际完成值（B）",
    "G10": "得分",
    "B11": "产出指标", "C11": "数量指标", "D11": "补贴渔船数", "E11": 6, "F11": 6, "G11": 20,
    "C12": "质量指标", "D12": "渔船补贴发放率", "E12": "100%", "F12": "100%", "G12": 10,
    "C13": "时效指标", "D13": "12月底之前完成", "E13": "100%", "F13": "100%", "G13": 10,
    "B14": "效益指标",
    "B15": "满意度指标", "C15": "服务对象满意度", "D15": "退捕渔民抽样调查满意度", "E15": "90%", "F15": "≥90%",
    "G15": 40,
    "A16": "总分", "G16": 100,
    "A17": "偏差大或目标未完成原因分析", "C17": "无",
    "A18": "改进措施及结果应用方案", "C18": "无",
    "A19": FOOTNOTE,
}

MERGES = [
    "A1:G1", "A2:D2", "E2:G2",
    "B3:G3", "B4:C4", "E4:G4", "B5:G5", "B6:G6", "B7:G7",
    "A8:C8", "A9:C9",
    "A10:A15", "B11:B13",
    "A16:F16",
    "A17:B17", "C17:G17", "A18:B18", "C18:G18",
    "A19:G19",
]

SHEETS = [
    Sheet(
        "Sheet1",
        grid(cells),
        merges=MERGES,
        widths={"A": 14, "B": 12, "C": 14, "D": 24, "E": 14, "F": 14, "G": 14},
    )
]
