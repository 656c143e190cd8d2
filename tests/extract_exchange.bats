#!/usr/bin/env bats
# extract_exchange.bats - oisync-extract exchange against the fake EWS server.

load helper

DB_REL="state/ex1/alice@firm.example.db"

# One fake for the file, put back to its seed before every test by
# reset_fake (data, faults, stats, clock): starting a fake costs a Python
# process, a reset one request. Its files (seed, credentials, data folder) are
# the file's; each test has its own folder for the configuration, the state and
# ews.secret, which a test may spoil. No test here needs a fresh process.
setup_file() {
	ews_fake_for_file svc-oisync svc-limited <<'EOF' || return 1
{"service_accounts": {"svc-oisync": {"impersonate": ["*"]},
                      "svc-limited": {"impersonate": ["alice@firm.example"]}},
 "mailboxes": {
  "alice@firm.example": {"contacts": [
   {"GivenName": "Jane", "MiddleName": "Q.", "Surname": "Doe", "Generation": "Jr.",
    "DisplayName": "Jane Q. Doe Jr.", "FileAs": "Doe, Jane", "CompanyName": "Acme & Sons",
    "JobTitle": "General Counsel", "EmailAddresses": {"EmailAddress1": "jane.doe@acme.example"},
    "PhoneNumbers": {"MobilePhone": "+12125550199", "BusinessPhone": "+12125550100"},
    "PhysicalAddresses": {"Business": {"Street": "1 Main Street\nSuite 400", "City": "New York",
                                       "State": "NY", "CountryOrRegion": "US", "PostalCode": "10001"}},
    "PostalAddressIndex": "Business", "Birthday": "1975-04-12T11:59:00Z",
    "Body": "Met at the 2024 IP conference.\nPrefers e-mail.", "Categories": ["Clients", "VIP"],
    "ExtendedProperties": [
     {"PropertyTag": "0x3A45", "PropertyType": "String", "Value": "Ms."},
     {"PropertySetId": "00062004-0000-0000-C000-000000000046", "PropertyId": 32847,
      "PropertyType": "String", "Value": "Matter 2024-001"}]},
   {"GivenName": "Bob", "Surname": "Roe", "DisplayName": "Bob Roe", "Sensitivity": "Private",
    "EmailAddresses": {"EmailAddress1": "bob@roe.example"},
    "ExtendedProperties": [{"DistinguishedPropertySetId": "PublicStrings", "PropertyName": "oisync-op-id",
                            "PropertyType": "String", "Value": "op-1234"}]},
   {"GivenName": "Carla", "Surname": "Diaz", "DisplayName": "Carla Diaz"}]},
  "bob@firm.example": {"contacts": []}}}
EOF
	first_migration >"$BATS_FILE_TMPDIR/schema.sql"
}

teardown_file() {
	stop_fake EWS
}

setup() {
	ews_fake_test
}

fake() { ctl EWS "$@"; }

extract() { # [MAILBOX] [OPTION...]
	local box=$ALICE
	if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then box=$1; shift; fi
	"$BIN/oisync-extract" -c "$T/oisync.conf" exchange --mailbox "$box" "$@" >out.jsonl 2>err.log
}

contact_id() { # SURNAME
	fake "dump?mailbox=$ALICE" | jq -r --arg s "$1" '.contacts[] | select(.Surname == $s) | .ItemId.Id'
}

ids() { jq -r 'select(.type == "contact") | .op + " " + .data.Surname // .op' out.jsonl | sort; }
checkpoints() { jq -c 'select(.type == "checkpoint")' out.jsonl; }
token() { jq -r 'select(.type == "checkpoint") | .token' out.jsonl; }


