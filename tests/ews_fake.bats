#!/usr/bin/env bats
# ews_fake.bats - the fake EWS server answers like Exchange 2016 (curl and exchangelib).

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

FAKES="$BATS_TEST_DIRNAME/fakes/ews"
CLIENTS="$BATS_TEST_DIRNAME/clients"
SEED="$FAKES/seed_example.json"
ALICE=alice@firm.example

# Start the fake on port 0 and wait (at most ~5 s) for its port file.
start_fake() { # [extra args...]
	rm -f "$BATS_TEST_TMPDIR/port"
	/usr/bin/python3 "$FAKES/ews_server.py" --port 0 --port-file "$BATS_TEST_TMPDIR/port" \
		--seed "$SEED" --credentials-file "$BATS_TEST_TMPDIR/cred" "$@" \
		2>>"$BATS_TEST_TMPDIR/fake.log" &
	FAKE_PID=$!
	local i
	for i in $(seq 50); do
		[ -s "$BATS_TEST_TMPDIR/port" ] && break
		sleep 0.1
	done
	PORT=$(cat "$BATS_TEST_TMPDIR/port")
	URL="http://127.0.0.1:$PORT/EWS/Exchange.asmx"
	CTL="http://127.0.0.1:$PORT/_fake"
}

stop_fake() {
	if [ -n "${FAKE_PID:-}" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
		FAKE_PID=
	fi
}

setup() {
	export LC_ALL=C
	# Secrets exist only at run time, in 0600 files, never on a command line.
	(umask 077
	 printf 'svc-oisync:s3cret-%s\nsvc-limited:lim-%s\nbearer:tok-%s\n' \
		"$$" "$$" "$$" >"$BATS_TEST_TMPDIR/cred"
	 printf 'user = "svc-oisync:s3cret-%s"\n' "$$" >"$BATS_TEST_TMPDIR/curl-svc"
	 printf 'user = "svc-limited:lim-%s"\n' "$$" >"$BATS_TEST_TMPDIR/curl-limited"
	 printf 'user = "svc-oisync:wrong"\n' >"$BATS_TEST_TMPDIR/curl-bad"
	 printf 'header = "Authorization: Bearer tok-%s"\n' "$$" >"$BATS_TEST_TMPDIR/curl-bearer")
	start_fake
}

teardown() {
	stop_fake
}

# soap BODY [MAILBOX [CURLCFG]] - POST an EWS request impersonating MAILBOX (none if
# empty); the reply goes to $BATS_TEST_TMPDIR/out, the HTTP status to $status via run.
soap() {
	local body=$1 mbx=${2-$ALICE} cfg=${3:-curl-svc} hdr=""
	if [ -n "$mbx" ]; then
		hdr="<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>$mbx</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>"
	fi
	printf '%s' "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"
 xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\"
 xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\">
<s:Header><t:RequestServerVersion Version=\"Exchange2016\"/>$hdr</s:Header>
<s:Body>$body</s:Body></s:Envelope>" >"$BATS_TEST_TMPDIR/req.xml"
	curl -s -o "$BATS_TEST_TMPDIR/out" -w '%{http_code}' -K "$BATS_TEST_TMPDIR/$cfg" \
		-H 'Content-Type: text/xml; charset=utf-8' -H "X-AnchorMailbox: $mbx" \
		--data-binary @"$BATS_TEST_TMPDIR/req.xml" "$URL"
}

# xget PATH [ATTR] - values at an ElementTree path (m:, t:, s: prefixes) in the last reply.
xget() {
	/usr/bin/python3 - "$1" "${2:-}" "$BATS_TEST_TMPDIR/out" <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://schemas.xmlsoap.org/soap/envelope/",
      "m": "http://schemas.microsoft.com/exchange/services/2006/messages",
      "t": "http://schemas.microsoft.com/exchange/services/2006/types",
      "e": "http://schemas.microsoft.com/exchange/services/2006/errors"}
root = ET.parse(sys.argv[3]).getroot()
for el in root.findall(sys.argv[1], ns):
    print(el.get(sys.argv[2]) if sys.argv[2] else (el.text or ""))
EOF
}

