"""Regenerate the README's figure gallery (docs/*.png) from the SYNTHETIC demo: the same analyses the
pages show, rendered by Kaleido in Debian's Chromium at slide resolution.

Usage: .venv/bin/python scripts/gallery.py [--out docs]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GALLERY = {
    "waterfall": "Waterfall: best change in target lesions, coloured by best overall response",
    "pfs": "Progression-free survival, Kaplan–Meier with the KMunicate table",
    "swimmer": "Swimmer: time on treatment, responses and events per patient",
    "ae_butterfly": "Adverse events by worst grade",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    args = ap.parse_args()
    from components.data.config import load_config
    from components.data.datasets import load_cut
    from components.figures.export import image_server, to_image
    from components.reports.report import build_report

    cut = load_cut(load_config().cuts_dir)
    items = {i.key: i for i in build_report(cut, load_config(), presentation=False)}
    args.out.mkdir(parents=True, exist_ok=True)
    with image_server():
        for key in GALLERY:
            path = args.out / f"{key}.png"
            path.write_bytes(to_image(items[key].figure, "png", width=1100, scale=1))
            print(path)


if __name__ == "__main__":
    main()
