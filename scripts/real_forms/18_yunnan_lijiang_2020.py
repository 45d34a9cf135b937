"""18 云南 丽江市古城区自然资源局 2020 省级自然资源卫片执法补助经费 — Yunnan 项目支出绩效自评表.

Rebuilt from shared/real-forms/18-yunnan-lijiang-guchengqu-weipianzhifa-2020.txt. The page is an
aggregator's copy of a WeChat post that converted the text to traditional characters and injected
pinyin glosses ("衛(wèi)", "執(zhí)"): that is the site's damage, so the workbook is in the simplified
characters the department wrote. The page's own heading lines (最新资讯, 时间/来源) are not part of
the form. Same Yunnan layout as file 17 (指标性质 / 指标值 / 度量单位 under 年度指标值), amounts in
万元. Some weights and scores print with two decimals ("10.00", "20.00") and others without
("20", "19"): the former are numbers formatted 0.00, the latter General. The text ends inside the
满意度 row after its 分值 10.00: the workbook ends there (no 得分 on that row, no 总分 row).
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet, grid  # noqa: E402

SOURCE = "http://m.jjiadianqingjie.com.cn/changyong/13241.html"
FILE = "18_yunnan_lijiang_2020.xlsx"


cells: dict[str, object] = {
    "A1": "2020年度项目支出绩效自评表",
    "A2": "项目名称", "B2": "2020年省级自然资源卫片执法补助经费支出绩效自评表",
    "A3": "主管部门", "B3": "丽江市自然资源和规划局", "F3": "实施单位", "G3": "丽江市古城区自然资源局",
    # 项目资金（万元）: 年初预算数 D, 全年预算数 E, 全年执行数 F, 分值 G, 执行率 H, 得分 I:J
    "A4": "项目资金（万元）",
    "D4": "年初预算数", "E4": "全年预算数", "F4": "全年执行数", "G4": "分值", "H4": "执行率", "I4": "得分",
    "B5": "年度资金总额", "D5": 7.29, "E5": 7.29, "F5": 7.29, "G5": 10.0, "H5": 1, "I5": 10.0,
    "B6": "其中:当年财政拨款", "D6": 7.29, "E6": 7.29, "F6": 7.29, "H6": 1,
    "B7": "上年结转资金",
    "B8": "其他资金",
    "A9": "年度总体目标", "B9": "预期目标", "F9": "实际完成情况",
    "B10": "自然资源卫片执法补助经费", "F10": "自然资源卫片执法补助经费",
    "A11": "绩效指标", "D11": "年度指标值", "G11": "实际完成值", "H11": "分值", "I11": "得分",
    "J11": "偏差原因分析及改进措施",
    "A12": "一级指标", "B12": "二级指标", "C12": "三级指标", "D12": "指标性质", "E12": "指标值", "F12": "度量单位",
}

rows = [
    # row, 一级, 二级, 三级, 性质, 指标值, 单位, 实际完成值, 分值, 得分
    (13, "产出指标", "数量指标", "卫片执法补助经费", "﹦", 72890, "元", 72890, 10.0, 9.0),
    (14, None, "质量指标", "项目验收合格率", "﹦", 100, "%", 100, 20, 19),
    (15, None, "时效指标", "项目完成及时率", "﹦", 100, "%", 100, 20.0, 19.0),
    (16, "效益指标", "社会效益指标", "违法行为责停率", "≥", 95, "%", 95, 30.0, 27.0),
    (17, "满意度指标", "服务对象满意度指标", "满意度", "≥", 95, "%", 95, 10.0, None),
]
for r, *vals in rows:
    for col, v in zip("ABCDEFGHI", vals):
        if v is not None:
            cells[f"{col}{r}"] = v

MERGES = [
    "A1:J1", "B2:J2", "B3:E3", "G3:J3",
    "A4:A8", "B4:C4", "I4:J4",
    "B5:C5", "I5:J5", "B6:C6", "I6:J6", "B7:C7", "I7:J7", "B8:C8", "I8:J8",
    "A9:A10", "B9:E9", "F9:J9", "B10:E10", "F10:J10",
    "A11:C11", "D11:F11", "G11:G12", "H11:H12", "I11:I12", "J11:J12",
    "A13:A15",
]

FORMATS = {ref: "0.00" for ref in ("D5", "E5", "F5", "G5", "I5", "D6", "E6", "F6",
                                   "H13", "I13", "H15", "I15", "H16", "I16", "H17")}
FORMATS.update({"H5": "0%", "H6": "0%"})

SHEETS = [
    Sheet(
        "Sheet1",
        grid(cells),
        merges=MERGES,
        formats=FORMATS,
        widths={"A": 10, "B": 14, "C": 22, "D": 9, "E": 12, "F": 12, "G": 11, "H": 8, "I": 8, "J": 22},
    )
]
