/* lazy.c - opens a shared library on its first call (see lazy.h). */
#include "lazy.h"
#include "log.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <sysexits.h>

void *ois_lazy_sym(struct ois_lazy_lib *lib, const char *sym)
{
	/* Never closed: a library's objects (handles, documents) live on. */
	if (!lib->handle)
		lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	void *p = lib->handle ? dlsym(lib->handle, sym) : NULL;
	if (!p) {
		const char *why = dlerror();
		ois_log(OIS_LOG_ERROR, "cannot load %s from %s: %s", sym, lib->soname, why ? why : "?");
		exit(EX_SOFTWARE);
	}
	return p;
}
