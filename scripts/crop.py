"""Split a tall screenshot into viewable parts: python scripts/crop.py FILE [part_height] [x0]."""
import sys
from pathlib import Path

from PIL import Image

path = Path(sys.argv[1])
h = int(sys.argv[2]) if len(sys.argv) > 2 else 1200
x0 = int(sys.argv[3]) if len(sys.argv) > 3 else 300
im = Image.open(path)
for i, top in enumerate(range(0, im.height, h)):
    part = im.crop((x0, top, im.width, min(top + h, im.height)))
    out = path.with_name(f"{path.stem}_part{i}.png")
    part.save(out)
    print(out)
