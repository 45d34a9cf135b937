"""The command line's conventions: one language (help, argparse's own words and usage errors in
Chinese), --quiet / --verbose / --format json on every command with the JSON keys docs/cli.md
documents, load --to saying which files it writes, audit without -o saying nothing was written,
the warm report engine by default, and the bash completion script. Real runs of the real command
on data/huguan-2021 into tmp folders."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEED_DIR, need_system
from evaltools import export, outputs
from evaltools.cli import _parser
from evaltools.cli import main as cli
from evaltools.errors import PROBLEMS
from evaltools.rules import builtin_registry

CLI = [sys.executable, "-m", "evaltools"]
COMMANDS = ["load", "audit", "report", "rules", "errors", "synth"]
DOCS = ROOT / "docs" / "cli.md"
CJK = re.compile(r"[\u4e00-\u9fff]")


def run_cli(*args, timeout=600):
    env = {**os.environ, "COLUMNS": "100"}  # help wraps the same on every terminal
    return subprocess.run([*CLI, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=env)


# ---------------------------------------------------------------------------------------------
# One language


def english_runs(text: str) -> list[str]:
    """Runs of three or more English words, once flags, metavars, choices, paths and file names
    are taken out: what an English sentence leaves behind in a help text."""
    text = re.sub(r'"[^"\n]*"', "|", text)  # a quoted command line is code, not a sentence
    kept = []
    for token in text.split():
        bare = token.strip("[]().,;:|")
        if bare.startswith("-") or "/" in bare or "." in bare or "{" in token or bare.isupper():
            kept.append("|")  # a break: a flag between two words does not join them into a sentence
        else:
            kept.append(token)
    joined = " ".join(kept)
    return [m.group(0) for m in re.finditer(r"\b[A-Za-z][a-z']*(?:[ ,]+[A-Za-z][a-z']*){2,}\b", joined)]


def test_the_english_detector_finds_english():
    assert english_runs("--markdown    print the generated rule reference (docs/rules.md)")
    assert english_runs("show this help message and exit")
    assert english_runs("--out DIR   output folder (findings.csv, scores) and the annotated copies")
    assert not english_runs("--format {text,json}  输出格式：text（默认）；json 时 stdout 只有一个 JSON 对象")
    assert not english_runs("用法：evaltools audit [-h] [-o DIR] DATA [DATA ...]")
    assert english_runs('prints a bash script: eval "$(evaltools completion bash)"')


@pytest.mark.parametrize("command", [None, *COMMANDS, "completion"])
def test_help_is_chinese(command, capsys):
    argv = [command, "--help"] if command else ["--help"]
    assert cli(argv) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"用法：evaltools{' ' + command if command else ''} ")
    assert "显示本帮助并退出" in text and "选项：" in text
    for english in ("usage:", "positional arguments", "options:", "show this help"):
        assert english not in text, english
    assert english_runs(text) == [], text
    if command in COMMANDS or command is None:
        assert all(flag in text for flag in ("-q, --quiet", "-v, --verbose", "--format {text,json}"))


def test_help_of_the_installed_command_is_chinese():
    proc = run_cli("report", "--help")
    assert proc.returncode == 0 and proc.stderr == ""
    assert "用法：evaltools report" in proc.stdout and "--engine {warm,papermill}" in proc.stdout
    assert english_runs(proc.stdout) == []


USAGE_ERRORS = [
    (["audit"], "缺少必需的参数：DATA"),
    (["frobnicate"], "没有命令 'frobnicate'"),
    (["report", "x", "--engine", "nope"], "参数 --engine：无效的取值 'nope'"),
    (["load", "x", "--jobs", "abc"], "参数 --jobs：应为正整数"),
    (["audit", "x", "--bogus"], "无法识别的参数：--bogus；用法见 evaltools audit --help"),
    (["load", "x", "--to"], "参数 --to：需要一个取值"),
    (["synth"], "缺少必需的参数：DIR"),
    (["-q", "-v", "rules"], "不能同时使用"),
    (["rules", "--markdown", "--format", "json"], "不能与 --format json 同时使用"),
]


@pytest.mark.parametrize(("argv", "words"), USAGE_ERRORS)
def test_usage_errors_exit_2_in_chinese(argv, words, capsys):
    assert cli(argv) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert words in err and "错误：" in err, err
    assert "error:" not in err and "usage:" not in err and english_runs(err) == [], err
    if "--format" not in argv:
        assert captured.out == ""


def test_a_usage_error_of_the_real_process():
    proc = run_cli("audit", "--format", "json")
    assert proc.returncode == 2
    assert proc.stderr.startswith("用法：evaltools audit") and "错误：缺少必需的参数：DATA" in proc.stderr
    summary = json.loads(proc.stdout)  # asked for JSON: the object says what went wrong
    assert summary == {"command": "audit", "error": summary["error"], "exit_code": 2}
    assert "缺少必需的参数" in summary["error"]


# ---------------------------------------------------------------------------------------------
# --format json: one object with the documented keys


def documented_keys(command: str) -> set[str]:
    """The `keys` of a command's table in docs/cli.md, plus the ones every object has."""
    text = DOCS.read_text(encoding="utf-8")
    common = text.split("## JSON 摘要", 1)[1].split("### ", 1)[0]
    section = text.split(f"### `{command}`", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    keys = set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))
    return keys | (set(re.findall(r"^\| `([a-z_]+)` \|", common, re.M)) - {"error"})


