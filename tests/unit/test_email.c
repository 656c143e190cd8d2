/* test_email.c - e-mail addresses: X.500 and SMTP told apart, SMTP resolved from what an item carries, invalid kept and marked. */
#include "unit.h"
#include "buf.h"
#include "canon_fields.h"
#include "canonjson.h"
#include "email.h"
#include "ews/ews_contact.h"
#include "graph/graph_contact.h"
#include "log.h"
#include "normalize.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define X500 "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=1a2b3c4d-ann.lee"
#define PSETID "00062004-0000-0000-C000-000000000046"

struct yes_no {
	const char *in;
	int want;
};

static void check_pred(int (*pred)(const char *), const struct yes_no *cases, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (pred(cases[i].in) != cases[i].want)
			unit_fail(__FILE__, __LINE__, "%s(\"%s\") is not %d", what, cases[i].in, cases[i].want);
}

static void test_x500(void)
{
	static const struct yes_no cases[] = {
		{ X500, 1 },
		{ "/O=FIRM/OU=EXCHANGE/CN=RECIPIENTS/CN=ANN", 1 },
		{ "EX:" X500, 1 },
		{ "ex:/o=firm/cn=ann", 1 },
		{ "/cn=Recipients/cn=ann", 1 },
		{ "/ou=First Administrative Group/cn=ann", 1 },
		{ "ann@firm.example", 0 },
		{ "SMTP:ann@firm.example", 0 },
		{ "/home/ann", 0 },            /* a path, no attribute */
		{ "/organisation=x", 0 },      /* no X.500 attribute is that long */
		{ "o=firm/cn=ann", 0 },        /* no leading slash */
		{ "", 0 },
		{ "EX:", 0 },
	};
	check_pred(ois_email_x500, cases, OIS_ARRAY_SIZE(cases), "ois_email_x500");
	CHECK(!ois_email_x500(NULL));
}

static void test_valid(void)
{
	static const struct yes_no cases[] = {
		{ "ann@firm.example", 1 },
		{ "ann.lee@firm.example", 1 },
		{ "ann+tax@firm.example", 1 },
		{ "o'brien@firm.example", 1 },
		{ "ann_lee-2@mail.firm-law.example", 1 },
		{ "ann@localhost", 1 },                        /* one label: deliverable */
		{ "ann@x", 1 },
		{ "j\xc3\xb6rg@m\xc3\xbcller.example", 1 },    /* UTF-8 local part and IDN */
		{ "ANN@FIRM.EXAMPLE", 1 },
		{ "", 0 },
		{ "ann", 0 },                                  /* no @ */
		{ "ann lee@firm.example", 0 },                 /* space */
		{ "ann@firm example", 0 },
		{ "ann@@firm.example", 0 },
		{ "ann@bob@firm.example", 0 },
		{ "@firm.example", 0 },                        /* no local part */
		{ "ann@", 0 },                                 /* no domain */
		{ ".ann@firm.example", 0 },
		{ "ann.@firm.example", 0 },
		{ "ann..lee@firm.example", 0 },
		{ "ann@firm..example", 0 },
		{ "ann@.firm.example", 0 },
		{ "ann@firm.example.", 0 },
		{ "ann@-firm.example", 0 },
		{ "ann@firm-.example", 0 },
		{ "ann@firm_x.example", 0 },
		{ "<ann@firm.example>", 0 },
		{ "Ann Lee (ann@firm.example)", 0 },
		{ "ann;bob@firm.example", 0 },
		{ "ann,bob@firm.example", 0 },
		{ "ann@firm.example;bob@firm.example", 0 },
		{ "\"ann\"@firm.example", 0 },
		{ "ann\t@firm.example", 0 },
		{ "n/a", 0 },
		{ "none", 0 },
		{ "-", 0 },
		{ "www.firm.example", 0 },
		{ X500, 0 },
	};
	check_pred(ois_email_valid, cases, OIS_ARRAY_SIZE(cases), "ois_email_valid");
	CHECK(!ois_email_valid(NULL));
}

