"""The command line: parses arguments and calls the package. Nothing else lives here.

Exit status, the same table for every command (README “退出码 / Exit codes”):

====  ===========================================================================================
0     clean: nothing to report
1     the data has problems: error-level findings (``audit``, ``report``) or load problems
      (``load``, ``audit``, ``report``; ``load --strict`` stops at the first)
2     usage error: a bad option, an input path that does not exist, a folder or glob with no
      workbook (nothing to load; workbooks that fail to load are load problems: 1), an unknown
      rule, profile or department, an output folder that holds other departments' reports
      (``report --department``). Nothing is written.
3     an output could not be written: a read-only folder, a workbook open in Excel/WPS, a full
      disk, an annotated copy or a department's report that failed (``errors.OutputError``, OSError)
130   interrupted (Ctrl-C): no half-written file is left under a final name
====  ===========================================================================================

Messages are Chinese, on stderr, without a traceback unless ``--debug`` is given (an unexpected
internal error exits 1 with a hint to rerun with ``--debug``). Everything printed passes through
``names.terminal``: names read from forms cannot move the cursor or erase a line.

Every command takes ``-q/--quiet``, ``-v/--verbose`` and ``--format {text,json}``, before or after
its name. With ``--format json`` stdout holds exactly one JSON object, the command's summary (its
keys are documented in docs/cli.md), and the messages for people go to stderr; ``--quiet`` leaves
only the errors, on stderr. argparse's own words (usage, group titles, the help option, its error
messages) are Chinese like the rest.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .errors import UsageError

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, EXIT_OUTPUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

FORMATS = ("text", "json")
ENGINES = ("warm", "papermill")  # the first is the default: the same report, one kernel per worker
LEVEL_LABELS = {"error": "错误", "info": "说明"}  # load_errors levels, as Book.summary words them
COMMAND_METAVAR = "COMMAND"  # ASCII like every metavar: argparse pads columns by len()
NOTHING_WRITTEN = "未写出任何文件；加 -o 输出文件夹 写出问题清单、批注副本等"


class _SafeStream:
    """A text stream that escapes control characters (``names.terminal``) before they reach the
    terminal. ``keep_cr`` lets a progress bar redraw its line on stderr."""

    def __init__(self, stream, keep_cr: bool = False):
        self._stream = stream
        self._keep_cr = keep_cr

    def write(self, text) -> int:
        from .names import terminal

        if self._keep_cr:
            safe = "\r".join(terminal(part) for part in str(text).split("\r"))
        else:
            safe = terminal(text)
        self._stream.write(safe)
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _say(text="", *, err: bool = False) -> None:
    """Print a message; form-derived text inside it is escaped like everything else."""
    from .names import terminal

    print(terminal(text), file=sys.stderr if err else sys.stdout)


def _json_text(data) -> str:
    """``data`` as one line of JSON that is safe on a terminal and parses back to the same values."""
    import json

    from .names import terminal

    text = json.dumps(data, ensure_ascii=False, default=str)
    if terminal(text) == text:
        return text
    # json.dumps leaves DEL, C1 and bidi controls raw: written as JSON escapes they are the same value
    return "".join(ch if terminal(ch) == ch else json.dumps(ch)[1:-1] for ch in text)


class _Ui:
    """Where a command's words go. Text mode: messages on stdout; ``--format json``: the summary
    object alone on stdout, the messages on stderr; ``--quiet``: neither, only errors (always on
    stderr). ``summary`` is what the JSON object will hold."""

    def __init__(self, args, stdout):
        self.json = args.format == "json"
        self.quiet = args.quiet
        self.verbose = args.verbose
        self._stdout = stdout  # the real stream: the JSON is made terminal-safe by _json_text
        self.summary: dict = {"command": args.command}

    def say(self, text="") -> None:
        """A message for whoever runs the command (the summary, what was written)."""
        if not self.quiet:
            _say(text, err=self.json)

    def detail(self, text="") -> None:
        """A line only ``--verbose`` shows: the rows behind the summary's counts."""
        if self.verbose:
            self.say(text)

    def note(self, text) -> None:
        """A remark about the run itself, never its data: always on stderr, silenced by ``--quiet``."""
        if not self.quiet:
            _say(text, err=True)

    def error(self, text) -> None:
        _say(text, err=True)

    def fail(self, text: str, code: int) -> int:
        self.error(f"错误：{text}")
        self.summary["error"] = text
        return code

    def emit(self, code: int) -> None:
        if self.json:
            self._stdout.write(_json_text({**self.summary, "exit_code": code}) + "\n")
            self._stdout.flush()