SYNC_FIRST='<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="contacts"/></m:SyncFolderId><m:MaxChangesReturned>%s</m:MaxChangesReturned></m:SyncFolderItems>'
SYNC_FROM='<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="contacts"/></m:SyncFolderId><m:SyncState>%s</m:SyncState><m:MaxChangesReturned>%s</m:MaxChangesReturned></m:SyncFolderItems>'
OPID_URI='<t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="oisync-op-id" PropertyType="String"/>'

# ids of alice's seeded contacts, in seed order
seed_ids() {
	curl -s "$CTL/dump?mailbox=$ALICE" | /usr/bin/python3 -c \
		'import json,sys; [print(c["ItemId"]["Id"]) for c in json.load(sys.stdin)["contacts"]]'
}

@test "port file, control stats and SIGTERM stop" {
	[[ "$PORT" =~ ^[0-9]+$ ]]
	run curl -s "$CTL/stats"
	assert_success
	assert_output --partial '"operations": {}'
	kill -TERM "$FAKE_PID"
	wait "$FAKE_PID"
	FAKE_PID=
	[ ! -e "$BATS_TEST_TMPDIR/port" ]
}

@test "missing or bad credentials get 401 with a Basic challenge" {
	run curl -s -o /dev/null -w '%{http_code}' -D "$BATS_TEST_TMPDIR/h" --data-binary '<x/>' "$URL"
	assert_output 401
	run grep -i '^WWW-Authenticate: Basic realm="EWS"' "$BATS_TEST_TMPDIR/h"
	assert_success
	run soap "$(printf "$SYNC_FIRST" 10)" "$ALICE" curl-bad
	assert_output 401
	run curl -s "$CTL/stats"
	assert_output --partial '"auth_failures": 2'
}

@test "bearer token authenticates; reply header carries ServerVersionInfo" {
	run soap '<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="contacts"/></m:FolderIds></m:GetFolder>' "$ALICE" curl-bearer
	assert_output 200
	run xget './s:Header/t:ServerVersionInfo' Version
	assert_output V2017_07_11
	run xget './s:Header/t:ServerVersionInfo' MajorVersion
	assert_output 15
	run xget './/t:ContactsFolder/t:TotalCount'
	assert_output 2
	run xget './/t:ContactsFolder/t:DisplayName'
	assert_output Contacts
}

@test "impersonation denied and unknown mailbox are SOAP faults" {
	run soap "$(printf "$SYNC_FIRST" 10)" bob@firm.example curl-limited
	assert_output 500
	run xget './/detail/e:ResponseCode'
	assert_output ErrorImpersonateUserDenied
	run soap "$(printf "$SYNC_FIRST" 10)" nobody@firm.example
	assert_output 500
	run xget './/faultcode'
	assert_output a:ErrorNonExistentMailbox
	run soap "$(printf "$SYNC_FIRST" 10)" "$ALICE" curl-limited
	assert_output 200
}

@test "delegate access names the mailbox in DistinguishedFolderId" {
	local q='<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="contacts"><t:Mailbox><t:EmailAddress>%s</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId></m:FolderIds></m:GetFolder>'
	run soap "$(printf "$q" "$ALICE")" ""
	assert_output 200
	run xget './/t:TotalCount'
	assert_output 2
	run soap "$(printf "$q" bob@firm.example)" "" curl-limited
	run xget './/m:ResponseCode'
	assert_output ErrorAccessDenied
	run soap "$(printf "$q" ghost@firm.example)" ""
	run xget './/m:ResponseCode'
	assert_output ErrorNonExistentMailbox
}

