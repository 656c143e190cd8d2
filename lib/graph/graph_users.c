/* graph_users.c - the tenant's directory by e-mail address, for oisync users match. */
#include "graph.h"
#include "buf.h"
#include "code.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct found {
	char **addresses;
	size_t n;
};

static int add_user(json_object *user, void *ctx)
{
	struct found *f = ctx;
	json_object *mail;
	if (!json_object_object_get_ex(user, "mail", &mail) || !json_object_is_type(mail, json_type_string))
		return 0;
	f->addresses = ois_xrealloc(f->addresses, (f->n + 1) * sizeof(*f->addresses));
	f->addresses[f->n++] = ois_xstrdup(json_object_get_string(mail));
	return 0;
}

/*
 * A whole URL, outside the mailbox the client opens; the quote in an
 * address is doubled, as OData string literals escape it.
 */
int ois_graph_users_by_mail(struct ois_graph *g, const char *email, char ***addresses, size_t *n)
{
	struct ois_buf lit = OIS_BUF_INIT;
	for (const char *s = email; *s; s++) {
		if (*s == '\'')
			ois_buf_adds(&lit, "''");
		else
			ois_buf_add(&lit, s, 1);
	}
	char *filter = ois_xasprintf("mail eq '%s'", lit.data ? lit.data : "");
	ois_buf_release(&lit);
	char *enc = ois_pct_encode(filter);
	char *url = ois_xasprintf("%s/users?$filter=%s&$select=id,mail", ois_graph_base(g), enc);
	free(filter);
	free(enc);
	struct found f = { 0 };
	char *delta = NULL;
	int rc = ois_graph_pages(g, url, NULL, add_user, &f, &delta);
	free(delta);
	free(url);
	*addresses = f.addresses;
	*n = f.n;
	return rc;
}