# The state database as apply leaves it: the schema's first migration (taken
# from lib/state_schema.c; later ones run on open) plus the committed token.
commit_token() { # TOKEN
	mkdir -p state/ex1
	[ -f "$DB_REL" ] || sqlite3 "$DB_REL" <"$BATS_FILE_TMPDIR/schema.sql"
	sqlite3 "$DB_REL" "PRAGMA user_version = 1; INSERT OR REPLACE INTO checkpoints (side, folder, token, updated)
		VALUES ('exchange', 'contacts', '$1', '2026-11-24T10:00:00Z');"
}

@test "full read: every contact with its fields, then a full checkpoint" {
	run extract
	assert_success
	[ "$(jq -s length out.jsonl)" -eq 4 ]
	# The checkpoint comes last, complete and full.
	run jq -c 'select(.type == "checkpoint") | [.side, .account, .folder, .complete, .full, (.token | length > 0)]' out.jsonl
	assert_output '["exchange","alice@firm.example","contacts",true,true,true]'
	run jq -r '.type' out.jsonl
	assert_line --index 3 checkpoint
	# Envelope of each item.
	run jq -c 'select(.type == "contact") | [.side, .account, .folder, .op, (.id | length > 0),
		(.version | length > 0), (.modified | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$"))]' out.jsonl
	assert_output - <<'EOF'
["exchange","alice@firm.example","contacts","upsert",true,true,true]
["exchange","alice@firm.example","contacts","upsert",true,true,true]
["exchange","alice@firm.example","contacts","upsert",true,true,true]
EOF
	# The native data of Jane, as documented in oisync-extract(1).
	run jq -c 'select(.data.Surname == "Doe") | .data | [.GivenName, .CompanyName, .EmailAddresses.EmailAddress1,
		.PhoneNumbers.MobilePhone, .PhysicalAddresses.Business.Street, .PhysicalAddresses.Business.City,
		.Categories, .Body, .CompleteName.Title, .ExtendedProperties["0x3A45"],
		.ExtendedProperties["00062004-0000-0000-C000-000000000046:0x804F"], has("ItemId"), has("ParentFolderId")]' out.jsonl
	assert_output '["Jane","Acme & Sons","jane.doe@acme.example","+12125550199","1 Main Street\nSuite 400","New York",["Clients","VIP"],"Met at the 2024 IP conference.\nPrefers e-mail.","Ms.","Ms.","Matter 2024-001",false,false]'
	# The id and version are the server's.
	want=$(fake "dump?mailbox=$ALICE" | jq -c '[.contacts[] | [.ItemId.Id, .ItemId.ChangeKey]] | sort')
	assert_equal "$(jq -sc '[.[] | select(.type == "contact") | [.id, .version]] | sort' out.jsonl)" "$want"
	# op_tag carries what oisync created.
	run jq -c 'select(.type == "contact") | [.data.Surname, .op_tag]' out.jsonl
	assert_line '["Roe","op-1234"]'
	assert_line '["Doe",null]'
}

@test "the canonical mapping of a read contact (transform's input) is exact" {
	run extract
	assert_success
	jq -c 'select(.data.Surname == "Doe")' out.jsonl >doe.jsonl
	run "$BIN/oisync-transform" --region US doe.jsonl
	assert_success
	run jq -c '.data' <<<"$output"
	assert_output '{"addresses":{"business":{"city":"New York","country":"US","postal_code":"10001","region":"NY","street":"1 Main Street\nSuite 400"}},"birthday":"1975-04-12","categories":["Clients","VIP"],"company":"Acme & Sons","custom":["Matter 2024-001","","",""],"display":"Jane Q. Doe Jr.","emails":[{"address":"jane.doe@acme.example","kind":"work"}],"file_as":"Doe, Jane","first":"Jane","job_title":"General Counsel","last":"Doe","mailing_address":"business","middle":"Q.","notes":"Met at the 2024 IP conference.\nPrefers e-mail.","phones":{"business":"+12125550100","mobile":"+12125550199"},"prefix":"Ms.","suffix":"Jr."}'
}

