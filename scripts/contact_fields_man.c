/*
 * contact_fields_man.c - the contact field table of oisync-records(5), made
 * from lib/contact_fields.def: the page on stdin, with the lines from the
 * BEGIN marker to the END marker replaced by the table, goes to stdout.
 * The Makefile builds and runs it: `make man-fields` rewrites the page, and
 * every build fails while the committed table differs from the generated one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEGIN_MARK ".\\\" BEGIN contact fields"
#define END_MARK ".\\\" END contact fields"

struct side {
	const char *how; /* NULL: the side lacks the unit */
	const char *name;
	const char *who; /* InterAction only: FIRM or USER */
};

struct row {
	const char *unit;
	const char *kind;
	struct side ews, ia;
};

#define EWS(how, name, uri, order) { #how, name, NULL }
#define NO_EWS { NULL, NULL, NULL }
#define IA(how, key, order, who) { #how, key, #who }
#define NO_IA { NULL, NULL, NULL }
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, interaction) { unit, #kind, exchange, interaction },
static const struct row rows[] = {
#include "contact_fields.def"
};
#undef OIS_CONTACT_FIELD

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static void lower(const char *s)
{
	for (; *s; s++)
		putchar(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
}

/* How Outlook (EWS) holds the unit: an e-mail or phone by its Entry Key, an address by its kind. */
static void ews_cell(const struct side *s)
{
	if (!s->how)
		fputs("\\(em", stdout);
	else if (!strcmp(s->how, "EXT_TAG"))
		printf("property tag %s", s->name);
	else if (!strcmp(s->how, "USER_FIELD"))
		printf("User Field %s", s->name);
	else if (!strcmp(s->how, "ADDRESS"))
		printf("%s address", s->name);
	else if (!strcmp(s->how, "SENSITIVITY"))
		printf("%s Private", s->name);
	else
		fputs(s->name, stdout);
}

/* The InterAction key (oisync-interaction-api(7)); slot is the unit's place among the custom rows. */
static void ia_cell(const struct row *r, int slot)
{
	const struct side *s = &r->ia;
	if (!s->how) {
		fputs("\\(em", stdout);
		return;
	}
	if (!strcmp(s->how, "EMAIL") || !strcmp(s->how, "PHONE") || !strcmp(s->how, "ADDRESS"))
		printf("%.*s.%s", (int)strcspn(r->unit, "."), r->unit, s->name);
	else if (!strcmp(s->how, "CUSTOM"))
		printf("%s[%d]", s->name, slot);
	else
		fputs(s->name, stdout);
	if (!strcmp(s->who, "USER"))
		fputs(" (user)", stdout);
}

static void table(void)
{
	int slot = 0;
	puts(BEGIN_MARK ": made from lib/contact_fields.def by `make man-fields`; edit that, not this");
	puts(".TS");
	puts("l2 l2 l2 l.");
	puts("unit\tkind\tOutlook (EWS)\tInterAction");
	puts("_");
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		printf("%s\t", r->unit);
		lower(r->kind);
		putchar('\t');
		ews_cell(&r->ews);
		putchar('\t');
		ia_cell(r, slot);
		if (r->ia.how && !strcmp(r->ia.how, "CUSTOM"))
			slot++;
		putchar('\n');
	}
	puts(".TE");
	puts(END_MARK);
}

int main(void)
{
	char line[4096];
	int state = 0; /* 0 before the region, 1 in it, 2 after it */
	while (fgets(line, sizeof(line), stdin)) {
		if (state == 0 && !strncmp(line, BEGIN_MARK, strlen(BEGIN_MARK))) {
			table();
			state = 1;
		} else if (state == 1) {
			if (!strncmp(line, END_MARK, strlen(END_MARK)))
				state = 2;
		} else {
			fputs(line, stdout);
		}
	}
	if (state != 2) {
		fprintf(stderr, "contact_fields_man: no \"%s\" ... \"%s\" region in the page\n", BEGIN_MARK, END_MARK);
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}
