#!/usr/bin/env bash
# demo.sh BUILD - a full sync against the bundled fake Exchange and InterAction:
# first sync, edits on both sides, second sync, a third with nothing to do.
# Two Exchange servers share one InterAction: ex1 (Exchange Server, over EWS)
# holds alice's and bob's mailboxes, online (Exchange Online, over Microsoft
# Graph) carol's and dave's. Alice has calendar sync on: her meetings are
# printed on both sides after each sync.
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
holdings() {
	"$PYTHON" "$root/tests/fakes/holdings.py" "$(cat "$demo/ews.url")" "$(cat "$demo/ia.url")" \
		--graph "$(cat "$demo/graph.url")" "$@"
}

say "Starting the fake Exchange Server (EWS), Exchange Online (Graph) and InterAction servers"
fakes_start "$demo" "$root/tests/data/demo/ews_seed.json" "$root/tests/data/demo/interaction_seed.json"
fakes_add_graph "$demo" "$root/tests/data/demo/graph_seed.json" online
printf '\n[user carol]\nmailbox = carol@firm.example\nserver = online\nenabled = yes\n' >>"$demo/users.conf"
printf '\n[user dave]\nmailbox = dave@firm.example\nserver = online\nenabled = yes\n' >>"$demo/users.conf"
echo "EWS:         $(cat "$demo/ews.url")/EWS/Exchange.asmx  ([server ex1]: alice, bob)"
echo "Graph:       $(cat "$demo/graph.url")/v1.0  ([server online], type graph: carol, dave)"
echo "InterAction: $(cat "$demo/ia.url")/api/v1"
echo "config:      $OISYNC_CONF (users: $demo/users.conf)"

# Calendar sync for alice, with Outlook's "Calls" category as InterAction's Call type.
sed -i '/^\[user alice\]/a calendar = on' "$demo/users.conf"
printf 'appointment_types = Calls -> Call\n' >>"$demo/oisync.conf"
# Her meetings, around today (the window is 30 days back, 180 ahead).
day() { date -u -d "$1" +%Y-%m-%d; }
meeting() { # SUBJECT START END [JSON_EXTRA]
	ews_ctl "$demo" create "{\"mailbox\":\"alice@firm.example\",\"folder\":\"calendar\",\"item\":{\"Subject\":\"$1\",\"Start\":\"$2\",\"End\":\"$3\"${4:+,$4}}}" >/dev/null
}
meeting "Acme kickoff" "$(day tomorrow)T15:00:00Z" "$(day tomorrow)T16:00:00Z" \
	'"Location":"Acme HQ","RequiredAttendees":[{"Name":"Erik Nilsson","EmailAddress":"erik.nilsson@nordvik.example"},{"Name":"A Visitor","EmailAddress":"visitor@elsewhere.example"}]'
meeting "Partners' lunch" "$(day '+3 days')T12:00:00Z" "$(day '+3 days')T13:00:00Z"
meeting "Call with Meridian" "$(day yesterday)T14:00:00Z" "$(day yesterday)T14:30:00Z" '"Categories":["Calls"]'
meeting "Doctor" "$(day '+2 days')T08:00:00Z" "$(day '+2 days')T09:00:00Z" '"Sensitivity":"Private"'
calendars() {
	holdings --json | jq -r '.mailboxes["alice@firm.example"] |
		"Outlook calendar (alice):", (.outlook_calendar[] | "  \(.start)  \(.subject)"),
		"InterAction (alice):", (.interaction_calendar[] | "  \(.start)  \(.subject)  [\(.status), \(.type), \(.participants) linked]")'
}

say "Before the first sync"
holdings --counts
calendars

say "First sync: oisync-run ex1, then oisync-run online"
oisync-run ex1
calendars
echo "(the private meeting stays in Outlook; yesterday's call is recorded as an activity)"
oisync-run online

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
lunch=$(ews_ctl "$demo" "dump?mailbox=alice@firm.example&folder=calendar" | jq -r '.calendar[] | select(.Subject == "Partners'"'"' lunch") | .ItemId.Id')
ews_ctl "$demo" edit "{\"mailbox\":\"alice@firm.example\",\"id\":\"$lunch\",\"set\":{\"Start\":\"$(day yesterday)T12:00:00Z\",\"End\":\"$(day yesterday)T13:00:00Z\"}}" >/dev/null
echo "Outlook (alice):     Partners' lunch moved to yesterday (it took place early)"
sofia=$(graph_ctl "$demo" "dump?mailbox=carol@firm.example" | jq -r '.contactFolders[].contacts[] | select(.surname == "Lindqvist") | .id')
graph_ctl "$demo" edit "{\"mailbox\":\"carol@firm.example\",\"id\":\"$sofia\",\"set\":{\"jobTitle\":\"General Counsel\"}}" >/dev/null
echo "Outlook (carol):     Sofia Lindqvist's job title -> General Counsel (Exchange Online)"

say "Second sync: only those edits move"
# One user after the other: bob's run then sees the firm contact alice's run
# just changed (run side by side, it would take that change a run later).
oisync-run -j 1 ex1
calendars
echo "(the lunch, now over, became an activity)"
oisync-run online

say "Third sync: the second sync's own writes come back; nothing to do"
oisync-run ex1
oisync-run online

say "Fourth sync: nothing new anywhere: extract alone commits, no change set"
oisync-run ex1
oisync-run online

say "What each side holds now"
holdings

say "Saved change sets (replay with: oisync-apply --replay FILE)"
ls -1 "$demo/state/changes/ex1/" "$demo/state/changes/online/"
