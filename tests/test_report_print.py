"""Department pages on paper and on phones: the 壶关 report printed to A4 by headless Chromium
(page count, page numbers, no empty page), each 项目审核单 on exactly one sheet, the index and a
department page laid out at 390 and 1366 px without anything beyond the screen; and the words and
caveats of the header (the profile's Chinese name, the amounts the audit doubts). One real batch
(papermill) on data/huguan-2021 for the module."""

from __future__ import annotations

import dataclasses
import math
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import evaltools
from conftest import SEED_DIR, need_module, need_system
from evaltools import report
from evaltools.report import render_reports

HUGUAN = "壶关县人民政府办公室"
UNIT_SCALE_PROJECT = "日常办公经费"  # 03: 50000 万元 against cost indicators of 5 万元 (COST-UNIT-SCALE)
# 02 and 07 print 年度资金总额 0 over lines that add up to 190 and 118.82 万元 (FUND-SUM on H6/J6)
AMOUNT_ERROR_PROJECTS = {"全县政府系统协同办公平台建设",
                         "政府网站普查监测系统、政务公开专区、13710督办系统建设等九项费用（含政府机房设施配套经费）"}
BEFORE = 14  # A4 pages of the 壶关 page before print styles (each figure alone on a half-empty page)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("print") / "out"
    result = render_reports(SEED_DIR, out, jobs=1, progress=False)
    d = result["departments"][0]
    assert d["department"] == HUGUAN and not d["error"], d["error"]
    return out, result, d


@pytest.fixture(scope="module")
def browser():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need_system(path is not None, "Debian's chromium (apt-get install chromium)")
    pw = need_module("playwright.sync_api", "playwright (pip install playwright)")
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu",
                                                          "--disable-background-networking"])
        yield b
        b.close()


def _poppler():
    need_system(shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None,
                "poppler-utils (apt-get install poppler-utils)")


def _images_per_page(pdf: Path) -> dict[int, int]:
    need_system(shutil.which("pdfimages") is not None, "poppler-utils (apt-get install poppler-utils)")
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    counts: dict[int, int] = {}
    for line in listing.splitlines()[2:]:
        cols = line.split()
        if len(cols) > 2 and cols[2] == "image":  # not the soft masks of the same images
            counts[int(cols[0])] = counts.get(int(cols[0]), 0) + 1
    return counts


def _pdf(browser, page_path: Path, pdf: Path) -> list[str]:
    """``page_path`` printed to A4 as a browser prints it; the text of each PDF page."""
    _poppler()
    page = browser.new_page()
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4")
    page.close()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout for i in range(1, n + 1)]


def test_the_department_page_prints_on_few_full_pages(batch, browser, tmp_path):
    out, result, d = batch
    page_path = out / d["html"]
    text = page_path.read_text(encoding="utf-8")
    pages = _pdf(browser, page_path, tmp_path / "page.pdf")
    n = len(pages)
    # what the content needs at most: figures two a page (a tall one alone), findings at least 15
    # rows a page under their repeated header, projects 6 a page
    charts = text.count('<section class="et-chart')
    tall = text.count('<section class="et-chart et-tall')
    rows = len(re.findall(r'<td class="et-cell"', text))
    projects = text.count('<div class="et-project">')
    assert (charts, rows, projects) == (4, 72, 8)
    bound = math.ceil((charts - tall) / 2) + tall + math.ceil(rows / 15) + math.ceil(projects / 6)
    print(f"\n壶关 department page: {n} A4 pages (bound {bound}, before {BEFORE})")
    assert n <= bound < BEFORE
    images = _images_per_page(tmp_path / "page.pdf")
    for i, p in enumerate(pages, start=1):
        # page i / n and the department in the margins of every page
        assert re.search(rf"\b{i}\s*/\s*{n}\b", p), f"page {i}: no page number"
        assert p.strip() and HUGUAN in p.splitlines()[0], f"page {i}: no running head"
        body = re.sub(r"\s+", "", p.replace(HUGUAN, "").replace("项目支出绩效自评审核报告", ""))
        assert len(body) > 150 or images.get(i), f"page {i} is (nearly) empty: {p!r}"
    # two figures share a page; only a tall one is alone (with text after it)
    assert sum(images.values()) == charts
    assert len(images) <= math.ceil((charts - tall) / 2) + tall, images
    alone = [i for i, k in images.items() if k == 1 and len(re.sub(r"\s+", "", pages[i - 1])) < 150]
    assert len(alone) <= tall, (images, alone)
    # the findings tables repeat their header on the pages they continue onto
    heads = sum(len(re.findall(r"规则\s+说明\s+应为\s+实际\s+位置", p)) for p in pages)
    assert heads > len(re.findall(r"<h3 id=\"f-", text)), heads


