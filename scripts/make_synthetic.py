"""Write the small committed synthetic county to ``data/synthetic/``.

Usage: ``python scripts/make_synthetic.py [OUT_DIR]``. The output is deterministic (seed 2021,
see ``evaltools.synth.SMALL_COUNTY``); running it again gives byte-identical files (with the same
XlsxWriter and xlwt versions: ``pip install "evaltools[synth]"``). Before writing, it removes only
what a previous run wrote there (``synthetic_*`` folders and the truth files).
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

from evaltools import synth

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "synthetic"

README = """# Synthetic 项目支出绩效自评表 (generated — do not edit)

Written by `scripts/make_synthetic.py` with `evaltools.synth.generate(**SMALL_COUNTY)`
(seed {seed}, year {year}); regenerate rather than edit. Every name, amount and text is invented.

- {n_forms} forms of {n_depts} 主管部门 in {n_files} workbooks, one folder per department.
- `truth.json`: for each form the record a loader should produce (`project`, `funds`,
  `indicators`, with the field names of `evaltools.schema`), where it is (`file`, `sheet`,
  `form_index`, `anchor`, `form_range`, `cells`, `row`s), its layout `variants` and the
  `anomalies` injected into it (rule id, A1 `cell`, Chinese `detail`, `collateral` rules that may
  also fire as a consequence). `expected_info` lists info-level rules that fire by design.
- `truth_anomalies.csv`: the anomalies, one per line.

Forms with `"clean": true` are internally consistent: no rule of the catalogue (rules.md) fires on them
except the info-level ones in their `expected_info`.

Variants: {variants}.

Anomalies: {anomalies}.
"""


def clear_previous(out: Path) -> None:
    """Remove what an earlier run wrote, and nothing else."""
    if not out.exists():
        return
    for child in out.iterdir():
        if child.is_dir() and child.name.startswith("synthetic_"):
            shutil.rmtree(child)
        elif child.name in ("truth.json", "truth_anomalies.csv", "README.md"):
            child.unlink()


def check_coverage(manifest: synth.Manifest) -> None:
    variants = Counter(v for f in manifest.forms for v in f["variants"])
    kinds = Counter(a["rule"] for a in manifest.anomalies)
    missing = (set(synth.VARIANTS) - set(variants)) | (set(synth.ANOMALY_KINDS) - set(kinds))
    if missing:
        raise SystemExit(f"coverage incomplete, missing: {sorted(missing)}")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    clear_previous(out)
    manifest = synth.generate(out, **synth.SMALL_COUNTY)
    check_coverage(manifest)
    variants = Counter(v for f in manifest.forms for v in f["variants"])
    kinds = Counter(a["rule"] for a in manifest.anomalies)
    (out / "README.md").write_text(README.format(
        seed=synth.SMALL_COUNTY["seed"], year=synth.SMALL_COUNTY["year"],
        n_forms=len(manifest.forms), n_depts=len(manifest.truth["departments"]),
        n_files=len(manifest.files),
        variants=", ".join(f"`{v}` ({variants[v]})" for v in synth.VARIANTS),
        anomalies=", ".join(f"`{k}` ({kinds[k]})" for k in synth.ANOMALY_KINDS),
    ), encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    clean = sum(f["clean"] for f in manifest.forms)
    print(f"{len(manifest.forms)} forms ({clean} clean) in {len(manifest.files)} workbooks, "
          f"{len(manifest.anomalies)} anomalies, {size / 1e6:.2f} MB → {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
