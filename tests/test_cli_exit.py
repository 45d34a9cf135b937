"""Exit codes, failures and interrupts of the real command (``python -m evaltools`` in a subprocess),
and names from forms that try to break the terminal or the file system."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import formkit as fk
from conftest import ROOT, SEED_DIR, SYNTH_DIR, need_system
from evaltools.names import bounded_file_name, file_stem, is_reserved, terminal, unique_stems

CLI = [sys.executable, "-m", "evaltools"]


def run_cli(*args, timeout=600):
    return subprocess.run([*CLI, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*")) if path.exists() else []


# ---------------------------------------------------------------------------------------------
# 2: inputs that are not there → 2, nothing written


@pytest.mark.parametrize("command", ["load", "audit", "report"])
def test_missing_path_is_a_usage_error(command, tmp_path):
    out = tmp_path / "out"
    extra = ["-o", out] if command != "load" else ["--to", out / "t.csv"]
    proc = run_cli(command, tmp_path / "nope", *extra)
    assert proc.returncode == 2, proc.stderr
    assert "文件或文件夹不存在" in proc.stderr and str(tmp_path / "nope") in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


@pytest.mark.parametrize("command", ["load", "audit", "report"])
def test_folder_without_workbooks_is_a_usage_error(command, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "notes.txt").write_text("不是工作簿", encoding="utf-8")
    out = tmp_path / "out"
    extra = ["-o", out] if command != "load" else ["--to", out / "t.csv"]
    proc = run_cli(command, data, *extra)
    assert proc.returncode == 2, proc.stderr
    assert "没有自评表文件" in proc.stderr and str(data) in proc.stderr
    assert not out.exists()


def test_usage_errors_and_clean_runs(tmp_path):
    assert run_cli("audit", SEED_DIR, "--disable", "NOPE").returncode == 2
    assert run_cli("frobnicate").returncode == 2
    clean = sorted(SEED_DIR.glob("04_*.xlsx"))[0]
    assert run_cli("audit", clean).returncode == 0
    assert run_cli("audit", SEED_DIR).returncode == 1  # error-level findings
    assert run_cli("rules").returncode == 0


# ---------------------------------------------------------------------------------------------
# 3: an output that cannot be written


def test_output_under_a_file_exits_3(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    for args in (["audit", SEED_DIR, "-o", blocker / "out"], ["load", SEED_DIR, "--to", blocker / "t.csv"],
                 ["report", SEED_DIR, "-o", blocker / "out", "--no-progress"]):
        proc = run_cli(*args)
        assert proc.returncode == 3, (args, proc.stderr)
        assert "错误：" in proc.stderr and "Traceback" not in proc.stderr and str(blocker) in proc.stderr


def _read_only(folder: Path):
    """Make ``folder`` read-only for this user, root included (chattr +i); returns the undo."""
    folder.chmod(0o555)
    probe = folder / ".probe"
    try:
        probe.write_text("x")
    except OSError:
        return lambda: folder.chmod(0o755)
    probe.unlink()
    ok = shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    need_system(bool(ok), "a read-only folder (a non-root user, or chattr +i for root)")
    return lambda: (subprocess.run(["chattr", "-i", str(folder)]), folder.chmod(0o755))


def test_read_only_output_folder_exits_3(tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    undo = _read_only(out)
    try:
        audit = run_cli("audit", SEED_DIR, "-o", out)
        report = run_cli("report", SEED_DIR, "-o", out, "--no-progress")
        debug = run_cli("--debug", "report", SEED_DIR, "-o", out, "--no-progress")
    finally:
        undo()
    for proc in (audit, report):
        assert proc.returncode == 3, proc.stderr
        assert "Traceback" not in proc.stderr and str(out) in proc.stderr
    assert debug.returncode == 3 and "Traceback" in debug.stderr  # --debug shows it, same exit code
    assert files_under(out) == []


# ---------------------------------------------------------------------------------------------
# 130: interrupted batches


def _wait_for(predicate, timeout: float, proc) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"the batch ended before it could be interrupted: {proc.returncode}")
        time.sleep(0.05)
    pytest.fail("no notebook started running")


def _notebooks_complete(out: Path) -> None:
    """Every notebook under a final name ran every code cell; every page has its notebook."""
    for nb_path in (out / "notebooks").glob("*.ipynb"):
        assert not nb_path.name.startswith("."), f"temporary notebook left: {nb_path.name}"
        nb = nbformat.read(nb_path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
        assert code and all(c.get("execution_count") for c in code), f"{nb_path.name} has cells that never ran"
    for page in out.glob("*.html"):
        if page.name != "index.html":
            assert (out / "notebooks" / f"{page.stem}.ipynb").exists(), f"{page.name} without its notebook"


def _as_at_a_terminal() -> None:
    """In the child before exec: Ctrl-C's default action, as in a terminal's foreground job.

    A suite started in the background by a non-interactive shell (``make test &``, some CI runners)
    inherits SIGINT ignored, and so would the batch; Python then never turns SIGINT into
    KeyboardInterrupt, and the batch rightly runs to the end as the shell asked."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("jobs", ["2", "1"])
