"""How evaltools knows its own outputs, so that they never come back in as inputs.

Every workbook evaltools writes carries a document property (see ``safeio``); every folder it writes
results into gets a marker file. The loader skips both with one ``info`` line, so ``audit DATA -o
DATA/审核结果`` run twice reads the same forms twice, not its own annotated copies.
"""

from __future__ import annotations

from pathlib import Path

from .bounds import read_part

OUTPUT_MARKER = ".evaltools-output"
# what the writers put in docProps (safeio.mark_workbook): either one marks an evaltools output
OUTPUT_PROPERTY = b"evaltools_output"
OUTPUT_KEYWORD = b"evaltools-output"


def mark_output_dir(folder) -> None:
    """Mark ``folder`` as an evaltools output folder (the loader skips it inside a data folder)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / OUTPUT_MARKER
    if not marker.exists():
        marker.write_text("由 evaltools 写出的结果文件夹：读取自评表时跳过此文件夹。\n", encoding="utf-8")


def output_dir_of(path: Path, base: Path) -> Path | None:
    """The outermost marked output folder between ``base`` (inclusive) and ``path``, or None."""
    try:
        parts = path.parent.relative_to(base).parts
    except ValueError:
        return None
    folder = base
    if (folder / OUTPUT_MARKER).exists():
        return folder
    for part in parts:
        folder = folder / part
        if (folder / OUTPUT_MARKER).exists():
            return folder
    return None


def is_output_zip(zf) -> bool:
    """A workbook (an open ``zipfile.ZipFile``) that evaltools wrote: its document properties say so."""
    for name, needle in (("docProps/custom.xml", OUTPUT_PROPERTY), ("docProps/core.xml", OUTPUT_KEYWORD)):
        try:
            info = zf.getinfo(name)
        except KeyError:
            continue
        try:
            if needle in read_part(zf, info, 1 << 20):
                return True
        except Exception:  # a damaged or oversized property part is the reader's problem, not a mark
            continue
    return False
