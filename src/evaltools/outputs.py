"""Every file evaltools writes into an output folder, as a registry.

Each output (the CSV tables, findings.xlsx, the annotated copies, the department pages, the index,
the manifest) is registered once with the commands that produce it, a pre-flight check and a writer,
the way papermill registers its I/O handlers. ``evaltools audit -o``, ``evaltools report`` and
``render_reports`` all call ``write_outputs``: the same inputs give the same set of files whichever
way the run was started, and every lock check runs before the first file is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_FILE = "manifest.json"


@dataclass
class Run:
    """What the writers need, and what they wrote.

    ``command`` is ``audit`` or ``report``; ``only_book``: ``book`` is a selection of departments
    (``report --department``), so the copies keep the selected forms only. ``report`` carries the
    department batch (see ``report.render_reports``); its writers fill ``batch``.
    """

    out: Path
    book: object
    result: object
    command: str = "audit"
    only_book: bool = False
    report: dict = field(default_factory=dict)  # the report's settings (data, departments, engine …)
    batch: dict = field(default_factory=dict)
    written: dict[str, list[Path]] = field(default_factory=dict)  # output name → files
    failed: list[str] = field(default_factory=list)  # one Chinese line per file that could not be written
    messages: list[str] = field(default_factory=list)  # Chinese summary lines, for the command line

    def files(self) -> list[Path]:
        return [p for paths in self.written.values() for p in paths]


@dataclass(frozen=True)
class Output:
    name: str
    title: str  # Chinese, in the manifest
    commands: frozenset
    write: Callable[[Run], list[Path]]
    check: Callable[[Run], None] | None = None  # raises OutputError before anything is written
    paths: tuple[str, ...] = ()  # the names it writes in the output folder (a folder for many files)
    doc: str = ""


REGISTRY: dict[str, Output] = {}


def register(name: str, title: str, commands, *, check=None, paths=()):
    """Register the decorated writer as output ``name`` (in registration order)."""

    def deco(func):
        REGISTRY[name] = Output(name, title, frozenset(commands), func, check, tuple(paths),
                                (func.__doc__ or "").strip())
        return func

    return deco


def outputs_for(command: str) -> list[Output]:
    return [o for o in REGISTRY.values() if command in o.commands]


def output_names() -> tuple[str, ...]:
    """Every name an output writes in the folder (a folder holding one holds some run's data)."""
    return tuple(dict.fromkeys(p for o in REGISTRY.values() for p in o.paths))


def check_outputs(run: Run) -> None:
    """Every pre-flight check of ``run.command``'s outputs: an ``OutputError`` here writes nothing."""
    for o in outputs_for(run.command):
        if o.check is not None:
            o.check(run)


def write_outputs(run: Run, *, checked: bool = False) -> Run:
    """Write every output of ``run.command`` into ``run.out``, in registration order."""
    from .marks import mark_output_dir

    if not checked:
        check_outputs(run)
    mark_output_dir(run.out)  # a results folder inside a data folder is never read back as data
    for o in outputs_for(run.command):
        run.written[o.name] = list(o.write(run))
    return run


# ---------------------------------------------------------------------------------------------
# The outputs, in the order they are written


def _check_tables(run: Run) -> None:
    from .safeio import AUDIT_TABLES, check_not_locked

    for name in AUDIT_TABLES:
        check_not_locked(run.out / name)


def _check_excel(run: Run) -> None:
    from .excel import check_writable

    check_writable(run.out)


@register("tables", "审核结果表（CSV）", {"audit", "report"}, check=_check_tables,
          paths=("findings.csv", "form_scores.csv", "indicator_scores.csv", "load_errors.csv"))
def _tables(run: Run) -> list[Path]:
    """findings.csv, form_scores.csv, indicator_scores.csv and load_errors.csv (UTF-8 with BOM)."""
    from .safeio import write_audit_tables

    paths = write_audit_tables(run.result, run.book, run.out)
    run.messages.append(f"已写出 {paths[0]} 等 {len(paths)} 个文件")
    return paths


@register("pages", "部门报告（HTML）与执行记录", {"report"}, paths=("notebooks",))
def _pages(run: Run) -> list[Path]:
    """One self-contained HTML page per 主管部门, its executed notebook in ``notebooks/`` and the
    notebook's readable rendering with its code beside it (the 执行记录)."""
    from .report import write_pages

    return write_pages(run)


@register("sheets", "项目审核单（打印用）", {"report"}, paths=("审核单",))
def _sheets(run: Run) -> list[Path]:
    """审核单/NAME.html per 主管部门: one A4 sheet per project (printed vs recomputed figures, findings)."""
    from .report import write_sheets

    return write_sheets(run)


@register("index", "报告索引", {"report"}, paths=("index.html", "batch.json"))
def _index(run: Run) -> list[Path]:
    """index.html (every department, linked) and batch.json (the batch summary a re-run reads)."""
    from .report import write_index

    return write_index(run)


@register("findings", "问题清单（含复核栏）", {"audit", "report"}, check=_check_excel, paths=("findings.xlsx",))
def _findings(run: Run) -> list[Path]:
    """findings.xlsx: the findings with the reviewer's columns, carried over from the last run."""
    from .excel import FINDINGS_NAME, write_findings_workbook

    written = write_findings_workbook(run.result, run.book, run.out / FINDINGS_NAME)
    run.messages += [f"已写出 {written.path}（问题清单，含复核栏）", written.summary()]
    paths = [written.path]
    if written.backup is not None:
        paths.append(Path(written.backup))
    return paths


@register("annotated", "批注副本", {"audit", "report"}, paths=("annotated",))
def _annotated(run: Run) -> list[Path]:
    """A copy of each source workbook with findings, its flagged cells filled and commented."""
    from .excel import ANNOTATED_DIR, write_annotated_copies

    copies = write_annotated_copies(run.result, run.book, run.out, only_book=run.only_book)
    run.messages.append(f"已写出批注副本 {len(copies)} 份（{run.out / ANNOTATED_DIR}）")
    run.failed += [f"批注副本未写出 {line}" for line in copies.failed]
    readme = run.out / ANNOTATED_DIR / "README.txt"  # what the copies are, written beside them
    return list(copies) + ([readme] if readme.is_file() else [])


@register("manifest", "输出清单", {"audit", "report"}, paths=(MANIFEST_FILE,))
def _manifest(run: Run) -> list[Path]:
    """manifest.json: every output of this run and the files it wrote (relative to the folder)."""
    from ._version import __version__
    from .safeio import atomic_write_text

    path = run.out / MANIFEST_FILE
    listed = {**run.written, "manifest": [path]}
    data = {"evaltools": __version__, "command": run.command,
            "outputs": [{"name": name, "title": REGISTRY[name].title,
                         "files": sorted(_rel(p, run.out) for p in files)} for name, files in listed.items()],
            "failed": run.failed}
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=1))
    return [path]


def _rel(path: Path, base: Path) -> str:
    try:
        return Path(path).relative_to(base).as_posix()
    except ValueError:
        return str(path)
