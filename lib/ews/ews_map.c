/* ews_map.c - the EWS backend's mapping: native items to canonical data (no network, no XML parser). */
#include "backend.h"
#include "ews_contact.h"

#include <string.h>

/* Calendar items stay native until calendar sync maps them. */
static json_object *to_canonical(const char *kind, json_object *native)
{
	return kind && !strcmp(kind, "contact") ? ois_ews_contact_to_canonical(native) : NULL;
}

const struct ois_mapping ois_map_ews = {
	.to_canonical = to_canonical,
};
