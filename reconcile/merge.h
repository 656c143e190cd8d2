/* merge.h - the decision for one item: a pure function from what both sides show to ops. */
#ifndef OIS_MERGE_H
#define OIS_MERGE_H

#include "canon_merge.h" /* ois_merge_winner */
#include "config.h"
#include "op.h" /* enum ois_action */
#include "record.h"

#include <json-c/json.h>

/* What one side shows of the item in this run. */
enum ois_seen {
	OIS_SEEN_BASE,    /* paired, not reported: unchanged since the base */
	OIS_SEEN_UPSERT,  /* reported with data */
	OIS_SEEN_DELETED, /* reported deleted, or missing from a full snapshot */
	OIS_SEEN_ABSENT,  /* no item there: unpaired item, or a pair with no id on that side */
};

/* Everything the decision depends on; every pointer is borrowed. */
struct ois_merge_in {
	const char *kind;                 /* "contact": selects the unit table */
	json_object *base;                /* agreed data of the pair; NULL when not paired (yet) */
	enum ois_seen seen[OIS_SIDES];
	json_object *data[OIS_SIDES];     /* the record's canonical data when seen is UPSERT */
	const char *modified[OIS_SIDES];  /* the records' "modified" (RFC 3339 UTC) or NULL */
	int version_moved[OIS_SIDES];     /* reported with a version other than the pair's stored one */
	int complete[OIS_SIDES];          /* the side's checkpoint was read: its deletes count and creates may target it */
	enum ois_conflict policy;
	const char *matched_by;           /* unpaired items matched across: how (for the reason), else NULL */
	int unrecorded;                   /* a pair the state never recorded (a create whose answer was lost): record it */
	int moved_out;                    /* calendar: reported outside its side's window (calendar.c) */
};

/* One op to be: changeset.c adds the pair, ids, versions and op_id. */
struct ois_decision {
	enum ois_action action;
	int target;           /* enum ois_side; -1 for link and unlink */
	json_object *data;    /* owned: the data to write or agree on; NULL for delete and unlink */
	json_object *fields;  /* owned array of unit names in table order: update only, else NULL */
	json_object *conflicts; /* owned array of the units of fields both sides changed differently,
				   the target's value losing to the policy: update only, else NULL */
	char *reason;         /* owned, for people */
};

#define OIS_MERGE_MAX 3 /* link + an update each way */

struct ois_merge_out {
	struct ois_decision d[OIS_MERGE_MAX];
	size_t n;
	char *skipped;        /* owned: why a create was not made (the caller logs it), else NULL */
};

/*
 * Decide what to do with one item (doc/ARCHITECTURE.md, "Decision per
 * pair"). No I/O, no state: the same input always gives the
 * same output. out is overwritten; release it with ois_merge_out_release.
 */
void ois_merge(const struct ois_merge_in *in, struct ois_merge_out *out);
void ois_merge_out_release(struct ois_merge_out *out);


#endif
