"""The notebooks and the report template are found through evaltools.resources: from a checkout,
the notebooks are the ones in notebooks/ (an edit there is used at once); the installed copy is
tested by tests/test_wheel.py."""

from __future__ import annotations

import pickle

import nbformat
import pytest

from conftest import ROOT, SYNTH_DIR
from evaltools import report, resources
from evaltools.errors import EvaltoolsError


def test_checkout_notebooks_are_the_ones_used():
    assert resources.checkout_root() == ROOT
    assert resources.notebook_dir() == ROOT / "notebooks"
    for nb in ("department_report.ipynb", "audit.ipynb", "explore.ipynb"):
        assert resources.notebook(nb) == ROOT / "notebooks" / nb
    assert report.DEFAULT_NOTEBOOK == ROOT / "notebooks" / "department_report.ipynb"


def test_template_is_package_data():
    folder = resources.template_dir()
    assert folder == ROOT / "src" / "evaltools" / "templates" == report.TEMPLATE_DIR
    assert (folder / report.TEMPLATE_NAME / "index.html.j2").is_file()
    assert (folder / report.TEMPLATE_NAME / "conf.json").is_file()


@pytest.mark.parametrize("name", ["no_such.ipynb", "../pyproject.toml", ""])
def test_unknown_notebook_raises(name):
    with pytest.raises(resources.ResourceError) as info:
        resources.notebook(name)
    assert isinstance(info.value, EvaltoolsError)
    assert "department_report.ipynb" in str(info.value)  # it says which notebooks there are
    back = pickle.loads(pickle.dumps(info.value))  # crosses process and Dask boundaries
    assert (str(back), back.name) == (str(info.value), name)


@pytest.mark.slow
def test_report_kernel_does_not_run_in_the_checkout(tmp_path, monkeypatch):
    """The notebook gets absolute paths; its kernel runs in the output folder, not the checkout."""
    nb = nbformat.read(resources.notebook(), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import os\nprint('cwd=' + os.getcwd())"))
    probe = tmp_path / "probe.ipynb"
    nbformat.write(nb, probe)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    st = report.render_department(SYNTH_DIR, "示例县财政局", "out", notebook=probe)
    assert not st["error"], st["error"]
    done = nbformat.read(elsewhere / "out" / st["notebook"], as_version=4)
    printed = [o["text"] for o in done.cells[-1].outputs if o.get("name") == "stdout"]
    assert printed == [f"cwd={elsewhere / 'out' / 'notebooks'}\n"]
    assert (elsewhere / "out" / st["html"]).is_file()
