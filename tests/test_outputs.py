"""Outputs are a registry (``outputs.py``): ``evaltools audit -o``, ``evaltools report`` and
``render_reports`` write the outputs registered for their command, so the same inputs give the same
set of files whichever way a run is started, and ``manifest.json`` lists them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import SEED_DIR
from evaltools import outputs
from evaltools.cli import main as cli
from evaltools.report import render_reports

HIDDEN = {".evaltools-output", ".evaltools-annotated.json"}


def _files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for p in sorted(SEED_DIR.glob("*.xlsx"))[:3]:
        shutil.copy(p, data)
    return data


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("outputs")
    data = _data(tmp)
    cli(["report", str(data), "-o", str(tmp / "cli"), "--jobs", "1", "--no-progress"])
    batch = render_reports(data, tmp / "api", jobs=1, progress=False)
    cli(["audit", str(data), "-o", str(tmp / "audit")])
    return tmp, batch


def test_cli_and_render_reports_write_the_same_files(runs):
    tmp, batch = runs
    cli_files, api_files = _files(tmp / "cli"), _files(tmp / "api")
    assert cli_files == api_files
    for name in ("findings.xlsx", "findings.csv", "load_errors.csv", "index.html", "batch.json", "manifest.json"):
        assert name in cli_files
    assert any(f.startswith("annotated/") for f in cli_files)
    assert batch["outputs"].failed == [] and set(batch["outputs"].written) == {
        o.name for o in outputs.outputs_for("report")}


def test_the_manifest_lists_every_file_written(runs):
    tmp, _ = runs
    for folder, command in (("cli", "report"), ("api", "report"), ("audit", "audit")):
        out = tmp / folder
        m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert m["command"] == command
        assert [o["name"] for o in m["outputs"]] == [o.name for o in outputs.outputs_for(command)]
        listed = {f for o in m["outputs"] for f in o["files"]}
        on_disk = {f for f in _files(out) if Path(f).name not in HIDDEN}
        assert listed == on_disk, (listed ^ on_disk)


def test_audit_writes_the_audit_outputs_only(runs):
    tmp, _ = runs
    audit_files, report_files = _files(tmp / "audit"), _files(tmp / "cli")
    assert audit_files < report_files
    assert not {"index.html", "batch.json"} & audit_files and not any(f.startswith("notebooks/") for f in audit_files)


def test_a_registered_output_is_written_by_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "REGISTRY", dict(outputs.REGISTRY))

    def forms_list(run):
        path = run.out / "forms.txt"
        path.write_text("\n".join(run.book.projects["project_name"]), encoding="utf-8")
        return [path]

    # registered before the manifest, so the manifest lists it
    manifest = outputs.REGISTRY.pop("manifest")
    outputs.register("forms-list", "项目清单", {"audit"}, paths=("forms.txt",))(forms_list)
    outputs.REGISTRY["manifest"] = manifest
    data = _data(tmp_path)
    cli(["audit", str(data), "-o", str(tmp_path / "out")])
    text = (tmp_path / "out" / "forms.txt").read_text(encoding="utf-8")
    assert len(text.splitlines()) == 3
    m = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert {"name": "forms-list", "title": "项目清单", "files": ["forms.txt"]} in m["outputs"]
    assert "forms.txt" in outputs.output_names()


# findings.xlsx is written after the CSV tables: only the registry's pre-flight keeps them unwritten
@pytest.mark.parametrize("lock", ["~$form_scores.csv", "~$findings.xlsx"])
def test_a_lock_on_any_output_stops_the_run_before_the_first_file(tmp_path, lock):
    data = _data(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / lock).write_text("owner", encoding="utf-8")
    code = cli(["audit", str(data), "-o", str(out)])
    assert code == 3
    assert _files(out) == {lock}
