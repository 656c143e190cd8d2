/* calendar.c - the calendar's own rules on top of the item merge: window, activities, private items, types, dormant pairs. */
#include "reconcile.h"
#include "canon_fields.h"
#include "rfc3339.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define ACTIVITY "activity"
/* The base key of a dormant pair: why it left the sync (reconcile.h, ois_rc_calendar_dormant). */
#define RETIRED "retired"

/* start and end of canonical appointment data as instants (a date is its midnight UTC); -1 when unreadable. */
static int span(json_object *data, time_t *s, time_t *e)
{
	if (ois_time_parse(ois_json_str(data, "start"), OIS_TIME_DATE, s) ||
	    ois_time_parse(ois_json_str(data, "end"), OIS_TIME_DATE, e))
		return -1;
	if (*e <= *s)
		*e = *s + 1; /* a point in time still lies somewhere */
	return 0;
}

/*
 * 1 when data lies outside side's window, as both reads cut it (ends after
 * the start, starts before the end); 0 inside, or when the window or the
 * times are unknown: what cannot be placed is never hidden.
 */
static int outside(const struct ois_rc_input *in, enum ois_side side, json_object *data)
{
	time_t s, e;
	const time_t *w = in->window[side];
	if (!data || (!w[0] && !w[1]) || span(data, &s, &e))
		return 0;
	return !(s < w[1] && e > w[0]);
}

void ois_rc_calendar_mark(struct ois_rc_input *in)
{
	for (int s = 0; s < OIS_SIDES; s++)
		for (size_t i = 0; i < in->nitems[s]; i++) {
			struct ois_rc_item *it = &in->items[s][i];
			it->outside = !it->deleted && outside(in, (enum ois_side)s, ois_rc_item_data(it));
		}
}

void ois_rc_calendar_seen(const struct ois_rc_input *in, enum ois_side side, const struct ois_rc_item *it,
			  struct ois_merge_in *mi)
{
	if (it && !it->deleted && it->outside) {
		/*
		 * Moved out of the window: never a change to pass on, and the pair
		 * leaves the sync, dormant (ois_rc_calendar_rules); left in it, the
		 * next full read of the window, which lacks it, would look like its
		 * deletion.
		 */
		mi->seen[side] = OIS_SEEN_BASE;
		mi->data[side] = NULL;
		mi->version_moved[side] = 0;
		mi->moved_out = 1;
	} else if (!it && mi->seen[side] == OIS_SEEN_DELETED && outside(in, side, mi->base)) {
		/* Not in a full read of the window because the window moved past it: not deleted. */
		mi->seen[side] = OIS_SEEN_BASE;
	}
}

static int is_past(const struct ois_rc_input *in, json_object *data)
{
	time_t s, e;
	return data && !span(data, &s, &e) && e <= in->now;
}

static int is_activity(json_object *data)
{
	return ois_str_eq(ois_json_str(data, "status"), ACTIVITY);
}

static json_object *copy_of(json_object *v)
{
	json_object *c = NULL;
	if (json_object_deep_copy(v, &c, NULL))
		OIS_BUG("json_object_deep_copy failed");
	return c;
}

/*
 * The pair leaves the sync but stays in the state, dormant: one link
 * whose data is the base marked retired (why, for people and for the
 * next run). Every other decision is dropped.
 */
static void retire(const struct ois_merge_in *mi, struct ois_merge_out *out, char *why)
{
	json_object *data = copy_of(mi->base);
	json_object_object_add(data, RETIRED, json_object_new_string(why));
	ois_merge_out_release(out);
	out->d[0] = (struct ois_decision){ .action = OIS_ACT_LINK, .target = -1, .data = data };
	out->d[0].reason = ois_xasprintf("%s: left the sync, kept on both sides", why);
	out->n = 1;
	free(why);
}

/* fields with unit added, kept in table order; a new array (fields is released). */
static json_object *with_field(json_object *fields, const char *unit)
{
	const char *const *u = ois_canon_units("appointment");
	json_object *out = json_object_new_array();
	for (size_t i = 0; u[i]; i++) {
		int has = !strcmp(u[i], unit);
		for (size_t j = 0; !has && fields && j < json_object_array_length(fields); j++)
			has = !strcmp(json_object_get_string(json_object_array_get_idx(fields, j)), u[i]);
		if (has)
			json_object_array_add(out, json_object_new_string(u[i]));
	}
	json_object_put(fields);
	return out;
}

static int names(json_object *fields, const char *unit)
{
	for (size_t j = 0; fields && j < json_object_array_length(fields); j++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(fields, j)), unit))
			return 1;
	return 0;
}

/* The appointment type the item's Outlook categories map to (oisync.conf(5), appointment_types); malloc'd or NULL. */
static char *type_for(const struct ois_rc_input *in, json_object *data)
{
	json_object *cats = ois_json_arr(data, "categories");
	size_t n = cats ? json_object_array_length(cats) : 0;
	const char **v = ois_xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_object_get_string(json_object_array_get_idx(cats, i));
	char *t = ois_appointment_type_for(&in->settings, v, n);
	free(v);
	return t;
}

