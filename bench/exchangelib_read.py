#!/usr/bin/python3
# exchangelib_read.py - the baseline: a full read of a mailbox's contacts with Debian's exchangelib.
"""Read every contact of a mailbox the way a straightforward exchangelib program would.

    exchangelib_read.py URL MAILBOX USER SECRET_FILE [--max-changes N] [--chunk N]

SyncFolderItems (IdOnly, MaxChangesReturned N, default 512 like oisync) until
the last page, then GetItem for the ids in chunks (exchangelib's default 100)
with every Contact field. Basic authentication, autodiscover off,
impersonation. The secret is read from SECRET_FILE, never from the command
line. Prints one JSON line: {"items", "changes", "seconds"}. Items are built
as exchangelib Contact objects and counted, not serialized.
"""

import argparse
import json
import sys
import time

from exchangelib import (BASIC, IMPERSONATION, Account, Build, Configuration, Credentials,
                         Version)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("mailbox")
    ap.add_argument("user")
    ap.add_argument("secret_file")
    ap.add_argument("--max-changes", type=int, default=512)
    ap.add_argument("--chunk", type=int, default=None, help="GetItem chunk (exchangelib: 100)")
    args = ap.parse_args()
    with open(args.secret_file, encoding="utf-8") as f:
        secret = f.read().strip()

    start = time.monotonic()
    # The version is given, as oisync's is (Exchange2016): no probe request.
    cfg = Configuration(service_endpoint=args.url, credentials=Credentials(args.user, secret),
                        auth_type=BASIC, version=Version(build=Build(15, 1)))
    account = Account(primary_smtp_address=args.mailbox, access_type=IMPERSONATION,
                      config=cfg, autodiscover=False)
    folder = account.contacts
    ids, changes = [], 0
    for change, item in folder.sync_items(only_fields=["id", "changekey"],
                                          max_changes_returned=args.max_changes):
        changes += 1
        if change in ("create", "update"):
            ids.append((item.id, item.changekey))
    items = 0
    for item in account.fetch(ids, folder=folder, chunk_size=args.chunk):
        if isinstance(item, Exception):
            raise SystemExit("exchangelib_read: GetItem failed: %s" % item)
        items += 1
    print(json.dumps({"items": items, "changes": changes,
                      "seconds": round(time.monotonic() - start, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
