"""The package's shape: data flows one way, workbook → cells → form records → DataFrames →
findings → plots and reports, and no module imports from a later stage (lazy imports inside
functions included). The stages are declared here; a new module must be placed in one."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import evaltools

PKG = Path(evaltools.__file__).resolve().parent
ROOT = PKG.parents[1]

# stage → the package's top-level modules and subpackages in it
STAGES = [
    ("base", {"_version", "errors", "names", "schema", "cellvalues", "targets", "fonts", "resources",
              "executors", "profile"}),
    ("workbook and cells", {"bounds", "read", "marks", "safeio", "read_pdf", "read_docx", "ocr"}),
    ("form records", {"forms"}),
    ("DataFrames", {"cache", "load", "export"}),
    ("findings", {"rules", "scoring", "facts", "audit"}),
    ("plots and reports", {"plots", "excel", "report", "engines", "explore", "outputs", "annotate_pdf",
                           "annotate_docx"}),
    # the package face, the command line and the synthetic-form generator may use every stage
    ("tools", {"__init__", "__main__", "cli", "synth"}),
]
RANK = {name: i for i, (_, names) in enumerate(STAGES) for name in names}


def _top(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    return rel.parts[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level evaltools module) for every import in ``path``, wherever it stands."""
    rel = path.relative_to(PKG)
    package = list(rel.parts[:-1])  # the subpackage the file is in ([] for a top-level module)
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = base + (node.module.split(".") if node.module else [])
                if target:
                    out.append((node.lineno, target[0]))
                else:  # ``from . import x``: x is a module of the package, or the package face itself
                    for alias in node.names:
                        is_module = (PKG / f"{alias.name}.py").exists() or (PKG / alias.name).is_dir()
                        out.append((node.lineno, alias.name if is_module else "__init__"))
            elif node.module and node.module.split(".")[0] == "evaltools":
                parts = node.module.split(".")
                out.append((node.lineno, parts[1] if len(parts) > 1 else "__init__"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "evaltools":
                    out.append((node.lineno, parts[1] if len(parts) > 1 else "__init__"))
    return out


def _modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_has_a_stage():
    tops = {_top(p) for p in _modules()}
    assert sorted(tops - set(RANK)) == [], "place the new module in a stage of STAGES"


def test_no_import_points_to_a_later_stage():
    upward = []
    for path in _modules():
        me = _top(path)
        for line, target in _imports(path):
            if target != me and RANK.get(target, -1) > RANK[me]:
                upward.append(f"{path.relative_to(PKG)}:{line} ({STAGES[RANK[me]][0]}) imports {target} "
                              f"({STAGES[RANK[target]][0]})")
    assert upward == []


def test_the_walk_sees_lazy_and_relative_imports():
    # the check above is only as good as the import walk: it must see what the package really does
    found = {target for _, target in _imports(PKG / "report.py")}
    assert {"audit", "load", "engines", "names", "_version"} <= found
    assert "read" in {target for _, target in _imports(PKG / "forms" / "block.py")}


def test_the_version_is_the_projects():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert evaltools.__version__ == meta["project"]["version"]
