"""One form's record, assembled from what each block reader returned."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..cellvalues import to_text
from ..errors import problem
from ..read import Grid, cell_name
from . import conventions
from .block import Block, Region
from .conclusions import read_conclusions
from .funds import read_funds
from .goals import read_goals
from .header import read_header, read_title
from .notes import read_notes
from .indicators import read_indicators
from .segments import segments
from .sheet import Sheet
from .total import read_total
from .vocabulary import Vocabulary, load_vocabulary


@dataclass
class FormRecord:
    """One form as read from its sheet; every value comes with the cell it was read from."""

    sheet: str
    index: int  # 0-based position of the form within its sheet
    anchor: str  # A1 of the form's first label (title or 项目名称)
    region: tuple[int, int, int, int]  # 0-based inclusive (r0, c0, r1, c1)
    project: dict[str, object] = field(default_factory=dict)
    funds: list[dict[str, object]] = field(default_factory=list)
    indicators: list[dict[str, object]] = field(default_factory=list)
    # (table, key, field, cell, raw)
    cells: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    errors: list[tuple[str, str, str, str]] = field(default_factory=list)  # (cell, code, message, level)
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (cell, raw)
    template: list[str] = field(default_factory=list)
    n_cells: int = 0  # non-empty cells in the region
    form_type: str = ""
    audited: bool = True
    convention: list[str] = field(default_factory=list)


def read_form(sh: Sheet, vocab: Vocabulary, r0: int, start: int, r1: int, index: int) -> FormRecord:
    first = next(((r, c) for r in range(start, r1) for c, _ in sh.labels[r]), (start, 0))
    region = Region(sh, r0, r1, vocab, cell_name(*first))
    rec = FormRecord(sheet=sh.grid.name, index=index, anchor=region.anchor,
                     region=(r0, 0, max(r0, r1 - 1), max(0, sh.width - 1)))
    # Tables first: their cells are consumed before free labels are matched, so an indicator or
    # goal text can never be taken for a label.
    taken: set[tuple[int, int]] = set()
    blocks: list[Block] = []

    def add(b: Block) -> Block:
        blocks.append(b)
        taken.update(b.used)
        return b

    title = add(read_title(region))
    funds = add(read_funds(region))
    inds = add(read_indicators(region, taken))
    goals = add(read_goals(region, taken))
    ind_cols = inds.info.get("columns", {})
    total = add(read_total(region, inds.info.get("total_row"), ind_cols))
    firsts = [x for x in (funds.info.get("header_row"), inds.info.get("header_row")) if x is not None]
    header = add(read_header(region, taken, str(title.values.get("title", "")), min(firsts) if firsts else None,
                             inds.info.get("header_row")))
    # conclusions stand outside the indicator table's rows (the table's own cells are not labels)
    table = {int(i["row"]) - 1 for i in inds.rows}
    concl = add(read_conclusions(region, taken, table))
    extra = add(read_notes(region, taken, table))
    p = rec.project
    for b in (title, funds, goals, total, header, concl, extra):
        p.update(b.values)
    if not p.get("grade") and total.info.get("grade"):
        p["grade"] = total.info["grade"]
    rec.funds = funds.rows
    rec.indicators = inds.rows
    for b in blocks:
        rec.cells += b.cells
        rec.errors += b.errors
        for f in b.flags:
            if f not in rec.template:
                rec.template.append(f)
    seen = header.info.get("seen", set())
    rec.form_type, rec.audited = conventions.form_type(
        vocab, str(p.get("title", "")), seen,
        lambda: {s for r in region.rows for _, s in sh.labels[r] if len(s) <= vocab.max_label_len})
    cell_errors = [e for b in blocks for e in b.info.get("cell_errors", ())]
    _mark_cell_errors(cell_errors, funds.rows, inds.rows)
    rec.convention = conventions.convention(funds.info, funds.info.get("total"), ind_cols,
                                            bool(inds.info.get("flat")), inds.rows, bool(extra.info.get("exec_row")))
    rec.convention += conventions.error_tokens(cell_errors)
    p.setdefault("indicators_weight", inds.info.get("block_points"))
    p["labels"] = ",".join(sorted(seen | concl.info.get("seen", set())))
    project_form = rec.form_type != "部门整体支出绩效自评表"
    if "project_name" not in seen and project_form:
        rec.errors.append(problem("project-name-missing", cell=region.anchor)[1:])
        name = str(p.get("title", ""))
        for suffix in ("项目绩效自评表", "项目支出绩效自评表", "绩效自评表"):
            if name.endswith(suffix):
                p["project_name"] = name[: -len(suffix)].strip()
                break
    if "department" not in seen:
        rec.errors.append(problem("department-missing", cell=region.anchor)[1:])
    if total.info.get("missing") and "score" in ind_cols:
        rec.errors.append(problem("total-row-missing", cell=region.anchor)[1:])
    block_rows = [x for x in (funds.info.get("header_row"), inds.info.get("header_row")) if x is not None]
    _unknown_header(rec, sh, region, taken, min(block_rows) if block_rows else None)
    _account(rec, sh, region, taken)
    return rec


def _mark_cell_errors(cell_errors, funds: list[dict], indicators: list[dict]) -> None:
    """``cell_errors`` on each fund line and indicator: ``score=#DIV/0!`` for every field read from an error cell."""
    by_row: dict[tuple[str, str], list[str]] = {}
    for table, key, fld, code in cell_errors:
        by_row.setdefault((table, key), []).append(f"{fld}={code}")
    for line in funds:
        line["cell_errors"] = ",".join(by_row.get(("funds", str(line.get("key", ""))), ()))
    for ind in indicators:
        ind["cell_errors"] = ",".join(by_row.get(("indicators", str(ind["seq"])), ()))


def _unknown_header(rec: FormRecord, sh: Sheet, region: Region, taken: set, fund_header: int | None) -> None:
    """A label above the blocks that the vocabulary does not know, with a value beside it: say so."""
    vocab = region.vocab
    end = fund_header if fund_header is not None else region.r1
    for r in range(region.r0, end):
        cells = sh.nonempty[r]
        for (c, v), nxt in zip(cells, cells[1:] + [None]):
            if (r, c) in taken or not isinstance(v, str) or nxt is None or (r, nxt[0]) in taken:
                continue
            s = sh.labels[r][[cc for cc, _ in sh.labels[r]].index(c)][1]
            if not s or len(s) > vocab.max_label_len or s[-1].isdigit() or vocab.is_known_label(s):
                continue  # a label the vocabulary knows was read (or left empty) by its reader
            rec.errors.append(problem("header-label-unknown", cell=cell_name(r, c), label=s,
                                      value=str(nxt[1]).strip()[:40])[1:])


def _account(rec: FormRecord, sh: Sheet, region: Region, taken: set) -> None:
    """List every non-empty cell of the region that no field or label took."""
    n = 0
    last_row = region.r0
    unmapped = rec.unmapped
    for r in region.rows:
        cells = sh.nonempty[r]
        if not cells:
            continue
        n += len(cells)
        last_row = r
        for c, v in cells:
            if (r, c) not in taken:
                unmapped.append((cell_name(r, c), to_text(v)))
    rec.n_cells = n
    r0, c0, _, c1 = rec.region
    rec.region = (r0, c0, last_row, c1)


def read_forms(grid: Grid, vocabulary: "Vocabulary | str | None" = None) -> list[FormRecord]:
    """Every form in one sheet, in order."""
    vocab = load_vocabulary(vocabulary)
    sh = Sheet(grid)
    return [read_form(sh, vocab, r0, start, r1, i) for i, (r0, start, r1) in enumerate(segments(sh, vocab))]