def nested_documented(command: str, key: str, names) -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split(f"### `{command}`", 1)[1].split("\n### ", 1)[0]
    row = next(line for line in section.splitlines() if line.startswith(f"| `{key}` |"))
    missing = [n for n in names if f"`{n}`" not in row]
    assert not missing, (command, key, missing)


def json_run(*args, code):
    proc = run_cli(*args, "--format", "json")
    assert proc.returncode == code, proc.stderr
    summary = json.loads(proc.stdout)  # the whole of stdout is one JSON object
    assert isinstance(summary, dict) and proc.stdout.count("\n") == 1
    assert summary["exit_code"] == code and list(summary)[-1] == "exit_code"
    return summary, proc.stderr


def check_keys(command: str, summary: dict) -> None:
    assert summary["command"] == command
    assert set(summary) == documented_keys(command), set(summary) ^ documented_keys(command)


def test_load_json(tmp_path):
    summary, err = json_run("load", SEED_DIR, "--to", tmp_path / "t.parquet", code=0)
    check_keys("load", summary)
    assert summary["forms"] == 8 and summary["files"] == 8 and summary["departments"] == 1
    assert summary["by_department"] == {"壶关县人民政府办公室": 8}
    assert summary["load_errors"] == {"error": 0, "info": 0} and summary["load_error_codes"] == {}
    assert summary["indicators"] == 62
    assert [Path(p).name for p in summary["written"]] == [f"t.{name}.parquet" for name in export.TABLES]
    assert all(Path(p).is_file() for p in summary["written"])
    assert "绩效自评表 8 份" in err and "将写出 7 个文件" in err  # the messages moved to stderr
    nested_documented("load", "load_errors", summary["load_errors"])


def test_load_json_counts_problems_by_code(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sorted(SEED_DIR.glob("*.xlsx"))[0], data)
    for i in range(2):
        (data / f"zero{i}.xlsx").write_bytes(b"")
    summary, _ = json_run("load", data, code=1)
    assert summary["load_errors"]["error"] == 2 and summary["load_error_codes"] == {"file-empty": 2}
    assert summary["files"] == 3 and summary["forms"] == 1 and summary["written"] == []


def test_audit_json(tmp_path):
    import evaltools

    summary, err = json_run("audit", SEED_DIR, "-o", tmp_path / "out", code=1)
    check_keys("audit", summary)
    result = evaltools.audit(evaltools.load(SEED_DIR))
    f = result.findings
    assert summary["findings"] == {s: int((f["severity"] == s).sum()) for s in ("error", "warning", "info")}
    assert summary["by_rule"] == f["rule"].value_counts().to_dict() and sum(summary["by_rule"].values()) == len(f)
    assert summary["audited"] == len(result.forms) and summary["forms"] == 8
    assert list(summary["outputs"]) == [o.name for o in outputs.outputs_for("audit")]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:  # the JSON lists what manifest.json lists
        assert sorted(Path(p).relative_to(tmp_path / "out").as_posix() for p in summary["outputs"][entry["name"]]) \
            == entry["files"]
    assert summary["failed"] == [] and "FUND-SUM" in err
    nested_documented("audit", "findings", summary["findings"])
    nested_documented("audit", "outputs", summary["outputs"])

    bare, err = json_run("audit", SEED_DIR, code=1)
    assert bare["outputs"] == {} and "未写出任何文件" in err


