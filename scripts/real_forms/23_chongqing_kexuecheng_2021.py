"""西部(重庆)科学城 融媒体中心 部门整体绩效自评表 (2021) — Chongqing department-wide layout.

Rebuilt from shared/real-forms/23-chongqing-kexuecheng-rongmeiti-bumenzhengti-2021.txt (OCR of a
document-sharing site's preview of a .docx). Eleven columns A–K: header rows 主管部门 / 财政处室 /
自评总分(分) and 部门联系人 / 联系电话; 部门预算执行情况(万元) (label A4:A5 over a header and one value
row); 当年绩效目标 (A6:A7; 年初 / 全年(调整) / 实际完成情况); the flat 绩效指标 list (A = vertical label)
with 指标名称 / 计量单位 / 指标性质 / 年初指标值 / 调整指标值 / 全年完成值 / 得分系数(%) / 指标权重(分) /
指标得分(分) / 是否核心指标. The text ends at the name "公共服务": the workbook ends on that row.

Readings (see the truth file's notes): the three budget amounts are lost to OCR (only an "O" is
left, written in B5 as found); the 主管部门 and 财政处室 values are not in the text (left empty); the
form shows no 年度 row. 指标性质 is printed once per run of rows (定量指标 / 定性指标 / 定量指标), read
as vertically merged cells. The department left 年初绩效目标 as 无 and filled only the 全年(调整)
target; the indicator targets are read the same way, in 调整指标值, with 年初指标值 empty. Unreadable
targets are kept as found ("到0次", "第O份"); "26次" is kept literally (no target in this form
carries an operator, so the ≥-read-as-2 reading is not assumed). Undone OCR damage: the site's page
markers "1、2、3、", the header spellings (全年(调整)预算数, 全年完成值, 定性指标), the unit 篇 (OCR
"tot扁"), the closing quote of “三公”经费.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet  # noqa: E402

SOURCE = "https://m.yzwku.com/doc/98587.html"
FILE = "23_chongqing_kexuecheng_2021.xlsx"

GOAL_ADJUSTED = (
    "通过整合各级各类媒体、户外广告载体、宣传宣讲活动等,为建设成渝地区双城经济圈和西部(重庆)"
    "重庆科学城营造良好氛围。保障融媒体中心正常人事基础/日常运转,有效承担西部(重庆)科学城新闻"
    "宣传管理,思想文化领域建设等工作。"
)
GOAL_ACTUAL = (
    "中心2021年较好地完成了履职任务,有效开展了西部(重庆)科学城新闻宣传管理/思想文化领域建设等"
    "工作,为建设成渝地区双城经济圈和西部(重庆)重庆科学城营造了良好氛围。"
)

# name, unit, 年初指标值, 调整指标值, 全年完成值, 指标权重, 指标得分, 是否核心指标 (得分系数 100% throughout)
INDICATORS = [
    ("财政供养人员控制率", "%", None, "100%", "92%", 2, 2, "否"),
    ("“三公”经费变动率", "%", None, None, None, 2, 2, "否"),
    ("基础信息完善", "%", None, "100%", "100%", 1, 1, "否"),
    ("预算完成率", "%", None, "70%", "76%", 2, 2, "是"),
    ("预算调整率", "%", None, "3%", 0, 2, 2, "否"),
    ("结转结余率", "%", None, "2%", 0, 2, 2, "是"),
    ("公用经费控制率", "%", None, "100%", "97%", 2, 2, "是"),
    ("“三公”经费控制率", "%", None, None, None, 2, 2, "否"),
    ("政府采购执行率", "%", None, "100%", "72.74%", 2, 2, "是"),
    ("管理制度健全性", None, None, "高", "高", 3, 3, "否"),
    ("资金使用合规性", None, None, "好", "好", 5, 5, "否"),
    ("预决算信息公开性", None, None, "高", "高", 1, 1, "否"),
    ("资产管理安全", None, None, "好", "好", 2, 2, "否"),
    ("固定资产利用率", "%", None, "90%", "100%", 2, 2, "否"),
    ("党性教育培训次数", "次", None, "26次", "12次", 5, 5, "是"),
    ("组织宣传活动次数", "次", None, "到0次", "43次", 10, 10, "是"),
    ("制作宣传品数量", "份", None, "第O份", "20份", 5, 5, "否"),
    ("播发稿件数量", "篇", None, "2200篇", "2859篇", 10, 10, "是"),
    ("业务保障能力提升", "%", None, "90%", "95%", 10, 10, "否"),
]
FIRST = 9  # first indicator row
NATURE_RUNS = [(0, 8, "定量指标"), (9, 12, "定性指标"), (13, 18, "定量指标")]  # indicator index ranges

ROWS = [
    ["部门整体绩效自评表"],
    ["主管部门", None, None, None, None, "财政处室", None, None, "自评总分(分)", None, 97.6],
    ["部门联系人", None, "曾雪莲", None, None, "联系电话"],
    ["部门预算执行情况(万元)", "年初预算数", None, "全年(调整)预算数", None, "全年执行数", None, "执行率(%)",
     "执行率权重", None, "执行率得分(分)"],
    [None, "O", None, None, None, None, None, 0.76, 10, None, 7.6],
    ["当年绩效目标", "年初绩效目标", None, None, "全年(调整)绩效目标", None, None, None, "全年目标实际完成情况"],
    [None, "无", None, None, GOAL_ADJUSTED, None, None, None, GOAL_ACTUAL],
    ["绩效指标", "指标名称", "计量单位", "指标性质", "年初指标值", "调整指标值", "全年完成值", "得分系数(%)",
     "指标权重(分)", "指标得分(分)", "是否核心指标"],
]
nature_at = {start: label for start, _end, label in NATURE_RUNS}
for i, (name, unit, initial, adjusted, actual, weight, score, core) in enumerate(INDICATORS):
    ROWS.append([None, name, unit, nature_at.get(i), initial, adjusted, actual, 1, weight, score, core])
ROWS.append([None, "公共服务"])  # the text is cut off in this name
LAST = len(ROWS)

MERGES = [
    "A1:K1",
    "A2:B2", "C2:E2", "G2:H2", "I2:J2",
    "A3:B3", "C3:E3", "G3:K3",
    "A4:A5", "B4:C4", "D4:E4", "F4:G4", "I4:J4",
    "B5:C5", "D5:E5", "F5:G5", "I5:J5",
    "A6:A7", "B6:D6", "E6:H6", "I6:K6", "B7:D7", "E7:H7", "I7:K7",
    f"A8:A{LAST}",
] + [f"D{FIRST + a}:D{FIRST + b}" for a, b, _label in NATURE_RUNS]

FORMATS = {"H5": "0%"} | {f"H{FIRST + i}": "0%" for i in range(len(INDICATORS))}

SHEETS = [
    Sheet(
        "Sheet1",
        ROWS,
        merges=MERGES,
        formats=FORMATS,
        widths={"A": 6, "B": 20, "C": 8, "D": 8, "E": 10, "F": 10, "G": 10, "H": 10, "I": 10, "J": 10,
                "K": 10},
    )
]
