"""安徽省濉溪县民政局 2019: (临时救助) 绩效目标自评表 (扶贫/民政 转移支付 family).

The page lists one cell per line, every grid cell included (a merged cell's other cells as empty
"|" lines), nine columns A–I: the merges below follow those empty runs. 分值 10 and 得分 10 are
printed on both the 年度资金总额 and the 其中:本年财政拨款 row; inline weights 产出指标(50分) /
效益指标(30分) / 满意度指标(10分); ★ marks and the template stubs "(≥**人)" stay in the names as
the department left them. The text ends in the last row at ">=9" (the satisfaction target).
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet, grid  # noqa: E402

SOURCE = "https://www.sxx.gov.cn/zwgk/public/811/56426371.html"
FILE = "16_anhui_suixi_2019.xlsx"


# (一级, 二级, 三级, 分值, 年度指标值, 全年实际值, 得分, 未完成原因及拟采取的改进措施)
INDICATORS = [
    ("产出指标(50分)", "数量指标", "★★★农村低保发放人数(按月平均)(≥**人)", 5, ">=21933人", "21980人", 5, ""),
    ("", "", "★★★其中:农村低保对象中建档立卡贫困人口数量(按月平均)(≥**人)", 5, ">=9431人", "9453人", 5, ""),
    ("", "", "★★★建档立卡贫困人口中接受临时救助的人次数(≥**人次)", 5, ">=59人次", "87人次", 5, ""),
    ("", "", "★★★特困人员救助供养人数(按月平均)(≥**人)", 5, ">=4754人", "4604人", 5, "特困人员实行动态管理"),
    ("", "", "扶贫临时救助人数(按月平均)(≥**人)", 10, ">=7人", "7人", 10, ""),
    ("", "质量指标", "★农村低保标准(≥**元/人·月)", 5, ">=530元/人*月", "583元/人*月", 5, ""),
    ("", "", "农村特困人员救助供养基本生活标准(≥**元/人·月)", 5, ">=570元/人*月", "758元/人*月", 5, ""),
    ("", "", "扶贫临时救助标准(<**元/户·年)——一户年最高5300元", 10, "<=5300元/户", "5830元/户", 10, ""),
    ("效益指标(30分)", "社会效益指标", "★★★受益建档立卡贫困人口数≥**人", 30, ">=80人", "87人", 30, ""),
    ("满意度指标(10分)", "服务对象满意度指标", "★受助对象满意度(≥**%)", 10, ">=9", None, None, ""),
]

CELLS = {
    "A1": "绩效目标自评表 (2019年度)",
    "A2": "项目名称", "B2": "临时救助",
    "A3": "主管部门", "B3": "[155]濉溪县民政局",
    "A4": "资金情况(万元)", "C4": "全年预算数(A)", "D4": "全年执行数(B)", "E4": "分值", "F4": "执行率(B/A)", "G4": "得分",
    "B5": "年度资金总额:", "C5": 30, "D5": 30, "E5": 10, "F5": 1, "G5": 10,
    "B6": "其中:本年财政拨款", "C6": 30, "D6": 30, "E6": 10, "F6": 1, "G6": 10,
    "B7": "其他资金",
    "A8": "年度总体目标", "B8": "年初设定目标", "C8": "年度总体目标完成情况综述",
    "B9": "为建档立卡扶贫户解决临时性的困难", "C9": "全年救助建档立卡扶贫户临时救助87人次,救助资金30万元,完成目标任务。",
    "B10": "一级指标", "C10": "二级指标", "D10": "三级指标", "E10": "分值", "F10": "年度指标值", "G10": "全年实际值",
    "H10": "得分", "I10": "未完成原因及拟采取的改进措施",
}
FIRST = 11
for k, (l1, l2, name, w, target, actual, score, reason) in enumerate(INDICATORS):
    r = FIRST + k
    CELLS.update({f"B{r}": l1, f"C{r}": l2, f"D{r}": name, f"E{r}": w, f"F{r}": target, f"G{r}": actual,
                  f"H{r}": score, f"I{r}": reason})
LAST = FIRST + len(INDICATORS) - 1  # 20

MERGES = [
    "A1:I1", "B2:I2", "B3:I3",
    "A4:A7", "G4:I4", "G5:I5", "G6:I6", "G7:I7",
    "A8:A9", "C8:I8", "C9:I9",
    f"B{FIRST}:B{FIRST + 7}", f"C{FIRST}:C{FIRST + 4}", f"C{FIRST + 5}:C{FIRST + 7}",
]
WIDTHS = {"A": 10, "B": 14, "C": 14, "D": 36, "E": 6, "F": 14, "G": 12, "H": 6, "I": 18}

SHEETS = [Sheet("Sheet1", grid(CELLS), MERGES, {"F5": "0%", "F6": "0%"}, WIDTHS)]