static struct ois_decision *find(struct ois_merge_out *out, enum ois_action a, int target)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->d[i].action == a && out->d[i].target == target)
			return &out->d[i];
	return NULL;
}

/* Private items do not sync by default; one that became private leaves the sync and stays on both sides. */
static int became_private(const struct ois_rc_input *in, const struct ois_merge_in *mi, struct ois_merge_out *out)
{
	if (!mi->base || in->settings.sync_private)
		return 0;
	for (int s = 0; s < OIS_SIDES; s++) {
		if (mi->seen[s] != OIS_SEEN_UPSERT || !ois_json_bool(mi->data[s], "private", 0))
			continue;
		retire(mi, out, ois_xasprintf("made private in %s", ois_side_label((enum ois_side)s)));
		return 1;
	}
	return 0;
}

/* A meeting removed in Outlook removes its future InterAction appointment, never an activity or a past one. */
static void keep_activities(const struct ois_rc_input *in, const struct ois_merge_in *mi, struct ois_merge_out *out)
{
	struct ois_decision *d = find(out, OIS_ACT_DELETE, OIS_INTERACTION);
	if (!d)
		return;
	json_object *ia = mi->seen[OIS_INTERACTION] == OIS_SEEN_UPSERT ? mi->data[OIS_INTERACTION] : mi->base;
	if (!is_activity(ia) && !is_past(in, ia))
		return;
	retire(mi, out, ois_xasprintf("deleted in %s; the InterAction %s stays", ois_side_label(OIS_EXCHANGE),
				      is_activity(ia) ? "activity" : "record of a past meeting"));
}

/* A category mapped to an appointment type sets the type of the InterAction item made or re-categorized. */
static void set_type(const struct ois_rc_input *in, struct ois_decision *d)
{
	int create = d->action == OIS_ACT_CREATE;
	if (!create && !names(d->fields, "categories"))
		return;
	char *t = type_for(in, d->data);
	if (t && !ois_str_eq(t, ois_json_str(d->data, "activity_type"))) {
		ois_json_set_str(d->data, "activity_type", t);
		if (!create)
			d->fields = with_field(d->fields, "activity_type");
	}
	free(t);
}

/*
 * The InterAction item follows the meeting's time: an activity once the
 * meeting is over, an appointment again once moved back into the future.
 * The status goes into the data the op records as the pair's base, so
 * the pair agrees with what the server will hold.
 */
static void follow_time(const struct ois_rc_input *in, const struct ois_merge_in *mi, int ia_item,
			struct ois_merge_out *out)
{
	struct ois_decision *d = find(out, OIS_ACT_CREATE, OIS_INTERACTION);
	if (!d)
		d = find(out, OIS_ACT_UPDATE, OIS_INTERACTION);
	if (!d && !ia_item)
		return;
	if (!d && (find(out, OIS_ACT_UNLINK, -1) || find(out, OIS_ACT_DELETE, OIS_INTERACTION) ||
		   find(out, OIS_ACT_CREATE, OIS_EXCHANGE)))
		return;
	json_object *link = NULL;
	for (size_t i = 0; i < out->n; i++)
		if (out->d[i].action == OIS_ACT_LINK)
			link = out->d[i].data;
	json_object *cur = d ? d->data : link ? link
		: mi->seen[OIS_INTERACTION] == OIS_SEEN_UPSERT ? mi->data[OIS_INTERACTION] : mi->base;
	int want = is_past(in, cur);
	if (want == is_activity(cur))
		return;
	if (!d) {
		if (out->n == OIS_MERGE_MAX)
			return; /* cannot happen: a link and an update each way leave no room, and then d is set */
		json_object *data = NULL;
		if (json_object_deep_copy(cur, &data, NULL))
			OIS_BUG("json_object_deep_copy failed");
		d = &out->d[out->n++];
		*d = (struct ois_decision){ .action = OIS_ACT_UPDATE, .target = OIS_INTERACTION, .data = data };
		d->reason = ois_xstrdup(want ? "the meeting is over: recorded as an InterAction activity"
					     : "moved back into the future: an InterAction appointment again");
	}
	json_object *status = want ? json_object_new_string(ACTIVITY) : NULL;
	ois_canon_set(d->data, "status", status); /* sets a copy */
	json_object_put(status);
	if (d->action == OIS_ACT_UPDATE)
		d->fields = with_field(d->fields, "status");
}

/* A meeting moved out of the window leaves the sync, kept as it is on both sides; back inside, it comes back. */
static int moved_out(const struct ois_merge_in *mi, struct ois_merge_out *out)
{
	if (!mi->moved_out || !mi->base)
		return 0;
	retire(mi, out, ois_xstrdup("moved out of the calendar window"));
	return 1;
}