# ---------------------------------------------------------------------------------------------
# argparse in Chinese

# argparse's own error messages (their wording in Python 3.11-3.13), in Chinese; the names and
# values they quote are kept. Anything not listed still gets a Chinese frame (_chinese).
_ARGPARSE_WORDS = (
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"invalid int value: (.*)", r"不是整数：\1"),
    (r"invalid .* value: (.*)", r"无效的取值 \1"),
    (r"expected one argument", "需要一个取值"),
    (r"expected at most one argument", "最多只能有一个取值"),
    (r"expected at least one argument", "至少需要一个取值"),
    (r"expected (\d+) arguments?", r"需要 \1 个取值"),
    (r"ignored explicit argument (.*)", r"不接受取值 \1"),
    (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 有歧义，可能是 \2"),
    (r"not allowed with argument (.*)", r"不能与 \1 同时使用"),
    (r"one of the arguments (.*) is required", r"需要以下参数之一：\1"),
    (r"unknown parser (.*) \(choices: (.*)\)", r"没有命令 \1（可选：\2）"),
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese(message: str) -> str:
    m = re.fullmatch(r"argument (.+?): invalid choice: (.*?) \(choose from (.*)\)", message, re.S)
    if m:
        name, value, choices = m.groups()
        listed = "、".join(c.strip().strip("'\"") for c in choices.split(","))
        what = "没有命令" if name == COMMAND_METAVAR else f"参数 {name}：无效的取值"
        return f"{what} {value}（可选：{listed}）"
    m = re.fullmatch(r"argument (.+?): (.*)", message, re.S)
    if m:
        return f"参数 {m.group(1)}：{_chinese(m.group(2))}"
    for pattern, words in _ARGPARSE_WORDS:
        m = re.fullmatch(pattern, message, re.S)
        if m:
            return m.expand(words)
    return message if _CJK.search(message) else f"命令行参数有误（{message}）"


def _columns(text: str) -> int:
    """Display width: a CJK character takes two terminal columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - _columns(text))


_NO_LINE_START = frozenset("，。；：、）》”’！？")


def _wrap(text: str, width: int) -> list[str]:
    """Greedy wrapping by display width: ASCII runs stay whole, CJK text breaks between any two
    characters, and no line starts with closing punctuation."""
    lines, line = [], ""
    for token in re.findall(r"[!-~]+| +|.", text):
        if line and not token.isspace() and token not in _NO_LINE_START and _columns(line + token) > width:
            lines.append(line.rstrip())
            line = ""
        if line or not token.isspace():
            line += token
    if line:
        lines.append(line.rstrip())
    return lines or [""]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Chinese usage prefix; help text wrapped by display width (textwrap counts characters)."""

    def add_usage(self, usage, actions, groups, prefix=None):
        # argparse builds a subcommand's prog with prefix "": only the default prefix changes
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def _split_lines(self, text, width):
        return _wrap(self._whitespace_matcher.sub(" ", text).strip(), width)


class _UsageExit(SystemExit):
    """argparse's usage error (exit 2), with its Chinese message for the ``--format json`` object."""

    def __init__(self, message: str):
        super().__init__(EXIT_USAGE)
        self.message = message


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Chinese: group titles, the help option, usage and errors."""

    def __init__(self, *args, parents=(), **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示本帮助并退出"
        # argparse merges a parent's groups into the child's by title: merged only now, after the
        # renaming, the parents' options land in these groups instead of English-titled twins
        for parent in parents:
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def format_help(self) -> str:
        titles = "|".join(re.escape(g.title) for g in self._action_groups if g.title)
        return re.sub(rf"^({titles}):$", r"\1：", super().format_help(), flags=re.M)

    def error(self, message):
        from .names import terminal

        self.print_usage(sys.stderr)
        text = f"{_chinese(message)}；用法见 {self.prog} --help"
        sys.stderr.write(terminal(f"错误：{text}") + "\n")
        raise _UsageExit(text)


def _count(text: str) -> int:
    """A positive whole number (--jobs, --forms)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数，而不是“{text}”") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，而不是 {value}")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数，而不是“{text}”") from None


# ---------------------------------------------------------------------------------------------
# The parser


