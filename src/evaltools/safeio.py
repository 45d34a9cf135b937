"""Safe writers for every CSV and Excel file evaltools writes.

Form text is untrusted: a department can type ``=HYPERLINK("http://x","点我")`` as a project name.
Every output cell goes through one of two functions here, so the guard cannot be forgotten:

- ``write_csv(df, path)``: UTF-8 with BOM (Excel/WPS detect the encoding by it). A *text* cell
  whose first character starts a formula is prefixed with a single quote ``'``, as OWASP "CSV
  Injection" recommends. Numbers are never touched: an amount ``-5`` stays the number ``-5``.
- ``put_cell(cell, value)``: stores a value into an openpyxl cell. Text is always a string cell
  (``data_type == "s"``), never a formula, and its characters are kept exactly (no quote added:
  string cells are not evaluated by Excel, LibreOffice Calc or WPS when the file is opened, and a
  visible ``'`` would change the form text the reviewer compares with the original). Formula-like
  text also gets the cell's ``quotePrefix`` flag, the one Excel stores when a user types ``'=1``, so
  that editing the cell (F2, Enter) should keep it text. This rests on the file format, not on a
  test in Excel, LibreOffice or WPS (none runs here): what those do on re-edit is unverified.

Which text is "formula-like": the first character is ``= + - @``, tab or carriage return (OWASP's
list), or — after leading spaces, tabs, line breaks, full-width and non-breaking spaces — one of
``= + - @`` or their full-width forms ``＝ ＋ － ＠``. The wider net is a precaution, not a measured
behaviour: spreadsheets differ in how they trim a CSV cell before guessing its type, and Chinese
and Japanese input modes turn a full-width ``＝`` typed at the start of a cell into ``=``; a quote
costs nothing on such rare text.

Both writers drop the characters XML 1.0 forbids (C0 controls other than tab/newline/return, lone
surrogates, U+FFFE/U+FFFF: Excel refuses a file containing them, and a lone surrogate cannot even
be encoded as UTF-8), and cut text longer than Excel's cell limit of 32,767 characters, saying so
at the end of the cell (``…（已截断）``).

Every workbook evaltools writes is marked as an output (``mark_workbook``): the core property
``keywords`` contains ``evaltools-output`` and a custom property ``evaltools_output`` is true.
``is_evaltools_output(path)`` reads only those two XML parts from the zip, so the loader can skip
outputs cheaply. Either mark is enough, because an editor that rewrites one part may drop the other.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from . import marks

FORMULA_LEADS = frozenset("=+-@＝＋－＠")
CONTROL_LEADS = frozenset("\t\r")
_BLANKS = " \t\r\n\u3000\u00a0"
MAX_CELL_TEXT = 32767
TRUNCATED_MARK = "…（已截断）"

# the marks the loader looks for (``marks``): one definition, so writer and reader cannot drift apart
OUTPUT_KEYWORD = marks.OUTPUT_KEYWORD.decode("ascii")  # "evaltools-output"
OUTPUT_PROPERTY = marks.OUTPUT_PROPERTY.decode("ascii")  # "evaltools_output"
_MAX_PROPS_BYTES = 1 << 20  # docProps parts are tiny; a bigger one is not ours and not worth inflating

AUDIT_TABLES = ("findings.csv", "form_scores.csv", "indicator_scores.csv", "load_errors.csv")

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates, FFFE, FFFF
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# ---------------------------------------------------------------------------------------------
# Text


def needs_guard(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as the start of a formula."""
    if not text:
        return False
    if text[0] in CONTROL_LEADS or text[0] in FORMULA_LEADS:
        return True
    rest = text.lstrip(_BLANKS)
    return bool(rest) and rest[0] in FORMULA_LEADS


def clean_text(text: str) -> str:
    """``text`` without the characters XML 1.0 (and so every xlsx reader) rejects."""
    return _ILLEGAL.sub("", text)


