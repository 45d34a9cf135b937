"""``load()``: workbooks → form records → the DataFrames every other part of evaltools reads.

Bad input never stops a batch: each problem becomes a ``load_errors`` row naming file, sheet and
cell (``strict=True`` raises ``LoadError`` with the same message instead).
"""

from __future__ import annotations

import glob as _glob
import hashlib
import itertools
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import schema
from .errors import LoadError, problem
from .forms import FormRecord, load_vocabulary, read_forms
from .marks import output_dir_of
from .names import terminal_name
from .read import SOURCE_SUFFIXES, ReadError, cell_name, is_lock_file, range_name, read_workbook

if TYPE_CHECKING:
    import pandas as pd



@dataclass
class FileResult:
    """What one workbook yielded: plain rows, cheap to pickle across processes."""

    source_file: str
    projects: list[dict] = field(default_factory=list)
    funds: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    # provenance per form: (form_id, sheet, [(table, key, field, cell, raw), …]); the repeated
    # form_id / source_file / sheet columns are expanded once, in build_book
    cells: list[tuple] = field(default_factory=list)
    unmapped: list[tuple] = field(default_factory=list)
    errors: list[tuple] = field(default_factory=list)  # (sheet, cell, message)
    sheets: list[tuple] = field(default_factory=list)  # (sheet, n_forms, status, visible)
    n_cells: dict = field(default_factory=dict)  # form_id → non-empty cells in its region
    # a PDF or Word source: sheet → {cell name: (page, "x0,top,x1,bottom", ocr)}
    places: dict = field(default_factory=dict)


@dataclass
class Book:
    """The loaded forms. Every DataFrame has the columns of ``evaltools.schema``.

    - ``projects``: one row per form; ``funds``: one row per fund line; ``indicators``: one row
      per indicator; ``load_errors``: one row per problem, in Chinese.
    - ``cells``: provenance, one row per loaded value (see ``schema.CELLS``); ``locate()`` reads it.
    - ``unmapped``: non-empty cells of a form that no field took.
    - ``sheets``: every sheet read, with how many forms it held (a notes sheet shows 0) and
      whether it is visible (a hidden sheet's forms load too: the reviewer sees them flagged).
    """

    projects: pd.DataFrame
    funds: pd.DataFrame
    indicators: pd.DataFrame
    load_errors: pd.DataFrame
    unmapped: pd.DataFrame
    cells: pd.DataFrame
    sheets: pd.DataFrame
    cell_counts: dict[str, int] = field(default_factory=dict, repr=False)

    def locate(self, form_id: str, field: str, key: str | int = "") -> tuple[str, str, str] | None:
        """``(source_file, sheet, cell)`` a value was read from, or ``None`` when it was not printed.

        ``key`` is the fund ``source`` (``"total"``) for fund fields, the indicator ``seq`` for
        indicator fields, empty for project fields. ``field`` names the column, e.g.
        ``locate(fid, "executed", "total")`` or ``locate(fid, "score", 3)``.
        """
        c = self.cells
        hit = c[(c["form_id"] == form_id) & (c["field"] == field) & (c["key"] == str(key))]
        if hit.empty:
            return None
        row = hit.iloc[0]
        return row["source_file"], row["sheet"], row["cell"]

    def subset(self, form_ids) -> "Book":
        """The part of this Book that belongs to some forms (the DataFrames filtered, nothing
        re-read): one department's forms for its report, a worker's share of an audit."""
        ids = set(form_ids)
        p = self.projects
        mine = p["form_id"].isin(ids)
        files = set(p.loc[mine, "source_file"])

        def of_forms(df):
            return df[df["form_id"].isin(ids)].reset_index(drop=True)

        def of_files(df):
            return df[df["source_file"].isin(files)].reset_index(drop=True)

        return Book(projects=p[mine].reset_index(drop=True), funds=of_forms(self.funds),
                    indicators=of_forms(self.indicators), load_errors=of_files(self.load_errors),
                    unmapped=of_forms(self.unmapped), cells=of_forms(self.cells), sheets=of_files(self.sheets),
                    cell_counts={k: v for k, v in self.cell_counts.items() if k in ids})

    def summary(self) -> str:
        """A one-screen account in Chinese: forms, departments, errors."""
        p, e_all = self.projects, self.load_errors
        e = e_all[e_all["level"] == "error"]
        notes = e_all[e_all["level"] != "error"]
        files = p["source_file"].nunique() if len(p) else 0
        lines = [
            f"绩效自评表 {len(p)} 份（{files} 个文件），主管部门 {p['department'].nunique() if len(p) else 0} 个，"
            f"资金行 {len(self.funds)} 条，绩效指标 {len(self.indicators)} 条",
            f"读取问题 {len(e)} 条，未识别单元格 {len(self.unmapped)} 个"
            + (f"，说明 {len(notes)} 条（不参加项目审核的表）" if len(notes) else ""),
        ]
        if len(p):
            lines.append("")
            lines.append("按表式：")
            audited = p.groupby("form_type", sort=True)["audited"].agg(["size", "all"])
            for ftype, row in audited.iterrows():
                lines.append(f"  {ftype}：{row['size']} 份" + ("" if row["all"] else "（不参加项目审核）"))
            lines.append("按计分口径：")
            for conv, n in p.groupby("convention", sort=True).size().items():
                lines.append(f"  {conv or '（未识别）'}：{n} 份（{convention_label(conv)}）")
            lines.append("")
            lines.append("按主管部门：")
            for dept, n in p.groupby("department", sort=True).size().items():
                lines.append(f"  {terminal_name(dept) if dept else '（未填）'}：{n} 份")  # one line per name
        if len(e):
            lines.append("")
            lines.append("读取问题（前 10 条）：")
            for row in e.head(10).itertuples(index=False):
                where = "!".join(terminal_name(x) for x in (row.source_file, row.sheet, row.cell) if x)
                lines.append(f"  {where}：{terminal_name(row.message)}")
            if len(e) > 10:
                lines.append(f"  …… 另有 {len(e) - 10} 条")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<evaltools.Book: {len(self.projects)} forms, {len(self.load_errors)} load errors>\n" + self.summary()

    def to_path(self, path: str | Path) -> list[Path]:
        """Write the tables: ``.xlsx`` (one sheet each), ``.parquet`` or ``.csv`` (one file per table)."""
        from .export import write_book

        return write_book(self, Path(path))