def _common_options(p: argparse.ArgumentParser, *, inherited: bool) -> None:
    """--debug, --quiet, --verbose and --format. ``inherited``: the copy every subcommand takes,
    whose SUPPRESS defaults keep a value given before the command (``evaltools -q audit …``)."""
    keep = (lambda value: argparse.SUPPRESS) if inherited else (lambda value: value)
    g = p.add_argument_group("通用选项")
    g.add_argument("-q", "--quiet", action="store_true", default=keep(False),
                   help="安静：stderr 只显示错误，stdout 不输出（--format json 的结果除外），不显示进度条")
    g.add_argument("-v", "--verbose", action="store_true", default=keep(False),
                   help="详细：另列出读取的每个文件、每条读取问题和每条审核问题")
    g.add_argument("--format", choices=FORMATS, default=keep("text"),
                   help="输出格式：text（默认）供人阅读；json 时 stdout 只有一个 JSON 对象"
                        "（各键见 docs/cli.md），其余消息改写到 stderr")
    g.add_argument("--debug", action="store_true", default=keep(False),
                   help="出错时显示 Python 回溯信息（退出码不变）")


def _add_executor_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("读取与并行")
    g.add_argument("--vocabulary", default=None, metavar="FILE",
                   help="扩充表头词汇的 TOML 文件，写入本省表格的叫法（见 README）")
    g.add_argument("--cache", default=None, metavar="DIR",
                   help="解析缓存文件夹：再次运行时只重读改动过的文件（例如 .cache/evaltools）")
    g.add_argument("--executor", default=None, choices=["processes", "threads", "serial", "dask"],
                   help="在哪里运行：processes 本机多进程（默认）、threads 多线程、serial 逐个运行、dask 集群")
    g.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                   help="在这个 Dask 集群上运行（即 --executor dask）；数据须放在各节点共享的文件系统上")


def _executor(args):
    """The executor the options name, or a do-nothing context for the default local path."""
    import contextlib

    from .executors import executor

    if not getattr(args, "executor", None) and not getattr(args, "scheduler", None):
        return contextlib.nullcontext(None)
    return executor(args.executor or "processes", jobs=getattr(args, "jobs", None), scheduler=args.scheduler)


def _subparser_class(common: argparse.ArgumentParser):
    """Subcommand parsers that all inherit the options of ``common`` unless given their own parents."""

    class Sub(_Parser):
        def __init__(self, *a, **kw):
            kw.setdefault("parents", [common])
            super().__init__(*a, **kw)

    return Sub