@test "second run from the committed token emits only the checkpoint" {
	run extract
	assert_success
	commit_token "$(token)"
	run extract --stats
	assert_success
	run jq -c '[.type, .full, .complete]' out.jsonl
	assert_output '["checkpoint",false,true]'
	run grep -c 'exchange contacts: .* requests .* 0 items, 0 deletes' err.log
	assert_output 1
	# --full ignores the committed token.
	run extract --full
	assert_success
	[ "$(jq -s 'map(select(.type == "contact")) | length' out.jsonl)" -eq 3 ]
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output true
}

@test "an edit in Outlook is one upsert with the new value and version" {
	run extract
	commit_token "$(token)"
	id=$(contact_id Diaz)
	old=$(jq -r --arg id "$id" 'select(.id == $id) | .version' out.jsonl)
	fake edit "{\"mailbox\":\"$ALICE\",\"id\":\"$id\",\"set\":{\"JobTitle\":\"Partner\",\"PhoneNumbers.MobilePhone\":\"+15550001\"}}"
	run extract
	assert_success
	run jq -c 'select(.type == "contact") | [.id == "'"$id"'", .op, .data.JobTitle, .data.PhoneNumbers.MobilePhone, .version != "'"$old"'"]' out.jsonl
	assert_output '[true,"upsert","Partner","+15550001",true]'
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output false
}

@test "a new contact is an upsert, a deleted one a delete record" {
	run extract
	commit_token "$(token)"
	id=$(contact_id Roe)
	fake delete "{\"mailbox\":\"$ALICE\",\"id\":\"$id\"}"
	fake create "{\"mailbox\":\"$ALICE\",\"contact\":{\"GivenName\":\"Dan\",\"Surname\":\"New\"}}"
	run extract
	assert_success
	run jq -c 'select(.type == "contact") | [.op, .id == "'"$id"'", .data.Surname, has("data")]' out.jsonl
	assert_line '["upsert",false,"New",true]'
	assert_line '["delete",true,null,false]'
	[ "$(jq -s length out.jsonl)" -eq 3 ]
	run jq -c 'select(.op == "delete") | [.type, .side, .account, .folder]' out.jsonl
	assert_output '["contact","exchange","alice@firm.example","contacts"]'
}

@test "a sync state the server rejects falls back to a full read with a warning" {
	commit_token "AU9TU3Nub3RhdG9rZW4="
	run extract
	assert_success
	run cat err.log
	assert_output --partial "sync state rejected by the server; reading the whole folder"
	[ "$(jq -s 'map(select(.type == "contact")) | length' out.jsonl)" -eq 3 ]
	run jq -c 'select(.type == "checkpoint") | .full' out.jsonl
	assert_output true
}

@test "small GetItem batches still read every contact" {
	write_conf server.getitem_batch=2
	fake stats/reset '{}' >/dev/null
	run extract
	assert_success
	[ "$(jq -s 'map(select(.type == "contact")) | length' out.jsonl)" -eq 3 ]
	run jq -c '.operations' <<<"$(ctl EWS "stats")"
	# FindFolder: a full read looks for the mailbox's "InterAction Sync" record.
	assert_output '{"FindFolder":1,"GetItem":2,"SyncFolderItems":1}'
}

@test "delegate access reads the same mailbox" {
	write_conf server.access=delegate
	run extract
	assert_success
	[ "$(jq -s 'map(select(.type == "contact")) | length' out.jsonl)" -eq 3 ]
}

@test "bad credentials exit 77 with no checkpoint" {
	printf 'wrong\n' >ews.secret
	run extract
	assert_equal "$status" 77
	assert_equal "$(checkpoints)" ""
	run cat err.log
	assert_output --partial "authentication failed"
	assert_output --partial "HTTP 401"
	refute_output --partial "wrong"
}

@test "denied impersonation exits 77, an unknown mailbox 78" {
	write_conf server.username=svc-limited
	run extract bob@firm.example --server ex1
	assert_equal "$status" 77
	assert_equal "$(checkpoints)" ""
	run cat err.log
	assert_output --partial "access to mailbox 'bob@firm.example' denied (ErrorImpersonateUserDenied)"
	run extract nobody@firm.example --server ex1
	assert_equal "$status" 78
	run cat err.log
	assert_output --partial "mailbox 'nobody@firm.example' does not exist"
}

