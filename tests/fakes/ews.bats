#!/usr/bin/env bats
# ews.bats - the fake EWS server answers like Exchange 2016 (curl and exchangelib).
# One server for the file, reset before every test; a test that needs other
# flags or a restart starts its own (SOLO).

load ../helper

SEED="$FAKES/ews/seed_example.json"

# Secrets exist only at run time, in 0600 files, never on a command line.
setup_file() {
	local pw
	pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	(umask 077
	 cd "$BATS_FILE_TMPDIR" || exit 1
	 printf 'svc-oisync:s3cret-%s\nsvc-limited:lim-%s\nbearer:tok-%s\n' "$pw" "$pw" "$pw" >cred
	 printf 'user = "svc-oisync:s3cret-%s"\n' "$pw" >curl-svc
	 printf 'user = "svc-limited:lim-%s"\n' "$pw" >curl-limited
	 printf 'user = "svc-oisync:wrong"\n' >curl-bad
	 printf 'header = "Authorization: Bearer tok-%s"\n' "$pw" >curl-bearer)
	start_fake EWS ews/ews_server.py --seed "$SEED" --credentials-file "$BATS_FILE_TMPDIR/cred"
}

teardown_file() {
	stop_fake EWS
}

setup() {
	cp "$BATS_FILE_TMPDIR"/curl-* "$BATS_TEST_TMPDIR/"
	use_fake EWS
	reset_fake EWS
}

teardown() {
	stop_fake SOLO
}

# use_fake NAME: URL and CTL point at fake NAME.
use_fake() {
	local port="${1}_PORT"
	URL="http://127.0.0.1:${!port}/EWS/Exchange.asmx"
	CTL="http://127.0.0.1:${!port}/_fake"
}

# start_solo [ARG...]: a server of this test's own, with the file's seed and
# credentials and these flags; URL and CTL point at it.
start_solo() {
	start_fake SOLO ews/ews_server.py --seed "$SEED" --credentials-file "$BATS_FILE_TMPDIR/cred" "$@"
	use_fake SOLO
}

SYNC_FIRST='<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="contacts"/></m:SyncFolderId><m:MaxChangesReturned>%s</m:MaxChangesReturned></m:SyncFolderItems>'
SYNC_FROM='<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="contacts"/></m:SyncFolderId><m:SyncState>%s</m:SyncState><m:MaxChangesReturned>%s</m:MaxChangesReturned></m:SyncFolderItems>'
OPID_URI='<t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="oisync-op-id" PropertyType="String"/>'

# ids of alice's seeded contacts, in seed order
seed_ids() {
	curl -s "$CTL/dump?mailbox=$ALICE" | "$PYTHON" -c \
		'import json,sys; [print(c["ItemId"]["Id"]) for c in json.load(sys.stdin)["contacts"]]'
}