_DESCRIPTION = "审核项目支出绩效自评表：读取、审核、生成部门报告。"
_EPILOG = """\
退出码：0 无问题；1 数据有问题（错误级审核问题或读取问题）；2 用法错误（不写出任何文件）；
        3 有输出未能写出；130 已中断。
每个命令的用法：evaltools COMMAND --help；说明见 docs/cli.md。"""


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="evaltools", description=_DESCRIPTION, epilog=_EPILOG)
    p.add_argument("--version", action="store_true", help="显示版本号并退出")
    _common_options(p, inherited=False)
    common = _Parser(add_help=False)
    _common_options(common, inherited=True)
    debug_only = _Parser(add_help=False)  # completion prints a script: no summary to format or quieten
    debug_only.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", title="命令", metavar=COMMAND_METAVAR,
                           help="下列之一；各命令的选项见 evaltools COMMAND --help", parser_class=_subparser_class(common))
    p.subcommands = sub.choices

    data_help = "自评表：文件、文件夹（含子文件夹）或通配符，可给多个"
    profile_help = ("计分口径：auto（默认，每份表按其自身口径）、national、exec20，"
                    "或一个 .toml/.yaml 口径文件")

    lp = sub.add_parser("load", help="读取自评表并汇总（份数、主管部门、读取问题）",
                        description="读取自评表并汇总：份数、主管部门、读取问题；加 --to 写出读取到的各表。")
    lp.add_argument("data", nargs="+", metavar="DATA", help=data_help)
    lp.add_argument("--to", dest="to", metavar="PATH",
                    help="把各表写到 PATH：.xlsx 写一个工作簿（每表一页）；.parquet 或 .csv 每表一个文件，"
                         "名为“主名.表名.后缀”（例如 x.parquet 写出 x.projects.parquet 等 7 个文件）")
    lp.add_argument("--strict", action="store_true", help="遇到第一个读取问题即停止（退出码 1）")
    lp.add_argument("--jobs", type=_count, default=None, metavar="N",
                    help="读取用的进程数（默认：文件多时每个 CPU 核一个）")
    _add_executor_options(lp)

    ap = sub.add_parser("audit", help="审核自评表：重算得分，逐条检查规则",
                        description="审核自评表：重算得分，逐条检查规则，按严重程度和规则汇总；"
                                    "加 -o 写出问题清单、批注副本和各结果表。")
    ap.add_argument("data", nargs="+", metavar="DATA", help=data_help)
    ap.add_argument("-o", "--out", metavar="DIR",
                    help="输出文件夹：findings.xlsx（问题清单，含复核栏）、批注副本、CSV 结果表和 manifest.json；"
                         "不给则什么也不写")
    ap.add_argument("--profile", default="auto", metavar="PROFILE", help=profile_help)
    ap.add_argument("--disable", action="append", default=[], metavar="RULE",
                    help="跳过规则 RULE（可重复；规则编号见 evaltools rules）")
    ap.add_argument("--jobs", type=_count, default=None, metavar="N", help="读取用的进程数")
    _add_executor_options(ap)

    pp = sub.add_parser("report", help="按主管部门生成 HTML 报告",
                        description="每个主管部门生成一页独立的 HTML 报告和 index.html 目录，"
                                    "同时写出问题清单、批注副本和各结果表。")
    pp.add_argument("data", metavar="DATA", help="自评表所在的文件夹")
    pp.add_argument("-o", "--out", default="reports", metavar="DIR", help="输出文件夹（默认：reports）")
    pp.add_argument("--profile", default="auto", metavar="PROFILE", help=profile_help)
    pp.add_argument("--jobs", type=_count, default=None, metavar="N",
                    help="同时生成的报告数（默认：每个 CPU 核一个）")
    pp.add_argument("--engine", default=ENGINES[0], choices=ENGINES,
                    help="warm（默认，较快）：每个工作进程一个预先导入的内核；"
                         "papermill：每份报告启动一个新内核。两者生成的报告相同")
    pp.add_argument("--department", action="append", default=None, metavar="NAME",
                    help="只生成这个主管部门（可重复）；输出文件夹只含所选部门")
    pp.add_argument("--no-progress", action="store_true", help="不显示进度条")
    _add_executor_options(pp)

    rp = sub.add_parser("rules", help="列出审核规则", description="列出审核规则：编号、严重程度、类别、说明。")
    rp.add_argument("--markdown", action="store_true", help="输出生成的规则说明（即 docs/rules.md）")

    ep = sub.add_parser("errors", help="列出读取问题的代码",
                        description="列出读取问题的代码：代码、级别、位置、说明。")
    ep.add_argument("--markdown", action="store_true", help="输出生成的代码说明（即 docs/errors.md）")

    sp = sub.add_parser("synth", help="生成合成（虚构）自评表，用于测试和基准",
                        description="生成一个虚构县的合成自评表及其真值（truth.json），用于测试和基准。")
    sp.add_argument("out", metavar="DIR", help="输出文件夹")
    sp.add_argument("--forms", type=_count, default=40, metavar="N", help="份数（默认：40）")
    sp.add_argument("--seed", type=_whole, default=0, metavar="N",
                    help="随机种子（默认：0）；同一种子生成逐字节相同的文件")

    cp = sub.add_parser("completion", parents=[debug_only], help="输出 shell 补全脚本",
                        description='输出 bash 补全脚本。当前 shell 启用：eval "$(evaltools completion bash)"；'
                                    "长期启用：把输出存为 ~/.local/share/bash-completion/completions/evaltools。")
    cp.add_argument("shell", choices=["bash"], help="shell 类型（目前只支持 bash）")
    return p


# ---------------------------------------------------------------------------------------------
# Running a command


def _asks_json(argv: list[str]) -> bool:
    """Whether a command line argparse refused asked for JSON (its object then carries the error)."""
    pairs = zip(argv, [*argv[1:], ""])
    return any(a == "--format=json" or (a == "--format" and value == "json") for a, value in pairs)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    parser = _parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # told by the subcommand's parser, whose --help lists the options it has
            parser.subcommands.get(args.command, parser).error(f"unrecognized arguments: {' '.join(extra)}")
    except _UsageExit as exc:  # already told on stderr, in Chinese
        if _asks_json(argv):
            command = next((a for a in argv if a in _COMMANDS), None)
            print(_json_text({"command": command, "error": exc.message, "exit_code": EXIT_USAGE}))
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if args.version:
        from ._version import __version__

        print(__version__)
        return EXIT_CLEAN
    if args.command is None:
        ui = _Ui(args, sys.stdout)
        if not (ui.json or ui.quiet):
            parser.print_help()
        ui.fail(f"缺少命令（可用：{'、'.join(_COMMANDS)}）", EXIT_USAGE)
        ui.emit(EXIT_USAGE)
        return EXIT_USAGE
    out, err = sys.stdout, sys.stderr
    ui = _Ui(args, out)
    sys.stdout, sys.stderr = _SafeStream(out), _SafeStream(err, keep_cr=True)
    try:
        code = _guarded(_COMMANDS[args.command], args, ui)
    finally:
        sys.stdout, sys.stderr = out, err
    ui.emit(code)
    return code