static void test_smtp_in(void)
{
	static const struct {
		const char *in, *want; /* want NULL: none found */
	} cases[] = {
		{ "ann@firm.example", "ann@firm.example" },
		{ "  ann@firm.example  ", "ann@firm.example" },
		{ "Ann Lee <ann@firm.example>", "ann@firm.example" },
		{ "Ann Lee (ann@firm.example)", "ann@firm.example" },       /* Outlook's Email1DisplayName */
		{ "Ann Lee ( ann@firm.example )", "ann@firm.example" },
		{ "Lee, Ann (Tax) (ann@firm.example)", "ann@firm.example" }, /* the first pair holding one */
		{ "Ann <not an address> <ann@firm.example>", "ann@firm.example" },
		{ "Ann Lee", NULL },
		{ "Ann Lee (Tax)", NULL },
		{ "Ann Lee <ann>", NULL },
		{ "Ann Lee (ann@firm.example", NULL },                       /* unclosed */
		{ X500, NULL },
		{ "", NULL },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char *got = ois_email_smtp_in(cases[i].in);
		if (cases[i].want)
			CHECK_STR(got ? got : "(none)", cases[i].want);
		else if (got)
			unit_fail(__FILE__, __LINE__, "ois_email_smtp_in(\"%s\") found \"%s\"", cases[i].in, got);
		free(got);
	}
	CHECK(ois_email_smtp_in(NULL) == NULL);
}

static void test_clean_drops_ex_prefix(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "EX:/o=Firm/ou=Exchange/cn=Recipients/cn=Ann", "/o=firm/ou=exchange/cn=recipients/cn=ann" },
		{ "ex:/o=firm/cn=ann", "/o=firm/cn=ann" },
		{ "/O=Firm/CN=Ann", "/o=firm/cn=ann" },
		{ "ex:ann@firm.example", "ex:ann@firm.example" }, /* "EX:" only before an X.500 path */
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char *got = ois_email_clean(cases[i].in);
		CHECK_STR(got, cases[i].want);
		char *again = ois_email_clean(got);
		CHECK_STR(again, got);
		free(again);
		free(got);
	}
}

static char *canonical_text(json_object *o)
{
	struct ois_buf b = OIS_BUF_INIT;
	ois_json_canonical(o, &b);
	return ois_buf_detach(&b, NULL);
}

static char *normalized(const char *in)
{
	json_object *o = json_tokener_parse(in);
	if (!o)
		return ois_xstrdup("(bad test JSON)");
	ois_contact_normalize(o, "US", "t.jsonl:1: contact \"x\"");
	char *s = canonical_text(o);
	json_object_put(o);
	return s;
}

/* Normalization keeps every address and marks the ones that are not SMTP; twice changes nothing. */
static void test_normalize_marks_invalid(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "{\"emails\":[{\"address\":\"Ann@Firm.Example\",\"kind\":\"work\"}]}",
		  "{\"emails\":[{\"address\":\"ann@firm.example\",\"kind\":\"work\"}]}" },
		{ "{\"emails\":[{\"address\":\"ann at firm\",\"kind\":\"work\"}]}",
		  "{\"emails\":[{\"address\":\"ann at firm\",\"invalid\":true,\"kind\":\"work\"}]}" },
		{ "{\"emails\":[{\"address\":\"n/a\",\"kind\":\"home\"}]}",
		  "{\"emails\":[{\"address\":\"n/a\",\"invalid\":true,\"kind\":\"home\"}]}" },
		{ "{\"emails\":[{\"address\":\"EX:/o=Firm/cn=Recipients/cn=Ann\",\"kind\":\"other\"}]}",
		  "{\"emails\":[{\"address\":\"/o=firm/cn=recipients/cn=ann\",\"invalid\":true,\"kind\":\"other\"}]}" },
		/* a source's own mark is not believed: the address alone decides */
		{ "{\"emails\":[{\"address\":\"ann@firm.example\",\"invalid\":true,\"kind\":\"work\"}]}",
		  "{\"emails\":[{\"address\":\"ann@firm.example\",\"kind\":\"work\"}]}" },
		{ "{\"emails\":[{\"address\":\"ann@firm..example\",\"invalid\":false,\"kind\":\"work\"},"
		  "{\"address\":\"bob@firm.example\",\"kind\":\"home\"}]}",
		  "{\"emails\":[{\"address\":\"ann@firm..example\",\"invalid\":true,\"kind\":\"work\"},"
		  "{\"address\":\"bob@firm.example\",\"kind\":\"home\"}]}" },
	};
	for (size_t i = 0; i < OIS_ARRAY_SIZE(cases); i++) {
		char *got = normalized(cases[i].in);
		CHECK_STR(got, cases[i].want);
		char *again = normalized(got);
		CHECK_STR(again, got);
		free(again);
		free(got);
	}
}