@test "SyncFolderItems pages creates, then reports updates and deletes" {
	soap "$(printf "$SYNC_FIRST" 1)" >/dev/null
	run xget './/m:IncludesLastItemInRange'
	assert_output false
	run xget './/t:Create/t:Contact/t:ItemId' ChangeKey
	[ -n "$output" ]
	state=$(xget './/m:SyncState')
	soap "$(printf "$SYNC_FROM" "$state" 1)" >/dev/null
	run xget './/m:IncludesLastItemInRange'
	assert_output true
	run xget './/t:Create/t:Contact/t:ItemId' Id
	assert_line --index 0 "$(seed_ids | sed -n 2p)"
	state=$(xget './/m:SyncState')
	# nothing new: the same state comes back with no changes
	soap "$(printf "$SYNC_FROM" "$state" 512)" >/dev/null
	run xget './/m:Changes/*'
	assert_output ''
	first=$(seed_ids | head -1)
	second=$(seed_ids | sed -n 2p)
	run curl -s -X POST -d "{\"mailbox\":\"$ALICE\",\"id\":\"$first\",\"set\":{\"JobTitle\":\"Partner\",\"PhoneNumbers.MobilePhone\":null}}" "$CTL/edit"
	assert_success
	run curl -s -X POST -d "{\"mailbox\":\"$ALICE\",\"id\":\"$second\"}" "$CTL/delete"
	assert_output --partial '"ok": true'
	soap "$(printf "$SYNC_FROM" "$state" 512)" >/dev/null
	run xget './/t:Update/t:Contact/t:ItemId' Id
	assert_output "$first"
	run xget './/t:Delete/t:ItemId' Id
	assert_output "$second"
	run curl -s "$CTL/dump?mailbox=$ALICE"
	assert_output --partial '"JobTitle": "Partner"'
	refute_output --partial 'MobilePhone'
}

@test "a bad SyncState is ErrorInvalidSyncStateData" {
	soap "$(printf "$SYNC_FROM" 'bm90IGEgc3luYyBzdGF0ZQ==' 10)" >/dev/null
	run xget './/m:SyncFolderItemsResponseMessage' ResponseClass
	assert_output Error
	run xget './/m:ResponseCode'
	assert_output ErrorInvalidSyncStateData
	# a state of another mailbox is not valid here either
	soap "$(printf "$SYNC_FIRST" 10)" bob@firm.example >/dev/null
	state=$(xget './/m:SyncState')
	soap "$(printf "$SYNC_FROM" "$state" 10)" >/dev/null
	run xget './/m:ResponseCode'
	assert_output ErrorInvalidSyncStateData
}

@test "GetItem batch: all properties in order, extended properties, ErrorItemNotFound" {
	first=$(seed_ids | head -1)
	bogus=$(seed_ids | head -1 | /usr/bin/python3 -c 'import sys,base64;b=bytearray(base64.b64decode(sys.stdin.read()));b[-1]^=1;print(base64.b64encode(b).decode())')
	run soap "<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape><t:AdditionalProperties>$OPID_URI<t:ExtendedFieldURI PropertySetId=\"00062004-0000-0000-C000-000000000046\" PropertyId=\"32847\" PropertyType=\"String\"/><t:ExtendedFieldURI PropertySetId=\"00062004-0000-0000-C000-000000000046\" PropertyId=\"32848\" PropertyType=\"String\"/><t:ExtendedFieldURI PropertyTag=\"0x3A45\" PropertyType=\"String\"/></t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id=\"$first\"/><t:ItemId Id=\"$bogus\"/></m:ItemIds></m:GetItem>"
	assert_output 200
	run xget './/m:GetItemResponseMessage' ResponseClass
	assert_output $'Success\nError'
	run xget './/m:ResponseCode'
	assert_output $'NoError\nErrorItemNotFound'
	run xget './/t:Contact/t:ExtendedProperty/t:Value'
	assert_output $'Matter 2024-001\nMs.'
	run xget './/t:Contact/t:CompleteName/t:Title'
	assert_output Ms.
	run xget './/t:PhysicalAddresses/t:Entry[@Key="Business"]/t:City'
	assert_output 'New York'
	run xget './/t:EmailAddresses/t:Entry'
	assert_output $'jane.doe@acme.example\njane@home.example'
	run xget './/t:Body' BodyType
	assert_output Text
	run xget './/t:Contact/t:LastModifiedTime'
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
	# children come in schema order
	run /usr/bin/python3 - "$BATS_TEST_TMPDIR/out" "$FAKES" <<'EOF'
import sys, xml.etree.ElementTree as ET
sys.path[:0] = [sys.argv[2], sys.argv[2] + "/.."]
from ews_xml import SCHEMA_ORDER
c = ET.parse(sys.argv[1]).getroot().find(".//{http://schemas.microsoft.com/exchange/services/2006/types}Contact")
names = [e.tag.split("}")[1] for e in c]
pos = [SCHEMA_ORDER.index(n) for n in names]
assert pos == sorted(pos), names
print(names[0], names[-1])
EOF
	assert_output 'ItemId HasPicture'
}