# --------------------------------------------------------------------------------------------
# Sources


_CONVENTION_WORDS = {"exec-rate-weight": "执行率×执行率权重", "exec-none": "不计执行得分",
                     "exec-indicator": "执行率作为指标行计分", "no-weights": "无分值列", "no-scores": "无得分列",
                     "reweighted": "权重占比折算", "flat": "指标不分一级二级",
                     "four-part": "决策/管理/产出/效益四部分"}


def convention_label(convention: str) -> str:
    """``exec-20,no-weights`` → ``预算执行20分；无分值列``."""
    words = []
    for t in (convention or "").split(","):
        if t.startswith("exec-") and t[5:].replace(".", "").isdigit():
            words.append(f"预算执行{t[5:]}分")
        elif t in _CONVENTION_WORDS:
            words.append(_CONVENTION_WORDS[t])
    return "；".join(words) or "未识别"


def iter_sources(source) -> Iterator[tuple[Path, str, tuple | None]]:
    """Yield ``(path, relative_name, problem)`` for every workbook a source names (``problem``: an
    ``errors.problem`` row for a path that names none).

    ``relative_name`` is the path relative to the folder or glob base it was found under — or,
    when several sources are given, relative to the folder they all share — so form ids stay the
    same wherever the data is moved, and two files of the same name in different folders differ.
    """
    items = [source] if isinstance(source, (str, Path)) else list(source)
    entries: list[tuple[Path, Path | None, tuple | None]] = []  # (path, base folder, problem row)
    for item in items:
        text = str(item)
        p = Path(item)
        if any(ch in text for ch in "*?[") and not p.exists():
            base = Path(text.split("*")[0].split("?")[0].split("[")[0])
            base = base if base.is_dir() else base.parent
            matches = sorted(Path(m) for m in _glob.glob(text, recursive=True))
            found = [m for m in matches if m.is_file() and m.suffix.lower() in SOURCE_SUFFIXES and not is_lock_file(m)]
            if not found:
                entries.append((p, None, problem("glob-no-match")))
            entries += [(m, base, None) for m in found]
        elif p.is_dir():
            found = sorted(
                m for m in p.rglob("*") if m.is_file() and m.suffix.lower() in SOURCE_SUFFIXES and not is_lock_file(m)
            )
            skipped: dict[Path, int] = {}
            kept = []
            for m in found:
                out = output_dir_of(m, p)
                if out is not None and out != p:  # an output folder inside the data folder: evaltools' own files
                    skipped[out] = skipped.get(out, 0) + 1
                else:
                    kept.append(m)
            for out, n in skipped.items():
                entries.append((out, None, problem("folder-own-output", n=n)))
            if not kept and not skipped:
                entries.append((p, None, problem("folder-no-workbook")))
            entries += [(m, p, None) for m in kept]
        elif p.is_file():
            if is_lock_file(p):
                continue
            if p.suffix.lower() not in SOURCE_SUFFIXES:
                entries.append((p, None, problem("file-unsupported-type", suffix=p.suffix or "无扩展名")))
                continue
            entries.append((p, p.parent, None))
        else:
            entries.append((p, None, problem("path-missing")))
    bases = {b.resolve() for _, b, issue in entries if b is not None and not issue}
    common = Path(os.path.commonpath([str(b) for b in bases])) if len(bases) > 1 else None
    seen: set[Path] = set()
    for path, base, issue in entries:
        if issue:
            yield path, path.name, issue
            continue
        key = path.resolve()
        if key in seen:  # a file named twice (or through two routes) is read once
            continue
        seen.add(key)
        yield path, _rel(key if common else path, common or base), None