def _guarded(command, args, ui: _Ui) -> int:
    """Run a command and turn what it raises into a Chinese message and an exit code."""
    import traceback

    from .errors import EvaltoolsError, LoadError, OutputError

    debug = getattr(args, "debug", False)
    try:
        if args.quiet and args.verbose:
            raise UsageError("-q/--quiet 与 -v/--verbose 不能同时使用")
        return command(args, ui)
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        else:  # the kernel clients' unfinished tasks would be logged at exit as errors of their own
            from .report import _abandon_client_tasks

            _abandon_client_tasks()
        text = "已中断：未完成的输出已删除，已完成的保留；重新运行即可补齐。"
        ui.error(text)
        ui.summary["error"] = text
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - every failure gets a message and a stable code
        if debug:  # the traceback for whoever debugs; the exit code stays the documented one
            traceback.print_exc()
        if isinstance(exc, UsageError):
            return ui.fail(str(exc), EXIT_USAGE)
        if isinstance(exc, OutputError):
            return ui.fail(str(exc), EXIT_OUTPUT)
        if isinstance(exc, OSError):  # the inputs are read by the loader, which never raises: a write failed
            where = f"{exc.filename}：" if exc.filename else ""
            return ui.fail(f"无法写出输出：{where}{exc.strerror or exc}", EXIT_OUTPUT)
        if isinstance(exc, LoadError):  # load --strict: the first problem of the data
            return ui.fail(str(exc), EXIT_PROBLEMS)
        if isinstance(exc, EvaltoolsError):
            return ui.fail(str(exc), EXIT_USAGE)
        return ui.fail(f"内部错误（{type(exc).__name__}: {exc}）；加 --debug 重新运行可看到详细信息，请报告此问题。",
                       EXIT_PROBLEMS)


def _check_inputs(data) -> list[Path]:
    """Every input path must exist and hold a workbook: otherwise a usage error, before any work.
    Returns the workbooks the load will read."""
    from .load import iter_sources

    sources = list(iter_sources(data))
    # an ``info`` problem (an evaltools results folder skipped) is information, not a missing input
    problems = [(path, issue) for path, _, issue in sources if issue and issue[4] != "info"]
    if problems:
        path, issue = problems[0]
        more = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
        raise UsageError(f"{path}：{issue[3]}{more}")
    return [path for path, _, issue in sources if not issue]


def _data_arg(args):
    return args.data if isinstance(args.data, str) or len(args.data) > 1 else args.data[0]


def _load_problems(book) -> bool:
    return bool((book.load_errors["level"] == "error").any())


# ---------------------------------------------------------------------------------------------
# What a summary says (the JSON keys of docs/cli.md) and what --verbose adds


def _book_facts(book) -> dict:
    p, e = book.projects, book.load_errors
    return {"forms": int(len(p)), "departments": int(p["department"].nunique()) if len(p) else 0,
            "load_errors": {level: int((e["level"] == level).sum()) for level in LEVEL_LABELS},
            "load_error_codes": {str(code): int(n) for code, n in e["code"].value_counts().sort_index().items()}}


def _finding_facts(result) -> dict:
    from .schema import SEVERITIES

    f = result.findings
    return {"audited": int(len(result.forms)),
            "findings": {s.key: int((f["severity"] == s.key).sum()) for s in SEVERITIES},
            "by_rule": {str(rule): int(n) for rule, n in f["rule"].value_counts().sort_index().items()}}


def _written(run) -> dict[str, list[str]]:
    return {name: [str(p) for p in files] for name, files in run.written.items()}


def _where(*parts) -> str:
    from .names import terminal_name

    return "!".join(terminal_name(x) for x in parts if x)


def _before_reading(ui: _Ui, files: list[Path]) -> None:
    if ui.verbose:
        ui.detail(f"读取 {len(files)} 个工作簿：")
        for path in files:
            ui.detail(f"  {_where(str(path))}")
        ui.detail("")