@test "CreateItem with an op id, FindItem finds it, paging works" {
	run soap "<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id=\"contacts\"/></m:SavedItemFolderId><m:Items><t:Contact><t:Categories><t:String>X</t:String></t:Categories><t:ExtendedProperty>$OPID_URI<t:Value>op-42</t:Value></t:ExtendedProperty><t:DisplayName>Zed Zee</t:DisplayName><t:GivenName>Zed</t:GivenName><t:EmailAddresses><t:Entry Key=\"EmailAddress1\">zed@zee.example</t:Entry></t:EmailAddresses><t:PhysicalAddresses><t:Entry Key=\"Home\"><t:Street>9 Way</t:Street><t:PostalCode>02110</t:PostalCode></t:Entry></t:PhysicalAddresses><t:Surname>Zee</t:Surname></t:Contact></m:Items></m:CreateItem>"
	assert_output 200
	id=$(xget './/t:Contact/t:ItemId' Id)
	[ -n "$id" ]
	run soap "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>$OPID_URI</t:AdditionalProperties></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned=\"5\" Offset=\"0\" BasePoint=\"Beginning\"/><m:Restriction><t:IsEqualTo>$OPID_URI<t:FieldURIOrConstant><t:Constant Value=\"op-42\"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction><m:ParentFolderIds><t:DistinguishedFolderId Id=\"contacts\"/></m:ParentFolderIds></m:FindItem>"
	run xget './/t:Items/t:Contact/t:ItemId' Id
	assert_output "$id"
	run xget './/t:Items/t:Contact/t:ExtendedProperty/t:Value'
	assert_output op-42
	run xget './/m:RootFolder' TotalItemsInView
	assert_output 1
	soap '<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:IndexedPageItemView MaxEntriesReturned="2" Offset="1" BasePoint="Beginning"/><m:ParentFolderIds><t:DistinguishedFolderId Id="contacts"/></m:ParentFolderIds></m:FindItem>' >/dev/null
	run xget './/m:RootFolder' IndexedPagingOffset
	assert_output 3
	run xget './/m:RootFolder' IncludesLastItemInRange
	assert_output true
	run xget './/t:Items/t:Contact/t:ItemId' Id
	assert_line --index 1 "$id"
}

@test "CreateItem out of schema order is ErrorSchemaValidation" {
	run soap '<m:CreateItem><m:Items><t:Contact><t:Surname>Zee</t:Surname><t:GivenName>Zed</t:GivenName></t:Contact></m:Items></m:CreateItem>'
	assert_output 500
	run xget './/detail/e:ResponseCode'
	assert_output ErrorSchemaValidation
}

@test "UpdateItem: stale ChangeKey conflicts, fresh one updates and changes the key" {
	first=$(seed_ids | head -1)
	ck=$(curl -s "$CTL/dump?mailbox=$ALICE" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["contacts"][0]["ItemId"]["ChangeKey"])')
	upd='<m:UpdateItem ConflictResolution="%s"><m:ItemChanges><t:ItemChange><t:ItemId Id="%s" ChangeKey="%s"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="contacts:GivenName"/><t:Contact><t:GivenName>Janet</t:GivenName></t:Contact></t:SetItemField><t:SetItemField><t:IndexedFieldURI FieldURI="contacts:PhoneNumber" FieldIndex="MobilePhone"/><t:Contact><t:PhoneNumbers><t:Entry Key="MobilePhone">+12125550000</t:Entry></t:PhoneNumbers></t:Contact></t:SetItemField><t:SetItemField><t:IndexedFieldURI FieldURI="contacts:PhysicalAddress:City" FieldIndex="Business"/><t:Contact><t:PhysicalAddresses><t:Entry Key="Business"><t:City>Albany</t:City></t:Entry></t:PhysicalAddresses></t:Contact></t:SetItemField><t:SetItemField><t:ExtendedFieldURI PropertySetId="00062004-0000-0000-C000-000000000046" PropertyId="32850" PropertyType="String"/><t:Contact><t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="00062004-0000-0000-C000-000000000046" PropertyId="32850" PropertyType="String"/><t:Value>u4</t:Value></t:ExtendedProperty></t:Contact></t:SetItemField><t:DeleteItemField><t:FieldURI FieldURI="contacts:MiddleName"/></t:DeleteItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>'
	curl -s -X POST -d "{\"mailbox\":\"$ALICE\",\"id\":\"$first\",\"set\":{\"Department\":\"IP\"}}" "$CTL/edit" >/dev/null
	for policy in NeverOverwrite AutoResolve; do
		soap "$(printf "$upd" "$policy" "$first" "$ck")" >/dev/null
		run xget './/m:ResponseCode'
		assert_output ErrorIrresolvableConflict
	done
	ck=$(curl -s "$CTL/dump?mailbox=$ALICE" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["contacts"][0]["ItemId"]["ChangeKey"])')
	soap "$(printf "$upd" NeverOverwrite "$first" "$ck")" >/dev/null
	run xget './/m:ResponseCode'
	assert_output NoError
	newck=$(xget './/t:Contact/t:ItemId' ChangeKey)
	[ -n "$newck" ] && [ "$newck" != "$ck" ]
	run curl -s "$CTL/dump?mailbox=$ALICE"
	assert_output --partial '"GivenName": "Janet"'
	assert_output --partial '"MobilePhone": "+12125550000"'
	assert_output --partial '"City": "Albany"'
	assert_output --partial '"Value": "u4"'
	refute_output --partial '"MiddleName"'
	# AlwaysOverwrite ignores the stale key
	soap "$(printf "$upd" AlwaysOverwrite "$first" "$ck")" >/dev/null
	run xget './/m:ResponseCode'
	assert_output NoError
}

