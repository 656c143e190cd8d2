/* apply_describe.c - an op in words a person reads, for oisync-apply --dry-run and oisync show. */
#include "apply.h"
#include "canon_fields.h"

#include <string.h>

static const char *side_title(const char *side)
{
	if (!side)
		return "both sides";
	return !strcmp(side, "exchange") ? "Outlook" : "InterAction";
}

/* "Budget review (2026-12-01T15:00:00Z)": a meeting by its subject and start. */
static void print_meeting(FILE *out, json_object *data)
{
	const char *subject = ois_json_str(data, "subject"), *start = ois_json_str(data, "start");
	fputs(subject ? subject : "(no subject)", out);
	if (start)
		fprintf(out, " (%s)", start);
}

/* "Ann Lee <ann@acme.example>" from canonical data, as well as the data allows. */
static void print_who(FILE *out, json_object *data)
{
	const char *first = ois_json_str(data, "first"), *last = ois_json_str(data, "last");
	const char *display = ois_json_str(data, "display"), *company = ois_json_str(data, "company");
	json_object *emails = ois_json_arr(data, "emails");
	const char *email = emails && json_object_array_length(emails)
		? ois_json_str(json_object_array_get_idx(emails, 0), "address") : NULL;
	if (first || last)
		fprintf(out, "%s%s%s", first ? first : "", first && last ? " " : "", last ? last : "");
	else if (display)
		fputs(display, out);
	else if (company)
		fputs(company, out);
	else
		fputs("(no name)", out);
	if (email)
		fprintf(out, " <%s>", email);
}

/* A string for a message: what the op says, or a stand-in when it says nothing. */
static const char *or_dash(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

/* A value as a person reads it: a string quoted, nothing for empty, anything else as JSON. */
static void print_value(FILE *out, json_object *v)
{
	if (!v)
		fputs("nothing", out);
	else if (json_object_is_type(v, json_type_string))
		fprintf(out, "'%s'", json_object_get_string(v));
	else
		fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), out);
}

/* 1 when the array of strings a holds unit. */
static int names(json_object *a, const char *unit)
{
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *f = json_object_array_get_idx(a, i);
		if (json_object_is_type(f, json_type_string) && !strcmp(json_object_get_string(f), unit))
			return 1;
	}
	return 0;
}

/*
 * "    job_title: 'Partner' -> 'Senior Partner'": each field an update
 * writes, the value the target held (the op's "old") and the one it
 * writes; "nothing" for an empty field. A change set from before "old"
 * says the old value was not recorded. A field in "conflicts" is one both
 * sides changed: the target's value is the one the policy let lose.
 * Only ois_record_check has passed: any key may be missing or of another
 * type, and the description says so rather than guess.
 */
static void print_values(FILE *out, const char *kind, json_object *op, json_object *data, json_object *fields)
{
	json_object *old = ois_json_obj(op, "old"), *conflicts = ois_json_arr(op, "conflicts");
	const char *target = ois_json_str(op, "target");
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		json_object *f = json_object_array_get_idx(fields, i);
		if (!json_object_is_type(f, json_type_string))
			continue;
		const char *unit = json_object_get_string(f);
		fprintf(out, "    %s: ", unit);
		if (ois_canon_unit_index(kind, unit) < 0) {
			fputs("(no such field)\n", out); /* a hand-made change set: say so, never guess */
			continue;
		}
		if (old)
			print_value(out, ois_canon_get(old, unit));
		else
			fputs("(old value not recorded)", out);
		fputs(" -> ", out);
		print_value(out, ois_canon_get(data, unit));
		if (names(conflicts, unit))
			fprintf(out, " (conflict: %s's value lost)", side_title(target));
		fputc('\n', out);
	}
}

/*
 * "    changed in InterAction at 2026-12-03T02:00:00Z": when the item the
 * op copies last changed on its own side, when the change set knows it
 * (an update's "source_modified", a create's "merge.modified").
 */
static void print_when(FILE *out, json_object *op, int act, const char *target)
{
	const char *when = act == OIS_ACT_UPDATE ? ois_json_str(op, "source_modified")
		: act == OIS_ACT_CREATE ? ois_json_str(ois_json_obj(op, "merge"), "modified") : NULL;
	if (!when || !target || (strcmp(target, "exchange") && strcmp(target, "interaction")))
		return;
	fprintf(out, "    changed in %s at %s\n", side_title(!strcmp(target, "exchange") ? "interaction" : "exchange"), when);
}

void ois_apply_describe(FILE *out, json_object *op, enum ois_describe how)
{
	const char *action = or_dash(ois_json_str(op, "action"), "");
	int act = ois_action_parse(action);
	const char *target = ois_json_str(op, "target");
	const char *kind = or_dash(ois_json_str(op, "kind"), "item");
	json_object *data = ois_json_obj(op, "data");
	const char *reason = ois_json_str(op, "reason");

	fputs(how == OIS_DESCRIBE_DONE ? "already done: " : how == OIS_DESCRIBE_WOULD ? "would " : "", out);
	switch (act) {
	case OIS_ACT_CREATE:
		fprintf(out, "create %s in %s: ", kind, side_title(target));
		break;
	case OIS_ACT_UPDATE:
		fprintf(out, "update %s in %s: ", kind, side_title(target));
		break;
	case OIS_ACT_DELETE:
		fprintf(out, "%s %s in %s: ",
			target && !strcmp(target, "interaction") && strcmp(kind, "appointment")
				? "remove from the contact list the" : "delete",
			kind, side_title(target));
		break;
	case OIS_ACT_LINK:
		fprintf(out, "pair the Outlook and InterAction %s: ", kind);
		break;
	case OIS_ACT_UNLINK:
		fprintf(out, "forget the pairing of %s ", kind);
		break;
	default:
		fprintf(out, "do \"%s\" to %s ", action, kind);
		break;
	}
	if (data && !strcmp(kind, "appointment"))
		print_meeting(out, data);
	else if (data)
		print_who(out, data);
	else
		fputs(or_dash(ois_json_str(op, "id"), or_dash(ois_json_str(op, "pair"), "(no id)")), out);
	json_object *fields = ois_json_arr(op, "fields");
	if (fields && json_object_array_length(fields)) {
		fputs(" (", out);
		for (size_t i = 0; i < json_object_array_length(fields); i++) {
			json_object *f = json_object_array_get_idx(fields, i);
			fprintf(out, "%s%s", i ? ", " : "",
				json_object_is_type(f, json_type_string) ? json_object_get_string(f) : "?");
		}
		fputs(")", out);
	}
	if (reason)
		fprintf(out, " - %s", reason);
	fputc('\n', out);
	if (how != OIS_DESCRIBE_SAVED)
		return;
	print_when(out, op, act, target);
	if (fields && act == OIS_ACT_UPDATE)
		print_values(out, kind, op, data, fields);
}
