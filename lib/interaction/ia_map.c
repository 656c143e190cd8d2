/* ia_map.c - the InterAction backend's mapping: native items to canonical data, and its nickname rule. */
#include "backend.h"
#include "ia_appointment.h"
#include "ia_contact.h"
#include "util.h"

#include <string.h>

static int is_kind(const char *kind, const char *name)
{
	return kind && !strcmp(kind, name);
}

static json_object *to_canonical(const char *kind, json_object *native)
{
	if (is_kind(kind, "appointment"))
		return ois_ia_appointment_to_canonical(native);
	return is_kind(kind, "contact") ? ois_ia_contact_to_canonical(native) : NULL;
}

/*
 * InterAction fills Goes By with the first name when there is no
 * nickname. The mapping compares them as typed; compare again once
 * normalized, so "Ann " or a decomposed "José" is no nickname either,
 * as the Outlook side of the same person has none.
 */
static void finish(const char *kind, json_object *canonical)
{
	const char *nick = ois_json_str(canonical, "nickname");
	if (is_kind(kind, "contact") && nick && ois_str_eq(nick, ois_json_str(canonical, "first")))
		json_object_object_del(canonical, "nickname");
}

const struct ois_mapping ois_map_interaction = {
	.to_canonical = to_canonical,
	.finish = finish,
};
