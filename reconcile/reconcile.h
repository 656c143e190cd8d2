/* reconcile.h - reconcile's core between reading the input and writing the change set (stage-private). */
#ifndef OIS_RECONCILE_H
#define OIS_RECONCILE_H

#include "arena.h"
#include "canonjson.h"
#include "config.h"
#include "merge.h"
#include "record.h"

#include <json-c/json.h>
#include <stddef.h>

/* One item record of one side, as read. Strings and data owned by the item. */
struct ois_rc_item {
	char *id;
	char *version;        /* NULL when the record has none */
	char *modified;       /* NULL when the record has none */
	char *op_tag;         /* the op id of the create that made it, NULL when none */
	int deleted;          /* op "delete" */
	json_object *data;    /* canonical data (a reference held); NULL for a delete, and for a
				 scanned record until ois_rc_item_data parses data_text */
	char *data_text;      /* a scanned record's data as it was written (main.c), else NULL */
	int in_arena;         /* its strings are the input's arena's (strings), not malloc'd one by one */
	size_t seq;           /* input position: the later record of one id wins */
	int used;             /* taken by a pair or a match (set by ois_reconcile) */
	int outside;          /* an appointment outside its side's calendar window: not synced */
};

/* One pair of the state, base parsed. Owned by the input. */
struct ois_rc_pair {
	char *pair_id;
	char *id[OIS_SIDES];
	char *version[OIS_SIDES];
	json_object *base;
	char *base_hash;
	long exchange_made;   /* generation whose apply made the Exchange item; 0: not made by apply */
	int unrecorded;       /* not in the state: rebuilt from a create whose answer was lost */
	int dormant;          /* calendar: out of the sync and left so this run (calendar.c) */
};

struct ois_rc_input {
	const char *kind;                       /* "contact" or "appointment" */
	struct ois_rc_item *items[OIS_SIDES];   /* any order; ois_reconcile sorts them by id */
	size_t nitems[OIS_SIDES];
	struct ois_arena strings;               /* the strings of items marked in_arena */
	struct ois_rc_item **u[OIS_SIDES];      /* the items one per id, by id (ois_rc_index); NULL
						   until made, and again when an item is added */
	size_t nu[OIS_SIDES];
	struct ois_rc_pair *pairs;              /* pair_id order: all, or those that can act (main.c, by_name) */
	size_t npairs;
	size_t pairs_total;                     /* the pairs of the state, read or not, and those
						   recovered: what the mass-delete guard measures against */
	int complete[OIS_SIDES];                /* the side's checkpoint for the folder was read */
	int full[OIS_SIDES];                    /* ... and it said full: the items are the whole folder */
	int first_sync;                         /* ignore pairs; match everything; delete nothing */
	struct ois_sync_settings settings;      /* borrowed pointers (categories); for the
						   calendar, direction is calendar_direction */
	int allow_mass_delete;
	/* Appointments only: */
	time_t window[OIS_SIDES][2];            /* the calendar window each side read, [start, end); 0 0: unknown */
	time_t now;                             /* what is past and what is future */
};

/* One op of the change set, with its sort key. */
struct ois_rc_op {
	char *pair_id;
	enum ois_action action;
	int target;                             /* enum ois_side or -1 */
	json_object *op;                        /* the op record, op_id included */
};

struct ois_rc_result {
	struct ois_rc_op *ops;                  /* sorted: pair, action, target */
	size_t nops;
	size_t counts[OIS_ACTIONS];             /* per action, after the guard */
	size_t held_back;                       /* deletes the mass-delete guard held back */
	int hold_checkpoint[OIS_SIDES];         /* drop this side's checkpoints: its deletes were held back */
	size_t skipped_creates;
};

/*
 * The item's data, parsed from data_text on first use (and kept): a record
 * scanned without json-c costs a tree only when something looks inside.
 * NULL for a delete. The cache is why a const item may be changed.
 */
json_object *ois_rc_item_data(const struct ois_rc_item *it);

/*
 * The items of one side, sorted by id, one per id: the last record of an
 * id is the newest news (malloc'd array of pointers into items; *nout of
 * them). ois_rc_find_item: the one of id in such an array, or NULL.
 */
struct ois_rc_item **ois_rc_unique_items(struct ois_rc_item *items, size_t n, size_t *nout);
struct ois_rc_item *ois_rc_find_item(struct ois_rc_item *const *v, size_t n, const char *id);
/* Make in->u of each side where it is NULL (ois_reconcile does; so may a caller that looks items up first). */
void ois_rc_index(struct ois_rc_input *in);

/* A borrowed piece of a line; s NULL when absent. */
struct ois_rc_span {
	const char *s;
	size_t n;
};

/* An item record as ois_rc_scan_item found it: every span borrowed from the line. */
struct ois_rc_scanned {
	enum ois_side side;
	struct ois_rc_span account, user, id, version, modified, op_tag;
	int deleted;
	struct ois_rc_span data;  /* the data object's text, for an upsert */
};