void ois_rc_calendar_rules(const struct ois_rc_input *in, const struct ois_merge_in *mi,
			   const char *const ids[OIS_SIDES], struct ois_merge_out *out)
{
	if (moved_out(mi, out) || became_private(in, mi, out))
		return;
	keep_activities(in, mi, out);
	if (out->n == 1 && out->d[0].action == OIS_ACT_LINK && ois_json_str(out->d[0].data, RETIRED))
		return; /* retired: nothing more is done to it */
	for (size_t i = 0; i < out->n; i++)
		if (out->d[i].target == OIS_INTERACTION &&
		    (out->d[i].action == OIS_ACT_CREATE || out->d[i].action == OIS_ACT_UPDATE))
			set_type(in, &out->d[i]);
	int ia_item = ids[OIS_INTERACTION] && mi->seen[OIS_INTERACTION] != OIS_SEEN_DELETED &&
		      mi->seen[OIS_INTERACTION] != OIS_SEEN_ABSENT;
	follow_time(in, mi, ia_item, out);
}

int ois_rc_calendar_dormant(const struct ois_rc_input *in, struct ois_merge_in *mi, json_object **awake,
			    struct ois_merge_out *out)
{
	*awake = NULL;
	memset(out, 0, sizeof(*out));
	if (!ois_json_str(mi->base, RETIRED))
		return 0;
	if (mi->seen[OIS_INTERACTION] == OIS_SEEN_DELETED && mi->complete[OIS_INTERACTION]) {
		out->d[0] = (struct ois_decision){ .action = OIS_ACT_UNLINK, .target = -1 };
		out->d[0].reason = ois_xstrdup("deleted in InterAction after it left the sync: forgotten");
		out->n = 1;
		return 1;
	}
	json_object *ex = mi->data[OIS_EXCHANGE];
	/* Back: its Outlook meeting reported inside the window (calendar_seen let it through), syncable again. */
	if (mi->seen[OIS_EXCHANGE] != OIS_SEEN_UPSERT || mi->moved_out ||
	    (!in->settings.sync_private && ois_json_bool(ex, "private", 0))) {
		/*
		 * Stays out: InterAction's edits and Outlook's absence alike are
		 * nobody's business now. But an edit in InterAction is recorded,
		 * its version and values as the base: when the meeting comes back,
		 * its Outlook values then differ from them and are written over,
		 * with the version the item has, not a stale one (412).
		 */
		if (mi->seen[OIS_INTERACTION] == OIS_SEEN_UPSERT && mi->version_moved[OIS_INTERACTION]) {
			json_object *data = copy_of(mi->data[OIS_INTERACTION]);
			json_object_object_add(data, RETIRED, json_object_new_string(ois_json_str(mi->base, RETIRED)));
			out->d[0] = (struct ois_decision){ .action = OIS_ACT_LINK, .target = -1, .data = data };
			out->d[0].reason = ois_xstrdup("edited in InterAction while out of the sync: recorded, not synced");
			out->n = 1;
		}
		return 1;
	}
	*awake = copy_of(mi->base);
	json_object_object_del(*awake, RETIRED);
	mi->base = *awake;
	return 0;
}

void ois_rc_calendar_wake(json_object *awake, struct ois_merge_out *out)
{
	if (!awake)
		return;
	for (size_t i = 0; i < out->n; i++)
		if (out->d[i].data)
			return; /* that op's data, the new base, has no mark */
	if (out->n == OIS_MERGE_MAX)
		return;
	out->d[out->n++] = (struct ois_decision){ .action = OIS_ACT_LINK, .target = -1, .data = copy_of(awake),
						   .reason = ois_xstrdup("back in the sync: its Outlook meeting is "
									"again in the window") };
}

long ois_rc_calendar_restored(const struct ois_rc_input *in, const struct ois_rc_item *it)
{
	json_object *data = ois_rc_item_data(it);
	const char *uid = ois_json_str(data, "ical_uid"), *orig = ois_json_str(data, "original_start");
	if (!uid || !orig)
		return -1;
	for (size_t i = 0; i < in->npairs; i++) {
		const struct ois_rc_pair *p = &in->pairs[i];
		if (p->dormant && p->id[OIS_INTERACTION] && ois_str_eq(ois_json_str(p->base, "ical_uid"), uid) &&
		    ois_str_eq(ois_json_str(p->base, "original_start"), orig))
			return (long)i;
	}
	return -1;
}

time_t ois_rc_calendar_due(const struct ois_rc_input *in)
{
	time_t due = 0;
	for (size_t i = 0; i < in->npairs; i++) {
		const struct ois_rc_pair *p = &in->pairs[i];
		time_t s, e;
		/* What follow_time looks at when neither side reports the pair: its base. */
		if (!p->id[OIS_INTERACTION] || ois_json_str(p->base, RETIRED) || span(p->base, &s, &e))
			continue;
		time_t when = is_activity(p->base) == is_past(in, p->base) ? (is_activity(p->base) ? 0 : e) : in->now;
		if (when && (!due || when < due))
			due = when;
	}
	return due;
}
