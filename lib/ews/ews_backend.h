/* ews_backend.h - what the EWS backend's files share (lib/ews/ only, not for stages). */
#ifndef OIS_EWS_BACKEND_H
#define OIS_EWS_BACKEND_H

#include "backend.h"
#include "ews.h"

/* One open mailbox. The base is the first member, so close frees both. */
struct ews_conn {
	struct ois_conn base;
	struct ois_ews *ews;
	char *account;   /* the mailbox, the records' account */
	int batch;       /* items per GetItem (getitem_batch) */
	int write_batch; /* items per FindItem, CreateItem, GetItem, UpdateItem, DeleteItem of writes (write_batch) */
	int view_max;    /* items per CalendarView (calendar_view_max) */
};

/* The folders' reads (ews_read.c, ews_read_calendar.c); the contract is struct ois_backend's read. */
int ois_ews_read_contacts(struct ews_conn *c, const struct ois_read *r);
int ois_ews_read_calendar(struct ews_conn *c, const struct ois_read *r);

/*
 * An upsert record of type in folder: version (ChangeKey), modified, op_tag
 * (the oisync-op-id property, when set) and native as data (a reference is
 * taken).
 */
json_object *ois_ews_upsert_record(const struct ews_conn *c, const char *type, const char *folder,
				   json_object *native, const char *id, const char *change_key, const char *modified);

#endif
