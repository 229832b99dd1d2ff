#!/usr/bin/env python3
"""Read the QR code that "hostgate enroll" drew on a terminal back into
modules: qrgrid.py utf8|ansi OUTPUT PGM -> prints "WIDTH HEIGHT" (in
modules, quiet zone included) and writes the grid, 8 pixels a module, as a
PGM image for zbarimg.

utf8: each line is "ESC[30;47m" + half blocks + "ESC[0m": a character is
two modules stacked (U+2588 both dark, U+2580 top, U+2584 bottom, ' ' none).
ansi: each module is two blank cells painted ESC[40m (dark) or ESC[47m
(light)."""
import re
import sys

kind, src, dst = sys.argv[1:4]
text = open(src, encoding="utf-8").read()
rows = []
if kind == "utf8":
    for line in text.splitlines():
        m = re.fullmatch(r"\x1b\[30;47m(.*)\x1b\[0m", line)
        if not m:
            continue
        top, bot = [], []
        for ch in m.group(1):
            t, b = {"\u2588": (1, 1), "\u2580": (1, 0), "\u2584": (0, 1),
                    " ": (0, 0)}[ch]
            top.append(t)
            bot.append(b)
        rows += [top, bot]
    # An odd module count leaves a light half row at the bottom.
    if rows and not any(rows[-1]) and len(rows) > len(rows[0]):
        rows.pop()
elif kind == "ansi":
    for line in text.splitlines():
        if not line.startswith("\x1b[4") or not line.endswith("\x1b[0m"):
            continue
        row, colour = [], None
        for esc, cells in re.findall(r"(\x1b\[[0-9;]*m)?( *)",
                                     line[:-len("\x1b[0m")]):
            if esc:
                colour = {"\x1b[40m": 1, "\x1b[47m": 0}[esc]
            if cells:
                assert len(cells) % 2 == 0, "a module is two cells"
                row += [colour] * (len(cells) // 2)
        rows.append(row)
else:
    sys.exit("usage: qrgrid.py utf8|ansi OUTPUT PGM")
if not rows or any(len(r) != len(rows[0]) for r in rows):
    sys.exit("qrgrid: no rectangular QR code found")
scale = 8
w, h = len(rows[0]), len(rows)
with open(dst, "wb") as f:
    f.write(b"P5\n%d %d\n255\n" % (w * scale, h * scale))
    for r in rows:
        line = bytes(0 if m else 255 for m in r for _ in range(scale))
        f.write(line * scale)
print(w, h)
