/* ews_contact.c - map an EWS t:Contact (native JSON, or XML to write) to and from canonical data. */
#include "ews_contact.h"
#include "ews_write.h"
#include "code.h"
#include "email.h"
#include "log.h"
#include "record.h"
#include "rfc3339.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/*
 * The EWS columns of lib/contact_fields.def, one row per canonical unit;
 * both directions read them, so a field mapped one way is mapped the other.
 * Names are EWS's (Exchange2016 schema, "Contact properties and elements in
 * EWS" on learn.microsoft.com).
 */
enum how {
	ELEM,         /* a t:Contact child holding the string; FieldURI uri */
	BODY,         /* item:Body, as text */
	BIRTHDAY,     /* a date written as noon UTC */
	POSTAL_INDEX, /* which address is the mailing address: an address kind */
	SENSITIVITY,  /* "Private" or "Normal" */
	CATEGORIES,   /* a list of t:String */
	EXT_TAG,      /* an extended property by tag; name is its key in ExtendedProperties */
	USER_FIELD,   /* PSETID_Address by LID name (PropertyId uri in decimal) */
	EMAIL,        /* an Entry of EmailAddresses with Key name */
	PHONE,        /* an Entry of PhoneNumbers with Key name */
	ADDRESS,      /* an Entry of PhysicalAddresses with Key name, parts below */
};

struct field {
	const char *unit;    /* canonical unit */
	enum how how;
	const char *name;    /* element, Entry Key, or extended property key; NULL: Exchange lacks the unit */
	const char *uri;     /* FieldURI, IndexedFieldURI or PropertyId */
	int order;           /* place in the schema: a create writes in this order */
	const char *ext_uri; /* the t:ExtendedFieldURI of an extended property */
};

#define EXT_OP_ID "<t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" PropertyName=\"oisync-op-id\" PropertyType=\"String\"/>"

/* The t:ExtendedFieldURI of a row by how: only extended properties have one (else NO_EXT_URI). */
#define EXT_URI_EXT_TAG(name, uri) "<t:ExtendedFieldURI PropertyTag=\"" uri "\" PropertyType=\"String\"/>"
#define EXT_URI_USER_FIELD(name, uri) \
	"<t:ExtendedFieldURI PropertySetId=\"" OIS_EWS_PSETID_ADDRESS "\" PropertyId=\"" uri "\" PropertyType=\"String\"/>"
#define EXT_URI_ELEM(name, uri) NO_EXT_URI
#define EXT_URI_BODY(name, uri) NO_EXT_URI
#define EXT_URI_BIRTHDAY(name, uri) NO_EXT_URI
#define EXT_URI_POSTAL_INDEX(name, uri) NO_EXT_URI
#define EXT_URI_SENSITIVITY(name, uri) NO_EXT_URI
#define EXT_URI_CATEGORIES(name, uri) NO_EXT_URI
#define EXT_URI_EMAIL(name, uri) NO_EXT_URI
#define EXT_URI_PHONE(name, uri) NO_EXT_URI
#define EXT_URI_ADDRESS(name, uri) NO_EXT_URI

#define NO_EXT_URI NULL
#define EWS(how, name, uri, order) how, name, uri, order, EXT_URI_##how(name, uri)
#define NO_EWS ELEM, NULL, NULL, 0, NULL
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) { unit, exchange },
static const struct field fields[] = {
#include "contact_fields.def"
};
#undef OIS_CONTACT_FIELD
#undef EWS
#undef NO_EWS
#undef NO_EXT_URI

#define NFIELDS OIS_ARRAY_SIZE(fields)

/* 1 for the hows whose rows make one canonical group: read and written together. */
static int is_group(enum how how)
{
	return how == EMAIL || how == PHONE || how == ADDRESS || how == USER_FIELD;
}

/* The wrapping element of an Entry row. */
static const char *entry_list(enum how how)
{
	return how == EMAIL ? "EmailAddresses" : how == PHONE ? "PhoneNumbers" : "PhysicalAddresses";
}

/* The part of a grouped unit after its dot: the key in canonical data ("mobile" of "phones.mobile"). */
static const char *unit_key(const struct field *f)
{
	const char *dot = strchr(f->unit, '.');
	return dot ? dot + 1 : f->unit;
}

