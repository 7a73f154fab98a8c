# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Draw docs/benchmarks.md's timing tables as pictures, and show them in it.

Runs no benchmark: it reads the figures the benchmark scripts wrote into
docs/benchmarks.md (every table with a ``median`` column), draws one PNG per
table under docs/images/ (median bars, min-max whiskers, the baseline row
first and dark; the "of which" rows, parts of the row above, are left out),
and puts a link to each picture under its table (once; a re-run replaces the
pictures and leaves the links).

matplotlib belongs to this script only, never to the collection:

    python3.12 -m venv .venv-bench && .venv-bench/bin/pip install matplotlib
    .venv-bench/bin/python bench/plots.py
"""

from __future__ import annotations

import argparse
import os
import re

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(TOP, "docs", "benchmarks.md")
IMAGES = os.path.join(TOP, "docs", "images")
UNITS = {"ms": 0.001, "s": 1.0}


def seconds(cell):
    """``'754 ms'`` -> 0.754, ``'2.43 s'`` -> 2.43."""
    number, unit = cell.split()
    return float(number) * UNITS[unit]


def tables(lines):
    """Each timing table as (index of its last line, title, [(label, median, min, max, is_baseline)])."""
    found, i = [], 0
    while i < len(lines):
        header = [c.strip() for c in lines[i].strip().strip("|").split("|")]
        if lines[i].startswith("|") and "median" in header and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            col = {name: header.index(name) for name in ("median", "min", "max")}
            ratio = next((n for n, name in enumerate(header) if name == "ratio" or name.startswith("vs ")), None)
            rows, j = [], i + 2
            while j < len(lines) and lines[j].startswith("|"):
                cells = [c.strip() for c in lines[j].strip().strip("|").split("|")]
                label = cells[0]
                if not label.startswith("&nbsp;"):
                    baseline = "baseline" in label or (ratio is not None and cells[ratio] == "1.00x")
                    rows.append((label.strip("*").replace(" (baseline)", ""), seconds(cells[col["median"]]),
                                 seconds(cells[col["min"]]), seconds(cells[col["max"]]), baseline))
                j += 1
            found.append((j - 1, header[0], rows))
            i = j
        else:
            i += 1
    return found


def slug(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]


def draw(title, rows, path):
    labels = [r[0] for r in rows]
    medians = [r[1] for r in rows]
    low = [r[1] - r[2] for r in rows]
    high = [r[3] - r[1] for r in rows]
    colours = ["#404040" if r[4] else "#4c72b0" for r in rows]
    figure, axes = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.3))
    positions = range(len(rows))
    axes.barh(positions, medians, xerr=[low, high], color=colours, capsize=3)
    axes.set_yticks(list(positions))
    axes.set_yticklabels(labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("seconds (median, whiskers min to max)")
    axes.set_title(title, fontsize=10)
    for y, value, top in zip(positions, medians, (r[3] for r in rows)):
        axes.text(top, y, "  %.2f s" % value if value >= 1 else "  %d ms" % round(value * 1000),
                  va="center", fontsize=7)
    axes.set_xlim(0, max(r[3] for r in rows) * 1.18)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--no-embed", action="store_true", help="write the PNGs only, leave the document")
    args = parser.parse_args()
    with open(DOC) as f:
        lines = f.read().split("\n")
    os.makedirs(IMAGES, exist_ok=True)
    # From the last table up, so that inserted lines do not move the tables still to do.
    for last, title, rows in reversed(tables(lines)):
        name = "benchmarks-%s.png" % slug(title)
        draw(title, rows, os.path.join(IMAGES, name))
        link = "![%s](images/%s)" % (title.replace("[", "(").replace("]", ")"), name)
        print("docs/images/%s: %d rows" % (name, len(rows)))
        if not args.no_embed and link not in lines[last + 1:last + 3]:
            lines[last + 1:last + 1] = ["", link]
    if not args.no_embed:
        with open(DOC, "w") as f:
            f.write("\n".join(lines))


if __name__ == "__main__":
    main()
