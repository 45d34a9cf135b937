"""Chinese text in matplotlib figures, on any machine.

``setup_cjk_fonts()`` picks a font that has the CJK glyphs and makes it matplotlib's default:

1. an installed system font, in this order: Microsoft YaHei, PingFang SC, Noto Sans CJK SC,
   Source Han Sans SC, WenQuanYi Micro Hei, WenQuanYi Zen Hei (and a few close relatives);
2. else the font that comes with evaltools: a font file in ``evaltools/fonts/`` if one is shipped
   there, then Noto Sans CJK from the ``noto-cjk-sans-otc`` package (SIL Open Font License 1.1),
   a dependency of evaltools, so a fresh Linux machine without any CJK font still renders
   Chinese without a single missing-glyph warning.

``EVALTOOLS_IGNORE_SYSTEM_FONTS=1`` skips step 1 (the tests use it to prove that step 2 works on
a machine that happens to have a system CJK font). ``font_source()`` says what was chosen, for a
report's manifest; ``cjk_font_stack()`` is the CSS ``font-family`` value for the HTML report.

matplotlib is imported only when ``setup_cjk_fonts()`` runs, so ``import evaltools`` stays light.
"""

from __future__ import annotations

import os
import warnings
from importlib import resources
from pathlib import Path

__all__ = ["IGNORE_SYSTEM_ENV", "SYSTEM_FONTS", "cjk_font_stack", "font_source", "setup_cjk_fonts"]

#: Installed fonts preferred over the bundled one, best first (matplotlib family names).
SYSTEM_FONTS = (
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
)

#: Environment variable that makes ``setup_cjk_fonts`` ignore system fonts (any value but 0/false/no).
IGNORE_SYSTEM_ENV = "EVALTOOLS_IGNORE_SYSTEM_FONTS"

# The dependency that carries the fallback font: (import name, distribution, file, license).
_PACKAGE_FONT = ("noto_cjk_sans_otc", "noto-cjk-sans-otc", "NotoSansCJK-Regular.ttc", "OFL-1.1")
# Within a collection, the face to use (the simplified-Chinese one), then any other.
_FACE_PREFERENCE = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC")
_FONT_SUFFIXES = (".otf", ".ttf", ".ttc", ".otc")

_CSS_STACK = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif'

_chosen: dict | None = None


def cjk_font_stack() -> str:
    """The CSS ``font-family`` value for Chinese HTML: ``"Microsoft YaHei", "PingFang SC", …``."""
    return _CSS_STACK


def _ignore_system() -> bool:
    return os.environ.get(IGNORE_SYSTEM_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def _bundled_files() -> list[tuple[Path, str, str]]:
    """Candidate fallback fonts: ``(path, package, license)``, the ones shipped in evaltools first."""
    out: list[tuple[Path, str, str]] = []
    try:
        folder = resources.files("evaltools").joinpath("fonts")
        if folder.is_dir():
            for entry in sorted(folder.iterdir(), key=lambda e: e.name):
                if entry.name.lower().endswith(_FONT_SUFFIXES):
                    out.append((Path(str(entry)), "evaltools", "OFL-1.1"))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):  # pragma: no cover
        pass
    module, dist, filename, lic = _PACKAGE_FONT
    try:
        path = Path(str(resources.files(module).joinpath(filename)))
    except ModuleNotFoundError:
        return out
    if path.is_file():
        from importlib.metadata import PackageNotFoundError, version

        try:
            dist = f"{dist} {version(dist)}"
        except PackageNotFoundError:  # pragma: no cover - imported from a path, not installed
            pass
        out.append((path, dist, lic))
    return out


def _register(fm, path: Path) -> str | None:
    """Add a font file to matplotlib and return the family name to use from it."""
    known = {Path(e.fname) for e in fm.fontManager.ttflist}
    if path not in known:
        fm.fontManager.addfont(str(path))
    names = [e.name for e in fm.fontManager.ttflist if Path(e.fname) == path]
    for want in _FACE_PREFERENCE:
        if want in names:
            return want
    # matplotlib < 3.10 reads only the first face of a collection (Noto Sans CJK JP): it has the
    # same full glyph set, with Japanese forms for a few shared characters.
    return names[0] if names else None


