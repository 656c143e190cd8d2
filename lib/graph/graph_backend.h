/* graph_backend.h - what the Graph backend's files share (lib/graph/ only, not for stages). */
#ifndef OIS_GRAPH_BACKEND_H
#define OIS_GRAPH_BACKEND_H

#include "backend.h"
#include "graph.h"

/* The backend's name in the table, and in the "backend" key of the records its read writes. */
#define OIS_GRAPH_BACKEND "graph"

/* One open mailbox. The base is the first member, so close frees both. */
struct graph_conn {
	struct ois_conn base;
	struct ois_graph *g;
	char *account; /* the mailbox, the records' account */
};

/*
 * The Prefer header of every event request: times in UTC (any zone is read
 * the same, UTC is the cheapest to read) and the body as text, which is
 * what InterAction's notes are.
 */
#define OIS_GRAPH_EVENT_PREFER "outlook.timezone=\"UTC\", outlook.body-content-type=\"text\""

/* The folders' reads (graph_read.c, graph_read_calendar.c); the contract is struct ois_backend's read. */
int ois_graph_read_contacts(struct graph_conn *c, const struct ois_read *r);
int ois_graph_read_calendar(struct graph_conn *c, const struct ois_read *r);

/*
 * An item record of type in folder with id, marked as the Graph backend's
 * (transform maps its data by that mark). With native (borrowed: the
 * record takes its own reference), an upsert whose version is the item's @odata.etag, modified its
 * lastModifiedDateTime and op_tag the op id it carries; without, a delete.
 */
json_object *ois_graph_record(const struct graph_conn *c, const char *type, const char *folder, const char *id,
			      json_object *native);

/*
 * An @odata.etag for If-Match: the item's, else made from its changeKey
 * (W/"..."), else NULL. Owned.
 */
char *ois_graph_version(json_object *item);

/*
 * The mailbox's "InterAction Sync" record (graph_syncinfo.c), the one EWS
 * keeps (lib/ews/ews_syncinfo.h), through the same extended properties, so
 * a mailbox moved from Exchange Server to Exchange Online keeps it.
 */
struct ois_graph_syncinfo {
	char *item_id;
	char *sync_id;
	char *last_sync; /* may be NULL */
};
void ois_graph_syncinfo_release(struct ois_graph_syncinfo *si);
/* 0 and *out, OIS_ENOTFOUND when there is none, or an error. */
int ois_graph_syncinfo_read(struct ois_graph *g, struct ois_graph_syncinfo *out);
/* Update item_id (OIS_ENOTFOUND when it is gone), or find or create the folder and the message. */
int ois_graph_syncinfo_write(struct ois_graph *g, const char *item_id, const char *sync_id, const char *when,
			     const char *summary, char **new_item_id);

#endif
