"""Build hook: the notebooks evaltools runs go into the wheel as package data.

All metadata is in pyproject.toml; this file only adds one step to ``build_py``. The notebooks
stay in ``notebooks/`` at the repository root, where users open them in JupyterLab, so git holds
one copy; the build copies ``notebooks/*.ipynb`` into ``evaltools/notebooks/`` of the built
package, where ``evaltools.resources`` finds them in an installed wheel.

Why a ``build_py`` step and not ``package-dir`` mapping ``evaltools.notebooks`` to ``notebooks/``:
the mapping turns the editable install from a plain ``.pth`` into an import-hook finder and makes
every developer reinstall, while this step leaves the editable install as it is (from a checkout
``evaltools.resources`` uses ``notebooks/`` itself, so an edit takes effect without reinstalling).
``get_source_files`` lists the notebooks too, so an sdist carries them and a wheel built from the
sdist has them as well.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
NOTEBOOKS = "notebooks"


class build_py_with_notebooks(build_py):
    def _notebooks(self) -> list[Path]:
        found = sorted((HERE / NOTEBOOKS).glob("*.ipynb"))
        if not found:  # a wheel without its report notebook would fail only on the user's machine
            raise SystemExit(f"setup.py: no notebooks in {HERE / NOTEBOOKS}; the wheel would not run reports")
        return found

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the editable install reads notebooks/ of the checkout directly
        target = Path(self.build_lib) / "evaltools" / NOTEBOOKS
        target.mkdir(parents=True, exist_ok=True)
        for nb in self._notebooks():
            shutil.copyfile(nb, target / nb.name)

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        target = Path(self.build_lib) / "evaltools" / NOTEBOOKS
        return outputs + [str(target / nb.name) for nb in self._notebooks()]

    def get_source_files(self):
        return super().get_source_files() + [f"{NOTEBOOKS}/{nb.name}" for nb in self._notebooks()]


setup(cmdclass={"build_py": build_py_with_notebooks})
