"""The parse cache: a file's parsed forms, keyed by the SHA-256 of its bytes.

Stored as one pickle per file under ``<root>/<version>-<reader hash>/<aa>/<digest>.pkl`` (a new
version, or an edited reader, never reads an old cache), written atomically so parallel
workers and interrupted runs never leave a half-written entry. Only the parse is cached (grids →
form records); file names, form ids and provenance paths are rebuilt on every load, so a moved
folder still hits the cache. The cache holds this machine's own parses: do not share it with
untrusted parties (it is pickle).
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from .safeio import atomic_write

DEFAULT_DIR = Path(".cache") / "evaltools"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def reader_fingerprint() -> str:
    """The evaltools version plus a hash of the reader's own source: a cache is never read by a
    reader that parses differently, even between releases."""
    from ._version import __version__

    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    names = ["read.py", "read_pdf.py", "read_docx.py", "ocr.py", "bounds.py", "marks.py", "cellvalues.py", "errors.py",
             "load.py", "schema.py"]
    names += sorted(f"forms/{p.name}" for p in (here / "forms").iterdir() if p.suffix in (".py", ".toml"))
    for name in names:
        try:
            h.update((here / name).read_bytes())
        except OSError:
            pass
    return f"{__version__}-{h.hexdigest()[:12]}"


class ParseCache:
    def __init__(self, root: str | Path):
        self.root = str(root)
        self.dir = Path(root) / reader_fingerprint()
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, cache) -> "ParseCache | None":
        if cache is None or cache is False:
            return None
        return cls(DEFAULT_DIR if cache is True else cache)

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.pkl"

    def get(self, key: str):
        try:
            with open(self._path(key), "rb") as fh:
                value = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value) -> None:
        path = self._path(key)
        def dump(tmp: Path) -> None:
            with open(tmp, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)

        try:
            atomic_write(path, dump, mode=None)
        except OSError:  # a read-only or full disk makes the cache a no-op, never an error
            pass
