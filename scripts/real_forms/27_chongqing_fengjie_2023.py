"""2023年云雾土家族乡加工园配套设施建设项目支出绩效目标审批表 (奉节县) — a target table with weights.

Rebuilt from shared/real-forms/27-chongqing-fengjie-yunwu-jiagongyuan-mubiaobiao-2023.txt (the
township's 公示 page, one table row per line). Seven columns A–G: title, (   2023年度), the 预算单位 /
金额单位 line, the header pairs (项目名称 / 项目分类, 建设周期 / 业务主管部门, 实施单位 / 项目负责人 / 联系电话),
项目审批, 项目总体概况, 年度主要目标和成果; the 项目资金 block (one label cell "项目资金 / 预算执行 / 10分"
over 项目总预算, 当年年度预算, 其中:财政资金, 其中:其它资金, 年度预算执行率 with its 分值, and the side
pairs 财政资金预算分类 / 财政资金科目代码); then 年度绩效目标(90分) (vertical label) with 一级 / 二级 / 三级 /
指标值 / 分值 / 指标解释. The 一级 cells carry weight ranges ("成本指标(0-20)分", "产出指标\\n(40-50)分").
社会成本指标 and 生态环境成本指标 are empty rows (one each). The text ends in the 二级 cell "数量指" of
the first 产出指标 row: the workbook ends on that row (the cell completed as 数量指标).

The page's own heading and 日期 line are not part of the form and are left out.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet  # noqa: E402

SOURCE = "http://cqfj.gov.cn/index/xz_168/ywtjzx/zwxx_61303/gsgg_107031/202402/t20240201_12892054.html"
FILE = "27_chongqing_fengjie_2023.xlsx"

NAME = "2023年云雾土家族乡加工园配套设施建设项目"
WORKS = (
    "新建中药材晾晒房一座,占地300平方米,包含场坪整治及硬化,硬化室外晒坝420平方米,室内场坪1800平方米,"
    "C25混凝土,厚15cm;新建厕所1个,长4.5米,宽3米,占地13.5平方米,配套三格式化粪池4.5立方米。"
)
OVERVIEW = WORKS + (
    "经济效益:项目建成后能够带动当地20名群众务工增收5000元/年;社会效益:促进当地中药材产业发展,"
    "带动受益总人口200人,其他脱贫人口和监测对象41人;群众满意度:群众满意度达到95%以上。"
)
APPROVAL = "奉节县民族宗教事务委员会《关于下达2023年度少数民族发展资金项目计划的通知》(奉节民宗委发〔2022〕3号)"

ROWS = [
    [NAME + "支出绩效目标审批表"],
    ["(   2023年度)"],
    ["预算单位: 奉节县云雾土家族乡人民政府", None, None, None, None, "金额单位:万元"],
    ["项目名称", NAME, None, None, "项目分类", "资产资源类--房屋类"],
    ["建设周期", "2023年4月-2024年2月", None, None, "业务主管部门", "县民宗委"],
    ["实施单位", "云雾土家族乡", "项目负责人", "徐德迁", "联系电话", "13452649655"],
    ["项目审批", APPROVAL],
    ["项目总体概况", OVERVIEW],
    ["年度主要目标     和成果", WORKS],
    ["项目资金\n预算执行\n10分", "项目总预算", 65, "财政资金预算分类", None, "一般公共预算"],
    [None, "当年年度预算", 65],
    [None, "其中:财政资金", 65, "财政资金科目代码", None, "21305"],
    [None, "其中:其它资金", 0],
    [None, "年度预算执行率", 1, "分值", None, "10分"],
    ["年度绩效目标(90分)", "一级指标", "二级指标", "三级指标", "指标值", "分值", "指标解释"],
    [None, "成本指标(0-20)分", "经济成本指标", "项目建设成本", "≤65万元", 10],
    [None, None, "社会成本指标"],
    [None, None, "生态环境成本指标"],
    [None, "产出指标\n(40-50)分", "数量指标"],  # the text is cut off here ("数量指")
]

MERGES = [
    "A1:G1", "A2:G2", "A3:C3", "F3:G3",
    "B4:D4", "F4:G4", "B5:D5", "F5:G5", "F6:G6",
    "B7:G7", "B8:G8", "B9:G9",
    "A10:A14", "D10:E10", "F10:G10", "C11:G11", "D12:E12", "F12:G12", "C13:G13", "D14:E14", "F14:G14",
    "A15:A19", "B16:B18",
]

SHEETS = [
    Sheet(
        "Sheet1",
        ROWS,
        merges=MERGES,
        formats={"C14": "0%"},
        widths={"A": 14, "B": 16, "C": 16, "D": 18, "E": 14, "F": 10, "G": 20},
    )
]
