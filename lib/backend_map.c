/* backend_map.c - each side's mapping, apart from the backends so transform links no network library. */
#include "backend.h"
#include "util.h"

static const struct {
	enum ois_side side;
	const struct ois_mapping *map;
} maps[] = {
#define OIS_BACKEND(name, side) { side, &ois_map_##name },
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
