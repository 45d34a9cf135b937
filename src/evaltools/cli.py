"""The command line: parses arguments and calls the package. Nothing else lives here.

Exit status, as linters do: 0 success, 1 when the data had problems (``load``: load errors;
``audit``: error-level findings), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys


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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="evaltools", description="审核项目支出绩效自评表")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command")

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
        from . import __version__

        print(__version__)
        return 0
    if args.command == "load":
        return _cmd_load(args)
    if args.command == "synth":
        return _cmd_synth(args)
    if args.command == "audit":
        return _cmd_audit(args)
    if args.command == "rules":
        return _cmd_rules(args)
    if args.command == "report":
        return _cmd_report(args)
    parser.print_help()
    return 2


def _cmd_load(args) -> int:
    from .errors import LoadError
    from .forms import VocabularyError
    from .load import load

    try:
        with _executor(args) as ex:
            book = load(args.data if len(args.data) > 1 else args.data[0], strict=args.strict, jobs=args.jobs,
                        executor=ex, cache=args.cache, vocabulary=args.vocabulary)
    except (LoadError, VocabularyError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(book.summary())
    if args.to:
        try:
            written = book.to_path(args.to)
        except ValueError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        print("")
        for path in written:
            print(f"已写出 {path}")
    return 1 if (book.load_errors["level"] == "error").any() else 0


def _cmd_audit(args) -> int:
    from pathlib import Path

    from .audit import audit
    from .errors import EvaltoolsError
    from .load import load

    try:
        with _executor(args) as ex:
            book = load(args.data if len(args.data) > 1 else args.data[0], jobs=args.jobs, executor=ex,
                        cache=args.cache, vocabulary=args.vocabulary)
            result = audit(book, args.profile, disable=args.disable, executor=ex)
    except EvaltoolsError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(book.summary().splitlines()[0])
    n_errors = int((book.load_errors["level"] == "error").sum())
    if n_errors:
        print(f"读取问题 {n_errors} 条（见 load_errors.csv）")
    print(result.summary())
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        result.findings.to_csv(out / "findings.csv", index=False, encoding="utf-8-sig")
        result.form_scores.to_csv(out / "form_scores.csv", index=False, encoding="utf-8-sig")
        result.indicator_scores.to_csv(out / "indicator_scores.csv", index=False, encoding="utf-8-sig")
        book.load_errors.to_csv(out / "load_errors.csv", index=False, encoding="utf-8-sig")
        print(f"\n已写出 {out / 'findings.csv'} 等 4 个文件")
        try:
            _write_excel_outputs(result, book, out)
        except EvaltoolsError as exc:  # e.g. findings.xlsx open in Excel: reviewer entries must not be lost
            print(f"错误：{exc}", file=sys.stderr)
            return 2
    return 1 if result.has_errors else 0


def _cmd_report(args) -> int:
    from pathlib import Path

    from .errors import EvaltoolsError
    from .report import render_reports

    if not Path(args.data).exists():
        print(f"错误：数据路径不存在：{args.data}", file=sys.stderr)
        return 2
    try:
        with _executor(args) as ex:
            batch = render_reports(args.data, args.out, profile=args.profile, jobs=args.jobs, engine=args.engine,
                                   departments=args.department, progress=not args.no_progress, executor=ex,
                                   cache=args.cache, vocabulary=args.vocabulary)
    except EvaltoolsError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    failed = [d for d in batch["departments"] if d["error"]]
    print(f"已生成 {len(batch['departments']) - len(failed)} 份部门报告，用时 {batch['seconds']:.1f} 秒 → "
          f"{Path(args.out) / 'index.html'}")
    for d in failed:
        print(f"  失败：{d['department']}：{d['error']}", file=sys.stderr)
    try:
        _write_excel_outputs(batch["result"], batch["book"], Path(args.out))
    except EvaltoolsError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 1 if failed else 0


def _write_excel_outputs(result, book, out) -> None:
    """findings.xlsx and annotated copies beside a report batch (when the Excel module is present)."""
    from .excel import write_annotated_copies, write_findings_workbook

    path = write_findings_workbook(result, book, out / "findings.xlsx")
    copies = write_annotated_copies(result, book, out)
    print(f"已写出 {path}（问题清单，含复核栏）及批注副本 {len(copies)} 份（{out / 'annotated'}）")


def _cmd_rules(args) -> int:
    from .rules import builtin_registry, render_docs

    if args.markdown:
        print(render_docs(), end="")
        return 0
    for r in builtin_registry():
        print(f"{r.id:24s} {r.severity:8s} {r.category:4s} {r.title}")
    return 0


def _cmd_synth(args) -> int:
    from .synth import generate

    manifest = generate(args.out, n_forms=args.forms, seed=args.seed)
    print(f"已生成 {len(manifest.forms)} 份合成自评表 → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
