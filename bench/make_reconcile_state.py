#!/usr/bin/python3
"""make_reconcile_state.py - an account state of N synced contact pairs and reads against it, for bench/reconcile.

usage: make_reconcile_state.py SCHEMA_SQL DIR N CHANGES

Writes DIR/state/ex1/alice@firm.example.db as oisync-apply leaves it after
many runs (the schema's SQL from tests/state_helper.bash's schema_sql;
pairs with canonical bases and their sha256, a sync id, a generation,
both contacts checkpoints, a third of the Outlook items made by earlier
applies), built directly: a first sync of 500,000 pairs through the fakes
would take hours. And two reads of that account, both sides each:
DIR/incremental.jsonl, CHANGES changed records (edits of paired items on
either side, a few new items, a few deletes), and DIR/full.jsonl, both
folders whole with 1% of the items edited.
"""
import hashlib, json, os, random, sqlite3, sys

schema, out, n, changes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ACCOUNT, SYNC_ID, GEN = "alice@firm.example", "6f1c0000-0000-4000-8000-000000000001", 40
rnd = random.Random(n)


def canon(d):
    return json.dumps(d, sort_keys=True, separators=(",", ":"))


def sha(text):
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def ex_id(i):  # an EWS item id is some 150 characters of base64
    return "AAMkADk0Mzc2%08dAAARgAAAAD%s" % (i, hashlib.sha1(b"%d" % i).hexdigest() * 3)


def contact(i):
    return {"first": "First%d" % i, "last": "Last%d" % (i % 997), "company": "Firm %d" % (i % 211),
            "job_title": "Partner", "emails": [{"address": "u%d@x%d.example" % (i, i % 50), "kind": "work"}],
            "phones": {"business": "+1202555%04d" % (i % 10000), "mobile": "+1202666%04d" % (i % 9999)},
            "addresses": {"business": {"street": "%d Main Street" % i, "city": "Washington", "postal_code": "20001",
                                       "country": "US"}}}


def pair_id(i):
    return "p-" + hashlib.sha256(("exchange\n" + ex_id(i)).encode()).hexdigest()[:32]


os.makedirs(os.path.join(out, "state", "ex1"), exist_ok=True)
db_path = os.path.join(out, "state", "ex1", ACCOUNT + ".db")
if os.path.exists(db_path):
    os.unlink(db_path)
db = sqlite3.connect(db_path)
db.executescript(open(schema).read())
db.execute("PRAGMA journal_mode = WAL")
db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
               [("sync_id", SYNC_ID), ("generation", str(GEN)), ("last_sync", "2026-12-01T02:00:00Z")])
db.executemany("INSERT INTO checkpoints (side, folder, token, updated, generation) VALUES (?, ?, ?, ?, ?)",
               [("exchange", "contacts", "H4sIAAAAAAAEAO29B2AcSZYlJi9tynt", "2026-12-01T02:00:00Z", GEN),
                ("interaction", "contacts", "ia-cursor-%d" % GEN, "2026-12-01T02:00:00Z", GEN)])


def rows():
    for i in range(n):
        base = canon(contact(i))
        made = rnd.randrange(1, GEN) if i % 3 == 0 else None  # made by an earlier run's apply
        yield (pair_id(i), "contact", ex_id(i), "CQAAABYAAAD%d" % i, str(100000 + i), "%d" % (i % 9 + 1), base,
               sha(base), sha("op%d" % i), "2026-11-01T02:00:00Z", made)


db.executemany("INSERT INTO pairs (pair_id, kind, exchange_id, exchange_version, interaction_id,"
               " interaction_version, base, base_hash, op_id, updated, exchange_made)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
db.commit()
db.close()


def record(side, i, data=None, op="upsert", version=None):
    r = {"type": "contact", "side": side, "account": ACCOUNT, "folder": "contacts",
         "id": ex_id(i) if side == "exchange" else str(100000 + i), "op": op}
    if side == "interaction":
        r["user"] = "alice"
    if op == "upsert":
        r["version"] = version or ("CQAAABYAAAE%d" % i if side == "exchange" else "%d" % (i % 9 + 2))
        r["modified"] = "2026-12-02T09:00:00Z"
        r["data"] = data
    return json.dumps(r, separators=(",", ":"))


def edited(i):
    d = contact(i)
    d["job_title"] = "Counsel"
    return d


def checkpoints(f, full):
    for side in ("exchange", "interaction"):
        f.write(json.dumps({"type": "checkpoint", "side": side, "account": ACCOUNT, "folder": "contacts",
                            "token": "next-%s" % side, "complete": True, "full": full},
                           separators=(",", ":")) + "\n")


# Incremental: mostly edits, either side; 5% new items, 5% deletes (under the mass-delete guard).
picked = rnd.sample(range(n), min(changes, n))
with open(os.path.join(out, "incremental.jsonl"), "w") as f:
    f.write(json.dumps({"type": "syncinfo", "side": "exchange", "account": ACCOUNT, "sync_id": SYNC_ID},
                       separators=(",", ":")) + "\n")
    for j, i in enumerate(picked):
        side = "exchange" if j % 2 else "interaction"
        if j % 20 == 0:
            f.write(record(side, n + i, contact(n + i)) + "\n")
        elif j % 20 == 1:
            f.write(record(side, i, op="delete") + "\n")
        else:
            f.write(record(side, i, edited(i)) + "\n")
    checkpoints(f, False)

# Full: every item of both folders, 1% edited.
changed = set(rnd.sample(range(n), n // 100))
with open(os.path.join(out, "full.jsonl"), "w") as f:
    for side in ("exchange", "interaction"):
        for i in range(n):
            mine = i in changed and (i % 2 == (side == "exchange"))
            f.write(record(side, i, edited(i) if mine else contact(i),
                           version=None if mine else ("CQAAABYAAAD%d" % i if side == "exchange" else "%d" % (i % 9 + 1)))
                    + "\n")
    checkpoints(f, True)
