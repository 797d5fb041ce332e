"""Draw favicon.ico (16, 32 and 48 pixels) from favicon.svg, for browsers without SVG icons.

    .venv/bin/python scripts/favicon.py

Debian's Chromium (through Playwright, as the browser tests use it) draws the SVG at each size;
the icon file holds the three PNG images. Run it again whenever favicon.svg changes.
"""

from __future__ import annotations

import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "auditloop" / "core" / "static" / "auditloop"
SIZES = (16, 32, 48)


def draw(svg: str, sizes: tuple[int, ...]) -> list[bytes]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        images = []
        for size in sizes:
            page = chromium.new_page(viewport={"width": size, "height": size})
            sized = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
            page.set_content(f"<body style='margin:0'>{sized}</body>")
            images.append(page.screenshot(omit_background=True))
        chromium.close()
    return images


def ico(images: list[bytes], sizes: tuple[int, ...]) -> bytes:
    """An ICO file holding PNG images: a 6-byte header, a 16-byte entry per image, the images."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    for size, png in zip(sizes, images, strict=True):
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
    return header + entries + b"".join(images)


def main() -> None:
    svg = (STATIC / "favicon.svg").read_text()
    (STATIC / "favicon.ico").write_bytes(ico(draw(svg, SIZES), SIZES))
    print(f"Wrote {STATIC / 'favicon.ico'}")


if __name__ == "__main__":
    main()
