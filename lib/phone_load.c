/* phone_load.c - finds and opens oisync-phone.so, the module that holds libphonenumber, on the first number to parse. */
#include "phone_p.h"
#include "log.h"
#include "util.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

/* Where make install puts modules, relative to the executables' folder; the
 * build tree has the same layout (the Makefile defines it). */
#ifndef OIS_MODULE_DIR
#error "OIS_MODULE_DIR must name the modules' folder relative to the executables'"
#endif
#define PHONE_MODULE_FILE "oisync-phone.so"

static ois_phone_fn *module_fn;

/* The module's path: next to the executable, as the stages find each other. */
static char *module_path(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return ois_xasprintf("%s/%s/%s", exe, OIS_MODULE_DIR, PHONE_MODULE_FILE);
}

ois_phone_fn *ois_phone_module(void)
{
	if (module_fn)
		return module_fn;
	char *path = module_path();
	if (!path) {
		ois_log(OIS_LOG_ERROR, "cannot find %s: /proc/self/exe does not name this program", PHONE_MODULE_FILE);
		exit(EX_SOFTWARE);
	}
	/* Never closed: the numbers keep coming until the process ends. */
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	void *sym = h ? dlsym(h, OIS_PHONE_MODULE_SYM) : NULL;
	if (!sym) {
		const char *why = dlerror(); /* names the path */
		ois_log(OIS_LOG_ERROR, "cannot load libphonenumber's module (oisync is not installed whole): %s",
		        why ? why : path);
		free(path);
		exit(EX_SOFTWARE);
	}
	free(path);
	/* POSIX's way from dlsym's void * to a function pointer. */
	memcpy(&module_fn, &sym, sizeof(module_fn));
	return module_fn;
}