@test "a server that is not listening exits 69 with no checkpoint" {
	write_conf server.url=http://127.0.0.1:9/EWS/Exchange.asmx
	run extract
	assert_equal "$status" 69
	assert_equal "$(checkpoints)" ""
	assert_equal "$(cat out.jsonl)" ""
	run cat err.log
	assert_output --partial "127.0.0.1:9"
}

@test "truncated bodies fail the run naming the problem, with no checkpoint" {
	fake faults '{"truncate":{"next":100}}' >/dev/null
	run extract
	assert_equal "$status" 69
	assert_equal "$(checkpoints)" ""
	run cat err.log
	assert_output --regexp "(transfer closed|partial|bytes remaining)"
}

@test "ErrorServerBusy is retried after BackOffMilliseconds" {
	fake faults '{"server_busy":{"next":1,"backoff_ms":50}}' >/dev/null
	run extract --stats
	assert_success
	[ "$(jq -s 'map(select(.type == "contact")) | length' out.jsonl)" -eq 3 ]
	run cat err.log
	assert_output --partial "(1 retries)"
	# Still busy after every retry: temporary failure, no checkpoint.
	fake faults '{"server_busy":{"next":100,"backoff_ms":10}}' >/dev/null
	run extract
	assert_equal "$status" 75
	assert_equal "$(checkpoints)" ""
}

@test "a reply that is not EWS is a broken reply, never an empty folder" {
	# A plain web server answering 200 with HTML where EWS should be.
	mkdir -p www/EWS
	printf '<html><body>It works</body></html>\n' >www/EWS/Exchange.asmx
	/usr/bin/python3 - <<'EOF' &
import http.server, socketserver, os
os.chdir("www")
class H(http.server.SimpleHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        return self.do_GET()
    def log_message(self, *a):
        pass
with socketserver.TCPServer(("127.0.0.1", 0), H) as s:
    open("../www.port", "w").write(str(s.server_address[1]))
    s.serve_forever()
EOF
	WWW_PID=$!
	wait_port www.port "$WWW_PID" >/dev/null
	write_conf "server.url=http://127.0.0.1:$(cat www.port)/EWS/Exchange.asmx"
	run extract
	kill "$WWW_PID"
	assert_equal "$status" 69
	assert_equal "$(cat out.jsonl)" ""
	run cat err.log
	assert_output --partial "broken reply from http://127.0.0.1:$(cat www.port)/EWS/Exchange.asmx"
}

# canonical_of OP_TAG: the contact oisync created with that op id, read back and transformed.
canonical_of() {
	extract --full
	jq -c --arg t "$1" 'select(.op_tag == $t)' out.jsonl | "$BIN/oisync-transform" --region US | jq -cS '.data'
}

FULL='{"prefix":"Dr.","first":"Ann","middle":"B.","last":"Lee","suffix":"III","nickname":"Annie","display":"Dr. Ann B. Lee III","file_as":"Lee, Ann","company":"Lee & <Sons>","job_title":"CEO","department":"Ops","assistant":"Bo Day","web":"https://lee.example/?a=1&b=\"2\"","notes":"line 1\nline 2\ttab","emails":[{"address":"ann@lee.example","kind":"work"},{"address":"ann@home.example","kind":"home"},{"address":"x@y.example","kind":"other"}],"phones":{"business":"+12125550100;ext=12","business2":"+12125550102","mobile":"+12125550103","home":"+12125550104","home2":"+12125550105","business_fax":"+12125550106","home_fax":"+12125550107","assistant":"+12125550108","pager":"+12125550109","other":"+12125550110"},"addresses":{"business":{"street":"1 Main St\nFloor 2","city":"New York","region":"NY","postal_code":"10001","country":"US"},"home":{"city":"Paris","country":"FR"},"other":{"street":"9 Side Rd"}},"mailing_address":"home","birthday":"1970-01-01","categories":["A","B b"],"custom":["","two","","four"],"private":true}'

@test "round trip: canonical -> CreateItem -> GetItem -> canonical is exact" {
	run apply_ops '{"type":"op","op_id":"op-rt-1","action":"create","target":"exchange","kind":"contact","pair":"p1","id":null,"if_version":null,"data":'"$FULL"',"reason":"test"}'
	assert_success
	run jq -c '[.status, (.id | length > 0), (.version | length > 0)]' results.jsonl
	assert_output '["ok",true,true]'
	run canonical_of op-rt-1
	assert_success
	assert_output "$(jq -cS . <<<"$FULL")"
	# Every Exchange field was written where Outlook shows it; phones in the international form (phone_format).
	run jq -c 'select(.op_tag == "op-rt-1") | .data | [.GivenName, .PhoneNumbers.BusinessPhone2, .PhysicalAddresses.Home.City,
		.PostalAddressIndex, .Sensitivity, .Birthday, .CompleteName.Title, .EmailAddresses.EmailAddress3]' out.jsonl
	assert_output '["Ann","+1 212-555-0102","Paris","Home","Private","1970-01-01T12:00:00Z","Dr.","x@y.example"]'
}