@test "port file, control stats and SIGTERM stop" {
	start_solo
	[[ "$SOLO_PORT" =~ ^[0-9]+$ ]]
	run curl -s "$CTL/stats"
	assert_success
	assert_output --partial '"operations": {}'
	kill -TERM "$SOLO_PID"
	wait "$SOLO_PID"
	SOLO_PID=
	[ ! -e "$BATS_TEST_TMPDIR/SOLO.port" ]
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
	bogus=$(seed_ids | head -1 | "$PYTHON" -c 'import sys,base64;b=bytearray(base64.b64decode(sys.stdin.read()));b[-1]^=1;print(base64.b64encode(b).decode())')
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
	run "$PYTHON" - "$BATS_TEST_TMPDIR/out" "$FAKES" <<'EOF'
import sys, xml.etree.ElementTree as ET
sys.path[:0] = [sys.argv[2] + "/ews", sys.argv[2]]
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
	ck=$(curl -s "$CTL/dump?mailbox=$ALICE" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["contacts"][0]["ItemId"]["ChangeKey"])')
	upd='<m:UpdateItem ConflictResolution="%s"><m:ItemChanges><t:ItemChange><t:ItemId Id="%s" ChangeKey="%s"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="contacts:GivenName"/><t:Contact><t:GivenName>Janet</t:GivenName></t:Contact></t:SetItemField><t:SetItemField><t:IndexedFieldURI FieldURI="contacts:PhoneNumber" FieldIndex="MobilePhone"/><t:Contact><t:PhoneNumbers><t:Entry Key="MobilePhone">+12125550000</t:Entry></t:PhoneNumbers></t:Contact></t:SetItemField><t:SetItemField><t:IndexedFieldURI FieldURI="contacts:PhysicalAddress:City" FieldIndex="Business"/><t:Contact><t:PhysicalAddresses><t:Entry Key="Business"><t:City>Albany</t:City></t:Entry></t:PhysicalAddresses></t:Contact></t:SetItemField><t:SetItemField><t:ExtendedFieldURI PropertySetId="00062004-0000-0000-C000-000000000046" PropertyId="32850" PropertyType="String"/><t:Contact><t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="00062004-0000-0000-C000-000000000046" PropertyId="32850" PropertyType="String"/><t:Value>u4</t:Value></t:ExtendedProperty></t:Contact></t:SetItemField><t:DeleteItemField><t:FieldURI FieldURI="contacts:MiddleName"/></t:DeleteItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>'
	curl -s -X POST -d "{\"mailbox\":\"$ALICE\",\"id\":\"$first\",\"set\":{\"Department\":\"IP\"}}" "$CTL/edit" >/dev/null
	for policy in NeverOverwrite AutoResolve; do
		soap "$(printf "$upd" "$policy" "$first" "$ck")" >/dev/null
		run xget './/m:ResponseCode'
		assert_output ErrorIrresolvableConflict
	done
	ck=$(curl -s "$CTL/dump?mailbox=$ALICE" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["contacts"][0]["ItemId"]["ChangeKey"])')
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

@test "UpdateItem, GetItem and DeleteItem of several items: one message per item, in order; one refused fails no other" {
	# Four contacts made for the test (id and ChangeKey each); the fourth deleted, so its id is gone.
	local -a ids cks
	for i in 0 1 2 3; do
		made=$(curl -s -X POST -d "{\"mailbox\":\"$ALICE\",\"contact\":{\"GivenName\":\"Many$i\",\"Surname\":\"Items\"}}" "$CTL/create")
		ids[i]=$(jq -r .id <<<"$made")
		cks[i]=$(jq -r .change_key <<<"$made")
	done
	curl -s -X POST -d "{\"mailbox\":\"$ALICE\",\"id\":\"${ids[3]}\"}" "$CTL/delete" >/dev/null
	change='<t:ItemChange><t:ItemId Id="%s" ChangeKey="%s"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="contacts:JobTitle"/><t:Contact><t:JobTitle>%s</t:JobTitle></t:Contact></t:SetItemField></t:Updates></t:ItemChange>'
	changes=$(printf "$change" "${ids[0]}" "${cks[0]}" T0 "${ids[1]}" stale T1 "${ids[2]}" "${cks[2]}" T2 "${ids[3]}" "${cks[3]}" T3)
	soap "<m:UpdateItem ConflictResolution=\"NeverOverwrite\"><m:ItemChanges>$changes</m:ItemChanges></m:UpdateItem>" >/dev/null
	run xget './/m:UpdateItemResponseMessage/m:ResponseCode'
	assert_output "$(printf '%s\n' NoError ErrorIrresolvableConflict NoError ErrorItemNotFound)"
	run xget './/m:UpdateItemResponseMessage/m:Items/t:Contact/t:ItemId' Id
	assert_output "$(printf '%s\n' "${ids[0]}" "${ids[2]}")"
	run curl -s "$CTL/dump?mailbox=$ALICE"
	assert_equal "$(jq -c '[.contacts[] | select(.Surname == "Items") | .JobTitle]' <<<"$output")" '["T0",null,"T2"]'

	# The ChangeKeys of many items, IdOnly: the updated ones have new keys, the gone one its own error.
	itemids=$(printf '<t:ItemId Id="%s"/>' "${ids[@]}")
	soap "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds>$itemids</m:ItemIds></m:GetItem>" >/dev/null
	run xget './/m:GetItemResponseMessage/m:ResponseCode'
	assert_output "$(printf '%s\n' NoError NoError NoError ErrorItemNotFound)"
	run xget './/m:GetItemResponseMessage/m:Items/t:Contact/t:ItemId' ChangeKey
	[ "${lines[1]}" = "${cks[1]}" ] && [ "${lines[0]}" != "${cks[0]}" ] && [ "${lines[2]}" != "${cks[2]}" ]

	# DeleteItem of the first, the gone one and the third.
	soap "<m:DeleteItem DeleteType=\"MoveToDeletedItems\"><m:ItemIds>$(printf '<t:ItemId Id="%s"/>' "${ids[0]}" "${ids[3]}" "${ids[2]}")</m:ItemIds></m:DeleteItem>" >/dev/null
	run xget './/m:DeleteItemResponseMessage' ResponseClass
	assert_output "$(printf '%s\n' Success Error Success)"
	run xget './/m:DeleteItemResponseMessage/m:ResponseCode'
	assert_output "$(printf '%s\n' NoError ErrorItemNotFound NoError)"
	run curl -s "$CTL/dump?mailbox=$ALICE"
	assert_equal "$(jq -c '[.contacts[] | select(.Surname == "Items") | .GivenName]' <<<"$output")" '["Many1"]'
}

@test "unknown operation and non-XML bodies are faults" {
	run soap '<m:ExpandDL><m:Mailbox><t:EmailAddress>x@firm.example</t:EmailAddress></m:Mailbox></m:ExpandDL>'
	assert_output 500
	run xget './/faultcode'
	assert_output a:ErrorInvalidRequest
	run curl -s -o /dev/null -w '%{http_code}' -K "$BATS_TEST_TMPDIR/curl-svc" --data-binary '<not xml' "$URL"
	assert_output 400
	run curl -s "$CTL/stats"
	assert_output --partial '"ExpandDL": 1'
}

@test "ResolveNames: one match Success, several the Warning ErrorNameResolutionMultipleResults, none the Error ErrorNameResolutionNoResults" {
	cat >"$BATS_TEST_TMPDIR/seed.json" <<'SEED'
{"service_accounts": {"svc-oisync": {"impersonate": ["alice@firm.example"]}},
 "mailboxes": {"alice@firm.example": {}},
 "directory": [{"smtp": "dave.brown@firm.example", "name": "Dave Brown", "proxies": ["dave@firm.example"]},
	       {"smtp": "d.brown@firm.example", "name": "D. Brown", "proxies": ["dave@firm.example"]}]}
SEED
	reset_fake EWS "$BATS_TEST_TMPDIR/seed.json"
	q='<m:ResolveNames ReturnFullContactData="false" SearchScope="ActiveDirectory"><m:UnresolvedEntry>%s</m:UnresolvedEntry></m:ResolveNames>'
	run soap "$(printf "$q" ALICE@firm.example)"
	assert_output 200
	run xget './/m:ResolveNamesResponseMessage' ResponseClass
	assert_output Success
	run xget './/t:Resolution/t:Mailbox/t:EmailAddress'
	assert_output alice@firm.example
	run soap "$(printf "$q" dave@firm.example)"
	run xget './/m:ResponseCode'
	assert_output ErrorNameResolutionMultipleResults
	run xget './/t:Resolution/t:Mailbox/t:EmailAddress'
	assert_output $'dave.brown@firm.example\nd.brown@firm.example'
	run soap "$(printf "$q" nobody@firm.example)"
	run xget './/m:ResolveNamesResponseMessage' ResponseClass
	assert_output Error
	run xget './/m:ResponseCode'
	assert_output ErrorNameResolutionNoResults
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
	# Latency is counted, not timed: one request held back 50 ms.
	curl -s -X POST -d '{"latency_ms":50}' "$CTL/faults" >/dev/null
	run soap "$q"
	assert_output 200
	run curl -s "$CTL/stats"
	assert_output --partial '"server_busy": 1'
	assert_output --partial '"truncate": 1'
	assert_output --partial '"delayed": 1'
	assert_output --partial '"delayed_ms": 50'
}

@test "--data-dir keeps contacts and sync states across a restart; reset puts the seed back" {
	start_solo --data-dir "$BATS_TEST_TMPDIR/data"
	id=$(curl -s -X POST -d "{\"mailbox\":\"$ALICE\",\"contact\":{\"GivenName\":\"Per\",\"Surname\":\"Sist\"}}" "$CTL/create" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	soap "$(printf "$SYNC_FIRST" 512)" >/dev/null
	state=$(xget './/m:SyncState')
	stop_fake SOLO
	[ -s "$BATS_TEST_TMPDIR/data/ews-state.json" ]
	start_solo --data-dir "$BATS_TEST_TMPDIR/data"
	run curl -s "$CTL/dump?mailbox=$ALICE"
	assert_output --partial "$id"
	soap "$(printf "$SYNC_FROM" "$state" 512)" >/dev/null
	run xget './/m:ResponseCode'
	assert_output NoError
	run xget './/m:Changes/*'
	assert_output ''
	# A reset starts over from the seed, on disk too: a new epoch.
	reset_fake SOLO
	run grep -c "$id" "$BATS_TEST_TMPDIR/data/ews-state.json"
	assert_output 0
	soap "$(printf "$SYNC_FROM" "$state" 512)" >/dev/null
	run xget './/m:ResponseCode'
	assert_output ErrorInvalidSyncStateData
}

@test "reset: the seed again, a new epoch; faults, stats and clock as at start; another seed" {
	soap "$(printf "$SYNC_FIRST" 512)" >/dev/null
	state=$(xget './/m:SyncState')
	id=$(fake_ctl EWS create "{\"mailbox\":\"$ALICE\",\"contact\":{\"GivenName\":\"Gone\",\"Surname\":\"Soon\"}}" | jq -r .id)
	fake_ctl EWS faults '{"server_busy":{"next":5}}' >/dev/null
	before=$(fake_ctl EWS clock | jq -r .now)
	fake_ctl EWS clock '{"advance_s": 86400}' >/dev/null
	reset_fake EWS
	run fake_ctl EWS "dump?mailbox=$ALICE"
	refute_output --partial "$id"
	[ "$(fake_ctl EWS "dump?mailbox=$ALICE" | jq '.contacts | length')" -eq 2 ]
	# No fault left, and the old SyncState is of another epoch.
	run soap "$(printf "$SYNC_FROM" "$state" 512)"
	assert_output 200
	run xget './/m:ResponseCode'
	assert_output ErrorInvalidSyncStateData
	run fake_ctl EWS faults
	assert_output --partial '"faults": {}'
	run fake_ctl EWS stats
	assert_output --partial '"requests": 1,'
	assert_output --partial '"server_busy": 0'
	# The day added is gone: the clock is back within the hour, and the seed's
	# contacts were stamped by it, not by the clock before the reset.
	after=$(fake_ctl EWS clock | jq -r .now)
	jq -en --arg a "$after" --arg b "$before" '($a | fromdate) - ($b | fromdate) < 3600'
	stamp=$(fake_ctl EWS "dump?mailbox=$ALICE" | jq -r '.contacts[0].LastModifiedTime')
	jq -en --arg a "$stamp" --arg b "$before" '($a | fromdate) - ($b | fromdate) < 3600'

	# Another seed, this once; a plain reset goes back to the file's seed.
	jq '.mailboxes["alice@firm.example"].contacts = [{"GivenName": "Other", "Surname": "Seed"}]' \
		"$SEED" >"$BATS_TEST_TMPDIR/other.json"
	reset_fake EWS "$BATS_TEST_TMPDIR/other.json"
	run bash -c "curl -s '$CTL/dump?mailbox=$ALICE' | jq -r '.contacts[].Surname'"
	assert_output Seed
	# A seed that cannot be loaded changes nothing.
	echo '{"mailboxes": {"x@firm.example": {"contacts": [{"Nonsense": 1}]}}}' >"$BATS_TEST_TMPDIR/bad.json"
	run fake_ctl EWS reset "{\"seed\": \"$BATS_TEST_TMPDIR/bad.json\"}"
	assert_failure
	assert_output --partial 'unknown fields Nonsense'
	run fake_ctl EWS reset '{"seed": "relative.json"}'
	assert_failure
	run bash -c "curl -s '$CTL/dump?mailbox=$ALICE' | jq -r '.contacts[].Surname'"
	assert_output Seed
	reset_fake EWS
	[ "$(fake_ctl EWS "dump?mailbox=$ALICE" | jq '.contacts | length')" -eq 2 ]
}

@test "the clock: LastModifiedTime and the Date header follow POST /_fake/clock" {
	run fake_ctl EWS clock '{"set": "2031-05-06T07:08:00Z"}'
	assert_output --regexp '"now": "2031-05-06T07:08:[0-9]{2}Z"'
	id=$(fake_ctl EWS create "{\"mailbox\":\"$ALICE\",\"contact\":{\"GivenName\":\"Tick\",\"Surname\":\"Tock\"}}" | jq -r .id)
	modified() {
		curl -s "$CTL/dump?mailbox=$ALICE" | jq -r --arg id "$id" '.contacts[] | select(.ItemId.Id == $id) | .LastModifiedTime'
	}
	run modified
	assert_output --regexp '^2031-05-06T07:08:[0-9]{2}Z$'
	fake_ctl EWS clock '{"advance_s": 3600}' >/dev/null
	fake_ctl EWS edit "{\"mailbox\":\"$ALICE\",\"id\":\"$id\",\"set\":{\"JobTitle\":\"Later\"}}" >/dev/null
	run modified
	assert_output --regexp '^2031-05-06T08:08:[0-9]{2}Z$'
	run curl -s -D - -o /dev/null "$CTL/clock"
	assert_output --partial 'Date: Tue, 06 May 2031 08:08:'
	run fake_ctl EWS clock '{"advance_s": "soon"}'
	assert_failure
	run fake_ctl EWS clock '{"set": "2031-05-06 07:08"}'
	assert_failure
}

@test "exchangelib (a real EWS client) creates, reads, updates, finds, syncs and deletes" {
	run timeout 60 "$PYTHON" - "$URL" "$BATS_FILE_TMPDIR/cred" <<'EOF'
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

# Exchange keeps date-times in UTC and answers them as ...Z, whatever offset
# (and milliseconds: DateTimePrecision defaults to seconds) the client wrote.
@test "date-times are stored in UTC and returned as Z, whatever offset was written" {
	local sys='<t:ExtendedFieldURI DistinguishedPropertySetId="PublicStrings" PropertyName="oisync-seen" PropertyType="SystemTime"/>'
	run soap "<m:CreateItem><m:SavedItemFolderId><t:DistinguishedFolderId Id=\"contacts\"/></m:SavedItemFolderId><m:Items><t:Contact><t:ExtendedProperty>$sys<t:Value>2026-01-05T10:00:00.000+01:00</t:Value></t:ExtendedProperty><t:GivenName>Tia</t:GivenName><t:Birthday>1990-12-10T12:00:00.000+00:00</t:Birthday><t:Surname>Zone</t:Surname><t:WeddingAnniversary>2015-06-20T14:30:00+02:00</t:WeddingAnniversary></t:Contact></m:Items></m:CreateItem>"
	assert_output 200
	id=$(xget './/t:Contact/t:ItemId' Id)
	get="<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape><t:AdditionalProperties>$sys</t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id=\"$id\"/></m:ItemIds></m:GetItem>"
	soap "$get" >/dev/null
	run xget './/t:Contact/t:Birthday'
	assert_output 1990-12-10T12:00:00Z
	run xget './/t:Contact/t:WeddingAnniversary'
	assert_output 2015-06-20T12:30:00Z
	run xget './/t:Contact/t:ExtendedProperty/t:Value'
	assert_output 2026-01-05T09:00:00Z
	soap "<m:UpdateItem ConflictResolution=\"AlwaysOverwrite\"><m:ItemChanges><t:ItemChange><t:ItemId Id=\"$id\"/><t:Updates><t:SetItemField><t:FieldURI FieldURI=\"contacts:Birthday\"/><t:Contact><t:Birthday>1991-01-02T00:00:00-05:00</t:Birthday></t:Contact></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>" >/dev/null
	soap "$get" >/dev/null
	run xget './/t:Contact/t:Birthday'
	assert_output 1991-01-02T05:00:00Z
	# what the store holds, and so what every later reply shows
	run curl -s "$CTL/dump?mailbox=$ALICE&folder=contacts"
	assert_output --partial '"Birthday": "1991-01-02T05:00:00Z"'
	assert_output --partial '"WeddingAnniversary": "2015-06-20T12:30:00Z"'
	# calendar times with an offset, or in their StartTimeZone, come back in UTC too
	run soap '<m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>Zoned</t:Subject><t:Start>2026-05-04T09:00:00.000+02:00</t:Start><t:End>2026-05-04T10:30:00</t:End><t:StartTimeZone Id="W. Europe Standard Time"/></t:CalendarItem></m:Items></m:CreateItem>'
	assert_output 200
	cal=$(xget './/t:CalendarItem/t:ItemId' Id)
	soap "<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id=\"$cal\"/></m:ItemIds></m:GetItem>" >/dev/null
	run xget './/t:CalendarItem/t:Start'
	assert_output 2026-05-04T07:00:00Z
	run xget './/t:CalendarItem/t:End'
	assert_output 2026-05-04T08:30:00Z
}

# IIS authenticates before EWS sees the method: a GET without credentials, or
# opening an NTLM handshake, is a 401 like a POST; only an authenticated GET
# reaches EWS, which takes POST only (405, Allow: POST, RFC 9110 15.5.6).
@test "GET of Exchange.asmx: 401 with the challenges first, NTLM's too; 405 once authenticated" {
	run curl -s -o /dev/null -w '%{http_code}' -D "$BATS_TEST_TMPDIR/h" "$URL"
	assert_output 401
	run grep -ci '^WWW-Authenticate: \(Basic realm="EWS"\|Bearer realm="EWS"\|NTLM\)' "$BATS_TEST_TMPDIR/h"
	assert_output 3
	# curl's NTLM handshake on a GET: NEGOTIATE gets the CHALLENGE, AUTHENTICATE the 405
	run curl -s -o /dev/null -w '%{http_code}' -D "$BATS_TEST_TMPDIR/h" --ntlm \
		-K "$BATS_TEST_TMPDIR/curl-svc" "$URL"
	assert_output 405
	run grep -c '^HTTP/1.1 401' "$BATS_TEST_TMPDIR/h"
	assert_output 1
	run grep -Ec '^WWW-Authenticate: NTLM [A-Za-z0-9+/]{20,}' "$BATS_TEST_TMPDIR/h"
	assert_output 1
	run grep -ci '^Allow: POST' "$BATS_TEST_TMPDIR/h"
	assert_output 1
	run curl -s -o /dev/null -w '%{http_code}' -K "$BATS_TEST_TMPDIR/curl-svc" "$URL"
	assert_output 405
	run curl -s -o /dev/null -w '%{http_code}' -K "$BATS_TEST_TMPDIR/curl-bad" "$URL"
	assert_output 401
	run curl -s "$CTL/stats"
	assert_output --partial '"auth_failures": 2'
	assert_output --partial '"auth_challenges": 1'
}

# RFC 9112 9.6: a server that closes after its reply says so in the reply, or a
# client keeps the dead connection in its pool and fails on the next request.
@test "a request with Connection: close gets Connection: close in the reply" {
	run curl -s -o /dev/null -w '%{http_code}' -D "$BATS_TEST_TMPDIR/h" -K "$BATS_TEST_TMPDIR/curl-svc" \
		-H 'Connection: close' -H 'Content-Type: text/xml; charset=utf-8' \
		--data-binary '<not-soap' "$URL"
	assert_output 400
	run grep -ci '^Connection: close' "$BATS_TEST_TMPDIR/h"
	assert_output 1
	run curl -s -o /dev/null -w '%{http_code}' -D "$BATS_TEST_TMPDIR/h" -H 'Connection: close' "$URL"
	assert_output 401
	run grep -ci '^Connection: close' "$BATS_TEST_TMPDIR/h"
	assert_output 1
	run curl -s -o /dev/null -D "$BATS_TEST_TMPDIR/h" -H 'Connection: close' "$CTL/stats"
	run grep -ci '^Connection: close' "$BATS_TEST_TMPDIR/h"
	assert_output 1
	# without it the connection stays open, and the reply says nothing of closing
	run curl -s -o /dev/null -D "$BATS_TEST_TMPDIR/h" "$CTL/stats"
	run grep -ci '^Connection:' "$BATS_TEST_TMPDIR/h"
	assert_output 0
}