@test "DeleteItem MoveToDeletedItems leaves the contacts folder" {
	soap "$(printf "$SYNC_FIRST" 512)" >/dev/null
	state=$(xget './/m:SyncState')
	first=$(seed_ids | head -1)
	soap "<m:DeleteItem DeleteType=\"MoveToDeletedItems\"><m:ItemIds><t:ItemId Id=\"$first\"/></m:ItemIds></m:DeleteItem>" >/dev/null
	run xget './/m:ResponseCode'
	assert_output NoError
	soap "$(printf "$SYNC_FROM" "$state" 512)" >/dev/null
	run xget './/t:Delete/t:ItemId' Id
	assert_output "$first"
	soap "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id=\"$first\"/></m:ItemIds></m:GetItem>" >/dev/null
	run xget './/m:ResponseCode'
	assert_output ErrorItemNotFound
}

@test "unknown operation and non-XML bodies are faults" {
	run soap '<m:ResolveNames ReturnFullContactData="true"><m:UnresolvedEntry>x</m:UnresolvedEntry></m:ResolveNames>'
	assert_output 500
	run xget './/faultcode'
	assert_output a:ErrorInvalidRequest
	run curl -s -o /dev/null -w '%{http_code}' -K "$BATS_TEST_TMPDIR/curl-svc" --data-binary '<not xml' "$URL"
	assert_output 400
	run curl -s "$CTL/stats"
	assert_output --partial '"ResolveNames": 1'
}

@test "fault injection: ServerBusy, 503 Retry-After, drop, truncate, latency" {
	q=$(printf "$SYNC_FIRST" 10)
	curl -s -X POST -d '{"server_busy":{"next":1,"backoff_ms":250}}' "$CTL/faults" >/dev/null
	run soap "$q"
	assert_output 500
	run xget './/detail/e:ResponseCode'
	assert_output ErrorServerBusy
	run xget './/detail/t:MessageXml/t:Value[@Name="BackOffMilliseconds"]'
	assert_output 250
	run soap "$q"
	assert_output 200
	curl -s -X POST -d '{"http_status":{"code":503,"next":1,"retry_after":1}}' "$CTL/faults" >/dev/null
	run curl -s -o /dev/null -D - -K "$BATS_TEST_TMPDIR/curl-svc" --data-binary @"$BATS_TEST_TMPDIR/req.xml" "$URL"
	assert_output --partial '503'
	assert_output --partial 'Retry-After: 1'
	curl -s -X POST -d '{"drop":{"next":1}}' "$CTL/faults" >/dev/null
	run soap "$q"
	assert_output 000
	curl -s -X POST -d '{"truncate":{"next":1}}' "$CTL/faults" >/dev/null
	run curl -s -o /dev/null -K "$BATS_TEST_TMPDIR/curl-svc" --data-binary @"$BATS_TEST_TMPDIR/req.xml" "$URL"
	assert_failure 18
	curl -s -X POST -d '{"latency_ms":300}' "$CTL/faults" >/dev/null
	start=$(date +%s%N)
	run soap "$q"
	assert_output 200
	[ $(( ($(date +%s%N) - start) / 1000000 )) -ge 300 ]
	run curl -s "$CTL/stats"
	assert_output --partial '"server_busy": 1'
	assert_output --partial '"truncate": 1'
}