def test_report_json_quiet_and_warm_by_default(tmp_path):
    out = tmp_path / "out"
    proc = run_cli("report", SEED_DIR, "-o", out, "--jobs", "1", "--format", "json", "-q")
    assert proc.returncode == 1, proc.stderr  # the seed forms have error-level findings
    assert proc.stderr == ""  # --quiet: no progress bar, no summary, nothing went wrong
    summary = json.loads(proc.stdout)
    check_keys("report", summary)
    (dept,) = summary["departments"]
    assert set(dept) == {"department", "html", "notebook", "error", "seconds"}
    nested_documented("report", "departments", dept)
    assert dept["department"] == "壶关县人民政府办公室" and dept["error"] is None and dept["seconds"] > 0
    assert Path(dept["html"]).is_file() and Path(dept["notebook"]).is_file()
    assert summary["reports"] == 1 and summary["seconds"] >= dept["seconds"] and summary["exit_code"] == 1
    assert summary["engine"] == "warm" and '"engine": "warm"' in Path(dept["html"]).read_text(encoding="utf-8")
    assert list(summary["outputs"]) == [o.name for o in outputs.outputs_for("report")]
    assert Path(summary["index"]) == out / "index.html" and summary["selection"] is None
    assert _parser().parse_args(["report", "x", "--engine", "papermill"]).engine == "papermill"


def test_rules_errors_and_synth_json(tmp_path):
    summary, _ = json_run("rules", code=0)
    check_keys("rules", summary)
    assert [r["id"] for r in summary["rules"]] == builtin_registry().ids()
    nested_documented("rules", "rules", summary["rules"][0])

    summary, _ = json_run("errors", code=0)
    check_keys("errors", summary)
    assert [c["code"] for c in summary["codes"]] == [p.code for p in PROBLEMS]
    nested_documented("errors", "codes", summary["codes"][0])

    summary, err = json_run("synth", tmp_path / "s", "--forms", "3", code=0)
    check_keys("synth", summary)
    assert summary["forms"] == 3 and all(Path(p).is_file() for p in summary["files"])
    assert Path(summary["truth"]).is_file() and "已生成 3 份合成自评表" in err


def test_json_of_a_failed_output(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    summary, err = json_run("audit", SEED_DIR, "-o", blocker / "out", code=3)
    assert str(blocker) in summary["error"] and f"错误：{summary['error']}" in err


def test_json_keeps_names_exact_and_the_terminal_safe(tmp_path):
    import formkit as fk

    data = tmp_path / "data"
    data.mkdir()
    name = "局\u202e名\x7f"
    form = fk.replace(fk.seed_form(0), {"壶关县人民政府办公室-002": f"{name}-099"})
    fk.write_xlsx(data / "f.xlsx", [("Sheet1", form)])
    summary, _ = json_run("load", data, code=0)
    assert list(summary["by_department"]) == [name]
    proc = run_cli("load", data, "--format", "json")
    assert "\u202e" not in proc.stdout and "\x7f" not in proc.stdout and "\\u202e" in proc.stdout


# ---------------------------------------------------------------------------------------------
# --quiet and --verbose


def test_quiet_prints_only_errors(tmp_path):
    quiet = run_cli("audit", SEED_DIR, "-o", tmp_path / "out", "-q")
    assert quiet.returncode == 1 and quiet.stdout == "" and quiet.stderr == ""
    assert (tmp_path / "out" / "findings.xlsx").is_file()
    assert run_cli("-q", "audit", SEED_DIR).stderr == ""  # not even the nothing-written note
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    failed = run_cli("load", SEED_DIR, "--to", blocker / "t.csv", "-q")
    assert failed.returncode == 3 and failed.stdout == "" and failed.stderr.startswith("错误：")


def _bad_folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sorted(SEED_DIR.glob("*.xlsx"))[0], data)
    for i in range(12):  # more than the ten the summary shows
        (data / f"zero{i:02d}.xlsx").write_bytes(b"")
    return data


def test_verbose_lists_every_file_and_every_load_problem(tmp_path):
    data = _bad_folder(tmp_path)
    plain = run_cli("load", data)
    verbose = run_cli("load", data, "-v")
    assert plain.returncode == verbose.returncode == 1
    for i in range(12):
        line = f"[错误] file-empty {data / f'zero{i:02d}.xlsx'}："
        assert line in verbose.stdout, line
        assert f"{data / f'zero{i:02d}.xlsx'}：自评表 0 份，读取问题 1 条" in verbose.stdout
    assert "读取 13 个工作簿：" in verbose.stdout and "读取问题与说明（共 12 条）" in verbose.stdout
    assert "[错误]" not in plain.stdout and "zero11.xlsx" not in plain.stdout  # the summary stops at ten


