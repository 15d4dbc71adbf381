#!/usr/bin/env python3
"""Checks a page that headless Chromium rendered: the screenshot is not blank
and shows the charts' colours, and the DOM Chromium built holds given texts.

    check_pages.py png PNG MIN_COLOURED_FRACTION COLOUR...   (COLOUR: rrggbb)
    check_pages.py dom DOM.html PATTERN...                     (regular expressions)

Exit 0 when every check passed, else prints each failure and exits 1. The PNG
decoder is this file's own (zlib and the five PNG filters): no image library
is installed on the test machines."""
import re
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG" % path)
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError("%s: only 8-bit RGB/RGBA, not interlaced (got %r)" % (path, hdr))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    fails = []
    if sys.argv[1] == "png":
        w, h, bpp, rows = read_png(sys.argv[2])
        want = {bytes.fromhex(c) for c in sys.argv[4:]}
        seen, coloured = set(), 0
        for row in rows:
            for x in range(0, len(row), bpp):
                px = row[x:x + 3]
                if px != b"\xff\xff\xff":
                    coloured += 1
                    if px in want:
                        seen.add(px)
        frac = coloured / float(w * h)
        print("%s: %dx%d, %.1f %% not white, chart colours seen: %d of %d" %
              (sys.argv[2], w, h, 100 * frac, len(seen), len(want)))
        if frac < float(sys.argv[3]):
            fails.append("%s: only %.2f %% of the pixels are not white" % (sys.argv[2], 100 * frac))
        for c in sorted(want - seen):
            fails.append("%s: no pixel of chart colour #%s" % (sys.argv[2], c.hex()))
    else:
        dom = open(sys.argv[2], encoding="utf-8").read()
        for pat in sys.argv[3:]:
            if not re.search(pat, dom):
                fails.append("%s: no match for %r" % (sys.argv[2], pat))
    for f in fails:
        print("FAIL:", f, file=sys.stderr)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