def cap_text(text: str, limit: int = MAX_CELL_TEXT) -> str:
    """``text`` cut to ``limit`` characters, ending with ``…（已截断）`` when it was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATED_MARK)] + TRUNCATED_MARK


def safe_text(text: str, *, prefix: str = "") -> str:
    """Cleaned, capped text; ``prefix`` (the CSV quote) counts against the cap."""
    return prefix + cap_text(clean_text(text), MAX_CELL_TEXT - len(prefix))


def csv_value(v):
    """The value to write into a CSV cell: guarded text, anything else unchanged."""
    if not isinstance(v, str):
        return v
    v = clean_text(v)
    return safe_text(v, prefix="'" if needs_guard(v) else "")


def cell_value(v):
    """A plain Python value for a cell: NaN/NA/None → None, numpy scalars → Python, others as text."""
    if v is None or isinstance(v, (str, bool)):
        return v
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item") and not isinstance(v, (int, float)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, (int, float, bool)):
        return v
    import datetime

    if isinstance(v, (datetime.date, datetime.time, datetime.timedelta)):
        return v
    return str(v)


# ---------------------------------------------------------------------------------------------
# Excel


def put_cell(cell, value) -> None:
    """Store ``value`` in an openpyxl cell; text is a string cell, never a formula (see the module doc)."""
    v = cell_value(value)
    if not isinstance(v, str):
        cell.value = v
        return
    v = safe_text(v)
    if not v:
        cell.value = None
        return
    cell.value = v
    cell.data_type = "s"  # openpyxl infers a formula from a leading "="; the form text is text
    if needs_guard(v):
        cell.quotePrefix = True


def guard_text_cells(wb) -> None:
    """Keep every formula-like string cell of a loaded workbook text when edited (annotated copies)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "s" and isinstance(cell.value, str) and needs_guard(cell.value):
                    cell.quotePrefix = True


def mark_workbook(wb) -> None:
    """Mark an openpyxl workbook as written by evaltools (keywords and a custom property)."""
    from openpyxl.packaging.custom import BoolProperty

    props = wb.properties
    words = [w for w in re.split(r"[,;\s]+", props.keywords or "") if w]
    if OUTPUT_KEYWORD not in words:
        props.keywords = ", ".join(words + [OUTPUT_KEYWORD])
    custom = wb.custom_doc_props
    if OUTPUT_PROPERTY in custom.names:
        del custom[OUTPUT_PROPERTY]
    custom.append(BoolProperty(name=OUTPUT_PROPERTY, value=True))


def is_evaltools_output(path) -> bool:
    """True when ``path`` is a workbook evaltools wrote; reads only ``docProps/core.xml`` and
    ``docProps/custom.xml`` from the zip. Never raises: anything unreadable is not an output."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            core = _small_part(z, "docProps/core.xml", names)
            custom = _small_part(z, "docProps/custom.xml", names)
        return _keywords_marked(core) or _property_marked(custom)
    except Exception:  # noqa: BLE001 - a bad file is simply not one of ours
        return False


def _small_part(z: zipfile.ZipFile, name: str, names: set[str]) -> bytes:
    if name not in names or z.getinfo(name).file_size > _MAX_PROPS_BYTES:
        return b""
    return z.read(name)


def _xml_root(data: bytes):
    if not data:
        return None
    from xml.etree import ElementTree

    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _keywords_marked(core: bytes) -> bool:
    root = _xml_root(core)
    if root is None:
        return False
    for el in root.iter():
        if _local(el.tag) == "keywords" and el.text and OUTPUT_KEYWORD in re.split(r"[,;\s]+", el.text):
            return True
    return False


def _property_marked(custom: bytes) -> bool:
    root = _xml_root(custom)
    if root is None:
        return False
    for prop in root:
        if prop.get("name") == OUTPUT_PROPERTY:
            return any((v.text or "").strip().lower() in ("true", "1") for v in prop)
    return False


def save_workbook(wb, path, *, before_replace=None) -> Path:
    """Mark ``wb`` as an output and save it atomically (temporary file, then moved into place).

    ``before_replace`` (no arguments) runs once the new file is complete and before it replaces
    ``path``: the findings workbook backs up the reviewer's previous file there."""
    path = Path(path)
    check_not_locked(path)
    mark_workbook(wb)

    def write(tmp: Path) -> None:
        wb.save(tmp)
        if before_replace is not None:
            before_replace()

    return _atomic_write(path, write)