def test_verbose_audit_lists_every_finding(tmp_path):
    import evaltools

    proc = run_cli("audit", SEED_DIR, "-v")
    findings = evaltools.audit(evaltools.load(SEED_DIR)).findings
    lines = [x for x in proc.stdout.splitlines() if re.match(r"  \[(错误|警告|提示)\] ", x)]
    assert len(lines) == len(findings) and f"问题明细（共 {len(findings)} 条）" in proc.stdout
    first = findings.iloc[0]
    assert any(f"{first['rule']} {first['source_file']}!{first['sheet']}!{first['cell']}：" in x for x in lines)
    assert "问题明细" not in run_cli("audit", SEED_DIR).stdout


# ---------------------------------------------------------------------------------------------
# load --to and audit without -o


def test_unknown_export_suffix_is_refused_before_loading(tmp_path):
    proc = run_cli("load", SEED_DIR, "--to", tmp_path / "x.json")
    assert proc.returncode == 2 and proc.stdout == ""  # no summary: nothing was read
    assert all(s in proc.stderr for s in (".xlsx", ".parquet", ".csv", "“.json”")), proc.stderr
    # the format is checked first: even a missing input is not looked at yet
    missing = run_cli("load", tmp_path / "nope", "--to", tmp_path / "x")
    assert missing.returncode == 2 and "不支持的输出格式“（无后缀）”" in missing.stderr
    assert "不存在" not in missing.stderr and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".xlsx"])
def test_load_to_says_which_files_it_writes(suffix, tmp_path):
    target = tmp_path / f"x{suffix}"
    proc = run_cli("load", SEED_DIR, "--to", target)
    assert proc.returncode == 0, proc.stderr
    expected = [target] if suffix == ".xlsx" else [tmp_path / f"x.{t}{suffix}" for t in export.TABLES]
    announce = f"将写出 {len(expected)} 个文件：" + "、".join(map(str, expected))
    lines = proc.stdout.splitlines()
    assert announce in lines
    assert lines[lines.index(announce) + 1:] == [f"已写出 {p}" for p in expected]
    assert sorted(tmp_path.iterdir()) == sorted(expected)  # exactly those, and no x.parquet


def test_load_to_announces_before_writing(tmp_path):
    (tmp_path / "x.funds.csv").mkdir()  # in the way of the second table
    proc = run_cli("load", SEED_DIR, "--to", tmp_path / "x.csv")
    assert proc.returncode == 3, proc.stderr
    assert "将写出 7 个文件：" in proc.stdout and "错误：" in proc.stderr


def test_audit_without_out_says_nothing_was_written(tmp_path):
    bare = run_cli("audit", SEED_DIR)
    assert bare.returncode == 1
    assert bare.stderr.strip() == "未写出任何文件；加 -o 输出文件夹 写出问题清单、批注副本等"
    written = run_cli("audit", SEED_DIR, "-o", tmp_path / "out")
    assert written.returncode == 1 and "未写出任何文件" not in written.stderr + written.stdout
    assert "读取问题" not in bare.stdout or "加 -v 逐条列出" in bare.stdout


# ---------------------------------------------------------------------------------------------
# Shell completion


def _complete(script: str, *words: str) -> list[str]:
    line = " ".join(f"'{w}'" for w in words)
    probe = (f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _evaltools\n"
             "printf '%s\\n' \"${COMPREPLY[@]}\"")
    proc = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [x for x in proc.stdout.splitlines() if x]


def test_bash_completion(capsys):
    need_system(bool(shutil.which("bash")), "bash")
    assert cli(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0
    assert "complete -o filenames -o bashdefault -F _evaltools evaltools" in script
    assert _complete(script, "evaltools", "au") == ["audit"]
    assert set(_complete(script, "evaltools", "")) == {*COMMANDS, "completion"}
    assert "--department" in _complete(script, "evaltools", "report", "data", "--de")
    assert "--department" not in _complete(script, "evaltools", "audit", "data", "--de")
    assert _complete(script, "evaltools", "report", "data", "--engine", "") == ["warm", "papermill"]
    assert _complete(script, "evaltools", "-q", "audit", "--format", "j") == ["json"]
    assert _complete(script, "evaltools", "completion", "") == ["bash"]
    assert _complete(script, "evaltools", "audit", "dat") == ["data"]  # file names for the rest
    assert cli(["--format", "json", "completion", "bash"]) == 2
    assert "不能与 --format json 同时使用" in capsys.readouterr().err
