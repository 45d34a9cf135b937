"""岳阳县2022年高标准农田建设项目 绩效目标申报表(基础设施建设类) (2022年度) — a target table.

Rebuilt from shared/real-forms/25-hunan-yueyangxian-gaobiaozhunnongtian-mubiaobiao-2022.txt (the
county's page, one cell per line). Five columns A–E: title, (2022年度), 项目名称 / 项目负责人及电话,
主管部门 / 实施单位, 资金情况 (万元) (A5:A7 over 年度资金总额: / 其中:财政拨款 / 其他资金, the values as
the text cells they are), 总体目标 / 年度目标, and 绩效指标 (A = vertical label) with 一级 / 二级 / 三级 /
指标值 — no 分值, no actuals. The template's 注 is published as the last row. The page's own
heading, source line and view count are not part of the form and are left out.

Undone: the two-line 二级 labels the page splits into "经济效益" / "指标" (one cell, 经济效益指标).
Kept as the department wrote it: money as text with units, the duplicated "854万854万(…)", the
menu indicators that do not fit the project, ≥100% 完成及时率.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet  # noqa: E402

SOURCE = "http://www.yyx.gov.cn/37584/38137/content_2016103.html"
FILE = "25_hunan_yueyang_2022.xlsx"

FUNDS = "854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元)"
NOTE = (
    "注:各地请根据实际情况,从上述绩效指标中选择适合的填报(其中三颗星为必填的核心绩效指标,"
    "可结合已下达的中央对地方专项转移支付绩效指标),也可自行增加或适当调整。"
)

ROWS = [
    ["绩效目标申报表(基础设施建设类)"],
    ["(2022年度)"],
    ["项目名称", "岳阳县2022年高标准农田建设项目", None, "项目负责人及电话", "彭兵"],
    ["主管部门", "岳阳县农业农村局", None, "实施单位", "农田建设服务中心"],
    ["资金情况 (万元)", "年度资金总额:", FUNDS],
    [None, "其中:财政拨款", "854万" + FUNDS],
    [None, "其他资金"],
    ["总体目标", "年度目标"],
    [None, "完成项目主体工程70%"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    [None, "产出指标", "数量指标", "脱贫村村内道路硬化里程", "≥100公里"],
    [None, None, None, "脱贫户供水设施数量", "≥20座"],
    [None, None, "质量指标", "项目(工程)验收合格率", "100%"],
    [None, None, "时效指标", "项目(工程)完成及时率", "≥100%"],
    [None, None, "成本指标", "财政资金补助", "1600元/亩"],
    [None, "效益指标", "经济效益指标", "年增粮食", "3500公斤"],
    [None, None, "社会效益指标", "受益脱贫(监测)人口数", "≥500人"],
    [None, None, None, "解决脱贫(监测)饮水安全问题人数", "≥1000人"],
    [None, None, "生态效益指标", "新增和改善灌溉达标面积", "≥500亩"],
    [None, None, None, "新增和改善排水达标面积", "≥200亩"],
    [None, None, "可持续影响指标", "工程设计使用年限", "≥20年"],
    [None, "满意度指标", "服务对象满意度指标", "受益脱贫(监测)户满意度", "≥95%"],
    [NOTE],
]

MERGES = [
    "A1:E1", "A2:E2", "B3:C3", "B4:C4",
    "A5:A7", "C5:E5", "C6:E6", "C7:E7",
    "A8:A9", "B8:E8", "B9:E9",
    "A10:A22", "B11:B15", "C11:C12", "B16:B21", "C17:C18", "C19:C20",
    "A23:E23",
]

SHEETS = [
    Sheet(
        "Sheet1",
        ROWS,
        merges=MERGES,
        widths={"A": 12, "B": 16, "C": 18, "D": 32, "E": 22},
    )
]
