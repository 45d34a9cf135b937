"""北京市海淀区学院路街道办事处 2016: 项目支出绩效自评表 (Beijing layout of 2016).

Fund block with only 年初预算数(A) / 全年执行数(B) (no 全年预算数), a 得分计算方法 column beside the
amounts and beside every indicator; 分值 comes before 年度指标值(A) / 全年实际值(B). The site's
page markers ("1、" "2、" "3、") are dropped: "12.51 3、2.512.5" reads 12.5 | 12.5 | 12.5. The text
ends inside the first 质量指标 row at "是否达到国": the workbook ends there.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet  # noqa: E402
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string  # noqa: E402

SOURCE = "https://www.wenku365.com/s-60761775.html"
FILE = "12_beijing_haidian_2016.xlsx"


def grid(cells: dict[str, object]) -> list[list[object]]:
    """{"A1": value, …} → rows of values from column A."""
    pos = {}
    for ref, v in cells.items():
        col, row = coordinate_from_string(ref)
        pos[(row, column_index_from_string(col))] = v
    nrows = max(r for r, _ in pos)
    ncols = max(c for _, c in pos)
    return [[pos.get((r, c)) for c in range(1, ncols + 1)] for r in range(1, nrows + 1)]


CELLS = {
    "A1": "项目支出绩效自评表(2016年度)",
    "A2": "项目名称", "C2": "【体制】自管道路清扫保洁外包工作经费",
    "A3": "主管部门及代码", "C3": "北京市海淀区人民政府学院路街道办事处", "F3": "实施单位:",
    "G3": "北京市海淀区学院路街道城市运行服务中心",
    "A4": "项目资金(万元)", "D4": "年初预算数(A)", "E4": "全年执行数(B)", "F4": "分值(10分)", "G4": "执行率(B/A)",
    "H4": "得分", "I4": "得分计算方法",
    "B5": "年度资金总额:", "D5": 310.2, "E5": 154.74, "F5": 10, "G5": 0.5, "H5": 5,
    "I5": "执行率*该指标分值,最高不得超过分值上限。",
    "B6": "其中:本年一般公共预算拨款", "D6": 310.2, "E6": 154.74,
    "B7": "其他资金",
    "A8": "年度总体目标",
    "B8": "通过规范地区自管道路清扫保洁外包工作经费工作专项资金的使用,明确专项资金使用目的,实现科学管理,充分发挥项目资金"
          "在地区自管小区、小广告、三级以下道路、无主垃圾渣土清运及重大活动环境卫生保障工作中的作用,将自管道路保洁进行外包,"
          "更好的服务于本地区政治、经济、文化等各项事业的发展",
    "F8": "按照年初设定目标,将辖区20条城市道路清扫保洁、4处居民生活区小广场清扫保洁业务通过公开招投标方式进行了外包,"
          "通过地区自管道路清扫保洁外包项目的实施,使地区环境卫生及社区环境更加优美,为建设全国文明城区及建设美丽学院路做出了贡献",
    "A9": "绩效指标", "B9": "一级指标", "C9": "二级指标", "D9": "三级指标", "E9": "分值", "F9": "年度指标值(A)",
    "G9": "全年实际值(B)", "H9": "得分计算方法", "I9": "得分", "J9": "未完成原因分析",
    "B10": "产出指标(50分)", "C10": "数量指标", "D10": "是否完成绩效目标申报表中申报的数量", "E10": 12.5, "F10": 12.5,
    "G10": 12.5, "H10": "完成值达到指标值,记满分;未达到指标值,按B/A或A/B*该指标分值记分。", "I10": 12.5,
    "C11": "质量指标", "D11": "是否达到国",
}

MERGES = [
    "A1:J1", "A2:B2", "C2:J2", "A3:B3", "C3:E3", "G3:J3",
    "A4:A7", "B4:C4", "I4:J4", "B5:C5", "B6:C6", "B7:C7", "I5:J7",
    "B8:E8", "F8:J8",
    "A9:A11", "B10:B11",
]
WIDTHS = {"A": 8, "B": 12, "C": 10, "D": 24, "E": 8, "F": 10, "G": 10, "H": 24, "I": 8, "J": 14}

SHEETS = [Sheet("Sheet1", grid(CELLS), MERGES, {"G5": "0%"}, WIDTHS)]