def _book_details(ui: _Ui, book) -> None:
    """--verbose: what each file gave, and every load problem (the summary shows the first ten)."""
    if not ui.verbose:
        return
    p, e = book.projects, book.load_errors
    forms = p.groupby("source_file", sort=False, observed=True).size().to_dict() if len(p) else {}
    levels = e.groupby(["source_file", "level"]).size().to_dict() if len(e) else {}
    names = list(dict.fromkeys([*map(str, forms), *(str(f) for f, _ in levels)]))
    ui.detail("")
    ui.detail("各文件：")
    for name in names:
        extra = "".join(f"，{'读取问题' if level == 'error' else '说明'} {levels[(name, level)]} 条"
                        for level in LEVEL_LABELS if (name, level) in levels)
        ui.detail(f"  {_where(name) or '（路径）'}：自评表 {int(forms.get(name, 0))} 份{extra}")
    if len(e):
        ui.detail("")
        ui.detail(f"读取问题与说明（共 {len(e)} 条）：")
        for row in e.itertuples(index=False):
            ui.detail(f"  [{LEVEL_LABELS.get(row.level, row.level)}] {row.code} "
                      f"{_where(row.source_file, row.sheet, row.cell)}：{_where(row.message)}")


def _finding_details(ui: _Ui, result) -> None:
    """--verbose: every finding, most severe first, with the cell it points at."""
    from .schema import SEVERITY_LABELS, SEVERITY_ORDER

    f = result.findings
    if not ui.verbose or not len(f):
        return
    order = f.assign(_o=f["severity"].map(SEVERITY_ORDER)).sort_values(["_o", "source_file", "sheet", "rule"],
                                                                      kind="stable")
    ui.detail("")
    ui.detail(f"问题明细（共 {len(f)} 条）：")
    for row in order.itertuples(index=False):
        ui.detail(f"  [{SEVERITY_LABELS.get(row.severity, row.severity)}] {row.rule} "
                  f"{_where(row.source_file, row.sheet, row.cell)}：{_where(row.message)}")


# ---------------------------------------------------------------------------------------------
# The commands


def _export_targets(to: str) -> list[Path]:
    """The files ``load --to`` writes (``export.targets_of``, the names ``write_book`` uses). An
    unknown suffix is a usage error, raised before anything is read."""
    from .export import targets_of

    try:
        return targets_of(Path(to))
    except ValueError:
        raise UsageError(f"--to {to}：不支持的输出格式“{Path(to).suffix or '（无后缀）'}”；"
                         "请用 .xlsx（一个工作簿）、.parquet 或 .csv（每表一个文件）") from None


def _cmd_load(args, ui: _Ui) -> int:
    from .load import load

    data = _data_arg(args)
    targets = _export_targets(args.to) if args.to else []
    files = _check_inputs(data)
    _before_reading(ui, files)
    with _executor(args) as ex:
        book = load(data, strict=args.strict, jobs=args.jobs, executor=ex, cache=args.cache,
                    vocabulary=args.vocabulary)
    p = book.projects
    ui.summary.update(files=len(files), **_book_facts(book), funds=int(len(book.funds)),
                      indicators=int(len(book.indicators)), unmapped=int(len(book.unmapped)),
                      by_department={str(d): int(n) for d, n in p.groupby("department", sort=True).size().items()}
                      if len(p) else {}, written=[])
    ui.say(book.summary())
    _book_details(ui, book)
    if targets:
        ui.say("")
        ui.say(f"将写出 {len(targets)} 个文件：" + "、".join(str(t) for t in targets))
        written = book.to_path(args.to)
        ui.summary["written"] = [str(path) for path in written]
        for path in written:
            ui.say(f"已写出 {path}")
    return EXIT_PROBLEMS if _load_problems(book) else EXIT_CLEAN


def _cmd_audit(args, ui: _Ui) -> int:
    from .audit import audit
    from .load import load

    data = _data_arg(args)
    files = _check_inputs(data)
    _before_reading(ui, files)
    with _executor(args) as ex:
        book = load(data, jobs=args.jobs, executor=ex, cache=args.cache, vocabulary=args.vocabulary)
        result = audit(book, args.profile, disable=args.disable, executor=ex)
    ui.summary.update(files=len(files), **_book_facts(book), **_finding_facts(result), outputs={}, failed=[])
    ui.say(book.summary().splitlines()[0])
    n_errors = int((book.load_errors["level"] == "error").sum())
    if n_errors:
        ui.say(f"读取问题 {n_errors} 条" + ("（见 load_errors.csv）" if args.out else "（加 -v 逐条列出）"))
    ui.say(result.summary())
    _book_details(ui, book)
    _finding_details(ui, result)
    if not args.out:
        ui.note(NOTHING_WRITTEN)
    else:
        from .outputs import Run, write_outputs

        # every lock check before the first file: with findings.xlsx open in Excel/WPS the whole run
        # writes nothing (OutputError → exit 3 in _guarded; so does an unreadable previous findings.xlsx)
        run = write_outputs(Run(Path(args.out), book, result, command="audit"))
        ui.summary.update(outputs=_written(run), failed=list(run.failed))
        if _told(run, ui):
            return EXIT_OUTPUT
    return EXIT_PROBLEMS if result.has_errors or n_errors else EXIT_CLEAN


