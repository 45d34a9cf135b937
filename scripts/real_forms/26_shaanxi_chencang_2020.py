"""2020年省级财政水利发展资金绩效目标表 ((2020)年度), 陈仓区 农村饮水安全巩固提升工程专项 — a target table.

Rebuilt from shared/real-forms/26-shaanxi-chencang-nongcunyinshui-mubiaobiao-2020.txt (the 附件 of
陈仓区财政局's allocation notice, one cell per line). Five columns A–E: title, (2020)年度, 专项(项目)名称,
the four authority rows (市级 / 区级 财政部门 and 主管部门, two pairs a row), 资金情况(万元) (A6:A8), 总体目标,
绩效指标 (A = vertical label) with 一级 / 二级 / 三级 / 指标值 — no 分值, no actuals. The notice's own text
above the 附件 is not part of the form and is left out. The text ends at "指标1:工程验收合格率 / ≧ %"
(质量指标): the workbook ends on that row.

Fund block: the cells read 资金来源, 资金总额, 其中:财政拨款, 500, 其他资金, (an empty cell). On this page
an empty cell leaves a blank line (after 其他资金), and there is none after 资金总额, so 资金来源 / 资金总额
are read as the block's column headings (source / amount) with 500 on the 其中:财政拨款 line; no total
line is printed.

Kept as the department wrote it: every 指标值 only a unit, the generic 水利发展资金 menu, "问道" for 河道,
"投资500" with no unit.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from build_real_forms import Sheet  # noqa: E402

SOURCE = "http://www.chencang.gov.cn/col8173/col8180/col8789/col9203/202005/t20200529_126007.html"
FILE = "26_shaanxi_chencang_2020.xlsx"

ROWS = [
    ["2020年省级财政水利发展资金绩效目标表"],
    ["(2020)年度"],
    ["专项(项目)名称", "农村饮水安全巩固提升工程专项"],
    ["市级财政部门", "宝鸡市财政局", None, "市级主管部门", "宝鸡市水利局"],
    ["区级财政部门", "陈仓区财政局", None, "区级主管部门", "陈仓区水利局"],
    ["资金情况(万元)", "资金来源", None, "资金总额"],
    [None, "其中:财政拨款", None, 500],
    [None, "其他资金"],
    ["总体目标", "完成省级水利发展农村饮水项目投资500,改善提升9200人饮水条件。"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    [None, "产出指标", "数量指标", "指标1:新建堤防、护岸长度", "公里"],
    [None, None, None, "指标2:灌区节水改造面积", "万亩"],
    [None, None, None, "指标3:农村饮水工程覆盖服务人口数", "万人"],
    [None, None, None, "指标4:中小河流治理问道长度", "公里"],
    [None, None, "质量指标", "指标1:工程验收合格率", "≧ %"],
]

MERGES = [
    "A1:E1", "A2:E2", "B3:E3", "B4:C4", "B5:C5",
    "A6:A8", "B6:C6", "D6:E6", "B7:C7", "D7:E7", "B8:C8", "D8:E8",
    "B9:E9",
    "A10:A15", "B11:B15", "C11:C14",
]

SHEETS = [
    Sheet(
        "Sheet1",
        ROWS,
        merges=MERGES,
        widths={"A": 14, "B": 14, "C": 14, "D": 34, "E": 16},
    )
]