/* The group of a grouped unit ("phones" of "phones.mobile") into g, at most size bytes. */
static const char *unit_group(const struct field *f, char *g, size_t size)
{
	snprintf(g, size, "%.*s", (int)strcspn(f->unit, "."), f->unit);
	return g;
}

/* The position of f among the rows of its group (a custom field's slot), from 0. */
static size_t slot_of(const struct field *f)
{
	size_t n = 0, len = strcspn(f->unit, ".");
	for (const struct field *g = fields; g < f; g++)
		n += !strncmp(g->unit, f->unit, len) && g->unit[len] == '.';
	return n;
}

/* In the schema's order inside t:Entry: Street, City, State, CountryOrRegion, PostalCode. */
struct keyed {
	const char *unit;
	const char *key;
};

static const struct keyed address_parts[] = {
	{ "street", "Street" },
	{ "city", "City" },
	{ "region", "State" },
	{ "country", "CountryOrRegion" },
	{ "postal_code", "PostalCode" },
};

/* Exchange also shows an extended property by tag as a part of CompleteName: read there when the tag is missing. */
static const struct keyed complete_name_parts[] = {
	{ "0x3A45", "Title" }, /* PidTagDisplayNamePrefix */
};

/*
 * PidLidEmail1-3OriginalDisplayName (PSETID_Address, MS-OXOCNTC 2.2.1.2.4):
 * "the SMTP address corresponding to" EmailAddress1-3 of the same item.
 * Read so that an Exchange legacy (X.500, routing type EX) address, which
 * the Entry's text then is, resolves to the SMTP address the item itself
 * carries; never a directory lookup. (The Entry's Name attribute is the
 * mailbox's display name, and the reader keeps an Entry as its text.)
 * Columns: the Entry Key, the LID as ExtendedProperties names it, in decimal.
 */
#define EMAIL_SMTP_PROPS(X) \
	X("EmailAddress1", "0x8084", "32900") \
	X("EmailAddress2", "0x8094", "32916") \
	X("EmailAddress3", "0x80A4", "32932")

#define EMAIL_SMTP_URI(key, lid, dec) \
	"<t:ExtendedFieldURI PropertySetId=\"" OIS_EWS_PSETID_ADDRESS "\" PropertyId=\"" dec "\" PropertyType=\"String\"/>"
#define EMAIL_SMTP_ROW(key, lid, dec) { key, OIS_EWS_PSETID_ADDRESS ":" lid },

static const struct keyed email_smtp[] = { EMAIL_SMTP_PROPS(EMAIL_SMTP_ROW) };

/*
 * The address of Entry key as canonical data takes it: the Entry's text
 * without "SMTP:", or, when that is an X.500 address, the SMTP address of
 * the item's PidLidEmailNOriginalDisplayName when it holds one (else the
 * X.500 address, which normalization keeps and marks invalid). NULL when
 * blank; *owned is set when the result must be freed.
 */
static const char *email_address(json_object *in, json_object *ext, const char *key, char **owned)
{
	*owned = NULL;
	const char *addr = ois_ews_nonblank(ois_ews_strip_smtp(ois_json_str(in, key)));
	if (!addr || !ois_email_x500(addr))
		return addr;
	for (size_t i = 0; i < OIS_ARRAY_SIZE(email_smtp); i++)
		if (!strcmp(email_smtp[i].unit, key) && (*owned = ois_email_smtp_in(ois_json_str(ext, email_smtp[i].key))))
			return *owned;
	return addr;
}

const char *ois_ews_contact_extended_uris(void)
{
	/* The table's extended properties as one string literal: no row, no URI. */
#define NO_EXT_URI
#define EWS(how, name, uri, order) EXT_URI_##how(name, uri)
#define NO_EWS
#define OIS_CONTACT_FIELD(unit, kind, norm, exchange, graph, interaction) exchange
	return EXT_OP_ID
#include "contact_fields.def"
		EMAIL_SMTP_PROPS(EMAIL_SMTP_URI);
#undef OIS_CONTACT_FIELD
#undef EWS
#undef NO_EWS
#undef NO_EXT_URI
}

const char *ois_ews_op_id_uri(void)
{
	return EXT_OP_ID;
}

/* ---- native -> canonical ---- */