def test_each_audit_sheet_prints_on_one_page(batch, browser, tmp_path):
    out, result, d = batch
    sheet = out / d["sheet"]
    pages = _pdf(browser, sheet, tmp_path / "sheets.pdf")
    names = result["book"].projects["project_name"].tolist()
    assert len(pages) == len(names) == 8
    for i, (p, name) in enumerate(zip(pages, names), start=1):
        flat = re.sub(r"\s+", "", p)
        assert re.sub(r"\s+", "", name)[:20] in flat, f"sheet {i} is not {name}"
        assert "日期" in p and "审核人" in p, f"sheet {i}: its signature lines were cut off"
        assert re.search(rf"\b{i}\s*/\s*{len(pages)}\b", p)
        assert "表内填报" in p and "复算" in p and "总分" in p
    unit = pages[names.index(UNIT_SCALE_PROJECT)]
    assert "COST-UNIT-SCALE" in unit and "※" in unit and "Sheet2!H6" in unit


def test_a_sheet_with_more_findings_than_fit_stays_on_one_page(browser, tmp_path, seed_book):
    """Far more findings than a sheet holds (the real ones, repeated and lengthened, on one form;
    a very long project name): still one page per sheet, nothing cut off, the rest counted."""
    book = seed_book
    result = evaltools.audit(book)
    f = result.findings
    fid = book.projects["form_id"].iloc[2]
    many = pd.concat([f] * 4, ignore_index=True).assign(form_id=fid)
    many["finding_id"] = [f"x{i}" for i in range(len(many))]
    many["message"] = many["message"] + "，" + many["message"] + "，" + many["message"]
    many["sheet"] = "2021年项目支出绩效自评表（壶关县人民政府办公室）"
    result.findings = pd.concat([f[f["form_id"] != fid], many], ignore_index=True)
    projects = book.projects.copy()
    projects.loc[2, "project_name"] = "很长的项目名称" * 12
    projects.loc[2, "implementing_unit"] = "很长的实施单位" * 10
    book = dataclasses.replace(book, projects=projects)  # the session's Book stays as loaded
    html_text = report.sheets_html(HUGUAN, book, result, result.findings, report.annotated_links(result, book),
                                   profile_title="国家通用口径")
    path = tmp_path / "sheets.html"
    path.write_text(html_text, encoding="utf-8")
    pages = _pdf(browser, path, tmp_path / "stress.pdf")
    assert len(pages) == len(book.projects) == 8
    assert all("日期" in p for p in pages), [i for i, p in enumerate(pages, 1) if "日期" not in p]
    m = re.search(r"另有 (\d+) 条问题", pages[2])
    assert m and 200 < int(m.group(1)) < len(many)
    shown = len(re.findall(r"\b(错误|警告|提示)\s+[A-Z]+-", pages[2]))
    assert shown + int(m.group(1)) == len(many) and shown >= 5


_BEYOND = """() => {
  // every visible element whose right edge is past the viewport, unless a code box scrolls it
  const W = window.innerWidth, bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= W + 0.5) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none') continue;
    if (el.closest('pre')) continue;
    bad.push(`${el.tagName}.${el.className} right=${Math.round(r.right)}`);
  }
  return bad.slice(0, 10);
}"""


