#!/usr/bin/env python3
"""Writes the test images in this folder from the MNIST-10k test set, with Python's standard library only.

Each file holds test image N (its name starts with N) in one PNG or PGM variant, so that .ci/aot.sh can check that
decoding the file gives exactly the probabilities of `--idx ... --index N`. The PNGs cover every filter type (0-4) and
color type the decoder supports; gray is replicated into R, G and B with alpha 255, so luminance is exact.
"""
import gzip, struct, zlib, pathlib

here = pathlib.Path(__file__).parent
raw = gzip.open(here / "../../data/mnist10k-test-images-idx3-ubyte.gz").read()
count, rows, cols = struct.unpack(">III", raw[4:16])

def image(n):
    start = 16 + n * rows * cols
    return [raw[start + r * cols:start + (r + 1) * cols] for r in range(rows)]

def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)

def filtered(row, above, filter_type, bpp):
    out = bytearray([filter_type])
    for x, value in enumerate(row):
        a = row[x - bpp] if x >= bpp else 0
        b = above[x] if above is not None else 0
        c = above[x - bpp] if above is not None and x >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][filter_type]
        out.append((value - predictor) & 0xFF)
    return out

def png(path, rows_gray, color_type, filters):
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    expand = {0: lambda g: [g], 2: lambda g: [g, g, g], 4: lambda g: [g, 255], 6: lambda g: [g, g, g, 255]}[color_type]
    pixel_rows = [bytes(v for g in row for v in expand(g)) for row in rows_gray]
    data = bytearray()
    for y, row in enumerate(pixel_rows):
        data += filtered(row, pixel_rows[y - 1] if y > 0 else None, filters[y % len(filters)], channels)
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", len(rows_gray[0]), len(rows_gray), 8, color_type, 0, 0, 0)
    # Two IDAT chunks: a decoder must concatenate them.
    compressed = zlib.compress(bytes(data), 9)
    half = len(compressed) // 2
    (here / path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", compressed[:half])
                              + chunk(b"IDAT", compressed[half:]) + chunk(b"IEND", b""))

png("0-gray-none.png", image(0), 0, [0])
png("1-gray-sub.png", image(1), 0, [1])
png("2-gray-up.png", image(2), 0, [2])
png("3-rgb-average.png", image(3), 2, [3])
png("4-rgba-paeth.png", image(4), 6, [4])
png("5-grayalpha-mixed.png", image(5), 4, [0, 1, 2, 3, 4])
(here / "6-binary.pgm").write_bytes(b"P5\n# MNIST test image 6\n28 28\n255\n" + b"".join(image(6)))
(here / "7-ascii.pgm").write_text("P2\n28 28\n255\n" + "\n".join(" ".join(str(v) for v in row) for row in image(7)) + "\n")