@test "--data-dir keeps contacts and sync states across a restart" {
	stop_fake
	start_fake --data-dir "$BATS_TEST_TMPDIR/data"
	id=$(curl -s -X POST -d "{\"mailbox\":\"$ALICE\",\"contact\":{\"GivenName\":\"Per\",\"Surname\":\"Sist\"}}" "$CTL/create" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	soap "$(printf "$SYNC_FIRST" 512)" >/dev/null
	state=$(xget './/m:SyncState')
	stop_fake
	[ -s "$BATS_TEST_TMPDIR/data/ews-state.json" ]
	start_fake --data-dir "$BATS_TEST_TMPDIR/data"
	run curl -s "$CTL/dump?mailbox=$ALICE"
	assert_output --partial "$id"
	soap "$(printf "$SYNC_FROM" "$state" 512)" >/dev/null
	run xget './/m:ResponseCode'
	assert_output NoError
	run xget './/m:Changes/*'
	assert_output ''
}

@test "exchangelib (a real EWS client) creates, reads, updates, finds, syncs and deletes" {
	run timeout 60 /usr/bin/python3 - "$URL" "$BATS_TEST_TMPDIR/cred" <<'EOF'
import sys
from exchangelib import (Account, Configuration, Credentials, BASIC, IMPERSONATION,
                         Version, Build, Contact)
from exchangelib.indexed_properties import EmailAddress, PhoneNumber, PhysicalAddress
from exchangelib.extended_properties import ExtendedProperty

class OpId(ExtendedProperty):
    distinguished_property_set_id = "PublicStrings"
    property_name = "oisync-op-id"
    property_type = "String"

class UserField1(ExtendedProperty):
    property_set_id = "00062004-0000-0000-C000-000000000046"
    property_id = 0x804F
    property_type = "String"

Contact.register("op_id", OpId)
Contact.register("user_field_1", UserField1)
secret = dict(l.rstrip("\n").split(":", 1) for l in open(sys.argv[2]))["svc-oisync"]
cfg = Configuration(service_endpoint=sys.argv[1],
                    credentials=Credentials("svc-oisync", secret), auth_type=BASIC,
                    version=Version(build=Build(15, 1)))
acc = Account(primary_smtp_address="alice@firm.example", access_type=IMPERSONATION,
              config=cfg, autodiscover=False)
folder = acc.contacts
assert folder.total_count == 2, folder.total_count
state0 = None
list(folder.sync_items())            # initial sync: the two seeded contacts
state0 = folder.item_sync_state
c = Contact(folder=folder, display_name="Xavier Lane", given_name="Xavier", surname="Lane",
            email_addresses=[EmailAddress(label="EmailAddress1", email="x@lane.example")],
            phone_numbers=[PhoneNumber(label="MobilePhone", phone_number="+12125550111")],
            physical_addresses=[PhysicalAddress(label="Business", street="5 Elm",
                                                city="Boston")],
            categories=["A"], op_id="op-123", user_field_1="custom one")
c.save()
got = folder.get(id=c.id)
assert (got.given_name, got.surname, got.op_id, got.user_field_1) == \
    ("Xavier", "Lane", "op-123", "custom one"), got
assert got.email_addresses[0].email == "x@lane.example"
assert got.physical_addresses[0].city == "Boston"
old_ck = got.changekey
got.job_title = "Partner"
got.save(update_fields=["job_title"])
assert got.changekey != old_ck
assert folder.get(id=c.id).job_title == "Partner"
found = list(folder.filter(op_id="op-123"))
assert [f.id for f in found] == [c.id], found
changes = [(k, i.id) for k, i in folder.sync_items()]
assert changes == [("create", c.id)], changes
got.delete()
changes = [k for k, _ in folder.sync_items()]
assert changes == ["delete"], changes
print("exchangelib ok")
EOF
	assert_success
	assert_output --partial 'exchangelib ok'
	run curl -s "$CTL/stats"
	assert_output --partial '"SyncFolderItems": 3'
}
