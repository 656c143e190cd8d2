/* graph_map.c - the Graph backend's mapping: native items to canonical data (no network: transform links it). */
#include "backend.h"
#include "graph_appointment.h"
#include "graph_contact.h"

#include <string.h>

static json_object *to_canonical(const char *kind, json_object *native)
{
	if (kind && !strcmp(kind, "contact"))
		return ois_graph_contact_to_canonical(native);
	if (kind && !strcmp(kind, "appointment"))
		return ois_graph_appointment_to_canonical(native);
	return NULL;
}

const struct ois_mapping ois_map_graph = {
	.to_canonical = to_canonical,
};