@test "round trip: UpdateItem sets and clears exactly the named fields; stale versions conflict" {
	run apply_ops '{"type":"op","op_id":"op-rt-2","action":"create","target":"exchange","kind":"contact","pair":"p2","id":null,"if_version":null,"data":'"$FULL"',"reason":"test"}'
	assert_success
	id=$(jq -r .id results.jsonl)
	v1=$(jq -r .version results.jsonl)
	# Change some units, clear others; the rest must stay as they were.
	new=$(jq -c '.phones.mobile = "+12125550199" | del(.phones.pager) | .emails = [.emails[0], .emails[2]]
		| .addresses.other = {"city":"Rome","country":"IT"} | del(.addresses.business) | .custom = ["one","","",""]
		| del(.prefix) | del(.private) | .mailing_address = "other" | .categories = ["Z"] | .notes = "new"
		| del(.birthday) | .last = "Lee-Smith"' <<<"$FULL")
	fields='["last","prefix","notes","birthday","mailing_address","private","categories","emails.home","phones.mobile","phones.pager","addresses.business","addresses.other","custom.1","custom.2","custom.4"]'
	run apply_ops '{"type":"op","op_id":"op-up-1","action":"update","target":"exchange","kind":"contact","pair":"p2","id":"'"$id"'","if_version":"'"$v1"'","data":'"$new"',"fields":'"$fields"',"reason":"test"}'
	assert_success
	run jq -c '[.status, .version != "'"$v1"'"]' results.jsonl
	assert_output '["ok",true]'
	run canonical_of op-rt-2
	assert_output "$(jq -cS . <<<"$new")"
	# The old version is stale now: an update or a delete with it is a conflict, nothing changes.
	run apply_ops '{"type":"op","op_id":"op-up-2","action":"update","target":"exchange","kind":"contact","pair":"p2","id":"'"$id"'","if_version":"'"$v1"'","data":{"first":"X"},"fields":["first"],"reason":"test"}'
	run jq -r .status results.jsonl
	assert_output conflict
	run apply_ops '{"type":"op","op_id":"op-del-1","action":"delete","target":"exchange","kind":"contact","pair":"p2","id":"'"$id"'","if_version":"'"$v1"'","reason":"test"}'
	run jq -r .status results.jsonl
	assert_output conflict
	run canonical_of op-rt-2
	assert_output "$(jq -cS . <<<"$new")"
	# With the current version the delete goes through (to Deleted Items).
	v2=$(jq -r --arg id "$id" 'select(.id == $id) | .version' out.jsonl)
	run apply_ops '{"type":"op","op_id":"op-del-2","action":"delete","target":"exchange","kind":"contact","pair":"p2","id":"'"$id"'","if_version":"'"$v2"'","reason":"test"}'
	run jq -r .status results.jsonl
	assert_output ok
	run extract --full
	assert_equal "$(jq -s --arg id "$id" 'map(select(.id == $id)) | length' out.jsonl)" 0
}

@test "the examples of oisync-extract(1) run" {
	export OISYNC_CONF="$T/oisync.conf" PATH="$BIN:$PATH"
	# Each .nf/.fi block of EXAMPLES is one command (troff's \- is a plain -).
	awk '/^\.SH EXAMPLES/ {on = 1; next} /^\.SH/ {on = 0} on && /^\.nf/ {blk = ""; inb = 1; next}
	     on && /^\.fi/ {print blk; inb = 0; next} on && inb && !/^\.in/ {blk = blk (blk ? "\n" : "") $0}' \
		"$BATS_TEST_DIRNAME/../man/oisync-extract.1" | sed 's/\\-/-/g' >examples.txt
	csplit -s -z -f cmd examples.txt '/^oisync-extract/' '{*}'
	n=0
	for f in cmd[0-9]*; do
		run bash -o pipefail "$f"
		assert_success
		[ -n "$output" ] || { echo "example $f printed nothing"; cat "$f"; false; }
		n=$((n + 1))
	done
	[ "$n" -eq 3 ]
	run bash -o pipefail cmd00
	assert_output '["contacts",true]'
}

@test "a create whose reply was lost is found by its op id, not sent twice" {
	op='{"type":"op","op_id":"op-lost-1","action":"create","target":"exchange","kind":"contact","pair":"p3","id":null,"if_version":null,"data":{"first":"Lost","last":"Reply"},"reason":"test"}'
	run apply_ops "$op"
	assert_success
	id=$(jq -r .id results.jsonl)
	# As if apply died between sending the create and recording the answer
	# (so before the commit that makes the pair).
	sqlite3 "apply-state/ex1/$ALICE.db" "UPDATE applied SET status = 'pending', new_id = NULL, new_version = NULL, folded = 0 WHERE op_id = 'op-lost-1'; DELETE FROM pairs WHERE pair_id = 'p3'"
	fake stats/reset '{}' >/dev/null
	run apply_ops "$op"
	assert_success
	run jq -c '.operations' <<<"$(ctl EWS "stats")"
	assert_output '{"FindItem":1}'
	run jq -c '[.status, .id == "'"$id"'"]' results.jsonl
	assert_output '["ok",true]'
	run jq '[.contacts[] | select(.Surname == "Reply")] | length' <<<"$(ctl EWS "dump?mailbox=$ALICE")"
	assert_output 1
}

@test "an X.500 e-mail address is read with the SMTP address the item carries, which transform takes" {
	x500="/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=5f2a0c1e-gal"
	fake create "$(jq -cn --arg m "$ALICE" --arg a "$x500" '{mailbox:$m,contact:{GivenName:"Gal",Surname:"Entry",
		EmailAddresses:{EmailAddress1:$a},
		ExtendedProperties:[{PropertySetId:"00062004-0000-0000-C000-000000000046",PropertyId:32900,
				     PropertyType:"String",Value:"Gal.Entry@Firm.Example"}]}}')" >/dev/null
	run extract
	assert_success
	jq -c 'select(.data.Surname == "Entry")' out.jsonl >gal.jsonl
	assert_equal "$(jq -r '.data.EmailAddresses.EmailAddress1' gal.jsonl)" "$x500"
	assert_equal "$(jq -r '.data.ExtendedProperties["00062004-0000-0000-C000-000000000046:0x8084"]' gal.jsonl)" \
		Gal.Entry@Firm.Example
	assert_equal "$("$BIN/oisync-transform" gal.jsonl | jq -c .data.emails)" '[{"address":"gal.entry@firm.example","kind":"work"}]'
}
