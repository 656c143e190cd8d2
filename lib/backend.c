/* backend.c - the table of backends, and choosing one by name. */
#include "backend.h"
#include "code.h"
#include "log.h"
#include "util.h"

#include <string.h>

static const struct {
	const char *name;
	enum ois_side side;
	const struct ois_backend *be;
} backends[] = {
#define OIS_BACKEND(name, side) { #name, side, &ois_backend_##name },
#include "backends.def"
#undef OIS_BACKEND
};

static const char *const folder_names[OIS_FOLDERS] = { "contacts", "calendar" };

const char *ois_folder_name(enum ois_folder f)
{
	return folder_names[f];
}

int ois_folder_parse(const char *name)
{
	for (int f = 0; f < OIS_FOLDERS; f++)
		if (name && !strcmp(name, folder_names[f]))
			return f;
	return -1;
}

/* The backend of side named type, or the side's first one when type is NULL. */
static const struct ois_backend *lookup(enum ois_side side, const char *type)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(backends); i++)
		if (backends[i].side == side && (!type || !strcmp(type, backends[i].name)))
			return backends[i].be;
	return NULL;
}

const struct ois_backend *ois_backend_for(const struct ois_config *cfg, enum ois_side side, const char *server)
{
	const char *type = NULL;
	if (side == OIS_EXCHANGE) {
		/* Only the Exchange side has servers, each of its own type. */
		const struct ois_endpoint *ep = server ? ois_config_server(cfg, server) : NULL;
		if (!ep) {
			ois_fail(OIS_ECONFIG, "no [server %s] in '%s'", server ? server : "", cfg->path);
			return NULL;
		}
		type = ois_str_empty(ep->type) ? NULL : ep->type;
	}
	const struct ois_backend *be = lookup(side, type);
	if (!be)
		ois_fail(OIS_ECONFIG, "%s: [server %s]: type '%s' names no backend of the %s side", cfg->path,
			 server ? server : "", type ? type : "", ois_side_name(side));
	return be;
}

void ois_sync_record_text(const char *when, const char *summary, const char *sync_id, char **subject, char **body)
{
	*subject = ois_xasprintf("InterAction sync: last successful sync %s", when);
	*body = ois_xasprintf("Outlook and InterAction were last synchronized at %s (UTC).\n"
			      "%s.\n\nSync id: %s\n\n"
			      "This folder is kept by oisync. Deleting it makes the next sync match your "
			      "Outlook contacts and your InterAction list afresh.\n",
			      when, summary, sync_id);
}
