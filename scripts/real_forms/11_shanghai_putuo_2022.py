"""上海市普陀区体育事业管理中心 2022: two 财政项目支出绩效自评表 (national 财预〔2020〕10号 layout, money in 元).

The published PDF holds one form per page (page markers "-1-", "-2-"): rebuilt as one sheet per
project. Form 2's text is cut off after the indicator header cell "年度 指标值": its indicator rows
keep the labels the text shows (一级 / 二级 / 三级 and 总分), their value cells stay empty.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet, grid  # noqa: E402

SOURCE = "https://pdf.chddh.cn/archives/48n5zg2zkkjxn27q6rjv.html"
FILE = "11_shanghai_putuo_2022.xlsx"


def header(name: str) -> dict[str, object]:
    """Title, project rows and the fund-block header, shared by both forms."""
    return {
        "A1": "财政项目支出绩效自评表",
        "A2": "(2022 年度)",
        "A3": "项目名称", "C3": name,
        "A4": "主管部门", "C4": "上海市普陀区体育局", "F4": "实施单位", "H4": "上海市普陀区体育事业管理中心",
        "A5": "项目资金(元)", "E5": "年初预算数", "F5": "全年预算数", "G5": "全年执行数", "H5": "分值", "I5": "执行率",
        "J5": "得分",
        "B6": "年度资金总额", "B7": "其中:当年财政拨款", "B8": "上年结转资金", "B9": "其他资金",
        "A10": "年度总体目标", "B10": "预期目标", "G10": "实际完成情况",
        "A12": "绩效指标", "B12": "一级指标", "C12": "二级指标", "D12": "三级指标", "E12": "年度指标值",
    }


MERGES = [
    "A1:J1", "A2:J2", "A3:B3", "C3:J3", "A4:B4", "C4:E4", "F4:G4", "H4:J4",
    "A5:A9", "B5:D5", "B6:D6", "B7:D7", "B8:D8", "B9:D9",
    "A10:A11", "B10:F10", "G10:J10", "B11:F11", "G11:J11",
    "A12:A17", "I12:J12", "B13:B15",
    "I13:J13", "I14:J14", "I15:J15", "I16:J16", "I17:J17",
    "A18:F18", "I18:J18",
]
WIDTHS = {"A": 6, "B": 10, "C": 12, "D": 22, "E": 12, "F": 12, "G": 12, "H": 8, "I": 10, "J": 10}
AMOUNT_FORMATS = {"E6": "0.00", "F6": "0.00", "E7": "0.00", "F7": "0.00"}

# Form 1: 普陀体育中心与委托运营方结算费用 (complete up to 总分).
form1 = header("普陀体育中心与委托运营方结算费用")
form1.update({
    # 年度资金总额: the executed amount is printed "215,457.6" here (a text cell), "215457.6" below
    "E6": 250000, "F6": 250000, "G6": "215,457.6", "H6": 10, "I6": 0.8619, "J6": 8.62,
    "E7": 250000, "F7": 250000, "G7": 215457.6, "H7": "—",
    "E8": 0, "F8": 0, "H8": "—",
    "E9": 0, "F9": 0, "H9": "—",
    "G11": "已完成普陀体育中心与委托运营方费用结算。",
    "F12": "实际完成值", "G12": "分值", "H12": "得分", "I12": "偏差原因分析及改进措施",
    "B13": "产出指标", "C13": "数量指标", "D13": "与委托运营方结算完成率", "E13": "=100%", "F13": "100%", "G13": 10, "H13": 10,
    "C14": "质量指标", "D14": "合同结算条款完成率", "E14": "=100%", "F14": "100%", "G14": 20, "H14": 20,
    "C15": "时效指标", "D15": "费用结算及时性", "E15": "及时", "F15": "及时", "G15": 20, "H15": 20,
    "B16": "效益指标", "C16": "社会效益指标", "D16": "与委托运营方合同完成率", "E16": "=100%", "F16": "100%", "G16": 30,
    "H16": 30,
    "B17": "满意度指标", "C17": "服务对象满意度指标", "D17": "场馆开放满意度", "E17": ">=90%", "F17": "100%", "G17": 10,
    "H17": 10,
    "A18": "总分", "G18": 100, "H18": 98.62,
})

# Form 2: 援滇对口支援及结对帮扶经费 (cut off after the indicator header cell 年度指标值).
form2 = header("援滇对口支援及结对帮扶经费")
form2.update({
    "E6": 20000, "F6": 20000, "G6": "9,034", "H6": 10, "I6": 0.4517, "J6": 4.52,
    "E7": 0, "F7": 0, "H7": "—",
    "E8": 0, "F8": 0, "H8": "—",
    "E9": 0, "F9": 0, "H9": "—",
    "G11": "已完成援滇人员相关经费支付。",
    "B13": "产出指标", "C13": "数量指标", "D13": "经费使用率",
    "C14": "质量指标", "D14": "经费完成情况",
    "C15": "时效指标", "D15": "经费完成进度",
    "B16": "效益指标", "C16": "社会效益指标", "D16": "经费使用完成情况",
    "B17": "满意度指标", "C17": "服务对象满意度指标", "D17": "满意度",
    "A18": "总分",
})

SHEETS = [
    Sheet("结算费用", grid(form1), MERGES, {**AMOUNT_FORMATS, "I6": "0.00%"}, WIDTHS),
    Sheet("援滇经费", grid(form2), MERGES, {"E6": "0.00", "F6": "0.00", "I6": "0.00%"}, WIDTHS),
]