def atomic_write(path: Path, write, *, mode: int | None = 0o644, replace=os.replace) -> Path:
    """``write(tmp)`` to a fresh temporary name beside ``path``, then move it into place: a reader
    (or an interrupt) never sees half a file, and no temporary survives. Raises ``OSError``.

    The one place a file is written atomically (outputs, pages, the parse cache); ``mode`` is the
    final file's (``mkstemp`` makes 0600, and an output is meant to be shared)."""
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        if mode is not None:
            os.chmod(tmp, mode)
        replace(tmp, path)
    finally:
        _unlink_quietly(tmp)
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """``text`` (UTF-8) written atomically; a failure is an ``OutputError`` naming the file."""
    return _atomic_write(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _atomic_write(path: Path, write) -> Path:
    """An output written atomically; a full disk or read-only folder is an ``OutputError`` naming it."""
    from .errors import OutputError

    try:
        return atomic_write(path, write, replace=_replace)
    except OSError as exc:  # a full disk, a read-only folder: say which file, leave no half-written one
        raise OutputError(f"无法写出 {path}（{type(exc).__name__}: {exc}）") from exc


# ---------------------------------------------------------------------------------------------
# CSV


def write_csv(df, path) -> Path:
    """Write ``df`` as UTF-8 CSV with BOM, every text cell guarded (see ``csv_value``); atomic."""
    import pandas as pd

    path = Path(path)
    check_not_locked(path)
    columns = []
    for i in range(df.shape[1]):
        s = df.iloc[:, i].reset_index(drop=True)
        if s.dtype == object or str(s.dtype).startswith(("str", "category")):
            s = s.astype(object).map(csv_value)
        columns.append(s)
    safe = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame(index=range(len(df)))
    safe.columns = [csv_value(str(c)) for c in df.columns]
    # CRLF rows (RFC 4180): a text holding a lone "\r" is then quoted instead of splitting its row
    return _atomic_write(path, lambda tmp: safe.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n"))


def write_audit_tables(result, book, out) -> list[Path]:
    """The ``audit -o`` tables: findings, form and indicator scores, load errors (``AUDIT_TABLES``).

    Every target is checked for an Excel/WPS lock before the first one is written."""
    out = Path(out)
    frames = (result.findings, result.form_scores, result.indicator_scores, book.load_errors)
    paths = [out / name for name in AUDIT_TABLES]
    for p in paths:
        check_not_locked(p)
    from .marks import mark_output_dir

    mark_output_dir(out)  # a results folder inside a data folder is never read back as data
    return [write_csv(df, p) for df, p in zip(frames, paths)]


# ---------------------------------------------------------------------------------------------
# Locks


def lock_files(path) -> list[Path]:
    """Lock files beside ``path`` saying it is open: Excel/WPS ``~$name`` (Word-style ``~$`` + name
    without its first two characters too), LibreOffice ``.~lock.name#`` and ``.~name``, which WPS
    for Linux is reported to leave (not seen on a WPS install here)."""
    path = Path(path)
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#", f".~{name}"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")
    return [path.with_name(c) for c in candidates if path.with_name(c).exists()]


def check_not_locked(path) -> None:
    """Raise ``OutputError`` when ``path`` is open in Excel/WPS/LibreOffice or cannot be written."""
    from .errors import OutputError

    path = Path(path)
    locks = lock_files(path)
    if locks:
        raise OutputError(f"{path} 正在 Excel/WPS 中打开（发现锁文件 {locks[0].name}）：请先在 Excel/WPS 中关闭该文件再运行；"
                          f"为免覆盖正在编辑的内容，本次未写出任何文件。如确认该文件并未打开，可删除锁文件 {locks[0]} 后重试")
    if path.is_dir():
        raise OutputError(f"无法写出 {path}：同名文件夹已存在")
    if path.exists():
        try:
            with open(path, "r+b"):
                pass
        except OSError as exc:
            raise OutputError(f"无法写入 {path}（{type(exc).__name__}）：文件可能正在 Excel/WPS 中打开或为只读，"
                              f"请关闭该文件后重试；本次未写出任何文件") from exc
    folder = _existing_parent(path.parent)
    if folder is not None and not os.access(folder, os.W_OK):
        raise OutputError(f"无法写出 {path}：文件夹 {folder} 没有写入权限")


def _existing_parent(p: Path) -> Path | None:
    for q in (p, *p.parents):
        if q.exists():
            return q
    return None


def _replace(tmp: Path, path: Path) -> None:
    from .errors import OutputError

    try:
        os.replace(tmp, path)
    except PermissionError as exc:
        raise OutputError(f"无法写入 {path}：文件可能正在 Excel/WPS 中打开，请关闭后重试") from exc


def _unlink_quietly(p: Path) -> None:
    try:
        p.unlink(missing_ok=True)
    except OSError:
        pass
