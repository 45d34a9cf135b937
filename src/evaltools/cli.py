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
"""

from __future__ import annotations

import argparse
import sys

from .errors import UsageError

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE, EXIT_OUTPUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


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


def _fail(text: str, code: int) -> int:
    _say(f"错误：{text}", err=True)
    return code


def _add_executor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--vocabulary", default=None, metavar="FILE",
                   help="a TOML file extending the label vocabulary with your province's words (see README)")
    p.add_argument("--cache", default=None, metavar="DIR",
                   help="parse cache folder: re-runs re-read only changed files (e.g. .cache/evaltools)")
    p.add_argument("--executor", default=None, choices=["processes", "threads", "serial", "dask"],
                   help="where the batch runs (default: local processes)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                   help="run on this Dask cluster (implies --executor dask); data must be on a shared filesystem")


def _executor(args):
    """The executor the options name, or a do-nothing context for the default local path."""
    import contextlib

    from .executors import executor

    if not getattr(args, "executor", None) and not getattr(args, "scheduler", None):
        return contextlib.nullcontext(None)
    return executor(args.executor or "processes", jobs=getattr(args, "jobs", None), scheduler=args.scheduler)


def _subparser_class(common: argparse.ArgumentParser):
    """Subcommand parsers that all inherit the options of ``common``."""

    class Sub(argparse.ArgumentParser):
        def __init__(self, *a, **kw):
            kw.setdefault("parents", [common])
            super().__init__(*a, **kw)

    return Sub


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="evaltools", description="审核项目支出绩效自评表")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument("--debug", action="store_true", help="show the Python traceback of a failure")
    # accepted after the command too (evaltools report DATA --debug); SUPPRESS keeps the global value
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", parser_class=_subparser_class(common))

    lp = sub.add_parser("load", help="读取自评表并汇总（forms, departments, errors）")
    lp.add_argument("data", nargs="+", help="files, folders or globs")
    lp.add_argument("--to", dest="to", help="write the tables: out.xlsx | out.parquet | out.csv")
    lp.add_argument("--strict", action="store_true", help="stop at the first problem")
    lp.add_argument("--jobs", type=int, default=None,
                    help="processes to read with (default: one per core for large batches)")
    _add_executor_options(lp)

    ap = sub.add_parser("audit", help="审核自评表：重算得分，检查每条规则")
    ap.add_argument("data", nargs="+", help="files, folders or globs")
    ap.add_argument("-o", "--out", help="output folder (findings.csv, scores)")
    ap.add_argument("--profile", default="auto", help="auto (each form by its scoring convention), national, exec20, or a .toml/.yaml profile file")
    ap.add_argument("--disable", action="append", default=[], metavar="RULE", help="skip a rule (repeatable)")
    ap.add_argument("--jobs", type=int, default=None, help="processes to read with")
    _add_executor_options(ap)

    pp = sub.add_parser("report", help="按主管部门生成 HTML 报告（papermill）")
    pp.add_argument("data", help="folder of workbooks")
    pp.add_argument("-o", "--out", default="reports", help="output folder (default: reports)")
    pp.add_argument("--profile", default="auto")
    pp.add_argument("--jobs", type=int, default=None, help="parallel reports (default: one per core)")
    pp.add_argument("--engine", default="papermill", choices=["papermill", "warm"],
                    help="papermill: a fresh kernel per report; warm: one pre-imported kernel per worker")
    pp.add_argument("--department", action="append", default=None, help="only this 主管部门 (repeatable)")
    pp.add_argument("--no-progress", action="store_true")
    _add_executor_options(pp)

    rp = sub.add_parser("rules", help="列出审核规则")
    rp.add_argument("--markdown", action="store_true", help="print the generated rule reference (docs/rules.md)")

    ep = sub.add_parser("errors", help="列出读取问题的代码")
    ep.add_argument("--markdown", action="store_true", help="print the generated reference (docs/errors.md)")

    sp = sub.add_parser("synth", help="生成合成（虚构）自评表，用于测试和基准")
    sp.add_argument("out", help="output folder")
    sp.add_argument("--forms", type=int, default=40, help="number of forms")
    sp.add_argument("--seed", type=int, default=0)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if args.version:
        from ._version import __version__

        print(__version__)
        return 0
    commands = {"load": _cmd_load, "synth": _cmd_synth, "audit": _cmd_audit, "rules": _cmd_rules,
                "errors": _cmd_errors, "report": _cmd_report}
    if args.command not in commands:
        parser.print_help()
        return EXIT_USAGE
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeStream(out), _SafeStream(err, keep_cr=True)
    try:
        return _guarded(commands[args.command], args)
    finally:
        sys.stdout, sys.stderr = out, err


def _guarded(command, args) -> int:
    """Run a command and turn what it raises into a Chinese message and an exit code."""
    import traceback

    from .errors import EvaltoolsError, LoadError, OutputError

    debug = getattr(args, "debug", False)
    try:
        return command(args)
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        else:  # the kernel clients' unfinished tasks would be logged at exit as errors of their own
            from .report import _abandon_client_tasks

            _abandon_client_tasks()
        _say("已中断：未完成的输出已删除，已完成的保留；重新运行即可补齐。", err=True)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - every failure gets a message and a stable code
        if debug:  # the traceback for whoever debugs; the exit code stays the documented one
            traceback.print_exc()
        if isinstance(exc, UsageError):
            return _fail(str(exc), EXIT_USAGE)
        if isinstance(exc, OutputError):
            return _fail(str(exc), EXIT_OUTPUT)
        if isinstance(exc, OSError):  # the inputs are read by the loader, which never raises: a write failed
            where = f"{exc.filename}：" if exc.filename else ""
            return _fail(f"无法写出输出：{where}{exc.strerror or exc}", EXIT_OUTPUT)
        if isinstance(exc, LoadError):  # load --strict: the first problem of the data
            return _fail(str(exc), EXIT_PROBLEMS)
        if isinstance(exc, EvaltoolsError):
            return _fail(str(exc), EXIT_USAGE)
        return _fail(f"内部错误（{type(exc).__name__}: {exc}）；加 --debug 重新运行可看到详细信息，请报告此问题。",
                     EXIT_PROBLEMS)


def _check_inputs(data) -> None:
    """Every input path must exist and hold a workbook: otherwise a usage error, before any work."""
    from .load import iter_sources

    # an ``info`` problem (an evaltools results folder skipped) is information, not a missing input
    problems = [(path, issue) for path, _, issue in iter_sources(data) if issue and issue[4] != "info"]
    if problems:
        path, issue = problems[0]
        more = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
        raise UsageError(f"{path}：{issue[3]}{more}")


def _data_arg(args):
    return args.data if isinstance(args.data, str) or len(args.data) > 1 else args.data[0]


def _load_problems(book) -> bool:
    return bool((book.load_errors["level"] == "error").any())


def _cmd_load(args) -> int:
    from .load import load

    data = _data_arg(args)
    _check_inputs(data)
    with _executor(args) as ex:
        book = load(data, strict=args.strict, jobs=args.jobs, executor=ex, cache=args.cache,
                    vocabulary=args.vocabulary)
    _say(book.summary())
    if args.to:
        try:
            written = book.to_path(args.to)
        except ValueError as exc:  # an unknown format: the command line's fault
            raise UsageError(str(exc)) from exc
        _say("")
        for path in written:
            _say(f"已写出 {path}")
    return EXIT_PROBLEMS if _load_problems(book) else EXIT_CLEAN


def _cmd_audit(args) -> int:
    from pathlib import Path

    from .audit import audit
    from .load import load

    data = _data_arg(args)
    _check_inputs(data)
    with _executor(args) as ex:
        book = load(data, jobs=args.jobs, executor=ex, cache=args.cache, vocabulary=args.vocabulary)
        result = audit(book, args.profile, disable=args.disable, executor=ex)
    print(book.summary().splitlines()[0])
    n_errors = int((book.load_errors["level"] == "error").sum())
    if n_errors:
        print(f"读取问题 {n_errors} 条（见 load_errors.csv）")
    print(result.summary())
    if args.out:
        from .outputs import Run, write_outputs

        # every lock check before the first file: with findings.xlsx open in Excel/WPS the whole run
        # writes nothing (OutputError → exit 3 in _guarded; so does an unreadable previous findings.xlsx)
        run = write_outputs(Run(Path(args.out), book, result, command="audit"))
        if _told(run):
            return EXIT_OUTPUT
    return EXIT_PROBLEMS if result.has_errors or n_errors else EXIT_CLEAN


def _cmd_report(args) -> int:
    from pathlib import Path

    from .names import terminal_name
    from .report import render_reports

    _check_inputs(args.data)
    with _executor(args) as ex:
        batch = render_reports(args.data, args.out, profile=args.profile, jobs=args.jobs, engine=args.engine,
                               departments=args.department, progress=not args.no_progress, executor=ex,
                               cache=args.cache, vocabulary=args.vocabulary)
    out = Path(args.out)
    depts = batch["departments"]
    failed = [d for d in depts if d["error"]]
    _say(f"已生成 {len(depts) - len(failed)} 份部门报告，用时 {batch['seconds']:.1f} 秒 → {out / 'index.html'}")
    if batch.get("selection") is not None:
        _say("输出只含所选主管部门：" + "、".join(terminal_name(d or "（未填主管部门）") for d in batch["selection"]))
    if batch.get("removed"):
        _say(f"已删除上一次生成、本次没有的部门报告 {len(batch['removed'])} 份："
             + "、".join(terminal_name(r) for r in batch["removed"]))
    for d in failed:
        trail = f"（执行记录：{out / d['notebook']}）" if d.get("notebook") else ""
        _say(f"  失败：{terminal_name(d['department'] or '（未填主管部门）')}：{terminal_name(d['error'])}{trail}",
             err=True)
    # the CSV tables, findings.xlsx and the copies were written by render_reports (outputs.py); with
    # --department the book is that selection, and so is every copy (other departments' sheets removed)
    copies_failed = _told(batch["outputs"])
    if failed or copies_failed:
        return EXIT_OUTPUT
    problems = batch["result"].has_errors or batch["load_errors"]
    return EXIT_PROBLEMS if problems else EXIT_CLEAN


def _told(run) -> list[str]:
    """Print what the outputs of ``run`` said; returns the files that could not be written (on stderr)."""
    from .names import terminal_name

    _say("")
    for line in run.messages:
        _say(line)
    for line in run.failed:
        _say(f"错误：{terminal_name(line)}", err=True)
    return run.failed


def _cmd_rules(args) -> int:
    from .rules import builtin_registry, render_docs

    if args.markdown:
        print(render_docs(), end="")
        return 0
    for r in builtin_registry():
        print(f"{r.id:24s} {r.severity:8s} {r.category:4s} {r.title}")
    return 0


def _cmd_errors(args) -> int:
    from .errors import PROBLEMS, reference_markdown

    if args.markdown:
        print(reference_markdown(), end="")
        return 0
    for p in PROBLEMS:
        print(f"{p.code:28s} {p.level:6s} {p.scope:7s} {p.template}")
    return 0


def _cmd_synth(args) -> int:
    from .synth import generate

    manifest = generate(args.out, n_forms=args.forms, seed=args.seed)
    print(f"已生成 {len(manifest.forms)} 份合成自评表 → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