def _rel(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.name


def form_id_for(relative_name: str, sheet: str, anchor: str) -> str:
    """Stable id of a form: its file's path relative to the loaded folder, its sheet and cell."""
    return hashlib.sha1(f"{relative_name}|{sheet}|{anchor}".encode()).hexdigest()[:12]


# --------------------------------------------------------------------------------------------
# One file


@dataclass
class ParsedFile:
    """What parsing one file's bytes gave, independent of where the file lies (so it can be cached)."""

    sheets: list[tuple] = field(default_factory=list)  # (sheet, records, status, visible, error)
    error: tuple = ()  # the whole file could not be read: an ``errors.problem`` row
    sheet_names: list[str] = field(default_factory=list)
    problems: list[tuple] = field(default_factory=list)  # (sheet, cell, code, message, level) from the bounded reader
    places: dict = field(default_factory=dict)  # PDF / Word: sheet → {cell name: (page, bbox text, ocr)}


def parse_bytes(path: Path, data: bytes, vocabulary=None, limits=None) -> ParsedFile:
    """Read and locate every form in a workbook's bytes. Never raises for bad data."""
    out = ParsedFile()
    try:
        wb = read_source(path, data, limits)
    except ReadError as exc:
        out.error = (exc.sheet, exc.cell, exc.code, exc.message, exc.level)
        return out
    except Exception as exc:  # a reader bug or unforeseen damage must not lose the batch; it is reported
        out.error = problem("file-reader-crash", detail=f"{type(exc).__name__}: {str(exc)[:200]}")
        return out
    out.sheet_names = [g.name for g in wb.sheets]
    for grid in wb.sheets:
        if grid.places and any(p.ocr for p in grid.places.values()):
            from .forms.ocr_words import correct

            try:
                grid.problems += correct(grid, load_vocabulary(vocabulary))
            except Exception as exc:  # the readings stay as OCR gave them
                grid.problems.append(problem("sheet-reader-crash", grid.name, detail=f"{type(exc).__name__}: {exc}")[1:])
        out.problems += [(grid.name, *row) for row in grid.problems]
        if grid.places:
            out.places[grid.name] = {cell_name(r, c): (pl.page, ",".join(f"{v:g}" for v in pl.bbox) or pl.ref, pl.ocr)
                                     for (r, c), pl in grid.places.items()}
        if grid.refused:
            out.sheets.append((grid.name, [], "refused", grid.visible, ""))
            continue
        try:
            records = read_forms(grid, vocabulary)
        except Exception as exc:  # a reader bug must not lose the batch; it is reported
            out.sheets.append((grid.name, [], "error", grid.visible,
                               problem("sheet-reader-crash", grid.name, detail=f"{type(exc).__name__}: {exc}")))
            continue
        out.sheets.append((grid.name, records, "form" if records else "no form", grid.visible, ""))
    return out


def read_source(path: Path, data: bytes, limits=None):
    """A workbook, PDF or Word file as a ``read.Workbook`` of grids; the name's suffix says which
    reader (a PDF named ``.xlsx`` is reported as such, not guessed)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from .read import sniff
        from .read_pdf import read_pdf

        if sniff(data) != "pdf":
            raise ReadError("pdf-corrupt", detail="文件内容不是 PDF" if data else "文件为空")
        return read_pdf(path, data, limits)
    if suffix in (".docx", ".doc"):
        from .read_docx import read_docx

        return read_docx(path, data)
    return read_workbook(path, data, limits)


def _ocr_key(path: Path) -> str:
    """A scan reads differently with OCR running (installed, and not turned off by
    ``EVALTOOLS_OCR=off``): the cache keeps the two apart."""
    if path.suffix.lower() not in (".pdf", ".docx", ".doc"):
        return ""
    from .read_pdf import ocr_engine

    return "-ocr" if ocr_engine() is not None else ""


def load_file(path: Path, relative_name: str, cache=None, vocabulary=None, limits=None) -> FileResult:
    """Read one workbook into plain rows. Never raises for bad data."""
    res = FileResult(source_file=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        res.errors.append(problem("file-unreadable", detail=exc.strerror or exc))
        return res
    parsed = None
    if cache is not None:
        from .cache import digest

        key = digest(data) + ("-" + vocabulary.digest if vocabulary is not None else "") \
            + ("-" + digest(repr(limits).encode())[:12] if limits is not None else "") + _ocr_key(path)
        parsed = cache.get(key)
    if parsed is None:
        parsed = parse_bytes(path, data, vocabulary, limits)
        if cache is not None:
            cache.put(key, parsed)
    if parsed.error:
        res.errors.append(parsed.error)
        return res
    res.places = getattr(parsed, "places", {})
    n_forms = 0
    for name, records, status, visible, error in parsed.sheets:
        if error:
            res.errors.append(error)
        res.sheets.append((name, len(records), status, visible))
        for rec in records:
            _add_record(res, rec, relative_name)
        n_forms += len(records)
    if n_forms == 0 and not res.errors:
        names = "、".join(parsed.sheet_names) or "（无工作表）"
        res.errors.append(problem("no-form", sheets=names))
    res.errors += getattr(parsed, "problems", [])  # far cells, error cells, refused sheets (bounds.py)
    n_ocr = 0
    for _fid, sheet, rows in res.cells if res.places else ():
        where = res.places.get(sheet, {})
        n_ocr += sum(1 for row in rows if where.get(row[3], (0, "", False))[2])
    if n_ocr:
        res.errors.append(problem("ocr-values", n=n_ocr))
    return res


def _add_record(res: FileResult, rec: FormRecord, relative_name: str) -> None:
    fid = form_id_for(relative_name, rec.sheet, rec.anchor)
    src = res.source_file
    proj = {"form_id": fid, "source_file": src, "sheet": rec.sheet}
    for col in schema.PROJECTS:
        if col not in proj:
            proj[col] = rec.project.get(col)
    proj["form_range"] = range_name(*rec.region)
    proj["template"] = ",".join(rec.template) or "seed"
    proj["form_type"] = rec.form_type
    proj["convention"] = ",".join(rec.convention)
    proj["audited"] = rec.audited
    proj["grade"] = rec.project.get("grade", "")
    proj["relative_file"] = relative_name
    proj["form_index"] = rec.index
    proj["anchor"] = rec.anchor
    res.projects.append(proj)
    # the record is this file's own (fresh from the parser or the cache): its rows are tagged in place
    for line in rec.funds:
        line["form_id"] = fid
    for ind in rec.indicators:
        ind["form_id"] = fid
    res.funds += rec.funds
    res.indicators += rec.indicators
    res.cells.append((fid, rec.sheet, rec.cells))
    for cell, raw in rec.unmapped:
        res.unmapped.append((fid, src, rec.sheet, cell, raw))
    res.errors += [(rec.sheet, *e) for e in rec.errors]
    if not rec.audited:
        name = rec.project.get("project_name") or rec.project.get("department") or ""
        res.errors.append(problem("form-not-audited", rec.sheet, rec.anchor, form_type=rec.form_type,
                                  name=f"（{name}）" if name else ""))
    res.n_cells[fid] = rec.n_cells


# --------------------------------------------------------------------------------------------
# The public entry point


def load(source, *, strict: bool = False, jobs: int | None = 1, executor=None, cache=None,
         vocabulary=None, limits=None) -> Book:
    """Load every form in ``source``: a file, a folder (recursive), a glob, or a list of them.

    Returns a ``Book``. With ``strict=True`` the first problem raises ``LoadError`` (same message
    as its ``load_errors`` row) instead of being collected.

    Files are read in this process (``jobs=1``), in ``jobs`` local processes (``jobs=None``: one
    per core, used only when there are enough files to pay for starting them), or on any
    ``concurrent.futures.Executor`` passed as ``executor``. The result is the same either way.

    ``cache`` (a folder, or ``True`` for ``.cache/evaltools``) keeps each file's parse keyed by the
    SHA-256 of its content, so a re-run re-reads only the files that changed; a new evaltools
    version starts a new cache.

    ``vocabulary`` is a TOML file that extends the built-in label vocabulary (``forms/
    vocabulary.toml``) with a province's own words; the parse cache keys on it.

    ``limits`` (``evaltools.Limits``) bound what one workbook may hold (rows, columns, cells,
    inflated bytes); the defaults fit every real form with a wide margin. A sheet beyond them is
    read sparsely or refused with a load error naming its far cell; no file can exhaust memory.
    """
    from .cache import ParseCache

    vocab = load_vocabulary(vocabulary)  # a bad file is reported now, not in every worker
    vocab_path = None if vocabulary is None else str(Path(vocabulary).resolve()) if not hasattr(vocabulary, "data") \
        else vocabulary
    items = list(iter_sources(source))
    store = ParseCache.open(cache)
    items = [(p, rel, issue, store.root if store is not None else None, vocab_path, limits)
             for p, rel, issue in items]
    del vocab
    results: list[FileResult] = []
    for res in _map_files(items, jobs, executor):
        errs = [e for e in res.errors if e[4] == "error"]
        if strict and errs:
            sheet, cell, code, message, _ = errs[0]
            raise LoadError(message, res.source_file, sheet, cell, code)
        results.append(res)
    return build_book(results)


def _load_item(item: tuple) -> FileResult:
    path, rel, issue = item[:3]
    if issue:
        res = FileResult(source_file=str(path))
        res.errors.append(issue)
        return res
    cache = vocab = None
    if len(item) > 3 and item[3] is not None:
        from .cache import ParseCache

        cache = ParseCache(item[3])
    if len(item) > 4 and item[4] is not None:
        from .forms import load_vocabulary

        vocab = load_vocabulary(item[4])
    return load_file(path, rel, cache, vocab, item[5] if len(item) > 5 else None)


_MIN_FILES_PER_PROCESS = 64  # below this, starting a process costs more than it saves


def _load_chunk(items: list) -> list[FileResult]:
    return [_load_item(item) for item in items]


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _map_files(items, jobs, executor) -> Iterator[FileResult]:
    if executor is not None:
        # a task per file would spend more on scheduling and pickling than on reading (a Dask
        # task costs about a millisecond of the scheduler's time, a form two of a worker's); up to
        # 64 files a task, and at least 32 tasks while there are files for them, for the workers
        # to share
        size = max(1, min(64, len(items) // 32))
        for part in _bounded_map(executor, _load_chunk, _chunks(items, size), 4 * _parallelism(executor)):
            yield from part
        return
    if jobs is None:
        jobs = os.cpu_count() or 1
    jobs = max(1, min(jobs, len(items) // _MIN_FILES_PER_PROCESS or 1))
    if jobs == 1:
        for item in items:
            yield _load_item(item)
        return
    from .executors import process_pool

    with process_pool(jobs) as pool:
        yield from pool.map(_load_item, items, chunksize=max(1, min(64, len(items) // (jobs * 8) or 1)))


def _parallelism(executor) -> int:
    """How many tasks ``executor`` runs at once: a stdlib pool's workers, a Dask cluster's threads."""
    n = getattr(executor, "_max_workers", None)
    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            n = sum(client.nthreads().values())
        except Exception:  # noqa: BLE001 - a client that cannot tell: the default below
            n = None
    return max(1, int(n or os.cpu_count() or 1))


def _bounded_map(executor, fn, parts: list, window: int) -> Iterator:
    """``executor.map(fn, parts)`` in order, with at most ``window`` tasks submitted and not yet
    fetched. ``map`` submits every task at once, and a worker keeps each finished result until
    the client fetches it: on a batch of 100,000 forms a Dask worker held 2.5 GB of results while
    the client fetched the first ones. Each result is let go once fetched."""
    from collections import deque

    pending: deque = deque()
    ahead = iter(parts)
    try:
        for part in itertools.islice(ahead, window):
            pending.append(executor.submit(fn, part))
        while pending:
            res = pending.popleft().result()
            nxt = next(ahead, None)
            if nxt is not None:
                pending.append(executor.submit(fn, nxt))
            yield res
    finally:  # an error or an interrupt: what was not started is not started
        for fut in pending:
            fut.cancel()


def build_book(results: Iterable[FileResult]) -> Book:
    """Assemble DataFrames once for the whole batch (building per sheet costs more than reading)."""
    import pandas as pd

    projects, funds, indicators, cells, unmapped, errors, sheets = [], [], [], [], [], [], []
    counts: dict[str, int] = {}
    for res in results:
        projects += res.projects
        funds += res.funds
        indicators += res.indicators
        cells += [(fid, res.source_file, sheet, rows, res.places.get(sheet)) for fid, sheet, rows in res.cells if rows]
        unmapped += res.unmapped
        errors += [(res.source_file, *e) for e in res.errors]
        sheets += [(res.source_file, *row) for row in res.sheets]
        counts.update(res.n_cells)

    ids = [p["form_id"] for p in projects]
    if len(set(ids)) != len(ids):  # never expected: two forms must not be merged by the audit
        dup = sorted({i for i in ids if ids.count(i) > 1})
        errors.append(("", *problem("duplicate-form-id", ids=", ".join(dup))))
    proj_cols = list(schema.PROJECTS) + ["grade", "relative_file", "form_index", "anchor"]
    pdf = _frame(projects, proj_cols, numeric=schema.PROJECT_NUMBER_FIELDS)
    pdf["year"] = pd.array(pdf["year"], dtype="Int64") if len(pdf) else pd.array([], dtype="Int64")
    return Book(
        projects=pdf,
        funds=_frame(funds, schema.FUNDS, numeric=("budget_initial", "budget_full_year", "executed", "weight",
                                                   "exec_rate", "score", "received")),
        indicators=_frame(indicators, schema.INDICATORS, numeric=("weight", "score", "level1_weight", "level2_weight", "part_weight", "review_score", "weight_share", "score_coefficient",
                                                                  "weighted_score", "parent")),
        load_errors=pd.DataFrame(errors, columns=list(schema.LOAD_ERRORS)).astype(str),
        unmapped=_compact(unmapped, schema.UNMAPPED, categorical=("form_id", "source_file", "sheet")),
        cells=_cells(cells),
        sheets=pd.DataFrame(sheets, columns=["source_file", "sheet", "forms", "status", "visible"]),
        cell_counts=counts,
    )


def records(df) -> list[dict]:
    """Rows as dicts; column-wise ``tolist`` is several times faster than ``to_dict`` on arrow strings."""
    names = list(df.columns)
    cols = [df[c].tolist() for c in names]
    return list(map(dict, map(zip, itertools.repeat(names), zip(*cols))))  # a third faster than a comprehension


def _compact(rows: list[tuple], columns, categorical=()) -> pd.DataFrame:
    """A long text table with its repeated columns as categoricals (5× less memory)."""
    import pandas as pd

    cols = list(zip(*rows)) if rows else [()] * len(columns)
    data = {}
    for name, values in zip(columns, cols):
        values = list(values)  # every value is already text: the readers write str
        data[name] = _categorical(values) if name in categorical else _text_array(values)
    return pd.DataFrame(data, columns=list(columns))


def _cells(groups: list[tuple]) -> pd.DataFrame:
    """``Book.cells`` from per-form groups: the form's own columns repeat its one value (no row tuples)."""
    import numpy as np
    import pandas as pd

    flat = [row for g in groups for row in g[3]]
    inner = _compact(flat, ("table", "key", "field", "cell", "raw"), categorical=("table", "key", "field"))
    counts = np.fromiter((len(g[3]) for g in groups), dtype=np.int64, count=len(groups))
    data = {}
    for i, name in ((0, "form_id"), (1, "source_file"), (2, "sheet")):
        per_form = _categorical([g[i] for g in groups])
        data[name] = pd.Categorical.from_codes(np.repeat(per_form.codes, counts), categories=per_form.categories)
    data.update({k: inner[k].array for k in inner.columns})
    n = len(flat)
    if any(g[4] for g in groups):  # a PDF or Word source: where each value was printed
        where = [g[4].get(row[3], (0, "", False)) if g[4] else (0, "", False) for g in groups for row in g[3]]
        data["page"] = np.fromiter((w[0] for w in where), dtype=np.int64, count=n)
        data["bbox"] = _categorical([w[1] for w in where])
        data["ocr"] = np.fromiter((w[2] for w in where), dtype=bool, count=n)
    else:
        data["page"] = np.zeros(n, dtype=np.int64)
        data["bbox"] = pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([""], dtype="str"))
        data["ocr"] = np.zeros(n, dtype=bool)
    return pd.DataFrame({k: data[k] for k in schema.CELLS}, columns=list(schema.CELLS))


