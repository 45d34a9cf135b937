"""金寨县茶谷和美丽乡村建设服务中心 2023 年度部门整体支出绩效自评表 (安徽 六安 金寨).

Rebuilt from shared/real-forms/22-anhui-jinzhai-meilixiangcun-bumenzhengti-2023.txt (a "|" table
excerpt of the county's page). National 部门整体 layout on nine columns A–I: one 部门 row, the
预算资金 (万元) block (label A4:B8 over the header row and four fund lines), 年度总体目标, and the
绩效指标 table (A = the vertical 绩 效 指 标 label). The text ends at the first 成本指标 row
("成本指标 | 指标1:"), so the workbook ends there: no 总分 row.

Kept as the department wrote it: the empty 得分 of 年度资金总额 (I5), the ≤4 operator on an output
to be built, the 指标1:/指标2: numbering in the names. Undone: nothing but the "|" flattening; the
two-line headers 年度 指标值 / 实际 完成值 are written with their line break.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet  # noqa: E402

SOURCE = "https://www.ahjinzhai.gov.cn/public/6624963/37545031.html"
FILE = "22_anhui_jinzhai_2023.xlsx"

GOAL_EXPECTED = (
    "1.建设徽风皖韵美丽乡村;2.整治美丽宜居自然村庄;3.推进农村改厕提质增效;"
    "4.深入开展村庄清洁行动;5.促进茶谷果岭融合发展。"
)
GOAL_ACTUAL = (
    "1.启动燕子河镇龙马村、花石乡大湾村等4个精品示范村建设;2.整治美丽宜居自然村庄202个;"
    "3.完成农村户用卫生厕所改造3061户;4.全面完成2022年度10个省级中心村各项建设任务,"
    "并顺利通过省级验收;加快2023年度10个省级中心村任务,确保2024年通过各级验收。"
)

RATE = 1.0259  # 338.31 / 329.77, shown as 102.59% (0.00%)

ROWS = [
    ["部门整体支出绩效自评表"],
    ["(2023年度)"],
    ["部门", None, "金寨县茶谷和美丽乡村建设服务中心"],
    ["预算资金 (万元)", None, None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    [None, None, "年度资金总额", 329.77, 329.77, 338.31, 10, RATE, None],
    [None, None, "其中:当年财政拨款", 329.77, 329.77, 338.31, "—", RATE, "—"],
    [None, None, "上年结转资金", None, None, None, "—", None, "—"],
    [None, None, "其他资金", None, None, None, "—", None, "—"],
    ["年度总体目标", None, "预期目标", None, None, "实际完成情况"],
    [None, None, GOAL_EXPECTED, None, None, GOAL_ACTUAL],
    ["绩 效 指 标", "一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分",
     "偏差原因分析及改进措施"],
    [None, "产出指标", "数量指标", "指标1:开展精品示范村建设数量", "≤4", 4, 10, 10],
    [None, None, None, "指标2:建设美丽宜居自然村庄数量", "≥200", 202, 10, 10],
    [None, None, None, "指标3:完成农村户用卫生厕所改造数量", "≥2000", 3061, 10, 10],
    [None, None, None, "指标4:新建省级中心村数量", "≥10", 10, 10, 10],
    [None, None, "质量指标", "指标1:美丽宜居自然村庄验收通过率", "≥95%", "100%", 5, 5],
    [None, None, None, "指标2:户用卫生厕所改造验收通过率", "≥95%", "100%", 5, 5],
    [None, None, "时效指标", "指标1:完成美丽宜居自然村庄验收时间", "9月前", "7月", 5, 5],
    [None, None, None, "指标2:完成户用卫生厕所改造验收时间", "11月前", "10月", 5, 5],
    [None, None, "成本指标", "指标1:"],
]

MERGES = [
    "A1:I1", "A2:I2", "A3:B3", "C3:I3",
    "A4:B8",
    "A9:B10", "C9:E9", "F9:I9", "C10:E10", "F10:I10",
    "A11:A20", "B12:B20", "C12:C15", "C16:C17", "C18:C19",
]

SHEETS = [
    Sheet(
        "Sheet1",
        ROWS,
        merges=MERGES,
        formats={"H5": "0.00%", "H6": "0.00%"},
        widths={"A": 6, "B": 10, "C": 16, "D": 34, "E": 10, "F": 12, "G": 8, "H": 10, "I": 20},
    )
]
