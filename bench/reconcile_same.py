#!/usr/bin/python3
"""reconcile_same.py - two builds of oisync-reconcile on the same random states and reads: the same bytes out.

usage: reconcile_same.py SCHEMA_SQL BASELINE_BIN NEW_BIN [N] [FIRST_SEED]

For each seed, a random account state (contact pairs whose bases are
written canonically or not, with floats, escapes and non-ASCII text, half
pairs, Outlook items apply made, creates whose answer was lost) and a
random read of both sides (each pair's items reported the same in another
key order or spacing, edited, deleted, moved to a new version, or not at
all; new items, some matching by e-mail or name; an id reported twice;
checkpoints full, incremental or missing; sometimes another sync id or a
bad line), run through both executables with --now. Stdout, stderr and the
exit status must be the same bytes. Prints the first seed that differs and
exits 1; else a summary. A check for a change of reconcile's reading or
pairing that must not change a change set (bench/README.md,
"reconcile_same").
"""
import json, os, random, sqlite3, subprocess, sys, tempfile

schema_path, base_bin, new_bin = sys.argv[1:4]
N = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
FIRST = int(sys.argv[5]) if len(sys.argv) > 5 else 1
ACCOUNT, SYNC_ID = "alice@firm.example", "6f1c0000-0000-4000-8000-000000000001"
SCHEMA = open(schema_path).read()
NAMES = ["Ann", "Bob", "Chloé", "Dana", "Eve", "Zoë", "O'Neil", "Li"]
COMPANIES = ["Firm", "Acme / Co", "Müller GmbH", "Tab\tCo", "Quote \"Q\""]


def contact(r):
    d = {}
    if r.random() < 0.9:
        d["first"] = r.choice(NAMES)
    if r.random() < 0.9:
        d["last"] = r.choice(NAMES) + str(r.randrange(5))
    if r.random() < 0.6:
        d["company"] = r.choice(COMPANIES)
    if r.random() < 0.7:
        d["emails"] = [{"address": "u%d@x.example" % r.randrange(30), "kind": r.choice(["work", "home", "other"])}
                       for _ in range(r.randrange(1, 3))]
    if r.random() < 0.6:
        d["phones"] = {"business": "+1202555%04d" % r.randrange(10000)}
        if r.random() < 0.5:
            d["phones"]["mobile"] = "+1202666%04d" % r.randrange(10000)
    if r.random() < 0.3:
        d["notes"] = r.choice(["line\nbreak", "back\\slash", "plain", "slash/ed", "\u00e9t\u00e9", "ctl\u0001x"])
    if r.random() < 0.2:
        d["categories"] = r.sample(["Clients", "VIP", "Family"], r.randrange(1, 3))
    if r.random() < 0.1:
        d["private"] = r.random() < 0.5
    if r.random() < 0.1:
        d["custom"] = [r.randrange(-3, 1000), None, "x", r.choice([1.5, 2, -0.0, 10 ** 19])]
    if r.random() < 0.05:
        d["entity"] = r.choice(["organization", "couple", "placeholder"])
    return d


def edit(r, d):
    d = json.loads(json.dumps(d))
    k = r.choice(["first", "last", "company", "notes", "job_title"])
    if r.random() < 0.2 and k in d:
        del d[k]
    else:
        d[k] = r.choice(NAMES) + "!"
    return d


def text(r, d, canonical=False):
    """d as JSON text: canonical (a base as apply writes it) or in one of the ways a writer may."""
    if canonical:
        return json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    how = r.randrange(5)
    if how == 0:
        return json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if how == 1:
        return json.dumps(d, separators=(",", ":"), ensure_ascii=False)
    if how == 2:
        return json.dumps(d, ensure_ascii=False)
    if how == 3:
        return json.dumps(d, separators=(",", ":"))  # \u escapes: json-c's path
    items = list(d.items())
    r.shuffle(items)
    return json.dumps(dict(items), separators=(", ", " : "), ensure_ascii=False)


def record(r, side, id_, op="upsert", data=None, version=None, modified=None, op_tag=None):
    keys = [("type", '"contact"'), ("side", json.dumps(side)),
            ("account", json.dumps(ACCOUNT if r.random() < 0.9 else ACCOUNT.title())), ("id", json.dumps(id_)),
            ("op", json.dumps(op))]
    if side == "interaction" and r.random() < 0.8:
        keys.append(("user", '"alice"'))
    if version is not None:
        keys.append(("version", json.dumps(version) if r.random() < 0.97 else "7"))
    if modified:
        keys.append(("modified", json.dumps(modified)))
    if op_tag:
        keys.append(("op_tag", json.dumps(op_tag)))
    if r.random() < 0.1:
        keys.append(("folder", '"contacts"'))
    if data is not None:
        keys.append(("data", text(r, data)))
    elif op == "delete" and r.random() < 0.1:
        keys.append(("data", "null"))
    if r.random() < 0.3:
        r.shuffle(keys)
    return "{" + ",".join("%s:%s" % (json.dumps(k), v) for k, v in keys) + "}"


