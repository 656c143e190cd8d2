#!/usr/bin/env bats
# ews_readflag.bats - the fake's SyncFolderItems reports a message whose only change is
# its read flag as a ReadFlagChange (ItemId + IsRead), any other change as an Update.
# One server for the file, reset before every test.

load ../helper

SEED="$FAKES/ews/seed_example.json"

# Secrets exist only at run time, in 0600 files, never on a command line.
setup_file() {
	local pw
	pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	(umask 077
	 printf 'svc-oisync:s3cret-%s\n' "$pw" >"$BATS_FILE_TMPDIR/cred"
	 printf 'user = "svc-oisync:s3cret-%s"\n' "$pw" >"$BATS_FILE_TMPDIR/curl-svc")
	start_fake EWS ews/ews_server.py --seed "$SEED" --credentials-file "$BATS_FILE_TMPDIR/cred"
}

teardown_file() {
	stop_fake EWS
}

setup() {
	cp "$BATS_FILE_TMPDIR/curl-svc" "$BATS_TEST_TMPDIR/"
	URL="http://127.0.0.1:$EWS_PORT/EWS/Exchange.asmx"
	CTL="http://127.0.0.1:$EWS_PORT/_fake"
	reset_fake EWS
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
	run timeout 60 "$PYTHON" - "$URL" "$BATS_FILE_TMPDIR/cred" <<'EOF'
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