def _cmd_report(args, ui: _Ui) -> int:
    from .names import terminal_name
    from .report import render_reports

    files = _check_inputs(args.data)
    _before_reading(ui, files)
    with _executor(args) as ex:
        batch = render_reports(args.data, args.out, profile=args.profile, jobs=args.jobs, engine=args.engine,
                               departments=args.department, progress=not (args.no_progress or ui.quiet),
                               executor=ex, cache=args.cache, vocabulary=args.vocabulary)
    out = Path(args.out)
    depts = batch["departments"]
    failed = [d for d in depts if d["error"]]
    book, result, run = batch["book"], batch["result"], batch["outputs"]
    facts = _book_facts(book)
    del facts["departments"]  # a count elsewhere; here the list of the batch's departments
    ui.summary.update(
        files=len(files), **facts, **_finding_facts(result),
        departments=[{"department": d["department"], "html": str(out / d["html"]) if d.get("html") else None,
                      "notebook": str(out / d["notebook"]) if d.get("notebook") else None,
                      "error": d["error"] or None, "seconds": round(float(d.get("seconds") or 0.0), 3)}
                     for d in depts],
        reports=len(depts) - len(failed), seconds=round(float(batch["seconds"]), 3), engine=batch["engine"],
        jobs=int(batch["jobs"]), index=str(out / "index.html"), selection=batch.get("selection"),
        removed=[str(r) for r in batch.get("removed") or []], outputs=_written(run), failed=list(run.failed))
    ui.say(f"已生成 {len(depts) - len(failed)} 份部门报告，用时 {batch['seconds']:.1f} 秒 → {out / 'index.html'}")
    if batch.get("selection") is not None:
        ui.say("输出只含所选主管部门：" + "、".join(terminal_name(d or "（未填主管部门）") for d in batch["selection"]))
    if batch.get("removed"):
        ui.say(f"已删除上一次生成、本次没有的部门报告 {len(batch['removed'])} 份："
               + "、".join(terminal_name(r) for r in batch["removed"]))
    if ui.verbose:
        ui.detail("")
        ui.detail("各主管部门：")
        for d in depts:
            where = f"失败（{terminal_name(d['error'])}）" if d["error"] else str(out / d["html"])
            ui.detail(f"  {terminal_name(d['department'] or '（未填主管部门）')}：{where}，"
                      f"用时 {float(d.get('seconds') or 0.0):.1f} 秒")
        _book_details(ui, book)
    for d in failed:
        trail = f"（执行记录：{out / d['notebook']}）" if d.get("notebook") else ""
        ui.error(f"  失败：{terminal_name(d['department'] or '（未填主管部门）')}：{terminal_name(d['error'])}{trail}")
    # the CSV tables, findings.xlsx and the copies were written by render_reports (outputs.py); with
    # --department the book is that selection, and so is every copy (other departments' sheets removed)
    copies_failed = _told(run, ui)
    if failed or copies_failed:
        return EXIT_OUTPUT
    problems = result.has_errors or batch["load_errors"]
    return EXIT_PROBLEMS if problems else EXIT_CLEAN


def _told(run, ui: _Ui) -> list[str]:
    """Print what the outputs of ``run`` said; returns the files that could not be written (on stderr)."""
    from .names import terminal_name

    ui.say("")
    for line in run.messages:
        ui.say(line)
    if ui.verbose:
        ui.detail(f"写出的文件（共 {len(run.files())} 个）：")
        for path in run.files():
            ui.detail(f"  {path}")
    for line in run.failed:
        ui.error(f"错误：{terminal_name(line)}")
    return run.failed


def _no_markdown_json(args, ui: _Ui) -> None:
    if args.markdown and ui.json:
        raise UsageError("--markdown 输出的是 Markdown 文本，不能与 --format json 同时使用")