def _text_array(values: list[str]):
    """A ``str`` column from a list of Python ``str`` (no None): built by pyarrow directly, which is
    twice as fast as ``pd.array(values, dtype="str")`` (that first checks and converts every value)."""
    import pandas as pd
    import pyarrow as pa

    return pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string()), dtype=pd.StringDtype(na_value=float("nan")))


def _categorical(values: list[str]):
    """``pd.Categorical(values)`` (categories sorted) by pyarrow's dictionary encoding: 2× faster."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if not values:
        return pd.Categorical(values)
    enc = pa.array(values, type=pa.large_string()).dictionary_encode()
    words = enc.dictionary.to_pylist()
    order = sorted(range(len(words)), key=words.__getitem__)
    remap = np.empty(len(words), dtype=np.int32)
    remap[order] = np.arange(len(words), dtype=np.int32)
    codes = remap[enc.indices.to_numpy(zero_copy_only=False)]
    return pd.Categorical.from_codes(codes, categories=pd.Index([words[i] for i in order], dtype="str"))


_NOT_TEXT = ("seq", "row", "year", "form_index", "audited", "core", "placeholder")


def _frame(rows: list[dict], columns, numeric=()) -> pd.DataFrame:
    """A table built column by column: numbers as float64 (None → NaN), texts as str (None → "")."""
    import numpy as np
    import pandas as pd

    if not rows:
        return pd.DataFrame(columns=list(columns))
    nums = set(numeric)
    data = {}
    for col in columns:
        values = [r.get(col) for r in rows]
        if col in nums:
            try:  # numpy reads None as NaN; a text that is no number falls back to coercion
                data[col] = np.array(values, dtype="float64")
            except (TypeError, ValueError):
                data[col] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("float64")
        elif col in _NOT_TEXT:
            data[col] = values
        else:
            data[col] = _text_array(["" if v is None else v if v.__class__ is str else str(v) for v in values])
    return pd.DataFrame(data, columns=list(columns))
