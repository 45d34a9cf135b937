"""17 云南 永德县明朗中学 2022 义务教育营养改善计划专项资金 — Yunnan 公开14表 (money in 元).

Rebuilt from shared/real-forms/17-yunnan-yongde-mingzhong-yingyanggaishan-2022.txt. The page's
table was flattened by the extractor (empty cells dropped); the layout is the Yunnan 部门决算
公开14表: the fund block of the national form in 元, and 年度指标值 split into 指标性质 / 指标值 /
度量单位. The fund rows print only two amounts for three columns: the blank one is 年初预算数
(the 执行率 100% and the equal 全年预算数 / 全年执行数 leave no other reading). The 生态效益指标
row is empty in the form. The closing row holds 其他需要说明事项 and 总分 with the grade word.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet  # noqa: E402

from openpyxl.utils.cell import coordinate_from_string, column_index_from_string  # noqa: E402

SOURCE = "https://www.yongde.gov.cn/info/3003/116104.htm"
FILE = "17_yunnan_yongde_2022.xlsx"

NROWS, NCOLS = 24, 10
grid = [[None] * NCOLS for _ in range(NROWS)]


def put(ref, value):
    col, row = coordinate_from_string(ref)
    grid[row - 1][column_index_from_string(col) - 1] = value


put("A1", "2022年度项目支出绩效自评表")
put("A2", "部门:临沧市永德县明朗中学")
put("J2", "公开14表")
put("A3", "项目名称")
put("B3", "义务教育营养改善计划专项资金")
put("A4", "主管部门")
put("B4", "永德县教育体育局")
put("F4", "实施单位")
put("G4", "永德县明朗中学")

# 项目资金 (元): 年初预算数 D, 全年预算数 E, 全年执行数 F, 分值 G, 执行率 H, 得分 I:J
put("A5", "项目资金(元)")
for ref, v in zip(("D5", "E5", "F5", "G5", "H5", "I5"), ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
    put(ref, v)
put("B6", "年度资金总额")
put("E6", 387664.62)
put("F6", 387664.62)
put("G6", 10)
put("H6", "100%")
put("I6", 10)
put("B7", "其中:当年财政拨款")
put("E7", 387664.62)
put("F7", 387664.62)
put("G7", "—")
put("I7", "—")
put("B8", "上年结转资金")
put("G8", "—")
put("I8", "—")
put("B9", "其他资金")
for ref in ("D9", "E9", "F9", "G9", "I9"):
    put(ref, "—")

put("A10", "年度总体目标")
put("B10", "预期目标")
put("F10", "实际完成情况")
put("B11", "确保每一个学生都能享受到国家政策福利,改善学生体质")
put("F11", "确保每一个学生都能享受到国家政策福利,改善学生体质")

put("A12", "绩效指标")
put("D12", "年度指标值")
put("G12", "实际完成值")
put("H12", "分值")
put("I12", "得分")
put("J12", "偏差原因分析及改进措施")
for ref, v in zip(("A13", "B13", "C13", "D13", "E13", "F13"), ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位")):
    put(ref, v)

indicators = [
    # row, 一级, 二级, 三级, 性质, 指标值, 单位, 实际完成值, 分值, 得分
    (14, "产出指标", "数量指标", "学生受资助人数", "≧", 735, "人次", 735, 10, 10),
    (15, None, "质量指标", "营养改善计划覆盖率", "≧", 100, "%", "100%", 10, 10),
    (16, None, "时效指标", "资金到位及时率", "≧", 100, "%", "100%", 10, 7),
    (17, None, "成本指标", "生均补助标准达标率", "═", 100, "%", "100%", 10, 10),
    (18, "效益指标", "经济效益指标", "减轻贫困学生家庭经济负担", None, "有效", None, "有效", 10, 10),
    (19, None, "社会效益指标", "政策知晓率", "═", 100, "%", "98%", 10, 9),
    (20, None, "生态效益指标", None, None, None, None, None, None, None),
    (21, None, "可持续影响指标", "促进学校教育事业健康发展", "≧", 100, "%", "100%", 10, 10),
    (22, "满意度指标", "服务对象满意度指标等", "学生满意度", "≧", 95, "%", "100%", 10, 10),
    (23, None, None, "家长满意度", "≧", 95, "%", "100%", 10, 10),
]
for r, *vals in indicators:
    for c, v in enumerate(vals):
        grid[r - 1][c] = v

put("A24", "其他需要说明事项")
put("B24", "无")
put("G24", "总分")
put("H24", 100)
put("I24", 96)
put("J24", "优")

MERGES = [
    "A1:J1", "A2:F2",
    "B3:J3", "B4:E4", "G4:J4",
    "A5:A9", "B5:C5", "I5:J5",
    "B6:C6", "I6:J6", "B7:C7", "I7:J7", "B8:C8", "I8:J8", "B9:C9", "I9:J9",
    "A10:A11", "B10:E10", "F10:J10", "B11:E11", "F11:J11",
    "A12:C12", "D12:F12", "G12:G13", "H12:H13", "I12:I13", "J12:J13",
    "A14:A17", "A18:A21", "A22:A23", "B22:B23",
    "B24:F24",
]

SHEETS = [
    Sheet(
        "Sheet1",
        grid,
        merges=MERGES,
        formats={"E6": "0.00", "F6": "0.00", "E7": "0.00", "F7": "0.00"},
        widths={"A": 10, "B": 14, "C": 24, "D": 9, "E": 12, "F": 12, "G": 11, "H": 8, "I": 8, "J": 22},
    )
]
