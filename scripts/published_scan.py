"""Rebuild ``data/published/scan/``: seed forms as a department's scanner gives them.

Each one-page PDF of ``pdf-1page/`` is rendered at 200 dpi in grey, turned by a small angle (as a
sheet lies on the glass), given the speckle and the soft edges of a cheap scanner, and saved as a
PDF holding only that picture (no text layer), JPEG-compressed as scanners do. The noise is
seeded, so a rebuild gives the same pictures.

Run: ``.venv/bin/python scripts/published_scan.py`` (after ``build_published_forms.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "data" / "published" / "pdf-1page"
OUT = ROOT / "data" / "published" / "scan"
DPI = 200
# (form, skew in degrees): three forms are enough to measure the OCR; more would weigh on the repo
SCANS = [("03_日常办公经费.pdf", 0.7), ("04_提升电子政务外网出口电路速率.pdf", -0.5),
         ("08_电子政务网络维护.pdf", 0.4)]


def scan(pdf: Path, skew: float, seed: int):
    """The page as a grey picture with skew, speckle and blur."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    doc = pdfium.PdfDocument(str(pdf))
    try:
        image = doc[0].render(scale=DPI / 72).to_pil().convert("L")
    finally:
        doc.close()
    image = image.rotate(skew, resample=Image.BICUBIC, expand=True, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    rng = np.random.default_rng(seed)
    a = np.asarray(image, dtype=np.int16)
    a = a + rng.normal(0, 8, a.shape).astype(np.int16)  # sensor noise
    specks = rng.random(a.shape)
    a[specks < 0.0008] = 40  # dust
    a[specks > 0.9995] = 255  # drop-outs in the ink
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="L")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.pdf"):
        old.unlink()
    for k, (name, skew) in enumerate(SCANS):
        image = scan(SOURCE / name, skew, seed=k)
        target = OUT / name
        image.save(target, "PDF", resolution=DPI, quality=80)
        print(f"{target.relative_to(ROOT)}: {image.size[0]}×{image.size[1]} px, {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
