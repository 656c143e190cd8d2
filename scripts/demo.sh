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

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi
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
ews_id() { ews_ctl "$demo" "dump?mailbox=$1" | jq -r --arg s "$2" '.contacts[] | select(.Surname == $s) | .ItemId.Id'; }
ia_id() { ia_ctl "$demo" dump | jq -r --arg s "$1" '.contacts | to_entries[] | select(.value.last_name == $s) | .key'; }
ews_ctl "$demo" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Lee)\",\"set\":{\"JobTitle\":\"Senior Partner\"}}" >/dev/null
echo "Outlook (alice):     Ann Lee's job title -> Senior Partner"
ews_ctl "$demo" delete "{\"mailbox\":\"alice@firm.example\",\"id\":\"$(ews_id alice@firm.example Haddad)\"}" >/dev/null
echo "Outlook (alice):     Omar Haddad deleted"
ews_ctl "$demo" create '{"mailbox":"alice@firm.example","contact":{"GivenName":"Grace","Surname":"Hopper","CompanyName":"Navy Labs","EmailAddresses":{"EmailAddress1":"grace@navylabs.example"},"PhoneNumbers":{"MobilePhone":"(202) 555-0147"}}}' >/dev/null
echo "Outlook (alice):     Grace Hopper created"
ia_ctl "$demo" edit "{\"user\":\"alice\",\"contact_id\":\"$(ia_id Diaz)\",\"set\":{\"phones\":{\"mobile\":\"+34 600 999 888\"}}}" >/dev/null
echo "InterAction (alice): Carlos Diaz's mobile -> +34 600 999 888"
ia_ctl "$demo" remove "{\"user\":\"bob\",\"contact_id\":\"$(ia_id Adams)\"}" >/dev/null
echo "InterAction (bob):   Zoe Adams removed from bob's contact list"

say "Second sync: only those edits move"
oisync-run ex1

say "Third sync: nothing changed, nothing to do"
oisync-run ex1

say "What each side holds now"
holdings

say "Saved change sets (replay with: oisync-apply --replay FILE)"
ls -1 "$demo/state/changes/ex1/"
