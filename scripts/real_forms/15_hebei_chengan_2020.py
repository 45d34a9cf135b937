"""河北省成安县民政局 2020: 预算项目绩效自评表 (Hebei, section-numbered, re-weighted scores).

一、基本情况 / 二、预算执行情况 (预算数 / 到位数 / 执行数 side by side, 预算执行进度(%)) /
三、目标完成情况 / 四、年度绩效指标完成情况 with 指标解释, 指标分值, 预期指标值 split into 符号 /
value / 单位, 实际完成值, 完成情况, and 自评得分 split into 单项指标得分 / 权重占比(%) / 折算得分.
The page renders a table row per line and drops empty cells: the three numbers of each indicator
row fill the three 自评得分 columns (6.25 = 25 × 25%), the 指标分值 column is empty. The text ends
at the row 预算执行率 / 预算执行率 with its cells empty.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet  # noqa: E402
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string  # noqa: E402

SOURCE = "http://cycms.chengan.gov.cn/zfxxgk/bmView.jsp?id=15437&websiteid=905&xxfl=0404"
FILE = "15_hebei_chengan_2020.xlsx"


def grid(cells: dict[str, object]) -> list[list[object]]:
    """{"A1": value, …} → rows of values from column A."""
    pos = {}
    for ref, v in cells.items():
        col, row = coordinate_from_string(ref)
        pos[(row, column_index_from_string(col))] = v
    nrows = max(r for r, _ in pos)
    ncols = max(c for _, c in pos)
    return [[pos.get((r, c)) for c in range(1, ncols + 1)] for r in range(1, nrows + 1)]


GOAL = "为我县百岁高龄老年人发放补贴,使老年人得到更好的照顾。\n为全县共享改革开放成果,促进社会稳定文明和谐"
PCT = "%(百分比)"

CELLS = {
    "A1": "成安县民政局2020年度预算项目绩效自评表",
    "A2": "一、基本情况", "B2": "项目名称:", "C2": "19名百岁老人高龄津贴", "F2": "是否为专项资金:",
    "H2": "实施(主管)单位", "I2": "314002-成安县民政局机关", "L2": "金额单位: 万元",
    "A3": "二、预算执行情况", "B3": "预算安排情况(调整后)", "E3": "资金到位情况", "H3": "资金执行情况",
    "K3": "预算执行进度(%)",
    "B4": "预算数", "D4": 6.84, "E4": "到位数", "G4": 6.84, "H4": "执行数", "J4": 6.84, "K4": 100,
    "B5": "其中:财政资金", "D5": 6.84, "E5": "其中:财政资金", "G5": 6.84, "H5": "其中:财政资金", "J5": 6.84,
    "B6": "其他", "D6": 0, "E6": "其他", "G6": 0, "H6": "其他", "J6": 0,
    "A7": "三、目标完成情况", "B7": "年度预期目标", "F7": "具体完成情况", "K7": "总体完成率(%)",
    "B8": GOAL, "F8": GOAL, "K8": 100,
    "A9": "四、年度绩效指标完成情况", "B9": "一级指标", "C9": "二级指标", "D9": "三级指标", "F9": "指标分值",
    "G9": "预期指标值", "J9": "单项指标实际完成值", "K9": "单项指标完成情况", "L9": "自评得分",
    "G10": "符号", "I10": "单位(文字描述)", "L10": "单项指标得分", "M10": "权重占比(%)", "N10": "单项指标折算得分",
    "B11": "产出指标", "C11": "质量指标", "D11": "符合条件申报对象覆盖率", "E11": "享受补贴政策人数占符合条件申报对象总数的比例",
    "G11": ">=", "H11": 98, "I11": PCT, "J11": "100%", "K11": "完成", "L11": 25, "M11": 25, "N11": 6.25,
    "C12": "时效指标", "D12": "完成率", "E12": "按照要求每月及时完成符合条件对象审批的比例(百分比)",
    "G12": ">=", "H12": 99, "I12": PCT, "J12": "100%", "K12": "完成", "L12": 25, "M12": 25, "N12": 6.25,
    "B13": "效果指标", "C13": "社会效益指标", "D13": "补贴发放率", "E13": "高龄补贴发放完成率",
    "G13": ">=", "H13": 75, "I13": PCT, "J13": "100%", "K13": "完成", "L13": 30, "M13": 30, "N13": 9,
    "B14": "满意度指标", "C14": "服务对象满意度指标", "D14": "服务对象满意度", "E14": "享受高龄津贴的对象对老龄工作的满意程度",
    "G14": ">=", "H14": 95, "I14": PCT, "J14": "100%", "K14": "完成", "L14": 10, "M14": 10, "N14": 1,
    "B15": "预算执行率", "C15": "预算执行率",
}

MERGES = [
    "A1:N1", "C2:E2", "I2:K2", "L2:N2",
    "A3:A6", "B3:D3", "E3:G3", "H3:J3", "K3:N3",
    "B4:C4", "E4:F4", "H4:I4", "B5:C5", "E5:F5", "H5:I5", "B6:C6", "E6:F6", "H6:I6", "K4:N6",
    "A7:A8", "B7:E7", "F7:J7", "K7:N7", "B8:E8", "F8:J8", "K8:N8",
    "A9:A15", "B9:B10", "C9:C10", "D9:E10", "F9:F10", "G9:I9", "J9:J10", "K9:K10", "L9:N9",
    "B11:B12",
]
FORMATS = {**{ref: "0.00" for ref in ("D4", "G4", "J4", "D5", "G5", "J5", "D6", "G6", "J6", "K4", "K8")},
           **{f"{c}{r}": "0.00" for r in range(11, 15) for c in "LMN"}}
WIDTHS = {"A": 10, "B": 10, "C": 10, "D": 14, "E": 22, "F": 8, "G": 6, "H": 6, "I": 10, "J": 10, "K": 10,
          "L": 9, "M": 9, "N": 9}

SHEETS = [Sheet("Sheet1", grid(CELLS), MERGES, FORMATS, WIDTHS)]
