"""重庆市梁平区林业局 2023年度部门整体绩效自评表 — Chongqing department-wide layout, short variant.

Rebuilt from shared/real-forms/24-chongqing-liangping-linyeju-bumenzhengti-2023.txt (OCR of a
document-sharing site's preview of "重庆市梁平区林业局2022年度部门整体绩效自评表.docx"). Nine columns
A–I: title; one header row 主管部门 / 部门联系人 / 联系电话 / 自评总分(分); the budget block (a header row
and the lines 年度总金额 / 其中财政拨款, with 执行率 / 执行率权重 / 执行率得分 merged over both lines:
the OCR prints them once, after the second line); 当年绩效目标 (A6:A7); the flat 绩效指标 list with
指标名称 / 计量单位 / 指标性质 / 指标值 / 指标权重(分) / 全年完成值 / 指标得分(分) / 说明. The text ends in
the name "公益林提供管": the workbook ends on that row.

Readings: the budget amounts lost their leading digits in OCR (".32", ".06", ".5" on both lines) —
unknowable, written as that text. The "2" in front of three area targets is an OCR "≥" and stands
in the 指标性质 column (2810810 → ≥ | 8 | 10 | 8 | 10; a 250万亩 天保 area would exceed the district's
forest). The goal texts come interleaved line by line; de-interleaved they are two texts, not
three: the left one (no 完成, 森林火灾发生率得到有效控制, 创建国家重要湿地) is the target, the right one
(完成维护…, 森林火灾发生率为0, 获得国际湿地城市称号) the actual; the 全年(调整)绩效目标 cell is not in the
text and is left empty. Kept as the department wrote it: the title's 2023年度 (the file is 2022).
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet  # noqa: E402

SOURCE = "https://m.001doc.com/doc/900957.html"
FILE = "24_chongqing_liangping_2023.xlsx"

GOAL_EXPECTED = (
    "维护林业、林区安全稳定,全区森林资源、陆生野生动物资源得到有效保护,松材线虫病疫情发生面积和病死"
    "松树株树实现双下降,森林火灾发生率得到有效控制;有效保护全区湿地资源,成功创建国家重要湿地;大力推进"
    "植树造林、森林抚育等植绿造林工程,培育优良苗木,成功创建国家森林城市;完成森林生态效益补偿、退耕还林"
    "直补兑现;落实林长制责任体系建设。"
)
GOAL_ACTUAL = (
    "完成维护林业、林区安全稳定,全区森林资源、陆生野生动物资源得到有效保护,松材线虫病疫情发生面积和病死"
    "松树株树实现双下降,森林火灾发生率为0;有效保护全区湿地资源,成功获得国际湿地城市称号;大力推进植树"
    "造林、森林抚育等植绿造林工程,培育优良苗木,成功创建国家森林城市;完成森林生态效益补偿、退耕还林直补"
    "兑现;落实林长制责任体系建设。"
)

ROWS = [
    ["重庆市梁平区林业局2023年度部门整体绩效自评表"],
    ["主管部门", "重庆市梁平区林业局", None, "部门联系人", "李薇", "联系电话", None, "自评总分(分)", 97.93],
    [None, "年初预算数", None, "全年(调整)预算数", "全年执行数", "执行率", "执行率权重", "执行率得分"],
    ["年度总金额", ".32", None, ".06", ".5", 79.27, 10, 7.93],
    ["其中财政拨款", ".32", None, ".06", ".5"],
    ["当年绩效目标", "年初绩效目标", None, None, "全年(调整)绩效目标", None, "全年目标实际完成情况"],
    [None, GOAL_EXPECTED, None, None, None, None, GOAL_ACTUAL],
    ["绩效指标", "指标名称", "计量单位", "指标性质", "指标值", "指标权重(分)", "全年完成值", "指标得分(分)", "说明"],
    [None, "天然林和公益林管护当期任务完成率", "%", None, 90, 10, 100, 10],
    [None, "国家级公益林管护面积", "万亩", "≥", 8, 10, 8, 10],
    [None, "森林抚育(营林)面积", "万亩", "≥", 1, 10, 1, 10],
    [None, "天保工程区森林资源管护面积", "万亩", "≥", 50, 10, 50, 10],
    [None, "森林火灾受害率", "%", None, 0.9, 10, 0, 10],
    [None, "主要林业有害生物成灾率", "%", None, 0.4, 10, 0.1, 10],
    [None, "公益林提供管"],  # the text is cut off in this name
]

MERGES = [
    "A1:I1", "B2:C2",
    "B3:C3", "H3:I3",
    "B4:C4", "B5:C5", "F4:F5", "G4:G5", "H4:I5",
    "A6:A7", "B6:D6", "E6:F6", "G6:I6", "B7:D7", "E7:F7", "G7:I7",
    "A8:A15",
]

SHEETS = [
    Sheet(
        "Sheet1",
        ROWS,
        merges=MERGES,
        widths={"A": 12, "B": 26, "C": 8, "D": 10, "E": 10, "F": 10, "G": 12, "H": 10, "I": 12},
    )
]