def scenario(seed, d):
    r = random.Random(seed)
    db = sqlite3.connect(os.path.join(d, "state", "ex1", ACCOUNT + ".db"))
    db.executescript(SCHEMA)
    gen = r.randrange(1, 9)
    db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [("sync_id", SYNC_ID), ("generation", str(gen))])
    cp_gen = r.randrange(0, gen + 1)
    db.execute("INSERT INTO checkpoints (side, folder, token, updated, generation) VALUES"
               " ('exchange', 'contacts', 't', 'x', ?)", (cp_gen,))
    npairs = r.choice([0, 1, 3, 8, 20, 40])
    pairs, lines = [], []
    for i in range(npairs):
        base = contact(r)
        ex = "e-%03d" % i if r.random() < 0.95 else None
        ia = "i-%03d" % i if r.random() < 0.9 or not ex else None
        bt = text(r, base, canonical=r.random() < 0.85)
        if r.random() < 0.003:
            bt = "not json"
        made = r.choice([None, None, r.randrange(0, gen + 1)])
        db.execute("INSERT INTO pairs (pair_id, kind, exchange_id, exchange_version, interaction_id,"
                   " interaction_version, base, base_hash, exchange_made) VALUES (?, 'contact', ?, ?, ?, ?, ?, ?, ?)",
                   ("p-%03d" % i, ex, "v%d" % r.randrange(3) if ex else None, ia,
                    "w%d" % r.randrange(3) if ia else None, bt, "sha256:x", made))
        pairs.append((i, ex, ia, base))
    # A create whose answer was lost: its item may come back with the op's tag.
    if r.random() < 0.15:
        data = contact(r)
        pair = r.choice(["p-new", "p-%03d" % r.randrange(max(npairs, 1))])
        op = {"type": "op", "op_id": "op-lost", "action": "create", "target": "interaction", "kind": "contact",
              "pair": pair, "data": data, "ids": {"exchange": "e-lost", "interaction": None},
              "versions": {"exchange": "v1", "interaction": None}}
        db.execute("INSERT INTO applied (op_id, status, op) VALUES ('op-lost', 'pending', ?)", (json.dumps(op),))
        if r.random() < 0.7:
            lines.append(record(r, "interaction", "i-lost", data=data if r.random() < 0.6 else edit(r, data),
                                version="w1", op_tag="op-lost"))
    db.commit()
    db.close()
    for i, ex, ia, base in pairs:
        for side, id_, vp in (("exchange", ex, "v"), ("interaction", ia, "w")):
            if not id_:
                continue
            what = r.randrange(10)
            mod = "2026-12-0%dT09:00:00Z" % r.randrange(1, 4)
            if what < 4:
                lines.append(record(r, side, id_, data=base, version="%s%d" % (vp, r.randrange(3)), modified=mod))
            elif what < 6:
                lines.append(record(r, side, id_, data=edit(r, base), version="%s9" % vp, modified=mod))
            elif what == 6:
                lines.append(record(r, side, id_, op="delete"))
            elif what == 7 and r.random() < 0.5:
                lines.append(record(r, side, id_, data=base, modified=mod))  # no version
            if r.random() < 0.05:
                lines.append(record(r, side, id_, data=edit(r, base), version="%s8" % vp, modified=mod))
    for j in range(r.randrange(0, 6)):
        side = r.choice(["exchange", "interaction"])
        c = contact(r)
        lines.append(record(r, side, "%s-n%d" % (side[0], j), data=c, version="1",
                            modified="2026-12-02T09:00:00Z"))
        if r.random() < 0.5:
            other = "interaction" if side == "exchange" else "exchange"
            lines.append(record(r, other, "%s-m%d" % (other[0], j), data=edit(r, c) if r.random() < 0.5 else c,
                                version="1"))
    if r.random() < 0.05:
        lines.append(record(r, "exchange", "e-unknown", op="delete"))
    r.shuffle(lines)
    for side in ("exchange", "interaction"):
        how = r.randrange(5)
        if how == 0:
            continue  # no checkpoint: the read was cut
        lines.append(json.dumps({"type": "checkpoint", "side": side, "account": ACCOUNT, "folder": "contacts",
                                 "token": "t2", "complete": True, "full": how >= 3}))
    if r.random() < 0.3:
        lines.insert(0, json.dumps({"type": "syncinfo", "side": "exchange", "account": ACCOUNT,
                                    "sync_id": SYNC_ID if r.random() < 0.8 else "other"}))
    if r.random() < 0.02:
        lines.insert(r.randrange(len(lines) + 1), r.choice(['{"type":"contact","side":"exchange"}', "{bad",
                                                            '{"type":"contact","side":"exchange","account":"bob@x",'
                                                            '"id":"z","op":"delete"}']))
    return "\n".join(lines) + "\n"


def run(binary, d, inp, extra):
    p = subprocess.run([binary, "--state", os.path.join(d, "state"), "--server", "ex1", "--now",
                        "2026-12-02T10:00:00Z"] + extra, input=inp.encode(), capture_output=True)
    return p.returncode, p.stdout, p.stderr.replace(binary.encode(), b"BIN")


differ = 0
codes = {}
ops = 0
for seed in range(FIRST, FIRST + N):
    with tempfile.TemporaryDirectory(prefix="oisync-same.") as d:
        os.makedirs(os.path.join(d, "state", "ex1"))
        inp = scenario(seed, d)
        r = random.Random(-seed)
        extra = r.choice([[], [], ["--allow-mass-delete"], ["--conflict", "exchange-wins"],
                          ["--conflict", "interaction-wins"]])
        a, b = run(base_bin, d, inp, extra), run(new_bin, d, inp, extra)
        if a != b:
            print("seed %d differs (%s):" % (seed, " ".join(extra)))
            for name, x, y in (("status", a[0], b[0]), ("stdout", a[1], b[1]), ("stderr", a[2], b[2])):
                if x != y:
                    print("  %s:\n    baseline: %r\n    new:      %r" % (name, x[:2000], y[:2000]))
            open("reconcile_same.%d.jsonl" % seed, "w").write(inp)
            sys.exit(1)
        codes[a[0]] = codes.get(a[0], 0) + 1
        ops += a[1].count(b'"type":"op"')
print("%d scenarios (seeds %d-%d) the same: exit statuses %s, %d ops in all" %
      (N, FIRST, FIRST + N - 1, dict(sorted(codes.items())), ops))
