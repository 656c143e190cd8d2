/* lazy_curl.c - the libcurl functions oisync calls, opening libcurl on the first (see lazy.h). */
#include "lazy.h"

/* The stubs take the arguments as libcurl's own functions do, not its type-checking macros. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <stdarg.h>
#include <string.h>

#ifndef OIS_CURL_SONAME
#error "OIS_CURL_SONAME must name the libcurl oisync is built against (the Makefile reads it)"
#endif

static struct ois_lazy_lib curl = { OIS_CURL_SONAME, NULL };

CURLcode curl_global_init(long flags)
{
	OIS_LAZY_FN(curl, curl_global_init);
	return real_curl_global_init(flags);
}

const char *curl_easy_strerror(CURLcode code)
{
	OIS_LAZY_FN(curl, curl_easy_strerror);
	return real_curl_easy_strerror(code);
}

CURL *curl_easy_init(void)
{
	OIS_LAZY_FN(curl, curl_easy_init);
	return real_curl_easy_init();
}

/*
 * The one argument after option is read as the type option's number says,
 * as libcurl itself reads it (CURLOPTTYPE_*).
 */
CURLcode (curl_easy_setopt)(CURL *h, CURLoption option, ...)
{
	OIS_LAZY_FN(curl, curl_easy_setopt);
	va_list ap;
	va_start(ap, option);
	CURLcode rc;
	if (option < CURLOPTTYPE_OBJECTPOINT)
		rc = real_curl_easy_setopt(h, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		rc = real_curl_easy_setopt(h, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		rc = real_curl_easy_setopt(h, option, va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		rc = real_curl_easy_setopt(h, option, va_arg(ap, curl_off_t));
	else
		rc = real_curl_easy_setopt(h, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO_* takes a pointer to where its answer goes. */
CURLcode (curl_easy_getinfo)(CURL *h, CURLINFO info, ...)
{
	OIS_LAZY_FN(curl, curl_easy_getinfo);
	va_list ap;
	va_start(ap, info);
	CURLcode rc = real_curl_easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *h)
{
	OIS_LAZY_FN(curl, curl_easy_perform);
	return real_curl_easy_perform(h);
}

void curl_easy_cleanup(CURL *h)
{
	OIS_LAZY_FN(curl, curl_easy_cleanup);
	real_curl_easy_cleanup(h);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
	OIS_LAZY_FN(curl, curl_slist_append);
	return real_curl_slist_append(list, s);
}

void curl_slist_free_all(struct curl_slist *list)
{
	/* Freeing nothing needs no libcurl. */
	if (!list)
		return;
	OIS_LAZY_FN(curl, curl_slist_free_all);
	real_curl_slist_free_all(list);
}

time_t curl_getdate(const char *s, const time_t *unused)
{
	OIS_LAZY_FN(curl, curl_getdate);
	return real_curl_getdate(s, unused);
}

CURLM *curl_multi_init(void)
{
	OIS_LAZY_FN(curl, curl_multi_init);
	return real_curl_multi_init();
}

/* As curl_easy_setopt: the one argument after option is read as its type number says. */
CURLMcode (curl_multi_setopt)(CURLM *m, CURLMoption option, ...)
{
	OIS_LAZY_FN(curl, curl_multi_setopt);
	va_list ap;
	va_start(ap, option);
	CURLMcode rc;
	if (option < CURLOPTTYPE_OBJECTPOINT)
		rc = real_curl_multi_setopt(m, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		rc = real_curl_multi_setopt(m, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		rc = real_curl_multi_setopt(m, option, va_arg(ap, void (*)(void)));
	else
		rc = real_curl_multi_setopt(m, option, va_arg(ap, curl_off_t));
	va_end(ap);
	return rc;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
	OIS_LAZY_FN(curl, curl_multi_cleanup);
	return real_curl_multi_cleanup(m);
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
	OIS_LAZY_FN(curl, curl_multi_add_handle);
	return real_curl_multi_add_handle(m, h);
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
	OIS_LAZY_FN(curl, curl_multi_remove_handle);
	return real_curl_multi_remove_handle(m, h);
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	OIS_LAZY_FN(curl, curl_multi_perform);
	return real_curl_multi_perform(m, running);
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned int n, int timeout_ms, int *numfds)
{
	OIS_LAZY_FN(curl, curl_multi_poll);
	return real_curl_multi_poll(m, extra, n, timeout_ms, numfds);
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
	OIS_LAZY_FN(curl, curl_multi_info_read);
	return real_curl_multi_info_read(m, left);
}

const char *curl_multi_strerror(CURLMcode code)
{
	OIS_LAZY_FN(curl, curl_multi_strerror);
	return real_curl_multi_strerror(code);
}
