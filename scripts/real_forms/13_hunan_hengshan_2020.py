"""湖南省衡山县商务和粮食局 2020: 县级专项资金绩效目标自评表 (no 分值, no 得分, no 总分).

The site's page markers ("1、" "2、" "3、") are dropped; the labels "绩效 指标" / "效 益 指 标" that
the published document repeats after its mid-table page break are one merged cell each here;
"290%" (≥ read as 2) is the department's "≥90%". The text ends inside the 注 at "…同一项目的自".
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet, grid  # noqa: E402

SOURCE = "https://taowenge.com/p-72820237.html"
FILE = "13_hunan_hengshan_2020.xlsx"


# (一级, 二级, 三级, 年度指标值, 全年完成值, 未完成原因和改进措施)
INDICATORS = [
    ("产出指标", "数量指标", "5000吨稻谷、500吨成品粮储备到位率", "100%", "100%", ""),
    ("", "", "库存数量真实率", "100%", "100%", ""),
    ("", "质量指标", "县级储备粮管理制度严格执行率", "100%", "100%", ""),
    ("", "", "储备粮管理专户管理率", "100%", "100%", ""),
    ("", "", "县级储备粮库存粮食明显变质比例", 0, 0, ""),
    ("", "时效指标", "县级储备粮贷款付息及时率", "100%", "100%", ""),
    ("", "", "县级储备粮应急保障率", "100%", "100%", ""),
    ("", "成本指标", "国家政策性粮收购价格执行率", "100%", "100%", ""),
    ("", "", "县级储备粮库存成本核算率", "100%", "100%", ""),
    ("效益指标", "经济效益指标", "利息费用保障率", "100%", "100%", ""),
    ("", "", "政策性挂账利息补贴保障率", "100%", "无", "没有轮换、动用库存"),
    ("", "生态效益指标", "低温、低氧、低剂量科学保粮率", "100%", "100%", ""),
    ("", "", "食品安全指标达标率", "100%", "100%", ""),
    ("", "可持续影响指标", "粮食储备设备维护及安全性", "高", "高", ""),
    ("满意度指标", "服务对象满意度指标", "因粮食市场波动引起的粮食安全事件发生数", "0起", "0起", ""),
    ("", "", "市民满意度调查", "≥90%", "100%", ""),
]

CELLS = {
    "A1": "2020年度县级专项资金绩效目标自评表",
    "A2": "专项资金名称", "B2": "县级储备粮", "D2": "负责人及电话", "E2": "旷建成、向建军",
    "A3": "县级主管部门", "B3": "衡山县商务和粮食局", "D3": "实施单位", "E3": "粮食调控储备与产业发展股",
    "A4": "项目资金(万元)", "D4": "全年预算数(A)", "E4": "全年执行数(B)", "F4": "执行率(B/A)",
    "B5": "年度资金总额", "D5": 194.9, "E5": 194.9, "F5": 1,
    "B6": "其中:中央、省、市补助县级资金", "D6": 194.9, "E6": 194.9, "F6": 1,
    "B7": "其他资金",
    "A8": "年度总体目标", "B8": "年初设定目标", "E8": "全年实际完成情况",
    "B9": "保持和稳定地方粮食储备机制", "E9": "地方储备粮食规模达标",
    "A10": "绩效指标", "B10": "一级指标", "C10": "二级指标", "D10": "三级指标", "E10": "年度指标值", "F10": "全年完成值",
    "G10": "未完成原因和改进措施",
}
FIRST = 11
for k, (l1, l2, name, target, actual, reason) in enumerate(INDICATORS):
    r = FIRST + k
    CELLS.update({f"B{r}": l1, f"C{r}": l2, f"D{r}": name, f"E{r}": target, f"F{r}": actual, f"G{r}": reason})
LAST = FIRST + len(INDICATORS) - 1  # 26
CELLS.update({
    f"A{LAST + 1}": "说明", f"B{LAST + 1}": "无",
    f"A{LAST + 2}": "注:1、其他资金包括和中央、省、市补助、地方财政资金共同投入到同一项目的自",
})


def runs(col: str, first: int, last: int) -> list[str]:
    """One vertical merge per category cell, down to the row before the next label."""
    out, start = [], None
    for r in range(first, last + 2):
        v = CELLS.get(f"{col}{r}") if r <= last else "END"
        if v not in (None, ""):
            if start is not None and r - 1 > start:
                out.append(f"{col}{start}:{col}{r - 1}")
            start = r
    return out


MERGES = [
    "A1:G1", "B2:C2", "E2:G2", "B3:C3", "E3:G3",
    "A4:A7", "B4:C4", "F4:G4", "B5:C5", "F5:G5", "B6:C6", "F6:G6", "B7:C7", "F7:G7",
    "A8:A9", "B8:D8", "E8:G8", "B9:D9", "E9:G9",
    f"A10:A{LAST}",
    *runs("B", FIRST, LAST), *runs("C", FIRST, LAST),
    f"B{LAST + 1}:G{LAST + 1}", f"A{LAST + 2}:G{LAST + 2}",
]
WIDTHS = {"A": 8, "B": 10, "C": 12, "D": 28, "E": 12, "F": 12, "G": 18}

SHEETS = [Sheet("Sheet1", grid(CELLS), MERGES, {"F5": "0%", "F6": "0%"}, WIDTHS)]