static void put_str(json_object *obj, const char *key, const char *val)
{
	if (ois_ews_nonblank(val))
		json_object_object_add(obj, key, json_object_new_string(val));
}

int ois_ews_birthday_date(const char *s, char out[11])
{
	/* EWS sends an xs:dateTime, or a date; Graph's birthdays are read the same way (lib/rfc3339.c). */
	return ois_date_of_midnight(s, out);
}

/* Native categories are an array of strings; a lone string is taken too. */
static void categories_to_canonical(json_object *native, const struct field *f, json_object *canon)
{
	json_object *v;
	if (!json_object_object_get_ex(native, f->name, &v))
		return;
	json_object *arr = json_object_new_array();
	if (json_object_is_type(v, json_type_string)) {
		if (ois_ews_nonblank(json_object_get_string(v)))
			json_object_array_add(arr, json_object_new_string(json_object_get_string(v)));
	} else if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			if (json_object_is_type(e, json_type_string) && ois_ews_nonblank(json_object_get_string(e)))
				json_object_array_add(arr, json_object_new_string(json_object_get_string(e)));
		}
	}
	if (json_object_array_length(arr))
		json_object_object_add(canon, f->unit, arr);
	else
		json_object_put(arr);
}

/* Add sub to obj under key when it has anything; else drop it. */
static void add_nonempty(json_object *obj, const char *key, json_object *sub)
{
	int any = json_object_is_type(sub, json_type_array) ? json_object_array_length(sub) > 0
							     : json_object_object_length(sub) > 0;
	if (any)
		json_object_object_add(obj, key, sub);
	else
		json_object_put(sub);
}

/* The rows of how as one canonical group ("emails", "phones", "addresses", "custom"). */
static void group_to_canonical(json_object *native, json_object *ext, enum how how, json_object *c)
{
	json_object *in = how == USER_FIELD ? ext : ois_json_obj(native, entry_list(how));
	json_object *out = how == EMAIL || how == USER_FIELD ? json_object_new_array() : json_object_new_object();
	int any = 0;
	char g[32] = "";
	for (const struct field *f = fields; f < fields + NFIELDS; f++) {
		if (f->how != how || !f->name)
			continue;
		unit_group(f, g, sizeof(g));
		if (how == EMAIL) {
			char *owned;
			const char *addr = email_address(in, ext, f->name, &owned);
			if (!addr)
				continue;
			json_object *e = json_object_new_object();
			json_object_object_add(e, "address", json_object_new_string(addr));
			free(owned);
			json_object_object_add(e, "kind", json_object_new_string(unit_key(f)));
			json_object_array_add(out, e);
		} else if (how == PHONE) {
			put_str(out, unit_key(f), ois_json_str(in, f->name));
		} else if (how == ADDRESS) {
			json_object *src = ois_json_obj(in, f->name);
			json_object *a = json_object_new_object();
			for (size_t j = 0; j < OIS_ARRAY_SIZE(address_parts); j++)
				put_str(a, address_parts[j].unit, ois_json_str(src, address_parts[j].key));
			add_nonempty(out, unit_key(f), a);
		} else {
			/* custom: every slot, "" for an empty one, kept only when one holds text. */
			char key[64];
			snprintf(key, sizeof(key), "%s:%s", OIS_EWS_PSETID_ADDRESS, f->name);
			const char *v = ois_ews_nonblank(ois_json_str(in, key));
			any |= v != NULL;
			json_object_array_add(out, json_object_new_string(v ? v : ""));
		}
	}
	if (how == USER_FIELD && !any) {
		json_object_put(out);
		return;
	}
	add_nonempty(c, g, out);
}