def _hide_system_fonts(fm, path: Path, name: str) -> None:
    """With system fonts ignored, drop installed CJK fonts of the preferred names (and of the
    bundled font's own name) from matplotlib's list, so that nothing but the bundled file can
    be drawn with, even where the system has a font of the same family name."""
    hide = set(SYSTEM_FONTS) | {name}
    fm.fontManager.ttflist = [e for e in fm.fontManager.ttflist if e.name not in hide or Path(e.fname) == path]
    cached = getattr(fm.fontManager, "_findfont_cached", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()


def _choose() -> dict:
    from matplotlib import font_manager as fm

    if not _ignore_system():
        installed: dict[str, str] = {}
        for e in fm.fontManager.ttflist:
            installed.setdefault(e.name, e.fname)
        for name in SYSTEM_FONTS:
            if name in installed:
                return {"family": name, "source": "system", "path": installed[name], "package": "",
                        "license": ""}
    for path, package, lic in _bundled_files():
        name = _register(fm, path)
        if name:
            if _ignore_system():
                _hide_system_fonts(fm, path, name)
            return {"family": name, "source": "bundled", "path": str(path), "package": package, "license": lic}
    warnings.warn("没有可用的中文字体：图中的中文将显示为方框。请安装 evaltools 的依赖 noto-cjk-sans-otc "
                  "（pip install noto-cjk-sans-otc）或系统字体（如 Debian 的 fonts-noto-cjk）。",
                  RuntimeWarning, stacklevel=3)
    return {"family": "DejaVu Sans", "source": "missing", "path": "", "package": "", "license": ""}


_INSTALLED: dict[tuple, list[str]] = {}


def _installed(families: list[str]) -> list[str]:
    """Those of ``families`` matplotlib finds a font file of, each file once (once per process)."""
    key = tuple(families)
    if key not in _INSTALLED:
        from matplotlib import font_manager as fm

        seen, out = set(), []
        for name in families:
            try:
                path = fm.findfont(fm.FontProperties(family=name), fallback_to_default=False)
            except ValueError:
                continue
            if path not in seen:
                seen.add(path)
                out.append(name)
        _INSTALLED[key] = out or ["DejaVu Sans"]
    return _INSTALLED[key]


def setup_cjk_fonts() -> str:
    """Make matplotlib draw Chinese; return the family name chosen. Safe to call any number of times.

    The font is chosen (and registered with ``fontManager.addfont``) once per process; the
    rcParams are set again on every call, so a ``matplotlib.rcdefaults()`` in between is undone.
    """
    global _chosen
    import matplotlib

    if _chosen is None:
        _chosen = _choose()
    family = _chosen["family"]
    rc = matplotlib.rcParams
    default_sans = [f for f in matplotlib.rcParamsDefault["font.sans-serif"] if f != family]
    if _chosen["source"] == "bundled" and _ignore_system():
        default_sans = [f for f in default_sans if f not in SYSTEM_FONTS]
    rc["font.sans-serif"] = [family, *default_sans]
    # The CJK font first, then the sans-serif fonts this machine has, for the rare character the
    # CJK font lacks (DejaVu Sans, which matplotlib ships). Naming the installed ones, not the
    # generic "sans-serif" and its dozen absent names, spares every text measured a search through
    # them: a tenth of a report's figure time.
    rc["font.family"] = [family, *_installed(default_sans)]
    rc["axes.unicode_minus"] = False  # CJK fonts often lack U+2212 MINUS SIGN
    return family


def font_source() -> dict:
    """What ``setup_cjk_fonts`` chose, for a report's manifest (calls it if it has not run).

    ``{"family": "Noto Sans CJK SC", "source": "bundled" | "system" | "missing", "path": …,
    "package": "noto-cjk-sans-otc 0.0.1" (bundled only), "license": "OFL-1.1" (bundled only)}``.
    """
    if _chosen is None:
        setup_cjk_fonts()
    return dict(_chosen or {})