/*
 * Read a contact record with the scanner of lib/json_scan.h (scan.c):
 * 0 with *out, when the line is a well-formed contact of the scanner's
 * subset; -1 for anything else, which the caller parses with json-c.
 * Strings that are not strings (a version that is a number) are absent,
 * as ois_json_str has them.
 */
int ois_rc_scan_item(const char *line, size_t len, struct ois_rc_scanned *out);

/*
 * Decide every op for in (doc/ARCHITECTURE.md, "Reconcile"). Sorts in's items; marks
 * them used. Logs notices (skipped creates, filtered items) and, when the
 * guard holds deletes back, an error. Returns 0, or 1 when deletes were
 * held back. res is owned by the caller: ois_rc_result_release.
 */
int ois_reconcile(struct ois_rc_input *in, struct ois_rc_result *res);
void ois_rc_result_release(struct ois_rc_result *res);
void ois_rc_input_release(struct ois_rc_input *in);
void ois_rc_pair_release(struct ois_rc_pair *p);

/*
 * The calendar's rules (calendar.c; oisync-reconcile(1), "Calendar").
 * ois_rc_calendar_mark: mark each appointment outside its side's window
 * (it->outside). ois_rc_calendar_seen: the window rule for one pair's side
 * (an item not in a full read, or reported outside the window, whose base
 * lies outside the window is out of sight, not deleted). ois_rc_calendar_rules:
 * adjust one pair's decisions: a delete never removes an InterAction
 * activity or a past meeting, an item that became private leaves the sync,
 * the InterAction item follows the meeting's time (completed once over,
 * reopened once moved back into the future), and an Outlook category
 * mapped to an appointment type sets the type.
 */
void ois_rc_calendar_mark(struct ois_rc_input *in);
struct ois_merge_in;
struct ois_merge_out;
void ois_rc_calendar_seen(const struct ois_rc_input *in, enum ois_side side, const struct ois_rc_item *it,
			  struct ois_merge_in *mi);
void ois_rc_calendar_rules(const struct ois_rc_input *in, const struct ois_merge_in *mi,
			   const char *const ids[OIS_SIDES], struct ois_merge_out *out);

/*
 * A calendar pair that leaves the sync (its meeting deleted in Outlook
 * while InterAction keeps the activity, made private, moved out of the
 * window) is kept, dormant: its base says why under "retired". Forgotten
 * instead, the InterAction item left behind would look like one made in
 * InterAction: a two-way sync would copy it into Outlook, and a returning
 * occurrence would be made twice.
 *
 * ois_rc_calendar_dormant: for a pair whose base is retired, 1 when it
 * stays out (out: nothing, or an unlink when InterAction deleted the
 * item); 0 when it comes back, its Outlook item reported again inside the
 * window and syncable (*awake: the base without the mark, owned by the
 * caller, to merge against). 0 and *awake NULL for a pair not retired.
 * ois_rc_calendar_wake: after the merge of a pair that came back, the
 * decisions record it back in the sync (a link when nothing else does).
 * ois_rc_calendar_restored: an unpaired Outlook item that is the meeting
 * of a dormant pair (a deleted occurrence restored under a new id, by
 * iCalendar UID and original start): that pair's index, or -1.
 */
int ois_rc_calendar_dormant(const struct ois_rc_input *in, struct ois_merge_in *mi, json_object **awake,
			    struct ois_merge_out *out);
void ois_rc_calendar_wake(json_object *awake, struct ois_merge_out *out);
long ois_rc_calendar_restored(const struct ois_rc_input *in, const struct ois_rc_item *it);

/*
 * The first time at which this calendar changes with nothing read on
 * either side: the end of the earliest meeting still open in InterAction,
 * when follow_time turns it into an activity (in->now when one is due
 * already); 0 when no such time comes. Pairs out of the sync (retired) and
 * past meetings already recorded as activities never change by themselves.
 */
time_t ois_rc_calendar_due(const struct ois_rc_input *in);

/* "p-" + 32 hex of sha256(side name + "\n" + id): the id of a new pair. */
void ois_rc_pair_id(enum ois_side side, const char *id, char out[35]);

/*
 * Match unpaired items of kind across sides (match.c): ex and ia are the
 * candidates, each sorted by id. Contacts: first by any equal e-mail
 * address, then by equal first, last (both non-empty) and company, ignoring
 * ASCII case. Appointments: first by equal iCalendar UID and original
 * start, then by equal subject (ASCII case ignored) and start.
 * Writes, for each ex[i], the index of its partner in ia into match[i]
 * (-1 for none) and how it matched into how[i] (static text, NULL for none).
 * Deterministic: ex items claim partners in id order, each taking the
 * partner with the smallest id.
 */
void ois_rc_match(const char *kind, struct ois_rc_item *const *ex, size_t nex, struct ois_rc_item *const *ia,
		  size_t nia, long *match, const char **how);

#endif