/* Reconcile's merge sets an address; the mark follows the address it sets. */
static void test_canon_set_marks_invalid(void)
{
	json_object *o = json_tokener_parse("{\"emails\":[{\"address\":\"bad\",\"invalid\":true,\"kind\":\"work\"}]}");
	json_object *good = json_object_new_string("ann@firm.example");
	ois_canon_set(o, "emails.work", good);
	char *s = canonical_text(o);
	CHECK_STR(s, "{\"emails\":[{\"address\":\"ann@firm.example\",\"kind\":\"work\"}]}");
	free(s);
	json_object *bad = json_object_new_string("/o=firm/cn=ann");
	ois_canon_set(o, "emails.home", bad);
	s = canonical_text(o);
	CHECK_STR(s, "{\"emails\":[{\"address\":\"ann@firm.example\",\"kind\":\"work\"},"
		     "{\"address\":\"/o=firm/cn=ann\",\"invalid\":true,\"kind\":\"home\"}]}");
	free(s);
	json_object_put(good);
	json_object_put(bad);
	json_object_put(o);
}

struct map_case {
	const char *native, *want;
};

static void check_map(json_object *(*map)(json_object *), const struct map_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_object *in = json_tokener_parse(cases[i].native);
		if (!in) {
			unit_fail(__FILE__, __LINE__, "bad test JSON %zu", i);
			continue;
		}
		json_object *c = map(in);
		ois_contact_normalize(c, "US", "t");
		char *got = canonical_text(c);
		CHECK_STR(got, cases[i].want);
		free(got);
		json_object_put(c);
		json_object_put(in);
	}
}

/* EWS: an X.500 Entry resolves through PidLidEmailNOriginalDisplayName of the same slot, and only that. */
static void test_ews_resolves_x500(void)
{
	static const struct map_case cases[] = {
		{ "{\"EmailAddresses\":{\"EmailAddress1\":\"" X500 "\"},"
		  "\"ExtendedProperties\":{\"" PSETID ":0x8084\":\"Ann.Lee@Firm.Example\"}}",
		  "{\"emails\":[{\"address\":\"ann.lee@firm.example\",\"kind\":\"work\"}]}" },
		{ "{\"EmailAddresses\":{\"EmailAddress2\":\"EX:" X500 "\"},"
		  "\"ExtendedProperties\":{\"" PSETID ":0x8094\":\"Ann Lee (ann@firm.example)\"}}",
		  "{\"emails\":[{\"address\":\"ann@firm.example\",\"kind\":\"home\"}]}" },
		{ "{\"EmailAddresses\":{\"EmailAddress3\":\"" X500 "\"},"
		  "\"ExtendedProperties\":{\"" PSETID ":0x80A4\":\"ann@firm.example\"}}",
		  "{\"emails\":[{\"address\":\"ann@firm.example\",\"kind\":\"other\"}]}" },
		/* another slot's SMTP address is not this one's */
		{ "{\"EmailAddresses\":{\"EmailAddress1\":\"" X500 "\"},"
		  "\"ExtendedProperties\":{\"" PSETID ":0x8094\":\"bob@firm.example\"}}",
		  "{\"emails\":[{\"address\":\"" "/o=exchangelabs/ou=exchange administrative group (fydibohf23spdlt)/cn=recipients/cn=1a2b3c4d-ann.lee"
		  "\",\"invalid\":true,\"kind\":\"work\"}]}" },
		/* no SMTP address on the item: the X.500 one is kept, marked */
		{ "{\"EmailAddresses\":{\"EmailAddress1\":\"/o=Firm/cn=Ann\"},"
		  "\"ExtendedProperties\":{\"" PSETID ":0x8084\":\"Ann Lee\"}}",
		  "{\"emails\":[{\"address\":\"/o=firm/cn=ann\",\"invalid\":true,\"kind\":\"work\"}]}" },
		{ "{\"EmailAddresses\":{\"EmailAddress1\":\"/o=Firm/cn=Ann\"}}",
		  "{\"emails\":[{\"address\":\"/o=firm/cn=ann\",\"invalid\":true,\"kind\":\"work\"}]}" },
		/* an SMTP Entry is never replaced, whatever the property says */
		{ "{\"EmailAddresses\":{\"EmailAddress1\":\"SMTP:ann@firm.example\"},"
		  "\"ExtendedProperties\":{\"" PSETID ":0x8084\":\"other@firm.example\"}}",
		  "{\"emails\":[{\"address\":\"ann@firm.example\",\"kind\":\"work\"}]}" },
		/* an invalid SMTP-ish Entry is kept and marked */
		{ "{\"EmailAddresses\":{\"EmailAddress1\":\"ann@firm\",\"EmailAddress2\":\"ann lee@firm.example\"}}",
		  "{\"emails\":[{\"address\":\"ann@firm\",\"kind\":\"work\"},"
		  "{\"address\":\"ann lee@firm.example\",\"invalid\":true,\"kind\":\"home\"}]}" },
	};
	check_map(ois_ews_contact_to_canonical, cases, OIS_ARRAY_SIZE(cases));
	/* the properties are asked for, so that an item carries them */
	const char *uris = ois_ews_contact_extended_uris();
	CHECK(strstr(uris, "PropertySetId=\"" PSETID "\" PropertyId=\"32900\"") != NULL);
	CHECK(strstr(uris, "PropertySetId=\"" PSETID "\" PropertyId=\"32916\"") != NULL);
	CHECK(strstr(uris, "PropertySetId=\"" PSETID "\" PropertyId=\"32932\"") != NULL);
}