@pytest.mark.parametrize("width", [360, 390, 1366])
def test_pages_fit_the_screen(batch, browser, tmp_path, width):
    out, _, d = batch
    for name in ("index.html", d["html"]):
        page = browser.new_page(viewport={"width": width, "height": 844})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        fetched = []
        page.on("request", lambda r: fetched.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.goto((out / name).as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")
        assert page.evaluate(_BEYOND) == []
        assert not errors and not fetched, (errors, fetched)
        shot = tmp_path / f"{Path(name).stem}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\n{name} at {width} px: screenshot {shot.stat().st_size // 1024} kB, "
              f"page height {page.evaluate('document.documentElement.scrollHeight')} px")
        if name == "index.html":
            # the department's name on one or two lines, not one character a line
            box = page.locator("td.et-name a").first.bounding_box()
            assert box["width"] > 8 * 14 and box["height"] < 3 * 24, box
        else:
            # the phone gets the narrow figures, the desktop the normal ones, each at least 300 px
            shown = page.evaluate("""() => [...document.querySelectorAll('img.et-fig')]
                .filter(i => getComputedStyle(i).display !== 'none')
                .map(i => [i.classList.contains('et-narrow'), i.getBoundingClientRect().width, i.naturalWidth])""")
            assert len(shown) == 4 and all(w >= 300 for _, w, _ in shown), shown
            narrow = width < 640 and page.locator("img.et-narrow").count() == 4
            assert all(is_narrow == narrow for is_narrow, _, _ in shown), shown
            if narrow:  # drawn for the width it is shown at: its text is not shrunk below legibility
                assert all(nat >= 0.9 * w for _, w, nat in shown), shown
            # a finding's 说明 is given the width of the screen, not a column of four characters
            cell = page.locator("table.et-findings td.et-col-message").first.bounding_box()
            assert cell["width"] > (0.8 * width if width < 640 else 280), cell
        page.close()


def test_the_header_names_the_profile_and_marks_doubtful_amounts(batch):
    out, result, d = batch
    text = (out / d["html"]).read_text(encoding="utf-8")
    assert "审核口径：国家通用口径" in text and "审核口径：national" not in text
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "国家通用口径" in index
    s = d["summary"]
    book, findings = result["book"], result["result"].findings
    p = book.projects
    flagged = {x["project_name"]: x["reason"] for x in s["flagged"]["projects"]}
    assert flagged == {UNIT_SCALE_PROJECT: "unit", **{n: "error" for n in AMOUNT_ERROR_PROJECTS}}
    assert (s["flagged"]["forms"], s["flagged"]["unit"], s["flagged"]["error"]) == (3, 1, 2)
    # the figures without them, computed here from the forms the findings name
    unit_forms = set(findings.loc[findings["rule"] == "COST-UNIT-SCALE", "form_id"])
    assert p.loc[p["form_id"].isin(unit_forms), "project_name"].tolist() == [UNIT_SCALE_PROJECT]
    rest = p[~p["project_name"].isin(set(flagged))]
    assert math.isclose(s["budget_unflagged"], rest["budget_full_year"].sum(), abs_tol=1e-6)
    assert math.isclose(s["executed_unflagged"], rest["executed"].sum(), abs_tol=1e-6)
    assert math.isclose(s["rate_unflagged"], s["executed_unflagged"] / s["budget_unflagged"] * 100, abs_tol=1e-9)
    assert math.isclose(s["budget"], p["budget_full_year"].sum(), abs_tol=1e-6)  # the old key is unchanged
    assert s["budget"] - s["budget_unflagged"] > 49_999  # the form written in 元
    assert "50,260.82 ※" in text and f"不含这些表时，全年预算数 {s['budget_unflagged']:,.2f} 万元" in text
    assert "疑似把元填成万元的 1 张表（日常办公经费）" in text
    assert "※" in index and f"{s['budget_unflagged']:,.2f}" in index


def test_a_profile_is_named_in_chinese():
    from evaltools.profile import load_profile

    assert load_profile("national").title == "国家通用口径"
    assert load_profile("exec20").title == "预算执行率20分口径"
    assert load_profile("four_part").title.startswith("四部分计分口径")
    assert load_profile("exec15").title == "预算执行率15分口径"
    # a user's profile: its own title, else its description, else its name — never national's
    assert load_profile({"name": "sx", "title": "山西口径"}).title == "山西口径"
    assert load_profile({"name": "sx", "description": "山西省口径说明"}).title == "山西省口径说明"
    assert load_profile({"name": "sx"}).title == "sx"
