#!/usr/bin/env bash
# demo.sh BUILD - a full sync against the bundled fake Exchange and InterAction:
# first sync, edits on both sides, second sync, a third with nothing to do.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
demo="$build/demo"
rm -rf "$demo"
mkdir -p "$demo"
# shellcheck source=../tests/fakes/fakes.sh
. "$root/tests/fakes/fakes.sh"
trap 'fakes_stop "$demo"' EXIT
export PATH="$build/bin:$root/scripts:$PATH"
export OISYNC_CONF="$demo/oisync.conf"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
holdings() { "$PYTHON" "$root/tests/fakes/holdings.py" "$(cat "$demo/ews.url")" "$(cat "$demo/ia.url")" "$@"; }

say "Starting the fake Exchange (EWS) and InterAction servers"
fakes_start "$demo" "$root/tests/data/demo/ews_seed.json" "$root/tests/data/demo/interaction_seed.json"
echo "EWS:         $(cat "$demo/ews.url")/EWS/Exchange.asmx"
echo "InterAction: $(cat "$demo/ia.url")/api/v1"
echo "config:      $OISYNC_CONF (users: $demo/users.conf)"

say "Before the first sync"
holdings --counts

say "First sync: oisync-run ex1"
oisync-run ex1

say "Editing both sides between runs"
alice_ann=$(ews_ctl "$demo" "dump?mailbox=alice@firm.example" |
	"$PYTHON" -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin)["contacts"] if c.get("Surname")=="Lee"))')
ews_ctl "$demo" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$alice_ann\",\"set\":{\"JobTitle\":\"Senior Partner\"}}" >/dev/null
echo "Outlook (alice):  Ann Lee's job title -> Senior Partner"
alice_tom=$(ews_ctl "$demo" "dump?mailbox=alice@firm.example" |
	"$PYTHON" -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin)["contacts"] if c.get("Surname")=="Haddad"))')
ews_ctl "$demo" delete "{\"mailbox\":\"alice@firm.example\",\"id\":\"$alice_tom\"}" >/dev/null
echo "Outlook (alice):  Omar Haddad deleted"
ews_ctl "$demo" create '{"mailbox":"alice@firm.example","contact":{"GivenName":"Grace","Surname":"Hopper","CompanyName":"Navy Labs","EmailAddresses":{"EmailAddress1":"grace@navylabs.example"},"PhoneNumbers":{"MobilePhone":"(202) 555-0147"}}}' >/dev/null
echo "Outlook (alice):  Grace Hopper created"
carlos=$(ia_ctl "$demo" dump | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(next(c["id"] for c in (d["contacts"].values() if isinstance(d["contacts"],dict) else d["contacts"]) if c.get("last_name")=="Diaz"))')
ia_ctl "$demo" edit "{\"user\":\"alice\",\"contact_id\":\"$carlos\",\"set\":{\"phones\":{\"mobile\":\"+34 600 999 888\"}}}" >/dev/null
echo "InterAction (alice): Carlos Diaz's mobile -> +34 600 999 888"
zoe=$(ia_ctl "$demo" dump | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(next(c["id"] for c in (d["contacts"].values() if isinstance(d["contacts"],dict) else d["contacts"]) if c.get("last_name")=="Adams"))')
ia_ctl "$demo" remove "{\"user\":\"bob\",\"contact_id\":\"$zoe\"}" >/dev/null
echo "InterAction (bob):   Zoe Adams removed from bob's contact list"

say "Second sync: only those edits move"
oisync-run ex1

say "Third sync: nothing changed, nothing to do"
oisync-run ex1

say "What each side holds now"
holdings

say "Saved change sets (replay with: oisync-apply --replay FILE)"
ls -1 "$demo/state/changes/ex1/"
