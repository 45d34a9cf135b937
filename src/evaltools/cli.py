"""The command line: parses arguments and calls the package. Nothing else lives here.

Exit status: 0 success, 1 when the data had problems (load errors), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys


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
    parser.print_help()
    return 2


def _cmd_load(args) -> int:
    from .errors import LoadError
    from .load import load

    try:
        book = load(args.data if len(args.data) > 1 else args.data[0], strict=args.strict, jobs=args.jobs)
    except LoadError as exc:
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
    return 1 if len(book.load_errors) else 0


def _cmd_synth(args) -> int:
    from .synth import generate

    manifest = generate(args.out, n_forms=args.forms, seed=args.seed)
    print(f"已生成 {len(manifest.forms)} 份合成自评表 → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