static void field_to_canonical(json_object *native, json_object *ext, const struct field *f, json_object *c)
{
	const char *v;
	char date[11];
	switch (f->how) {
	case EXT_TAG:
		v = ois_ews_nonblank(ois_json_str(ext, f->name));
		for (size_t i = 0; !v && i < OIS_ARRAY_SIZE(complete_name_parts); i++)
			if (!strcmp(complete_name_parts[i].unit, f->name))
				v = ois_json_str(ois_json_obj(native, "CompleteName"), complete_name_parts[i].key);
		put_str(c, f->unit, v);
		break;
	case ELEM:
	case BODY:
		put_str(c, f->unit, ois_json_str(native, f->name));
		break;
	case POSTAL_INDEX:
		/* The index names an address by its Entry Key; canonical data by its kind. */
		v = ois_json_str(native, f->name);
		for (const struct field *a = fields; v && a < fields + NFIELDS; a++)
			if (a->how == ADDRESS && a->name && !strcasecmp(v, a->name))
				json_object_object_add(c, f->unit, json_object_new_string(unit_key(a)));
		break;
	case BIRTHDAY:
		v = ois_ews_nonblank(ois_json_str(native, f->name));
		if (v)
			put_str(c, f->unit, ois_ews_birthday_date(v, date) ? v : date);
		break;
	case CATEGORIES:
		categories_to_canonical(native, f, c);
		break;
	case SENSITIVITY:
		v = ois_json_str(native, f->name);
		if (v && !strcasecmp(v, "Private"))
			json_object_object_add(c, f->unit, json_object_new_boolean(1));
		break;
	case EMAIL:
	case PHONE:
	case ADDRESS:
	case USER_FIELD:
		group_to_canonical(native, ext, f->how, c);
		break;
	}
}

json_object *ois_ews_contact_to_canonical(json_object *native)
{
	json_object *c = json_object_new_object();
	if (!native || !json_object_is_type(native, json_type_object))
		return c;
	json_object *ext = ois_json_obj(native, "ExtendedProperties");

	/* The strings first, in table order; then the rest, group by group (the canonical key order of old). */
	static const enum how rest[] = { EMAIL, PHONE, ADDRESS, POSTAL_INDEX, BIRTHDAY, CATEGORIES, USER_FIELD, SENSITIVITY };
	for (const struct field *f = fields; f < fields + NFIELDS; f++)
		if (f->name && (f->how == EXT_TAG || f->how == ELEM || f->how == BODY))
			field_to_canonical(native, ext, f, c);
	for (size_t r = 0; r < OIS_ARRAY_SIZE(rest); r++)
		for (const struct field *f = fields; f < fields + NFIELDS; f++)
			if (f->name && f->how == rest[r]) {
				field_to_canonical(native, ext, f, c);
				if (is_group(f->how))
					break; /* its first row read the whole group */
			}
	return c;
}

/* ---- canonical -> XML ---- */

static const char *canon_str(json_object *data, const char *key)
{
	return ois_ews_nonblank(ois_json_str(data, key));
}

static const char *email_of(json_object *data, const char *group, const char *kind)
{
	json_object *arr = ois_json_arr(data, group);
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (ois_str_eq(ois_json_str(e, "kind"), kind))
			return ois_ews_nonblank(ois_json_str(e, "address"));
	}
	return NULL;
}

static const char *custom_of(json_object *data, const char *group, size_t i)
{
	json_object *arr = ois_json_arr(data, group);
	if (!arr || i >= json_object_array_length(arr))
		return NULL;
	json_object *v = json_object_array_get_idx(arr, i);
	return json_object_is_type(v, json_type_string) ? ois_ews_nonblank(json_object_get_string(v)) : NULL;
}

/* The text of f's unit in data (not for ADDRESS, CATEGORIES, SENSITIVITY), or NULL when empty. */
static const char *unit_text(json_object *data, const struct field *f)
{
	char g[32];
	switch (f->how) {
	case EMAIL:
		return email_of(data, unit_group(f, g, sizeof(g)), unit_key(f));
	case PHONE:
		return canon_str(ois_json_obj(data, unit_group(f, g, sizeof(g))), unit_key(f));
	case USER_FIELD:
		return custom_of(data, unit_group(f, g, sizeof(g)), slot_of(f));
	default:
		return canon_str(data, f->unit);
	}
}

/* The address object of an ADDRESS row's unit in data, or NULL. */
static json_object *unit_address(json_object *data, const struct field *f)
{
	char g[32];
	return ois_json_obj(ois_json_obj(data, unit_group(f, g, sizeof(g))), unit_key(f));
}

static const struct field *field_by_unit(const char *unit)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(fields[i].unit, unit))
			return &fields[i];
	return NULL;
}

