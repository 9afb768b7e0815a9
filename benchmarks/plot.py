#!/usr/bin/env python3
"""Draws the fleet scaling curve (benchmarks/results/fleet.tsv) as a small SVG: time and peak
memory against the number of devices, each next to the straight line through its two smallest
runs (what linear growth, a fixed base plus a cost per device, would give). Standard library only.

    python3 benchmarks/plot.py benchmarks/results/fleet.tsv benchmarks/scaling.svg
"""
import sys

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])][1:]
points = [(int(r[0]), float(r[1]), float(r[3])) for r in rows if r and r[0]]
width, height, margin = 360, 240, 48


def panel(x0, title, values, unit):
    """One chart: values against devices, and the line through the two smallest runs."""
    xs = [p[0] for p in points]
    slope = (values[1] - values[0]) / (xs[1] - xs[0]) if len(xs) > 1 else values[0] / xs[0]
    def line(x): return values[0] + slope * (x - xs[0])
    top = max(max(values), line(xs[-1])) * 1.1
    def sx(x): return x0 + margin + (x / xs[-1]) * (width - 2 * margin)
    def sy(y): return height - margin + 10 - (y / top) * (height - 2 * margin)
    out = [f'<text x="{x0 + width / 2}" y="18" text-anchor="middle" font-weight="600">{title}</text>',
           f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(xs[-1])}" y2="{sy(0)}" stroke="#888"/>',
           f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(0)}" y2="{sy(top)}" stroke="#888"/>',
           f'<text x="{x0 + width / 2}" y="{height - 6}" text-anchor="middle">devices</text>',
           f'<text x="{x0 + 12}" y="{height / 2}" transform="rotate(-90 {x0 + 12} {height / 2})" text-anchor="middle">{unit}</text>']
    for i in range(5):
        y = top * i / 4
        out.append(f'<text x="{sx(0) - 4}" y="{sy(y) + 4}" text-anchor="end" font-size="10">{y:.0f}</text>')
    last = -100
    for x in reversed(xs):
        if last - sx(x) >= 36 or last < 0:
            out.append(f'<text x="{sx(x)}" y="{sy(0) + 14}" text-anchor="middle" font-size="10">{x:,}</text>')
            last = sx(x)
    linear = " ".join(f"{sx(x)},{sy(max(line(x), 0))}" for x in (xs[0], xs[-1]))
    out.append(f'<polyline points="{linear}" fill="none" stroke="#bbb" stroke-dasharray="4 3"/>')
    measured = " ".join(f"{sx(x)},{sy(v)}" for x, v in zip(xs, values))
    out.append(f'<polyline points="{measured}" fill="none" stroke="#2a6fdb" stroke-width="2"/>')
    for x, v in zip(xs, values):
        out.append(f'<circle cx="{sx(x)}" cy="{sy(v)}" r="3" fill="#2a6fdb"><title>{x:,} devices: {v:.1f} {unit}</title></circle>')
    return out


parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * width}" height="{height + 16}" font-family="sans-serif" font-size="12">',
         '<rect width="100%" height="100%" fill="white"/>']
parts += panel(0, "Fleet run: wall time", [p[1] for p in points], "seconds")
parts += panel(width, "Fleet run: peak memory", [p[2] for p in points], "MiB")
parts.append(f'<text x="{width}" y="{height + 10}" text-anchor="middle" font-size="10" fill="#777">'
             'dashed: linear growth through the two smallest runs</text>')
parts.append("</svg>")
open(sys.argv[2], "w").write("\n".join(parts) + "\n")