def _cmd_rules(args, ui: _Ui) -> int:
    from .rules import builtin_registry, render_docs
    from .schema import SEVERITY_LABELS

    rules = list(builtin_registry())
    return _listing(args, ui, "rules", render_docs,
                    [{"id": r.id, "severity": r.severity, "category": r.category, "title": r.title} for r in rules],
                    [f"{r.id:24s} {_pad(SEVERITY_LABELS.get(r.severity, r.severity), 6)} {_pad(r.category, 6)} {r.title}"
                     for r in rules])


def _cmd_errors(args, ui: _Ui) -> int:
    from .errors import PROBLEMS, SCOPES, reference_markdown

    return _listing(args, ui, "codes", reference_markdown,
                    [{"code": p.code, "level": p.level, "scope": p.scope, "template": p.template} for p in PROBLEMS],
                    [f"{p.code:28s} {_pad(LEVEL_LABELS.get(p.level, p.level), 6)} "
                     f"{_pad(SCOPES.get(p.scope, p.scope), 8)} {p.template}" for p in PROBLEMS])


def _listing(args, ui: _Ui, key: str, markdown, rows: list[dict], lines: list[str]) -> int:
    """A reference command (rules, errors): the JSON rows, the generated Markdown, or one line each."""
    _no_markdown_json(args, ui)
    ui.summary[key] = rows
    if args.markdown:
        if not ui.quiet:
            print(markdown(), end="")
        return EXIT_CLEAN
    for line in lines:
        ui.say(line)
    return EXIT_CLEAN


def _cmd_synth(args, ui: _Ui) -> int:
    from .synth import generate

    manifest = generate(args.out, n_forms=args.forms, seed=args.seed)
    ui.summary.update(out=str(args.out), seed=args.seed, forms=len(manifest.forms),
                      anomalies=len(manifest.anomalies), files=[str(p) for p in manifest.files],
                      truth=str(manifest.truth_path))
    ui.say(f"已生成 {len(manifest.forms)} 份合成自评表 → {args.out}")
    for path in manifest.files:
        ui.detail(f"  {path}")
    ui.detail(f"  {manifest.truth_path}（真值）")
    return EXIT_CLEAN


def _cmd_completion(args, ui: _Ui) -> int:
    if ui.json:
        raise UsageError("completion 输出的是脚本，不能与 --format json 同时使用")
    print(_bash_completion(_parser()), end="")
    return EXIT_CLEAN


def _bash_completion(parser: argparse.ArgumentParser) -> str:
    """A static bash completion script, read off the parser: commands, each one's options, and the
    values of every option or argument with choices; anything else completes file names."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    def options(p) -> list[str]:
        return [s for a in p._actions if a.help != argparse.SUPPRESS for s in a.option_strings]

    values: dict[str, list[str]] = {}
    cases = []
    for name, p in sub.choices.items():
        for a in p._actions:
            if a.choices and a.option_strings:
                for s in a.option_strings:
                    values[s] = list(a.choices)
        words = [str(c) for a in p._actions if not a.option_strings and a.choices for c in a.choices]
        cases.append(f'        {name}) opts="{" ".join(options(p))}"; words="{" ".join(words)}" ;;')
    cases.append(f'        *) opts="{" ".join(options(parser))}"; words="{" ".join(sub.choices)}" ;;')
    value_cases = [f'        {s}) COMPREPLY=($(compgen -W "{" ".join(v)}" -- "$cur")); return ;;'
                   for s, v in values.items()]
    return "\n".join([
        "# evaltools 的 bash 补全脚本，由 evaltools completion bash 生成",
        "_evaltools() {",
        '    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd="" opts words i',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        "        case ${COMP_WORDS[i]} in",
        f"            {'|'.join(sub.choices)}) cmd=${{COMP_WORDS[i]}}; break ;;",
        "        esac",
        "    done",
        "    case $prev in",
        *value_cases,
        "    esac",
        "    case $cmd in",
        *cases,
        "    esac",
        "    if [[ $cur == -* ]]; then",
        '        COMPREPLY=($(compgen -W "$opts" -- "$cur"))',
        "    elif [[ -n $words ]]; then",
        '        COMPREPLY=($(compgen -W "$words" -- "$cur"))',
        "    else",
        "        local IFS=$'\\n'",
        '        COMPREPLY=($(compgen -f -- "$cur"))',
        "    fi",
        "}",
        "complete -o filenames -o bashdefault -F _evaltools evaltools",
        "",
    ])


_COMMANDS = {"load": _cmd_load, "audit": _cmd_audit, "report": _cmd_report, "rules": _cmd_rules,
             "errors": _cmd_errors, "synth": _cmd_synth, "completion": _cmd_completion}


if __name__ == "__main__":
    sys.exit(main())
