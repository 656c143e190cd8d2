#!/usr/bin/python3
# table.py - print bench/extract_exchange's raw runs (TSV) as a table, one row per tool (median run).
"""Format the runs of bench/extract_exchange.

    table.py RUNS.tsv

RUNS.tsv columns: tool, wall_s, user_s, sys_s, maxrss_kb, fake_cpu_s,
requests, items, operations (JSON). Runs of the same tool are reduced to the
one with the median wall time (so its other figures are from the same run).
"""

import json
import sys

COLS = ("tool", "wall s", "client CPU s", "fake CPU s", "requests", "peak RSS MB", "items/s")


def main():
    runs = {}
    order = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            tool, wall, user, sys_s, rss, fake, reqs, items, ops = line.rstrip("\n").split("\t")
            if tool not in runs:
                runs[tool] = []
                order.append(tool)
            runs[tool].append({"wall": float(wall), "cpu": float(user) + float(sys_s),
                               "rss": int(rss) / 1024.0, "fake": float(fake),
                               "requests": int(reqs), "items": int(items),
                               "ops": json.loads(ops or "{}")})
    rows = []
    for tool in order:
        rs = sorted(runs[tool], key=lambda r: r["wall"])
        r = rs[(len(rs) - 1) // 2]
        rows.append((tool, "%.2f" % r["wall"], "%.2f" % r["cpu"], "%.2f" % r["fake"],
                     str(r["requests"]), "%.1f" % r["rss"],
                     "%.0f" % (r["items"] / r["wall"] if r["wall"] > 0 else 0),
                     r["ops"], len(rs)))
    width = [max(len(COLS[i]), *(len(row[i]) for row in rows)) for i in range(len(COLS))]
    fmt = lambda cells: "  ".join(  # noqa: E731
        c.ljust(width[i]) if i == 0 else c.rjust(width[i]) for i, c in enumerate(cells))
    print(fmt(COLS))
    print(fmt(["-" * w for w in width]))
    for row in rows:
        print(fmt(row[:7]))
    print()
    print("requests by operation (fake's count; runs per row: %s):"
          % ", ".join(sorted({str(row[8]) for row in rows})))
    for row in rows:
        print("  %-*s  %s" % (width[0], row[0],
                              ", ".join("%s %d" % kv for kv in sorted(row[7].items()))))


if __name__ == "__main__":
    main()
