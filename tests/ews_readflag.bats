#!/usr/bin/env bats
# ews_readflag.bats - the fake's SyncFolderItems reports a message whose only change is
# its read flag as a ReadFlagChange (ItemId + IsRead), any other change as an Update.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

FAKES="$BATS_TEST_DIRNAME/fakes/ews"
CLIENTS="$BATS_TEST_DIRNAME/clients"
SEED="$FAKES/seed_example.json"
ALICE=alice@firm.example

# Start the fake on port 0 and wait (at most ~5 s) for its port file.
start_fake() {
	rm -f "$BATS_TEST_TMPDIR/port"
	/usr/bin/python3 "$FAKES/ews_server.py" --port 0 --port-file "$BATS_TEST_TMPDIR/port" \
		--seed "$SEED" --credentials-file "$BATS_TEST_TMPDIR/cred" \
		2>>"$BATS_TEST_TMPDIR/fake.log" &
	FAKE_PID=$!
	local i
	for i in $(seq 50); do
		[ -s "$BATS_TEST_TMPDIR/port" ] && break
		sleep 0.1
	done
	PORT=$(cat "$BATS_TEST_TMPDIR/port")
	URL="http://127.0.0.1:$PORT/EWS/Exchange.asmx"
}

setup() {
	export LC_ALL=C
	# Secrets exist only at run time, in 0600 files, never on a command line.
	(umask 077
	 printf 'svc-oisync:s3cret-%s\n' "$$" >"$BATS_TEST_TMPDIR/cred"
	 printf 'user = "svc-oisync:s3cret-%s"\n' "$$" >"$BATS_TEST_TMPDIR/curl-svc")
	start_fake
}

teardown() {
	if [ -n "${FAKE_PID:-}" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
	fi
}

# soap BODY - POST an EWS request impersonating alice; the reply goes to
# $BATS_TEST_TMPDIR/out, the HTTP status to stdout.
soap() {
	local hdr="<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>$ALICE</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>"
	printf '%s' "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"
 xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\"
 xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\">
<s:Header><t:RequestServerVersion Version=\"Exchange2016\"/>$hdr</s:Header>
<s:Body>$1</s:Body></s:Envelope>" >"$BATS_TEST_TMPDIR/req.xml"
	curl -s -o "$BATS_TEST_TMPDIR/out" -w '%{http_code}' -K "$BATS_TEST_TMPDIR/curl-svc" \
		-H 'Content-Type: text/xml; charset=utf-8' -H "X-AnchorMailbox: $ALICE" \
		--data-binary @"$BATS_TEST_TMPDIR/req.xml" "$URL"
}

# xget PATH [ATTR] - values at an ElementTree path (m:, t: prefixes) in the last reply.
xget() {
	/usr/bin/python3 - "$1" "${2:-}" "$BATS_TEST_TMPDIR/out" <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://schemas.xmlsoap.org/soap/envelope/",
      "m": "http://schemas.microsoft.com/exchange/services/2006/messages",
      "t": "http://schemas.microsoft.com/exchange/services/2006/types"}
root = ET.parse(sys.argv[3]).getroot()
for el in root.findall(sys.argv[1], ns):
    print(el.get(sys.argv[2]) if sys.argv[2] else (el.text or ""))
EOF
}

# a user folder under the message root; its FolderId in $FID
make_folder() {
	soap "<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id=\"msgfolderroot\"/></m:ParentFolderId><m:Folders><t:Folder><t:FolderClass>IPF.Note</t:FolderClass><t:DisplayName>$1</t:DisplayName></t:Folder></m:Folders></m:CreateFolder>" >/dev/null
	FID=$(xget './/m:Folders/t:Folder/t:FolderId' Id)
	[ -n "$FID" ]
}

# sync STATE - SyncFolderItems on $FID from STATE ('' for a first sync); new state in $STATE
sync() {
	local st=""
	[ -n "$1" ] && st="<m:SyncState>$1</m:SyncState>"
	soap "<m:SyncFolderItems><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:SyncFolderId><t:FolderId Id=\"$FID\"/></m:SyncFolderId>$st<m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems>" >/dev/null
	STATE=$(xget './/m:SyncState')
	[ -n "$STATE" ]
}

# set_field ID CK URI XML - UpdateItem SetItemField on a message; new ChangeKey in $CK
set_field() {
	soap "<m:UpdateItem ConflictResolution=\"AutoResolve\" MessageDisposition=\"SaveOnly\"><m:ItemChanges><t:ItemChange><t:ItemId Id=\"$1\" ChangeKey=\"$2\"/><t:Updates><t:SetItemField><t:FieldURI FieldURI=\"$3\"/><t:Message>$4</t:Message></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>" >/dev/null
	run xget './/m:UpdateItemResponseMessage' ResponseClass
	assert_output Success
	CK=$(xget './/m:Items/t:Message/t:ItemId' ChangeKey)
}