/* Written at noon UTC, so Outlook shows the same date in every zone from UTC-11 to UTC+11. */
static int birthday_value(const char *unit, const char *date, char out[32])
{
	/* The same rule as transform's: a date that exists (never 2026-02-31). */
	if (!ois_date_valid(date))
		return ois_fail(OIS_EDATA, "%s '%s' is not a YYYY-MM-DD date", unit, date);
	snprintf(out, 32, "%sT12:00:00Z", date);
	return 0;
}

static void add_address_entry(struct ois_buf *out, const char *key, json_object *a)
{
	ois_buf_addf(out, "<t:Entry Key=\"%s\">", key);
	for (size_t j = 0; j < OIS_ARRAY_SIZE(address_parts); j++) {
		const char *v = canon_str(a, address_parts[j].unit);
		if (v)
			ois_ews_add_elem(out, address_parts[j].key, v);
	}
	ois_buf_adds(out, "</t:Entry>");
}

static int address_empty(json_object *a)
{
	for (size_t j = 0; a && j < OIS_ARRAY_SIZE(address_parts); j++)
		if (canon_str(a, address_parts[j].unit))
			return 0;
	return 1;
}

/* The Entry Key of the address a POSTAL_INDEX row's unit names (an address kind), or NULL. */
static const char *mailing_key(json_object *data, const struct field *f)
{
	const char *m = canon_str(data, f->unit);
	for (size_t i = 0; m && i < NFIELDS; i++)
		if (fields[i].how == ADDRESS && fields[i].name && !strcasecmp(m, unit_key(&fields[i])))
			return fields[i].name;
	return NULL;
}

static int mailing_fail(json_object *data, const struct field *f)
{
	return ois_fail(OIS_EDATA, "mailing address '%s' is not business, home or other", canon_str(data, f->unit));
}

/* What EWS cannot carry, found before anything is written. */
static int check_values(json_object *data)
{
	char bday[32];
	for (const struct field *f = fields; f < fields + NFIELDS; f++) {
		if (!f->name)
			continue;
		if (f->how == BIRTHDAY && canon_str(data, f->unit) && birthday_value(f->unit, canon_str(data, f->unit), bday))
			return OIS_EDATA;
		if (f->how == POSTAL_INDEX && canon_str(data, f->unit) && !mailing_key(data, f))
			return mailing_fail(data, f);
	}
	return 0;
}

/* The rows Exchange carries, in schema order (table order within one place). */
static size_t schema_order(const struct field *out[NFIELDS])
{
	size_t n = 0;
	for (const struct field *f = fields; f < fields + NFIELDS; f++) {
		if (!f->name)
			continue;
		size_t i = n++;
		for (; i > 0 && out[i - 1]->order > f->order; i--)
			out[i] = out[i - 1];
		out[i] = f;
	}
	return n;
}

/* The Entry rows row[0..n) of one list (EmailAddresses, ...): the list element when any holds a value. */
static void add_entries(struct ois_buf *out, json_object *data, const struct field *const *row, size_t n)
{
	int any = 0;
	for (size_t i = 0; i < n; i++) {
		const struct field *f = row[i];
		json_object *a = f->how == ADDRESS ? unit_address(data, f) : NULL;
		const char *v = f->how == ADDRESS ? NULL : unit_text(data, f);
		if (f->how == ADDRESS ? address_empty(a) : !v)
			continue;
		if (!any++)
			ois_buf_addf(out, "<t:%s>", entry_list(f->how));
		if (f->how == ADDRESS) {
			add_address_entry(out, f->name, a);
		} else {
			ois_buf_addf(out, "<t:Entry Key=\"%s\">", f->name);
			ois_ews_add_text(out, v);
			ois_buf_adds(out, "</t:Entry>");
		}
	}
	if (any)
		ois_buf_addf(out, "</t:%s>", entry_list(row[0]->how));
}

