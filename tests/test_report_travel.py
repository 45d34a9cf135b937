"""An output folder works wherever it is sent: every link in every page is relative, stays inside the
folder and reaches an existing file (and, with #id, an existing element), after the folder alone
is zipped and unzipped somewhere else. Real ``evaltools report`` run (papermill) on the 壶关 forms
plus a second department whose name and file need percent-encoding, a real headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import formkit as fk
from conftest import ROOT, SEED_DIR, need_module, need_system
from evaltools.names import unique_stems

ODD = "测试局 #2%"  # a space, a "#" and a "%": each must be percent-encoded in a link
ODD_FILE = "09 测试#1.xlsx"
HUGUAN = "壶关县人民政府办公室"


class _Links(HTMLParser):
    """Every href/src of a page and every id in it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append((tag, value))
            if name == "id" and value:
                self.ids.add(value)


def _parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def travelled(tmp_path_factory):
    """The report of two departments, rendered by the command line, zipped alone and unzipped
    into an unrelated folder (the original output folder is removed)."""
    base = tmp_path_factory.mktemp("travel")
    data = base / "data"
    shutil.copytree(SEED_DIR, data / "huguan-2021")
    form = fk.replace(fk.seed_form(2), {"壶关县人民政府办公室-002": f"{ODD}-099"})
    (data / "odd dir").mkdir()
    fk.write_xlsx(data / "odd dir" / ODD_FILE, [("Sheet2", form)])
    out = base / "out"
    proc = subprocess.run([sys.executable, "-m", "evaltools", "report", str(data), "-o", str(out), "--no-progress",
                           "--jobs", "1"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode in (0, 1), proc.stderr  # 1: the forms have error-level findings
    archive = base / "sent.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in sorted(out.rglob("*")):
            z.write(p, p.relative_to(out).as_posix())
    shutil.rmtree(out)
    shutil.rmtree(data)  # nothing may still point at the data folder either
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "收到的报告"
    with zipfile.ZipFile(archive) as z:
        z.extractall(elsewhere)
    return elsewhere


def test_every_link_resolves_inside_the_folder(travelled):
    root = travelled.resolve()
    pages = sorted(root.rglob("*.html"))
    # index, 2 pages, 2 执行记录, 2 项目审核单
    assert len(pages) == 7, [p.relative_to(root).as_posix() for p in pages]
    checked = 0
    ids: dict[Path, set[str]] = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "file://" not in text, page  # no absolute path of the machine that made it
        for tag, value in _parse(page).links:
            if value.startswith("data:"):
                assert tag == "img", (page, value[:40])
                continue
            parts = urlsplit(value)
            assert not parts.scheme and not parts.netloc, f"{page.name}: {value} leaves the folder"
            assert not parts.path.startswith("/"), f"{page.name}: {value} is absolute"
            # a link is percent-encoded: no raw space, "#" (but the fragment's), "%" not starting an escape
            assert " " not in value and not re.search(r"%(?![0-9A-Fa-f]{2})", value), value
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert root in target.parents or target == root, f"{page.name}: {value} leaves the folder"
            assert target.is_file(), f"{page.relative_to(root)}: {value} → missing {target}"
            if parts.fragment:
                if target not in ids:
                    ids[target] = _parse(target).ids
                # as HTML finds a fragment's element: by the fragment as written, then decoded
                # (nbconvert's heading anchors use the encoded text as the id)
                assert {parts.fragment, unquote(parts.fragment)} & ids[target], \
                    f"{page.relative_to(root)}: no #{parts.fragment} in {target.name}"
            checked += 1
    assert checked > 100, checked


def _hrefs(path: Path) -> set[str]:
    return {unquote(urlsplit(v).path) for t, v in _parse(path).links if t == "a"}


def test_pages_link_to_index_findings_copies_and_records(travelled):
    root = travelled
    stems = unique_stems([HUGUAN, ODD])
    assert stems[ODD] != ODD  # cleaned (the space) and hashed: the link must use the stem
    index = _hrefs(root / "index.html")
    for dept, stem in stems.items():
        assert {f"{stem}.html", f"审核单/{stem}.html", f"notebooks/{stem}.html"} <= index, (dept, index)
        page = root / f"{stem}.html"
        links = _hrefs(page)
        assert {"index.html", "findings.xlsx", "annotated/README.txt", f"notebooks/{stem}.html",
                f"审核单/{stem}.html"} <= links
        copies = {h for h in links if h.startswith("annotated/") and h.endswith(".xlsx")}
        assert copies and all((root / h).is_file() for h in copies)
        # every finding's 位置 links to the annotated copy of its form
        text = page.read_text(encoding="utf-8")
        cells = re.findall(r'<td class="et-cell"[^>]*>(.*?)</td>', text, re.S)
        assert cells and all(c.startswith('<a href="annotated/') for c in cells), cells[:3]
        record = _hrefs(root / "notebooks" / f"{stem}.html")
        assert {f"../{stem}.html", "../index.html", f"{stem}.ipynb"} <= record
        sheet = _hrefs(root / "审核单" / f"{stem}.html")
        assert {f"../{stem}.html", "../index.html", "../findings.xlsx"} <= sheet
    assert {"findings.xlsx", "annotated/README.txt"} <= index
    odd_copy = f"annotated/odd dir/{ODD_FILE}"
    assert odd_copy in _hrefs(root / f"{stems[ODD]}.html") and (root / odd_copy).is_file()
    raw = (root / f"{stems[ODD]}.html").read_text(encoding="utf-8")
    assert 'href="annotated/odd%20dir/09%20测试%231.xlsx"' in raw  # space and # encoded, Chinese kept


def test_the_record_is_the_notebook_with_its_code(travelled):
    root = travelled
    stem = unique_stems([HUGUAN, ODD])[HUGUAN]
    text = (root / "notebooks" / f"{stem}.html").read_text(encoding="utf-8")
    shown = html.unescape(re.sub(r"<[^>]+>", "", text))  # the code is highlighted: one span a token
    assert "from evaltools import plots, report" in shown and "report.prepare(" in shown  # the code is shown
    # and the parameters papermill injected (it writes them as JSON, non-ASCII escaped)
    assert "celltag_injected-parameters" in text and f"department = {json.dumps(HUGUAN)}" in shown
    srcs = re.findall(r'<img[^>]+src="([^"]*)"', text)
    assert srcs and all(s.startswith("data:image/") for s in srcs)
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', text)  # nothing fetched


def test_the_manifest_lists_the_new_files(travelled):
    root = travelled
    m = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    files = {o["name"]: set(o["files"]) for o in m["outputs"]}
    stems = unique_stems([HUGUAN, ODD])
    for stem in stems.values():
        assert {f"{stem}.html", f"notebooks/{stem}.html", f"notebooks/{stem}.ipynb"} <= files["pages"]
        assert f"审核单/{stem}.html" in files["sheets"]
    names = [o["name"] for o in m["outputs"]]
    assert names.index("pages") < names.index("sheets") < names.index("index") < names.index("findings")
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert {f for fs in files.values() for f in fs} == on_disk


def test_a_browser_follows_the_links(travelled):
    """Chromium opens index.html from the unzipped folder and clicks through to the odd department's
    page (percent-encoded name), its 项目审核单 and its 执行记录."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need_system(path is not None, "Debian's chromium (apt-get install chromium)")
    pw = need_module("playwright.sync_api", "playwright (pip install playwright)")
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto((travelled / "index.html").as_uri())
        page.get_by_role("link", name=ODD, exact=True).click()
        page.wait_for_load_state("load")
        assert page.title() == f"{ODD} 绩效自评审核报告"
        page.get_by_role("link", name="项目审核单（打印）").click()
        page.wait_for_load_state("load")
        assert page.title() == f"{ODD} 项目审核单" and page.locator("section.et-sheet").count() == 1
        page.get_by_role("link", name="← 部门报告").click()
        page.wait_for_load_state("load")
        page.get_by_role("link", name="执行记录（含代码）").click()
        page.wait_for_load_state("load")
        assert page.title() == f"{ODD} 执行记录" and "report.prepare(" in page.inner_text("main")
        browser.close()
