/* backend_map.c - each side's mapping, apart from the backends so transform links no network library. */
#include "backend.h"
#include "record.h"
#include "util.h"

#include <string.h>

static const struct {
	const char *name;
	enum ois_side side;
	const struct ois_mapping *map;
} maps[] = {
#define OIS_BACKEND(name, side) { #name, side, &ois_map_##name },
#include "backends.def"
#undef OIS_BACKEND
};

const struct ois_mapping *ois_mapping_of_side(enum ois_side side)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(maps); i++)
		if (maps[i].side == side)
			return maps[i].map;
	return NULL;
}

const struct ois_mapping *ois_mapping_of_record(json_object *rec)
{
	int side = ois_side_parse(ois_json_str(rec, "side"));
	const char *name = ois_json_str(rec, "backend");
	if (side < 0)
		return NULL;
	if (!json_object_object_get_ex(rec, "backend", NULL))
		return ois_mapping_of_side((enum ois_side)side);
	for (size_t i = 0; i < OIS_ARRAY_SIZE(maps); i++)
		if ((int)maps[i].side == side && name && !strcmp(maps[i].name, name))
			return maps[i].map;
	return NULL;
}
