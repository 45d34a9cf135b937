"""The files evaltools runs besides its code: the notebooks and the HTML report template.

Both are found through ``importlib.resources``, so they work from an installed wheel as well as
from a checkout:

- the report template is package data (``evaltools/templates/``), in the wheel and in ``src/``;
- the notebooks live in ``notebooks/`` at the repository root, where users open them in
  JupyterLab. ``setup.py`` copies them into the built package (``evaltools/notebooks/``), so a
  wheel carries them without a second copy in git. From a checkout (the editable install) the
  ones in ``notebooks/`` are used, so an edit there takes effect without reinstalling.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import EvaltoolsError, ResourceError  # noqa: F401 - re-exported where it was defined

# the notebooks the package ships; setup.py copies every notebooks/*.ipynb, this names what code opens
REPORT_NOTEBOOK = "department_report.ipynb"
TEMPLATE_NAME = "evaltools_report"


def _package_dir() -> Path:
    # A wheel is installed unpacked, so the package's Traversable is a real directory that
    # papermill and nbconvert can be given as a path.
    return Path(str(resources.files("evaltools")))


def checkout_root() -> Path | None:
    """The repository root when evaltools runs from a checkout (``src/evaltools`` beside
    ``pyproject.toml`` and ``notebooks/``), else None."""
    root = _package_dir().resolve().parents[1]
    if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() and \
            (root / "src" / "evaltools").is_dir():
        return root
    return None


def notebook_dir() -> Path:
    """The folder of the shipped notebooks: ``notebooks/`` of a checkout, else the installed copy."""
    root = checkout_root()
    return root / "notebooks" if root is not None else _package_dir() / "notebooks"


def notebook(name: str = REPORT_NOTEBOOK) -> Path:
    """The path of a notebook shipped with evaltools, e.g. ``notebook("explore.ipynb")``."""
    path = notebook_dir() / name
    if Path(name).name != name or not path.is_file():
        known = "、".join(sorted(p.name for p in notebook_dir().glob("*.ipynb"))) or "（无）"
        raise ResourceError(f"evaltools 未附带笔记本“{name}”；现有：{known}", name)
    return path


def template_dir() -> Path:
    """The folder holding the nbconvert template ``evaltools_report`` (an ``extra_template_basedirs``)."""
    return _package_dir() / "templates"


__all__ = ["notebook", "notebook_dir", "template_dir", "checkout_root", "ResourceError", "REPORT_NOTEBOOK",
           "TEMPLATE_NAME"]
