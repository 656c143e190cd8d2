#!/usr/bin/python3
# graph_table.py - print bench/extract_graph's raw runs (TSV) as tables: the runs, oisync against the SDK, the goals.
"""Format the runs of bench/extract_graph.

    graph_table.py RUNS.tsv

RUNS.tsv columns: name ("oisync full", "oisync quiet", "SDK full", "SDK
quiet"), wall_s, user_s, sys_s, maxrss_kb, fake_cpu_s, api_requests,
token_requests, delta_requests, items, bytes_received (oisync's --stats, "-"
when not known). Runs of one name are reduced to the one with the median wall
time (its other figures are from the same run).

The goals are issue 12's: against the SDK, wall time at least 2x shorter and
client CPU at least 10x lower; peak RSS under 50 MB; and no request more than
the read needs: a full read of N contacts ceil(N / 1000) delta pages, as many
list pages and one lookup of the mailbox's sync record; a quiet run one delta
request; each at most one token request.
"""

import sys

GOAL_WALL = 2.0
GOAL_CPU = 10.0
GOAL_RSS_MB = 50.0
PAGE = 1000


def load(path):
    runs, order = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            (name, wall, user, sys_s, rss, fake, api, tok, delta, items,
             received) = line.rstrip("\n").split("\t")
            if name not in runs:
                runs[name] = []
                order.append(name)
            runs[name].append({"wall": float(wall), "cpu": float(user) + float(sys_s),
                               "rss": int(rss) / 1024.0, "fake": float(fake), "api": int(api),
                               "token": int(tok), "delta": int(delta), "items": int(items),
                               "received": received})
    med = {}
    for name in order:
        rs = sorted(runs[name], key=lambda r: r["wall"])
        med[name] = rs[(len(rs) - 1) // 2]
        med[name]["runs"] = len(rs)
    return order, med


def table(cols, rows):
    width = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    fmt = lambda cells: "  ".join(  # noqa: E731
        c.ljust(width[i]) if i == 0 else c.rjust(width[i]) for i, c in enumerate(cells))
    print(fmt(cols))
    print(fmt(["-" * w for w in width]))
    for r in rows:
        print(fmt(r))


def ratio(a, b):
    """How many times b is a (b / a), as text; '-' when a is 0."""
    return "%.1fx" % (b / a) if a > 0 else "-"


def main():
    order, med = load(sys.argv[1])
    table(("run", "wall s", "client CPU s", "fake CPU s", "peak RSS MB", "API requests",
           "delta requests", "token requests", "items", "bytes received"),
          [(n, "%.2f" % r["wall"], "%.2f" % r["cpu"], "%.2f" % r["fake"], "%.1f" % r["rss"],
            str(r["api"]), str(r["delta"]), str(r["token"]), str(r["items"]), r["received"])
           for n, r in ((n, med[n]) for n in order)])
    print("(runs per row: %s)" % ", ".join(sorted({str(med[n]["runs"]) for n in order})))

    pairs = [k for k in ("full", "quiet") if "oisync " + k in med and "SDK " + k in med]
    if pairs:
        print()
        print("oisync against the SDK (how many times the SDK's figure is oisync's):")
        print()
        rows = []
        for k in pairs:
            o, s = med["oisync " + k], med["SDK " + k]
            rows.append((k, ratio(o["wall"], s["wall"]), ratio(o["cpu"], s["cpu"]),
                         ratio(o["rss"], s["rss"]),
                         "%d+%d / %d+%d" % (o["api"], o["token"], s["api"], s["token"])))
        table(("read", "wall", "client CPU", "peak RSS", "requests (API+token) oisync / SDK"), rows)

    print()
    print("goals (issue 12):")
    for k in ("full", "quiet"):
        o = med.get("oisync " + k)
        if not o:
            continue
        s = med.get("SDK " + k)
        goals = []
        if s:
            goals.append(("wall >= %.0fx shorter" % GOAL_WALL, s["wall"] >= GOAL_WALL * o["wall"],
                          ratio(o["wall"], s["wall"])))
            goals.append(("CPU >= %.0fx lower" % GOAL_CPU, s["cpu"] >= GOAL_CPU * o["cpu"],
                          ratio(o["cpu"], s["cpu"])))
        goals.append(("RSS < %.0f MB" % GOAL_RSS_MB, o["rss"] < GOAL_RSS_MB, "%.1f MB" % o["rss"]))
        if k == "quiet":
            goals.append(("one delta request, <= 1 token request",
                          o["api"] == 1 and o["delta"] == 1 and o["token"] <= 1,
                          "%d API (%d delta) + %d token" % (o["api"], o["delta"], o["token"])))
        else:
            # Pages of 1000 (Graph's largest): the delta round's and the list's,
            # and the one lookup of the mailbox's sync record (a full read only).
            pages = -(-o["items"] // PAGE)
            goals.append(("%d delta + %d list pages + 1 lookup, <= 1 token" % (pages, pages),
                          o["api"] <= 2 * pages + 1 and o["delta"] <= pages and o["token"] <= 1,
                          "%d API (%d delta) + %d token" % (o["api"], o["delta"], o["token"])))
        for what, ok, fig in goals:
            print("  %-6s %-48s %-6s %s" % (k, what, "met" if ok else "MISSED", fig))


if __name__ == "__main__":
    main()