/* Graph: an X.500 address resolves through the entry's own name when that holds an SMTP address. */
static void test_graph_resolves_x500(void)
{
	static const struct map_case cases[] = {
		{ "{\"emailAddresses\":[{\"name\":\"ann@firm.example\",\"address\":\"" X500 "\"}]}",
		  "{\"emails\":[{\"address\":\"ann@firm.example\",\"kind\":\"work\"}]}" },
		{ "{\"emailAddresses\":[{\"name\":\"x\",\"address\":\"b@x.example\"},"
		  "{\"name\":\"Ann Lee <Ann@Firm.Example>\",\"address\":\"EX:" X500 "\"}]}",
		  "{\"emails\":[{\"address\":\"b@x.example\",\"kind\":\"work\"},{\"address\":\"ann@firm.example\",\"kind\":\"home\"}]}" },
		{ "{\"emailAddresses\":[{\"name\":\"Ann Lee\",\"address\":\"/o=Firm/cn=Ann\"}]}",
		  "{\"emails\":[{\"address\":\"/o=firm/cn=ann\",\"invalid\":true,\"kind\":\"work\"}]}" },
		{ "{\"emailAddresses\":[{\"address\":\"/o=Firm/cn=Ann\"}]}",
		  "{\"emails\":[{\"address\":\"/o=firm/cn=ann\",\"invalid\":true,\"kind\":\"work\"}]}" },
		/* a name is never preferred to an SMTP address */
		{ "{\"emailAddresses\":[{\"name\":\"bob@firm.example\",\"address\":\"ann@firm.example\"}]}",
		  "{\"emails\":[{\"address\":\"ann@firm.example\",\"kind\":\"work\"}]}" },
		{ "{\"emailAddresses\":[{\"name\":\"Ann\",\"address\":\"ann(at)firm.example\"}]}",
		  "{\"emails\":[{\"address\":\"ann(at)firm.example\",\"invalid\":true,\"kind\":\"work\"}]}" },
	};
	check_map(ois_graph_contact_to_canonical, cases, OIS_ARRAY_SIZE(cases));
}

int main(void)
{
	ois_log_init("test_email");
	UNIT_RUN(test_x500);
	UNIT_RUN(test_valid);
	UNIT_RUN(test_smtp_in);
	UNIT_RUN(test_clean_drops_ex_prefix);
	UNIT_RUN(test_normalize_marks_invalid);
	UNIT_RUN(test_canon_set_marks_invalid);
	UNIT_RUN(test_ews_resolves_x500);
	UNIT_RUN(test_graph_resolves_x500);
	return unit_done();
}
