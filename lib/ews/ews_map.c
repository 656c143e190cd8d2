/* ews_map.c - the EWS backend's mapping: native items to canonical data (no network, no XML parser). */
#include "backend.h"
#include "ews_appointment.h"
#include "ews_contact.h"

#include <string.h>

static json_object *to_canonical(const char *kind, json_object *native)
{
	if (kind && !strcmp(kind, "contact"))
		return ois_ews_contact_to_canonical(native);
	if (kind && !strcmp(kind, "appointment"))
		return ois_ews_appointment_to_canonical(native);
	return NULL;
}

const struct ois_mapping ois_map_ews = {
	.to_canonical = to_canonical,
};