def test_interrupted_batch_leaves_nothing_half_done(jobs, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([*CLI, "report", str(SYNTH_DIR), "-o", str(out), "--no-progress", "--jobs", jobs],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_as_at_a_terminal)
    try:
        _wait_for(lambda: bool(list((out / "notebooks").glob(".*.running.ipynb"))), 300, proc)
        time.sleep(1.0)  # the kernel is executing cells now
        proc.send_signal(signal.SIGINT)
        said, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (said, err)
    # the kernel (a process of its own, sharing stderr) may log its closed socket; evaltools prints
    # no traceback, and the kernel clients' unfinished tasks are not logged at exit
    assert "已中断" in err and "evaltools/" not in err and "never retrieved" not in err, err
    temporary = [p.name for p in out.rglob(".*") if p.name not in (".evaltools-output", ".evaltools-annotated.json")]
    assert not temporary, temporary
    _notebooks_complete(out)

    if jobs == "1":
        return  # the next run is the same either way: shown once, with workers
    again = run_cli("report", SYNTH_DIR, "-o", out, "--no-progress", "--jobs", "2")
    assert again.returncode == 1, again.stderr  # the county's error findings; every report made
    assert "已生成 5 份部门报告" in again.stdout
    _notebooks_complete(out)
    assert len(list(out.glob("*.html"))) == 6 and len(list((out / "notebooks").glob("*.ipynb"))) == 5


def test_failed_report_is_kept_as_failed_and_exits_3(tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / "department_report.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell('raise RuntimeError("故意失败")'))
    boom = tmp_path / "boom.ipynb"
    nbformat.write(nb, boom)
    out = tmp_path / "out"
    code = ("import sys, evaltools.report as r, evaltools.cli as c; r.DEFAULT_NOTEBOOK = r.Path(sys.argv[1]); "
            "sys.exit(c.main(sys.argv[2:]))")
    proc = subprocess.run([sys.executable, "-c", code, str(boom), "report", str(SEED_DIR), "-o", str(out),
                           "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 3, proc.stderr
    assert "失败：壶关县人民政府办公室" in proc.stderr and "故意失败" in proc.stderr
    assert (out / "notebooks" / "壶关县人民政府办公室.failed.ipynb").exists()
    assert not (out / "notebooks" / "壶关县人民政府办公室.ipynb").exists()
    assert not (out / "壶关县人民政府办公室.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "生成失败" in index and 'href="notebooks/壶关县人民政府办公室.failed.ipynb"' in index


# ---------------------------------------------------------------------------------------------
# Names from forms


HOSTILE = ["index", "CON", "\x1b[2K\x1b[1A../局", "长" * 200]


def _xlsx_text(name: str) -> str:
    """How a workbook stores a control character (openpyxl refuses ESC itself): ``_x001B_``."""
    return "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 else ch for ch in name)


def test_hostile_department_names_each_get_their_page(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for i, name in enumerate(HOSTILE):
        form = fk.replace(fk.seed_form(i), {"壶关县人民政府办公室-002": f"{_xlsx_text(name)}-099"})
        fk.write_xlsx(data / f"form{i}.xlsx", [("Sheet1", form)])
    out = tmp_path / "out"
    proc = subprocess.run([*CLI, "report", str(data), "-o", str(out), "--no-progress"], cwd=ROOT,
                          capture_output=True, timeout=600)
    stdout, stderr = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 1, stderr  # error findings in the seed forms; every page made
    assert "已生成 4 份部门报告" in stdout
    assert b"\x1b" not in proc.stdout and b"\x1b" not in proc.stderr
    pages = sorted(p.name for p in out.glob("*.html"))
    assert len(pages) == 5 and "index.html" in pages  # four departments and the index
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "项目支出绩效自评审核报告 · 目录" in index
    for name in HOSTILE:
        stem = file_stem(name)
        assert (out / f"{stem}.html").exists() and (out / "notebooks" / f"{stem}.ipynb").exists(), name
        assert f'href="{stem}.html"' in index
        assert len(f".{stem}.running.ipynb".encode()) <= 255
    assert sorted(tmp_path.iterdir()) == [data, out]  # ../ in a name never leaves the folder
    assert not [p for p in (out / "notebooks").iterdir() if p.is_dir()]


def test_terminal_escapes_control_and_bidi_characters():
    text = "局\x1b[2K\x1b[1A\r\u202e名\u2066\x9b\t"
    safe = terminal(text)
    assert safe == "局\\x1b[2K\\x1b[1A\\x0d\\u202e名\\u2066\\x9b\\x09"
    assert safe.isprintable()
    assert terminal("两行\n文字") == "两行\n文字"


@pytest.mark.parametrize("name", ["CON", "con", "Nul.txt", "LPT9", "COM1.tar.gz", "aux ", "index", "Batch",
                                  "findings", "NOTEBOOKS", "annotated"])
def test_reserved_names_get_a_suffix(name):
    stem = file_stem(name)
    assert re.search(r"-[0-9a-f]{6}$", stem) and stem.casefold().startswith(name.strip().split(".")[0].casefold())
    assert not is_reserved(stem) and not is_reserved(stem + ".html")
    assert stem.casefold() not in {"index", "batch", "findings", "notebooks", "annotated"}


@pytest.mark.parametrize("name", ['a<b>c:d"e/f\\g|h?i*j', "局. . ", "..", "...局", "", "\x00\x7f"])
def test_file_stems_are_valid_everywhere(name):
    stem = file_stem(name)
    assert stem and not set('<>:"/\\|?*') & set(stem) and stem.isprintable()
    assert not stem.endswith((".", " ")) and not stem.startswith(".")


def test_stems_are_bounded_in_bytes_and_unique():
    long = "长" * 200
    stem = file_stem(long)
    assert len(stem.encode()) <= 150 and stem.startswith("长" * 10)
    assert file_stem(long + "甲") != file_stem(long + "乙")
    stems = unique_stems(["Abc", "abc", "教育局/体育局", "教育局:体育局", "教育局"])
    assert len({s.casefold() for s in stems.values()}) == 5 and stems["教育局"] == "教育局"
    assert unique_stems(["Abc", "abc"]) == unique_stems(["abc", "Abc"])


def test_bounded_file_name_keeps_the_extension():
    name = "长" * 83 + ".xlsx"  # 254 bytes: a temp name beside it would not fit
    short = bounded_file_name(name)
    assert short.endswith(".xlsx") and len(short.encode()) <= 215 and short.startswith("长" * 10)
    assert bounded_file_name("短.xlsx") == "短.xlsx"


def test_annotated_copy_that_cannot_be_written_exits_3(tmp_path):
    """Something in the way of one copy (a folder under its name): told on stderr, not only in
    annotated/README.txt, exit 3, and every other output still written."""
    data = tmp_path / "data"
    data.mkdir()
    seeds = sorted(SEED_DIR.glob("*.xlsx"))[:2]
    for p in seeds:
        shutil.copy(p, data / p.name)
    blocked = tmp_path / "out" / "annotated" / seeds[0].name
    (blocked / "occupied").mkdir(parents=True)
    proc = run_cli("audit", data, "-o", tmp_path / "out")
    assert proc.returncode == 3, proc.stderr
    assert f"错误：批注副本未写出 {seeds[0].name}" in proc.stderr
    assert (tmp_path / "out" / "findings.xlsx").exists()
    assert (tmp_path / "out" / "annotated" / seeds[1].name).is_file()
    readme = (tmp_path / "out" / "annotated" / "README.txt").read_text(encoding="utf-8")
    assert f"未写出 {seeds[0].name}" in readme


def test_annotated_copy_of_a_long_file_name_is_written_under_a_shorter_one(tmp_path):
    """A 251-byte source name leaves no room for the copy's temporary name: the copy gets a cut
    name with a hash, the README gives the original, and the run is not an output failure."""
    data = tmp_path / "data"
    data.mkdir()
    name = "长" * 82 + ".xlsx"
    assert len(name.encode()) == 251
    shutil.copy(sorted(SEED_DIR.glob("*.xlsx"))[0], data / name)
    proc = run_cli("audit", data, "-o", tmp_path / "out")
    assert proc.returncode in (0, 1), proc.stderr
    assert "未写出" not in proc.stderr
    copies = list((tmp_path / "out" / "annotated").glob("*.xlsx"))
    assert len(copies) == 1 and copies[0].name == bounded_file_name(name) != name
    assert len(copies[0].name.encode()) <= 215
    readme = (tmp_path / "out" / "annotated" / "README.txt").read_text(encoding="utf-8")
    assert f"{copies[0].name}：源文件名过长，副本名已截短（原名 {name}）" in readme