/* One row of a create (not an Entry row); values were checked. */
static void add_field(struct ois_buf *out, json_object *data, const struct field *f)
{
	const char *v = unit_text(data, f);
	char bday[32];
	switch (f->how) {
	case ELEM:
		if (v)
			ois_ews_add_elem(out, f->name, v);
		break;
	case BODY:
		if (v)
			ois_ews_add_body(out, f->name, v);
		break;
	case BIRTHDAY:
		if (v && !birthday_value(f->unit, v, bday))
			ois_ews_add_elem(out, f->name, bday);
		break;
	case POSTAL_INDEX:
		if (mailing_key(data, f))
			ois_ews_add_elem(out, f->name, mailing_key(data, f));
		break;
	case SENSITIVITY:
		if (ois_json_bool(data, f->unit, 0))
			ois_ews_add_elem(out, f->name, "Private");
		break;
	case CATEGORIES:
		if (ois_ews_has_strings(ois_json_arr(data, f->unit)))
			ois_ews_add_strings(out, f->name, ois_json_arr(data, f->unit));
		break;
	case EXT_TAG:
	case USER_FIELD:
		if (v)
			ois_ews_add_ext(out, f->ext_uri, v);
		break;
	case EMAIL:
	case PHONE:
	case ADDRESS:
		break; /* add_entries */
	}
}

int ois_ews_contact_xml(json_object *data, const char *op_id, struct ois_buf *out)
{
	int rc = check_values(data);
	if (rc)
		return rc;
	const struct field *row[NFIELDS];
	size_t n = schema_order(row);

	/* ItemType's elements first, then ContactItemType's, each in schema order. */
	ois_buf_adds(out, "<t:Contact>");
	int op_done = !op_id;
	for (size_t i = 0; i < n; i++) {
		if (!op_done && row[i]->order >= OIS_EWS_ORDER_EXTENDED_PROPERTY) {
			ois_ews_add_ext(out, EXT_OP_ID, op_id);
			op_done = 1;
		}
		if (row[i]->how == EMAIL || row[i]->how == PHONE || row[i]->how == ADDRESS) {
			size_t j = i + 1;
			while (j < n && row[j]->how == row[i]->how)
				j++;
			add_entries(out, data, row + i, j - i);
			i = j - 1;
			continue;
		}
		add_field(out, data, row[i]);
	}
	if (!op_done)
		ois_ews_add_ext(out, EXT_OP_ID, op_id);
	ois_buf_adds(out, "</t:Contact>");
	return 0;
}

/* ---- canonical units -> UpdateItem changes ---- */

/* Set f's t:FieldURI to the element in inner, or delete it. */
static void change_uri(struct ois_buf *out, const struct field *f, struct ois_buf *inner, int *n)
{
	char *u = ois_xasprintf("<t:FieldURI FieldURI=\"%s\"/>", f->uri);
	ois_ews_change(out, "Contact", u, inner, n);
	free(u);
}

static void change_ext(struct ois_buf *out, const char *uri, const char *val, int *n)
{
	struct ois_buf inner = OIS_BUF_INIT;
	if (val)
		ois_ews_add_ext(&inner, uri, val);
	ois_ews_change(out, "Contact", uri, &inner, n);
	ois_buf_release(&inner);
}

static void change_entry(struct ois_buf *out, const struct field *f, const char *val, int *n)
{
	struct ois_buf inner = OIS_BUF_INIT;
	const char *list = entry_list(f->how);
	char *u = ois_xasprintf("<t:IndexedFieldURI FieldURI=\"%s\" FieldIndex=\"%s\"/>", f->uri, f->name);
	if (val) {
		ois_buf_addf(&inner, "<t:%s><t:Entry Key=\"%s\">", list, f->name);
		ois_ews_add_text(&inner, val);
		ois_buf_addf(&inner, "</t:Entry></t:%s>", list);
	}
	ois_ews_change(out, "Contact", u, &inner, n);
	free(u);
	ois_buf_release(&inner);
}

static void change_address(struct ois_buf *out, json_object *data, const struct field *f, int *n)
{
	json_object *a = unit_address(data, f);
	struct ois_buf inner = OIS_BUF_INIT;
	/* Each part is its own indexed field (contacts:PhysicalAddress:Street ...). */
	for (size_t j = 0; j < OIS_ARRAY_SIZE(address_parts); j++) {
		const char *v = canon_str(a, address_parts[j].unit);
		char *u = ois_xasprintf("<t:IndexedFieldURI FieldURI=\"%s:%s\" FieldIndex=\"%s\"/>", f->uri,
					address_parts[j].key, f->name);
		if (v) {
			ois_buf_addf(&inner, "<t:%s><t:Entry Key=\"%s\">", entry_list(f->how), f->name);
			ois_ews_add_elem(&inner, address_parts[j].key, v);
			ois_buf_addf(&inner, "</t:Entry></t:%s>", entry_list(f->how));
		}
		ois_ews_change(out, "Contact", u, &inner, n);
		free(u);
	}
	ois_buf_release(&inner);
}

