/* match.c - pair unpaired items across sides (contacts by e-mail, then name and company; appointments by UID, then subject and start). */
#include "reconcile.h"
#include "buf.h"
#include "canon_fields.h"
#include "email.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct key {
	char *text;
	size_t idx; /* index into the candidates of its side */
};

struct keys {
	struct key *k;
	size_t n, alloc;
};

/*
 * ASCII case only: transform already lower-cased e-mail addresses and put
 * names in NFC; a full Unicode case fold would need libutf8proc here too.
 */
static void add_lower(struct ois_buf *b, const char *s)
{
	for (; *s; s++) {
		char c = (char)tolower((unsigned char)*s);
		ois_buf_add(b, &c, 1);
	}
}

static void keys_add(struct keys *ks, struct ois_buf *b, size_t idx)
{
	if (ks->n == ks->alloc) {
		ks->alloc = ks->alloc ? 2 * ks->alloc : 64;
		ks->k = ois_xrealloc(ks->k, ks->alloc * sizeof(*ks->k));
	}
	ks->k[ks->n].text = ois_buf_detach(b, NULL);
	ks->k[ks->n].idx = idx;
	ks->n++;
}

static const char *str_unit(json_object *data, const char *unit)
{
	json_object *v = ois_canon_get(data, unit);
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/*
 * An appointment's keys: its iCalendar UID (pass 0), which Outlook and
 * InterAction keep for a meeting's life, with the original start, as every
 * occurrence of a series shares the UID; else (pass 1) its subject and
 * start, for items that lost or never had a UID.
 */
static void appointment_keys(const struct ois_rc_item *it, int pass, struct keys *ks, size_t idx)
{
	struct ois_buf b = OIS_BUF_INIT;
	const char *uid = str_unit(ois_rc_item_data(it), "ical_uid"), *orig = str_unit(ois_rc_item_data(it), "original_start");
	const char *subject = str_unit(ois_rc_item_data(it), "subject"), *start = str_unit(ois_rc_item_data(it), "start");
	if (pass == 0 && uid) {
		add_lower(&b, uid);
		ois_buf_add(&b, "\x1f", 1);
		ois_buf_adds(&b, orig ? orig : "");
		keys_add(ks, &b, idx);
	} else if (pass == 1 && subject && start) {
		add_lower(&b, subject);
		ois_buf_add(&b, "\x1f", 1);
		ois_buf_adds(&b, start);
		keys_add(ks, &b, idx);
	}
}

/* The e-mail keys (pass 0) or the name key (pass 1) of one item; an appointment's as above. */
static void item_keys(const char *kind, const struct ois_rc_item *it, int pass, struct keys *ks, size_t idx)
{
	if (!strcmp(kind, "appointment")) {
		appointment_keys(it, pass, ks, idx);
		return;
	}
	static const char *const emails[] = { "emails.work", "emails.home", "emails.other" };
	struct ois_buf b = OIS_BUF_INIT;
	if (pass == 0) {
		for (size_t i = 0; i < OIS_ARRAY_SIZE(emails); i++) {
			const char *a = str_unit(ois_rc_item_data(it), emails[i]);
			/* An invalid or X.500 address names no one for sure: two typos alike are no match. */
			if (!a || !ois_email_valid(a))
				continue;
			add_lower(&b, a);
			keys_add(ks, &b, idx);
		}
		return;
	}
	const char *first = str_unit(ois_rc_item_data(it), "first"), *last = str_unit(ois_rc_item_data(it), "last");
	const char *company = str_unit(ois_rc_item_data(it), "company");
	if (!first || !last)
		return; /* a bare company or a lone name is too weak to call two contacts one */
	add_lower(&b, first);
	ois_buf_add(&b, "\x1f", 1);
	add_lower(&b, last);
	ois_buf_add(&b, "\x1f", 1);
	add_lower(&b, company ? company : "");
	keys_add(ks, &b, idx);
}

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = strcmp(x->text, y->text);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void keys_release(struct keys *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		free(ks->k[i].text);
	free(ks->k);
	memset(ks, 0, sizeof(*ks));
}

/* First index in the sorted keys whose text is >= text. */
static size_t lower_bound(const struct keys *ks, const char *text)
{
	size_t lo = 0, hi = ks->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ks->k[mid].text, text) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void ois_rc_match(const char *kind, struct ois_rc_item *const *ex, size_t nex, struct ois_rc_item *const *ia,
		  size_t nia, long *match, const char **how)
{
	static const char *const contact_passes[] = { "same e-mail address", "same name and company" };
	static const char *const appointment_passes[] = { "same iCalendar UID", "same subject and start" };
	const char *const *pass_names = strcmp(kind, "appointment") ? contact_passes : appointment_passes;
	char *taken = ois_xcalloc(nia ? nia : 1, 1);
	for (size_t i = 0; i < nex; i++) {
		match[i] = -1;
		how[i] = NULL;
	}
	for (int pass = 0; pass < 2; pass++) {
		struct keys index = { 0 };
		for (size_t j = 0; j < nia; j++)
			if (!taken[j])
				item_keys(kind, ia[j], pass, &index, j);
		if (index.n)
			qsort(index.k, index.n, sizeof(*index.k), cmp_key);
		for (size_t i = 0; i < nex; i++) {
			if (match[i] >= 0)
				continue;
			struct keys mine = { 0 };
			item_keys(kind, ex[i], pass, &mine, i);
			/* Keys in the item's own order (work, home, other): the first address that finds a free twin wins. */
			for (size_t k = 0; k < mine.n && match[i] < 0; k++)
				for (size_t p = lower_bound(&index, mine.k[k].text);
				     p < index.n && !strcmp(index.k[p].text, mine.k[k].text); p++)
					if (!taken[index.k[p].idx]) {
						taken[index.k[p].idx] = 1;
						match[i] = (long)index.k[p].idx;
						how[i] = pass_names[pass];
						break;
					}
			keys_release(&mine);
		}
		keys_release(&index);
	}
	free(taken);
}
