#!/usr/bin/python3
# commit_checkpoint.py - an account's state as oisync-apply leaves it after committing one checkpoint.
"""Write a state database holding one committed checkpoint, for the quiet runs of the benches.

    commit_checkpoint.py DB SIDE FOLDER TOKEN

DB (made anew; its folder is created) gets the schema's first migration, read
from lib/state_schema.c (the later ones run when oisync opens it), and the
checkpoint (SIDE, FOLDER, TOKEN): what oisync-apply commits after a read that
ended with that checkpoint record, without a reconcile and an apply to time.
"""

import os
import re
import sqlite3
import sys

SCHEMA_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib", "state_schema.c")


def first_migration():
    """The C string literals of migrations[0], concatenated and unescaped."""
    with open(SCHEMA_C, encoding="utf-8") as f:
        src = f.read()
    body = src[src.index("migrations[] = {") + 16:]
    sql, pos = [], 0
    tok = re.compile(r'\s+|/\*.*?\*/|//[^\n]*|"((?:[^"\\]|\\.)*)"|,', re.S)
    while True:
        m = tok.match(body, pos)
        if m.group(0) == ",":
            break
        if m.group(1) is not None:
            sql.append(m.group(1).encode().decode("unicode_escape"))
        pos = m.end()
    return "".join(sql)


def main():
    if len(sys.argv) != 5:
        sys.stderr.write("usage: commit_checkpoint.py DB SIDE FOLDER TOKEN\n")
        return 2
    db, side, folder, token = sys.argv[1:]
    os.makedirs(os.path.dirname(os.path.abspath(db)), mode=0o700, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    con = sqlite3.connect(db)
    con.executescript(first_migration())
    con.execute("PRAGMA user_version = 1")
    con.execute("INSERT INTO checkpoints (side, folder, token, updated) VALUES (?, ?, ?, ?)",
                (side, folder, token, "2026-11-24T10:00:00Z"))
    con.commit()
    con.close()
    os.chmod(db, 0o600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
