/* lazy.h - a shared library opened on its first call rather than at every start. */
#ifndef OIS_LAZY_H
#define OIS_LAZY_H

/*
 * Many starts of extract and apply (--version, a change set with nothing to
 * write) call neither libcurl nor libxml2, yet loading them and the
 * libraries they bring (TLS, Kerberos, LDAP, ICU) was most of those starts'
 * CPU (bench/startup); reconcile on empty input opens no state, yet loading
 * SQLite was a quarter of its start. lib/lazy_curl.c, lib/lazy_xml.c and
 * lib/lazy_sqlite.c define the functions oisync calls under the libraries'
 * own names, so no caller changes; each stub resolves the real function here
 * on its first call. Not locked: no oisync process calls them from two
 * threads.
 */
struct ois_lazy_lib {
	const char *soname;   /* e.g. "libcurl.so.4", the ABI oisync is built against */
	void *handle;         /* opened on the first ois_lazy_sym() */
};

/*
 * The address of sym in lib, opening lib first if need be. A library that
 * cannot be opened, or lacks sym, is a broken installation: logs why and
 * exits 70.
 */
void *ois_lazy_sym(struct ois_lazy_lib *lib, const char *sym);

/*
 * In a stub: fn is the real function, of the stub's own type, resolved once.
 * POSIX's way from dlsym's void * to a function pointer is a copy.
 */
#define OIS_LAZY_FN(lib, name) \
	static __typeof__(&name) real_##name; \
	if (!real_##name) { \
		void *sym_ = ois_lazy_sym(&(lib), #name); \
		memcpy(&real_##name, &sym_, sizeof(sym_)); \
	}

/*
 * xmlFree(p) for what libxml2 allocated. libxml2's xmlFree is a variable,
 * which no stub can stand for, so oisync calls this instead.
 */
void ois_xml_free(void *p);

#endif
