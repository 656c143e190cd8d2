/*
 * fields_man.c - the field tables of oisync-records(5), made from
 * lib/contact_fields.def and lib/appointment_fields.def (each kind's table
 * of EWS and InterAction, then Graph's): the page on stdin,
 * with the lines from each table's BEGIN marker to its END marker replaced
 * by the table, goes to stdout. The Makefile builds and runs it: `make
 * man-fields` rewrites the page, and every build fails while a committed
 * table differs from the generated one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARK ".\\\" "

struct side {
	const char *how; /* NULL: the backend lacks the unit */
	const char *name;
	const char *who; /* InterAction only: FIRM or USER */
	int slot;        /* Graph only: the place in a collection */
};

struct row {
	const char *unit;
	const char *kind;
	struct side ews, graph, ia;
};

#define EWS(how, name, uri, order) { #how, name, NULL, 0 }
#define NO_EWS { NULL, NULL, NULL, 0 }
#define GRAPH(how, name, slot) { #how, name, NULL, slot }
#define NO_GRAPH { NULL, NULL, NULL, 0 }
#define IA(how, key, order, who) { #how, key, #who, 0 }
#define NO_IA { NULL, NULL, NULL, 0 }
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) { unit, #kind, exchange, graph, interaction },
static const struct row rows[] = {
#include "contact_fields.def"
};
#undef OIS_CONTACT_FIELD
#undef IA
#undef NO_IA
#undef EWS
#undef NO_EWS
#undef GRAPH
#undef NO_GRAPH

#define NROWS (sizeof(rows) / sizeof(rows[0]))

struct appointment_row {
	const char *unit;
	const char *kind;
	const char *ews_how; /* NULL: Exchange lacks the unit */
	const char *ews_name;
	int ews_order;       /* 0: Exchange sets it, a write never does */
	const char *graph_how; /* NULL: Graph lacks the unit */
	const char *graph_name;
	int graph_writes;    /* 0: Graph sets it, a write never does */
	const char *ia;      /* NULL: InterAction lacks it */
};

#define EWS(how, name, uri, order) #how, name, order
#define NO_EWS NULL, NULL, 0
#define GRAPH(how, name, writes) #how, name, writes
#define NO_GRAPH NULL, NULL, 0
#define IA(key) key
#define NO_IA NULL
#define OIS_APPOINTMENT_FIELD(unit, kind, exchange, graph, interaction) { unit, #kind, exchange, graph, interaction },
static const struct appointment_row appointment_rows[] = {
#include "appointment_fields.def"
};
#undef OIS_APPOINTMENT_FIELD

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

/*
 * How Graph holds a contact's unit: a collection's entry by its place, and
 * what the contact resource lacks as the extended property it is, by the
 * id Graph names it with (PSETID_Address for its GUID).
 */
static void graph_cell(const struct side *s)
{
	if (!s->how)
		fputs("\\(em", stdout);
	else if (!strcmp(s->how, "EMAIL"))
		printf("%s[%d] address", s->name, s->slot);
	else if (!strcmp(s->how, "PHONES"))
		printf("%s[%d]", s->name, s->slot);
	else if (!strcmp(s->how, "EXT_TAG"))
		printf("extended String %s", s->name);
	else if (!strcmp(s->how, "USER_FIELD"))
		printf("extended String PSETID_Address Id %s", s->name);
	else if (!strcmp(s->how, "POSTAL_INDEX"))
		printf("extended Integer PSETID_Address Id %s", s->name);
	else if (!strcmp(s->how, "SENSITIVITY"))
		printf("extended Integer %s (2)", s->name);
	else if (!strcmp(s->how, "ADDRESS"))
		printf("%s (physicalAddress)", s->name);
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

static void contact_table(void)
{
	int slot = 0;
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
}

/* Where Outlook (EWS) holds an appointment's unit, narrow enough for an 80-column page; a unit it only reads marked. */
static void appointment_ews_cell(const struct appointment_row *r)
{
	if (!r->ews_how)
		fputs("\\(em", stdout);
	else if (!strcmp(r->ews_how, "ATTENDEES"))
		fputs("RequiredAttendees etc.", stdout); /* the prose under the table names the three */
	else if (!strcmp(r->ews_how, "TIME_ZONE"))
		fputs("StartTimeZone, EndTimeZone", stdout);
	else if (!strcmp(r->ews_how, "SENSITIVITY"))
		printf("%s Private", r->ews_name);
	else if (!strcmp(r->ews_how, "ORGANIZER"))
		printf("%s Mailbox", r->ews_name);
	else
		fputs(r->ews_name, stdout);
	if (r->ews_how && !r->ews_order)
		fputs(" (read only)", stdout);
}

static void appointment_table(void)
{
	puts(".TS");
	puts("l2 l2 l2 l.");
	puts("unit\tkind\tOutlook (EWS)\tInterAction");
	puts("_");
	for (size_t i = 0; i < sizeof(appointment_rows) / sizeof(appointment_rows[0]); i++) {
		const struct appointment_row *r = &appointment_rows[i];
		printf("%s\t", r->unit);
		lower(r->kind);
		putchar('\t');
		appointment_ews_cell(r);
		printf("\t%s\n", r->ia ? r->ia : "\\(em");
	}
	puts(".TE");
}

/*
 * Where Exchange Online, through Microsoft Graph, holds each contact unit:
 * a table of its own, as a fifth column would not fit a page.
 */
static void graph_contact_table(void)
{
	puts(".TS");
	puts("l2 l.");
	puts("unit\tOutlook (Graph)");
	puts("_");
	for (size_t i = 0; i < NROWS; i++) {
		printf("%s\t", rows[i].unit);
		graph_cell(&rows[i].graph);
		putchar('\n');
	}
	puts(".TE");
}

/* Where Graph holds an appointment's unit; what it only reads marked as for EWS. */
static void appointment_graph_cell(const struct appointment_row *r)
{
	if (!r->graph_how)
		fputs("\\(em", stdout);
	else if (!strcmp(r->graph_how, "TIME_ZONE"))
		fputs("originalStartTimeZone, originalEndTimeZone", stdout);
	else if (!strcmp(r->graph_how, "TIME"))
		printf("%s (dateTimeTimeZone)", r->graph_name);
	else if (!strcmp(r->graph_how, "BODY"))
		printf("%s, as text", r->graph_name);
	else if (!strcmp(r->graph_how, "LOCATION"))
		printf("%s displayName", r->graph_name);
	else if (!strcmp(r->graph_how, "ORGANIZER"))
		printf("%s emailAddress", r->graph_name);
	else if (!strcmp(r->graph_how, "SENSITIVITY"))
		printf("%s private", r->graph_name);
	else
		fputs(r->graph_name, stdout);
	if (r->graph_how && !r->graph_writes)
		fputs(" (read only)", stdout);
}

static void graph_appointment_table(void)
{
	puts(".TS");
	puts("l2 l.");
	puts("unit\tOutlook (Graph)");
	puts("_");
	for (size_t i = 0; i < sizeof(appointment_rows) / sizeof(appointment_rows[0]); i++) {
		printf("%s\t", appointment_rows[i].unit);
		appointment_graph_cell(&appointment_rows[i]);
		putchar('\n');
	}
	puts(".TE");
}

/* Each region of the page a table fills: its name in the markers, its source, its printer. */
static const struct region {
	const char *name;
	const char *def;
	void (*print)(void);
} regions[] = {
	{ "contact fields", "lib/contact_fields.def", contact_table },
	{ "appointment fields", "lib/appointment_fields.def", appointment_table },
	{ "graph contact fields", "lib/contact_fields.def", graph_contact_table },
	{ "graph appointment fields", "lib/appointment_fields.def", graph_appointment_table },
};
#define NREGIONS (sizeof(regions) / sizeof(regions[0]))

/* The region whose word ("BEGIN", "END") marker line is, or NULL. */
static const struct region *marker(const char *line, const char *word)
{
	size_t m = strlen(MARK), w = strlen(word);
	if (strncmp(line, MARK, m) || strncmp(line + m, word, w) || line[m + w] != ' ')
		return NULL;
	for (size_t i = 0; i < NREGIONS; i++) {
		size_t n = strlen(regions[i].name);
		if (!strncmp(line + m + w + 1, regions[i].name, n) && strchr(":\n", line[m + w + 1 + n]))
			return &regions[i];
	}
	return NULL;
}

int main(void)
{
	char line[4096];
	const struct region *in = NULL; /* the region being replaced */
	size_t done = 0;
	while (fgets(line, sizeof(line), stdin)) {
		if (in) {
			if (marker(line, "END") == in) {
				printf(MARK "END %s\n", in->name);
				in = NULL;
			}
		} else if ((in = marker(line, "BEGIN"))) {
			printf(MARK "BEGIN %s: made from %s by `make man-fields`; edit that, not this\n", in->name, in->def);
			in->print();
			done++;
		} else {
			fputs(line, stdout);
		}
	}
	if (in || done != NREGIONS) {
		fprintf(stderr, "fields_man: the page needs each region once, between \"" MARK "BEGIN NAME\" and \"" MARK
			"END NAME\" lines, for NAME in: contact fields, appointment fields, graph contact fields,"
			" graph appointment fields\n");
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}