@test "marking a message read is a ReadFlagChange; a subject change is an Update" {
	make_folder 'Read flags'
	soap "<m:CreateItem MessageDisposition=\"SaveOnly\"><m:SavedItemFolderId><t:FolderId Id=\"$FID\"/></m:SavedItemFolderId><m:Items><t:Message><t:Subject>hello</t:Subject><t:Body BodyType=\"Text\">hi</t:Body></t:Message></m:Items></m:CreateItem>" >/dev/null
	mid=$(xget './/m:Items/t:Message/t:ItemId' Id)
	CK=$(xget './/m:Items/t:Message/t:ItemId' ChangeKey)
	[ -n "$mid" ]
	# a user folder given by its FolderId syncs; a new message is unread
	sync ''
	run xget './/m:ResponseCode'
	assert_output NoError
	run xget './/m:Changes/t:Create/t:Message/t:ItemId' Id
	assert_output "$mid"
	run xget './/t:Create/t:Message/t:IsRead'
	assert_output false
	first=$STATE

	set_field "$mid" "$CK" message:IsRead '<t:IsRead>true</t:IsRead>'
	sync "$first"
	read_state=$STATE
	run xget './/m:Changes/*'
	assert_output ''               # the only change element has no text of its own
	[ "$(xget './/m:Changes/*' | wc -l)" -eq 1 ]
	run xget './/m:Changes/t:ReadFlagChange/t:ItemId' Id
	assert_output "$mid"
	run xget './/m:Changes/t:ReadFlagChange/t:ItemId' ChangeKey
	assert_output "$CK"
	run xget './/m:Changes/t:ReadFlagChange/t:IsRead'
	assert_output true
	run xget './/m:Changes/t:Update'
	assert_output ''
	# the child order of SyncFolderItemsReadFlagType: ItemId, then IsRead
	run xget './/m:Changes/t:ReadFlagChange/*'
	assert_output "$(printf '\ntrue')"

	# nothing since: no changes
	sync "$read_state"
	run xget './/m:Changes/*'
	assert_output ''
	[ "$(xget './/m:Changes/*' | wc -l)" -eq 0 ]

	# a subject change is an Update carrying the item
	set_field "$mid" "$CK" item:Subject '<t:Subject>hello again</t:Subject>'
	sync "$read_state"
	[ "$(xget './/m:Changes/*' | wc -l)" -eq 1 ]
	run xget './/m:Changes/t:Update/t:Message/t:Subject'
	assert_output 'hello again'
	run xget './/m:Changes/t:Update/t:Message/t:IsRead'
	assert_output true
	run xget './/m:Changes/t:ReadFlagChange'
	assert_output ''

	# read flag and subject both changed since the first state: an Update
	sync "$first"
	[ "$(xget './/m:Changes/*' | wc -l)" -eq 1 ]
	run xget './/m:Changes/t:Update/t:Message/t:ItemId' Id
	assert_output "$mid"

	# marking it unread again is a ReadFlagChange with IsRead false
	after_subject=$STATE
	set_field "$mid" "$CK" message:IsRead '<t:IsRead>false</t:IsRead>'
	sync "$after_subject"
	run xget './/m:Changes/t:ReadFlagChange/t:IsRead'
	assert_output false
	[ "$(xget './/m:Changes/*' | wc -l)" -eq 1 ]
}

@test "IsRead set at CreateItem is stored and read back" {
	make_folder 'Created read'
	soap "<m:CreateItem MessageDisposition=\"SaveOnly\"><m:SavedItemFolderId><t:FolderId Id=\"$FID\"/></m:SavedItemFolderId><m:Items><t:Message><t:Subject>seen</t:Subject><t:IsRead>true</t:IsRead></t:Message></m:Items></m:CreateItem>" >/dev/null
	mid=$(xget './/m:Items/t:Message/t:ItemId' Id)
	soap "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI=\"message:IsRead\"/></t:AdditionalProperties></m:ItemShape><m:ItemIds><t:ItemId Id=\"$mid\"/></m:ItemIds></m:GetItem>" >/dev/null
	run xget './/t:Message/t:IsRead'
	assert_output true
}

@test "exchangelib: Message.is_read and sync_items see read_flag_change, then update" {
	run timeout 60 /usr/bin/python3 - "$URL" "$BATS_TEST_TMPDIR/cred" <<'EOF'
import sys
from exchangelib import (Account, Configuration, Credentials, BASIC, IMPERSONATION,
                         Version, Build, Message, Folder)
secret = dict(l.rstrip("\n").split(":", 1) for l in open(sys.argv[2]))["svc-oisync"]
cfg = Configuration(service_endpoint=sys.argv[1],
                    credentials=Credentials("svc-oisync", secret), auth_type=BASIC,
                    version=Version(build=Build(15, 1)))
acc = Account(primary_smtp_address="alice@firm.example", access_type=IMPERSONATION,
              config=cfg, autodiscover=False)
folder = Folder(parent=acc.msg_folder_root, name="Exchangelib read flags")
folder.save()
m = Message(account=acc, folder=folder, subject="ping", body="b")
m.save()
got = folder.get(id=m.id)
assert got.is_read is False, got.is_read
first = [(k, i.id) for k, i in folder.sync_items()]
assert first == [("create", m.id)], first
got.is_read = True
got.save(update_fields=["is_read"])
changes = list(folder.sync_items())
assert len(changes) == 1, changes
kind, value = changes[0]
assert kind == "read_flag_change", changes
item_id, is_read = value
assert (item_id.id, is_read) == (m.id, True), value
assert folder.get(id=m.id).is_read is True
got = folder.get(id=m.id)
got.subject = "pong"
got.save(update_fields=["subject"])
changes = [(k, i.id, i.subject) for k, i in folder.sync_items()]
assert changes == [("update", m.id, "pong")], changes
print("ok")
EOF
	echo "$output"
	assert_success
	assert_output --partial ok
}
