"""内蒙古巴彦淖尔市临河区 2022: 就业补助资金绩效目标自评表 (中央对地方转移支付, 附件1).

资金投入情况 with 全年预算数(A) / 全年执行数(B) only (no 执行率), source rows 中央 / 自治区 / 盟市 /
旗县 / 其他; a 资金管理情况 block; 总体目标 vs 全年实际总体目标完成情况. No 分值 / 得分 columns.
The text (from a rendered .xlsx) ends in the first 数量指标 rows at "享受公益性岗位补贴人员"; cells
clipped in the rendering ("巴彦淖尔市临河", "…确保资金管理准确有", the completion text) hold what
is visible. The 一级 label of the indicator rows (产出指标) is not visible and stays empty.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet, grid  # noqa: E402
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string  # noqa: E402

SOURCE = '(no URL returned by the source for this text; document title as found: "2022年度就业补助资金绩效目标自评表.xlsx")'
FILE = "14_neimenggu_linhe_2022.xlsx"




GOALS = ("目标1:资金按规定用于职业培训补贴、职业技能鉴定补贴、社会保险补贴、公益性岗位补贴、创业补贴、就业见习补贴、"
         "求职创业补贴、就业创业服务补助、高技能人才培养补助等支出以及经省级人民政府批准的其他支出项目。\n"
         "目标2:确保完成年度城镇新增就业目标任务。\n"
         "目标3:确保年末城镇调查失业率保持在目标范围内。")
# the completion cell's three visible lines, top to bottom; the rest is clipped
DONE = ("2022年,全区城镇新增就业2989人,完成全年"
        "再就业2468人,完成全年目标任务2468人的1"
        "目标任务1686人的 100%。城镇登记失业率控")

CELLS = {
    "A1": "附件1",
    "A2": "就业补助资金绩效目标自评表",
    "A3": "(2022年度)",
    "A4": "转移支付(项目)名称", "C4": "就业补助资金",
    "A5": "中央主管部门", "C5": "人力资源社会保障部",
    "A6": "地方财政部门", "C6": "巴彦淖尔市临河", "E6": "地方主管部门", "G6": "巴彦淖尔市临河区财政局",
    "A7": "资金投入情况(万元)", "E7": "全年预算数(A)", "G7": "全年执行数(B)",
    "B8": "年度资金总额", "E8": 7165.32, "G8": 6992.95,
    "B9": "其中:中央财政资金", "E9": 3144.00, "G9": 3144.00,
    "B10": "自治区财政资金", "E10": 570.17, "G10": 570.17,
    "B11": "盟市财政资金", "E11": 433.00, "G11": 432.10,
    "B12": "旗县财政资金", "E12": 1426.90, "G12": 1294.84,
    "B13": "其他资金(包括以前年度结转资金)", "E13": 1591.22, "G13": 1551.84,
    "A14": "资金管理情况", "E14": "情况说明",
    "B15": "分配科学性", "E15": "根据业务情况进行合理的分配",
    "B16": "下达及时性", "E16": "要求在资金下达时及时、快速地传达至相关业务股室",
    "B17": "拨付合规性", "E17": "按照规定程序和标准进行资金拨付",
    "B18": "使用规范性", "E18": "要求对资金使用过程进行合理规范、确保合法合规",
    "B19": "执行准确性", "E19": "要求严格执行就业补助资金规章制度及政策,确保资金管理准确有",
    "B20": "预算绩效管理情况", "E20": "款项从指标录入开始做绩效事前事中事后三次",
    "B21": "支出责任履行情况", "E21": "按支出、时限、范围支出",
    "A22": "总体目标完成情况", "B22": "总体目标", "F22": "全年实际总体目标完成情况",
    "B23": GOALS, "F23": DONE,
    "A24": "一级指标", "B24": "二级指标", "C24": "三级指标", "E24": "年度目标指标值",
    "B25": "数量指标", "C25": "享受社会保险补贴人员数量", "E25": 4443,
    "C26": "享受公益性岗位补贴人员",
}

MERGES = [
    "A2:H2", "A3:H3", "A4:B4", "C4:H4", "A5:B5", "C5:H5", "A6:B6", "C6:D6", "E6:F6", "G6:H6",
    "A7:A13", "B7:D7", "E7:F7", "G7:H7",
    *[f"B{r}:D{r}" for r in range(8, 14)], *[f"E{r}:F{r}" for r in range(8, 14)],
    *[f"G{r}:H{r}" for r in range(8, 14)],
    "A14:A21", "B14:D14", "E14:H14", *[f"B{r}:D{r}" for r in range(15, 22)], *[f"E{r}:H{r}" for r in range(15, 22)],
    "A22:A23", "B22:E22", "F22:H22", "B23:E23", "F23:H23",
    "C24:D24", "E24:F24", "B25:B26", "C25:D25", "E25:F25", "C26:D26",
]
FORMATS = {f"{c}{r}": "0.00" for r in range(8, 14) for c in "EG"}
WIDTHS = {"A": 10, "B": 12, "C": 14, "D": 14, "E": 14, "F": 14, "G": 14, "H": 14}

SHEETS = [Sheet("Sheet1", grid(CELLS), MERGES, FORMATS, WIDTHS)]