/* The changes that bring the field of row f to its value in data. */
static int change_field(struct ois_buf *out, json_object *data, const struct field *f, int *n)
{
	struct ois_buf inner = OIS_BUF_INIT;
	const char *v = unit_text(data, f);
	char bday[32];
	int rc = 0;

	switch (f->how) {
	case ELEM:
		if (v)
			ois_ews_add_elem(&inner, f->name, v);
		change_uri(out, f, &inner, n);
		break;
	case BODY:
		if (v)
			ois_ews_add_body(&inner, f->name, v);
		change_uri(out, f, &inner, n);
		break;
	case EXT_TAG:
	case USER_FIELD:
		change_ext(out, f->ext_uri, v, n);
		break;
	case BIRTHDAY:
		if (v && (rc = birthday_value(f->unit, v, bday)))
			break;
		if (v)
			ois_ews_add_elem(&inner, f->name, bday);
		change_uri(out, f, &inner, n);
		break;
	case POSTAL_INDEX:
		if (v && !mailing_key(data, f)) {
			rc = mailing_fail(data, f);
			break;
		}
		/* Cleared is "None", not a deleted property: Outlook reads the index as a number. */
		ois_ews_add_elem(&inner, f->name, v ? mailing_key(data, f) : "None");
		change_uri(out, f, &inner, n);
		break;
	case CATEGORIES:
		if (ois_ews_has_strings(ois_json_arr(data, f->unit)))
			ois_ews_add_strings(&inner, f->name, ois_json_arr(data, f->unit));
		change_uri(out, f, &inner, n);
		break;
	case SENSITIVITY:
		ois_ews_add_elem(&inner, f->name, ois_json_bool(data, f->unit, 0) ? "Private" : "Normal");
		change_uri(out, f, &inner, n);
		break;
	case EMAIL:
	case PHONE:
		change_entry(out, f, v, n);
		break;
	case ADDRESS:
		change_address(out, data, f, n);
		break;
	}
	ois_buf_release(&inner);
	return rc;
}

static int change_unit(struct ois_buf *out, json_object *data, const char *unit, int *n)
{
	const struct field *f = field_by_unit(unit);
	if (f && !f->name) {
		ois_debug("exchange has no field for \"%s\"", unit);
		return 0;
	}
	if (f)
		return change_field(out, data, f, n);

	/* A whole group ("phones"): each of its units. */
	size_t len = strlen(unit);
	int found = 0, rc = 0;
	for (const struct field *g = fields; g < fields + NFIELDS && !rc; g++)
		if (g->name && !strncmp(g->unit, unit, len) && g->unit[len] == '.') {
			found = 1;
			rc = change_field(out, data, g, n);
		}
	if (found)
		return rc;

	/* A part of an address ("addresses.business.city"): the whole address. */
	const char *dot = strchr(unit, '.');
	const char *part = dot ? strchr(dot + 1, '.') : NULL;
	if (part) {
		char *whole = ois_xasprintf("%.*s", (int)(part - unit), unit);
		f = field_by_unit(whole);
		free(whole);
		if (f && f->name && f->how == ADDRESS) {
			change_address(out, data, f, n);
			return 0;
		}
	}
	return ois_fail(OIS_EDATA, "unknown contact field '%s'", unit);
}

int ois_ews_contact_updates_xml(json_object *data, json_object *fields, struct ois_buf *out, int *n)
{
	*n = 0;
	if (!fields || !json_object_is_type(fields, json_type_array))
		return ois_fail(OIS_EDATA, "\"fields\" must be an array of field names");
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		json_object *f = json_object_array_get_idx(fields, i);
		if (!json_object_is_type(f, json_type_string))
			return ois_fail(OIS_EDATA, "\"fields\" must be an array of field names");
		int rc = change_unit(out, data, json_object_get_string(f), n);
		if (rc)
			return rc;
	}
	return 0;
}
