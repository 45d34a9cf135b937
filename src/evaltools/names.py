"""Names taken from forms (主管部门, file names) made safe for the terminal and for file names.

Both are untrusted text: a cell can hold an escape sequence that erases the line above it on a
terminal, or a name that Windows cannot create (``CON``, ``a:b``), or one too long for a file
system once the tool's own suffixes are added.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Bidi overrides/isolates and marks reorder what a reader sees; line/paragraph separators break lines.
_INVISIBLE = {0x200E, 0x200F, 0x061C, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}

# Windows forbids these characters and control characters in a file name; whitespace becomes "_"
# so that a name never starts or ends with a space and a shell needs no quoting.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\s\x00-\x1f\x7f-\x9f]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in "123456789¹²³"),
             *(f"LPT{i}" for i in "123456789¹²³")}
# The batch's own files and folders: a department's page must never replace one of them.
TOOL_NAMES = frozenset({"index", "batch", "findings", "notebooks", "annotated"})

NAME_MAX = 255  # bytes, Linux (ext4, xfs, btrfs) and the UTF-16 limit of NTFS is more generous for CJK
# Room beside a stem for the longest name the tool makes from it: ``.NAME.running.ipynb``,
# ``NAME.failed.ipynb``, a mkstemp name ``.NAME.html.abcdefgh``, an openpyxl temp ``.NAME.12345.tmp.xlsx``.
SUFFIX_ROOM = 40
STEM_MAX_BYTES = 150
HASH_LEN = 6
EMPTY_DEPARTMENT = "未填主管部门"


def terminal(text) -> str:
    """``text`` safe to print: control characters (C0, DEL, C1, so every ESC sequence) and bidi
    controls are shown as ``\\x1b`` / ``\\u202e``, so nothing can move the cursor, erase a line or
    reorder the line. Newlines are kept (multi-line messages stay readable); carriage returns are not.
    """
    return "\n".join(_escape_line(line) for line in str(text).split("\n"))


def terminal_name(text) -> str:
    """A single name for the terminal: like ``terminal`` but a newline is escaped too."""
    return _escape_line(str(text))


def _escape_line(line: str) -> str:
    if line.isprintable() and not any(ord(ch) in _INVISIBLE for ch in line):
        return line  # the common case: no work
    out = []
    for ch in line:
        o = ord(ch)
        if o in _INVISIBLE or unicodedata.category(ch) == "Cc":
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}")
        else:
            out.append(ch)
    return "".join(out)


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LEN]


def cut_bytes(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 form fits ``max_bytes`` (never half a character)."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore")


def is_reserved(stem: str) -> bool:
    """A Windows device name (``CON``, ``com1``, ``Nul.txt``): the part before the first dot decides."""
    return stem.split(".")[0].rstrip(" ").upper() in _RESERVED


def file_stem(name: str, *, max_bytes: int = STEM_MAX_BYTES, reserved=TOOL_NAMES) -> str:
    """A file name stem for ``name``, valid on Linux, macOS and Windows.

    Readable text is kept; forbidden characters and whitespace become ``_``; leading dots (a hidden
    file, our temp names) and trailing dots/spaces are dropped; the result fits ``max_bytes`` of
    UTF-8. Whenever the text had to change, or is a Windows device name or one of ``reserved``
    (case-insensitive), ``-`` and a short hash of the full name are added, so two names that clean
    up alike (教育局/体育局, 教育局:体育局) still get different files.
    """
    text = _FORBIDDEN.sub("_", name)
    text = "".join("_" if ord(ch) in _INVISIBLE else ch for ch in text)
    text = text.lstrip(". _").rstrip(". _") or EMPTY_DEPARTMENT
    clash = is_reserved(text) or text.casefold() in {r.casefold() for r in reserved}
    if text == name and not clash and len(text.encode("utf-8", "surrogatepass")) <= max_bytes:
        return text
    head = cut_bytes(text, max_bytes - HASH_LEN - 1).rstrip(". _") or EMPTY_DEPARTMENT
    if is_reserved(head):  # COM1.tar.gz-ab12cd would still be COM1 to Windows: break its first part
        head = head.replace(".", "_", 1)
    return f"{head}-{short_hash(name)}"


def unique_stems(names, *, max_bytes: int = STEM_MAX_BYTES, reserved=TOOL_NAMES) -> dict[str, str]:
    """``file_stem`` for each name, made unique ignoring case (Windows and macOS folders do):
    names whose stems still meet get the hash of their full name appended."""
    stems = {n: file_stem(n, max_bytes=max_bytes, reserved=reserved) for n in dict.fromkeys(names)}
    groups: dict[str, list[str]] = {}
    for n, s in stems.items():
        groups.setdefault(s.casefold(), []).append(n)
    for members in groups.values():
        if len(members) < 2:
            continue
        for n in members:
            head = cut_bytes(stems[n], max_bytes - HASH_LEN - 1)
            stems[n] = f"{head}-{short_hash(n + chr(0))}"  # chr(0): not the hash file_stem may have used
    return stems


def bounded_file_name(name: str, *, max_bytes: int = NAME_MAX - SUFFIX_ROOM) -> str:
    """A file name (with its extension) that fits ``max_bytes`` of UTF-8, for copies of source
    files: an over-long stem is cut and a hash of the full name added; the extension is kept."""
    if len(name.encode("utf-8", "surrogatepass")) <= max_bytes:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = name, ""
    tail = f"-{short_hash(name)}" + (f".{ext}" if ext else "")
    return cut_bytes(stem, max_bytes - len(tail.encode("utf-8"))) + tail


__all__ = ["terminal", "terminal_name", "file_stem", "unique_stems", "bounded_file_name", "cut_bytes",
           "is_reserved", "TOOL_NAMES", "NAME_MAX", "SUFFIX_ROOM", "STEM_MAX_BYTES"]
