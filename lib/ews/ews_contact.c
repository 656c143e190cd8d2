/* ews_contact.c - map an EWS t:Contact (native JSON, or XML to write) to and from canonical data. */
#include "ews_contact.h"
#include "code.h"
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
 * One table per shape of field; both directions read them, so a field
 * mapped one way is mapped the other. Names are EWS's (Exchange2016 schema,
 * "Contact properties and elements in EWS" on learn.microsoft.com).
 */
struct simple_field {
	const char *unit;    /* canonical key */
	const char *elem;    /* t:Contact child / native key */
	const char *uri;     /* FieldURI for UpdateItem */
};

static const struct simple_field simple_fields[] = {
	{ "first", "GivenName", "contacts:GivenName" },
	{ "middle", "MiddleName", "contacts:MiddleName" },
	{ "last", "Surname", "contacts:Surname" },
	{ "suffix", "Generation", "contacts:Generation" },
	{ "nickname", "Nickname", "contacts:Nickname" },
	{ "display", "DisplayName", "contacts:DisplayName" },
	{ "file_as", "FileAs", "contacts:FileAs" },
	{ "company", "CompanyName", "contacts:CompanyName" },
	{ "job_title", "JobTitle", "contacts:JobTitle" },
	{ "department", "Department", "contacts:Department" },
	{ "assistant", "AssistantName", "contacts:AssistantName" },
	{ "web", "BusinessHomePage", "contacts:BusinessHomePage" },
	{ "notes", "Body", "item:Body" },
};

struct keyed {
	const char *unit;
	const char *key;     /* Entry Key / FieldIndex */
};

/* Outlook's E-mail 1/2/3 are InterAction's business/home/other e-mail. */
static const struct keyed email_keys[] = {
	{ "work", "EmailAddress1" },
	{ "home", "EmailAddress2" },
	{ "other", "EmailAddress3" },
};

static const struct keyed phone_keys[] = {
	{ "business", "BusinessPhone" },
	{ "business2", "BusinessPhone2" },
	{ "mobile", "MobilePhone" },
	{ "home", "HomePhone" },
	{ "home2", "HomePhone2" },
	{ "business_fax", "BusinessFax" },
	{ "home_fax", "HomeFax" },
	{ "assistant", "AssistantPhone" },
	{ "pager", "Pager" },
	{ "other", "OtherTelephone" },
};

static const struct keyed address_keys[] = {
	{ "business", "Business" },
	{ "home", "Home" },
	{ "other", "Other" },
};

/* In the schema's order inside t:Entry: Street, City, State, CountryOrRegion, PostalCode. */
static const struct keyed address_parts[] = {
	{ "street", "Street" },
	{ "city", "City" },
	{ "region", "State" },
	{ "country", "CountryOrRegion" },
	{ "postal_code", "PostalCode" },
};

/* Outlook's User Field 1-4: PSETID_Address, LIDs 0x804F..0x8052. */
#define USER_FIELD_FIRST 0x804F
#define NUSER_FIELDS 4

#define EXT_OP_ID "<t:ExtendedFieldURI DistinguishedPropertySetId=\"PublicStrings\" PropertyName=\"oisync-op-id\" PropertyType=\"String\"/>"
#define EXT_PREFIX "<t:ExtendedFieldURI PropertyTag=\"0x3A45\" PropertyType=\"String\"/>"
#define EXT_USER(id) "<t:ExtendedFieldURI PropertySetId=\"" OIS_EWS_PSETID_ADDRESS "\" PropertyId=\"" #id "\" PropertyType=\"String\"/>"

/* PropertyId is xs:int: decimal 32847..32850 are 0x804F..0x8052. */
static const char *const user_field_uris[NUSER_FIELDS] = {
	EXT_USER(32847), EXT_USER(32848), EXT_USER(32849), EXT_USER(32850),
};

const char *ois_ews_contact_extended_uris(void)
{
	return EXT_OP_ID EXT_PREFIX EXT_USER(32847) EXT_USER(32848) EXT_USER(32849) EXT_USER(32850);
}

const char *ois_ews_op_id_uri(void)
{
	return EXT_OP_ID;
}

/* ---- native -> canonical ---- */

/* A string with something other than white space in it, else NULL. */
static const char *nonblank(const char *s)
{
	if (!s)
		return NULL;
	for (const char *p = s; *p; p++)
		if (!isspace((unsigned char)*p))
			return s;
	return NULL;
}

static void put_str(json_object *obj, const char *key, const char *val)
{
	if (nonblank(val))
		json_object_object_add(obj, key, json_object_new_string(val));
}

static long long floor_div(long long a, long long b)
{
	long long q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int ois_ews_birthday_date(const char *s, char out[11])
{
	time_t parsed;
	/* EWS sends an xs:dateTime, or a date; seconds and zone may be missing. */
	if (ois_time_parse(s, OIS_TIME_DATE | OIS_TIME_DATE_ZONE | OIS_TIME_NOZONE | OIS_TIME_NOSECONDS, &parsed))
		return -1;
	long long t = (long long)parsed;
	/* Days run from noon (exclusive) to noon (inclusive) UTC: local midnight
	 * anywhere from UTC-12 to UTC+11 lands on the intended date. */
	long long day = -floor_div(-(t - 43200), 86400);
	time_t mid = (time_t)(day * 86400);
	struct tm out_tm;
	if (!gmtime_r(&mid, &out_tm))
		return -1;
	if (strftime(out, 11, "%Y-%m-%d", &out_tm) != 10)
		return -1;
	return 0;
}

/* EWS may send "SMTP:addr" for an address; other routing types (X500/EX) stay as they are. */
static const char *strip_smtp(const char *addr)
{
	if (addr && !strncasecmp(addr, "SMTP:", 5))
		return addr + 5;
	return addr;
}

static void lower_into(char *dst, const char *src, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/* Native "Categories" is an array of strings; a lone string is taken too. */
static void categories_to_canonical(json_object *native, json_object *canon)
{
	json_object *v;
	if (!json_object_object_get_ex(native, "Categories", &v))
		return;
	json_object *arr = json_object_new_array();
	if (json_object_is_type(v, json_type_string)) {
		if (nonblank(json_object_get_string(v)))
			json_object_array_add(arr, json_object_new_string(json_object_get_string(v)));
	} else if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			if (json_object_is_type(e, json_type_string) && nonblank(json_object_get_string(e)))
				json_object_array_add(arr, json_object_new_string(json_object_get_string(e)));
		}
	}
	if (json_object_array_length(arr))
		json_object_object_add(canon, "categories", arr);
	else
		json_object_put(arr);
}

json_object *ois_ews_contact_to_canonical(json_object *native)
{
	json_object *c = json_object_new_object();
	if (!native || !json_object_is_type(native, json_type_object))
		return c;
	json_object *ext = ois_json_obj(native, "ExtendedProperties");

	/* The prefix is PidTagDisplayNamePrefix, which Exchange also shows as CompleteName/Title. */
	const char *prefix = nonblank(ois_json_str(ext, OIS_EWS_PREFIX_KEY));
	if (!prefix)
		prefix = ois_json_str(ois_json_obj(native, "CompleteName"), "Title");
	put_str(c, "prefix", prefix);

	for (size_t i = 0; i < OIS_ARRAY_SIZE(simple_fields); i++)
		put_str(c, simple_fields[i].unit, ois_json_str(native, simple_fields[i].elem));

	json_object *emails = json_object_new_array();
	json_object *in = ois_json_obj(native, "EmailAddresses");
	for (size_t i = 0; i < OIS_ARRAY_SIZE(email_keys); i++) {
		const char *addr = nonblank(strip_smtp(ois_json_str(in, email_keys[i].key)));
		if (!addr)
			continue;
		json_object *e = json_object_new_object();
		json_object_object_add(e, "address", json_object_new_string(addr));
		json_object_object_add(e, "kind", json_object_new_string(email_keys[i].unit));
		json_object_array_add(emails, e);
	}
	if (json_object_array_length(emails))
		json_object_object_add(c, "emails", emails);
	else
		json_object_put(emails);

	json_object *phones = json_object_new_object();
	in = ois_json_obj(native, "PhoneNumbers");
	for (size_t i = 0; i < OIS_ARRAY_SIZE(phone_keys); i++)
		put_str(phones, phone_keys[i].unit, ois_json_str(in, phone_keys[i].key));
	if (json_object_object_length(phones))
		json_object_object_add(c, "phones", phones);
	else
		json_object_put(phones);

	json_object *addrs = json_object_new_object();
	in = ois_json_obj(native, "PhysicalAddresses");
	for (size_t i = 0; i < OIS_ARRAY_SIZE(address_keys); i++) {
		json_object *src = ois_json_obj(in, address_keys[i].key);
		json_object *a = json_object_new_object();
		for (size_t j = 0; j < OIS_ARRAY_SIZE(address_parts); j++)
			put_str(a, address_parts[j].unit, ois_json_str(src, address_parts[j].key));
		if (json_object_object_length(a))
			json_object_object_add(addrs, address_keys[i].unit, a);
		else
			json_object_put(a);
	}
	if (json_object_object_length(addrs))
		json_object_object_add(c, "addresses", addrs);
	else
		json_object_put(addrs);

	const char *idx = ois_json_str(native, "PostalAddressIndex");
	for (size_t i = 0; idx && i < OIS_ARRAY_SIZE(address_keys); i++) {
		if (!strcasecmp(idx, address_keys[i].key)) {
			char low[16];
			lower_into(low, address_keys[i].key, sizeof(low));
			json_object_object_add(c, "mailing_address", json_object_new_string(low));
		}
	}

	const char *bday = nonblank(ois_json_str(native, "Birthday"));
	if (bday) {
		char date[11];
		put_str(c, "birthday", ois_ews_birthday_date(bday, date) ? bday : date);
	}

	categories_to_canonical(native, c);

	json_object *custom = json_object_new_array();
	int any = 0;
	for (int i = 0; i < NUSER_FIELDS; i++) {
		char key[64];
		snprintf(key, sizeof(key), "%s:0x%04X", OIS_EWS_PSETID_ADDRESS, USER_FIELD_FIRST + i);
		const char *v = nonblank(ois_json_str(ext, key));
		any |= v != NULL;
		json_object_array_add(custom, json_object_new_string(v ? v : ""));
	}
	if (any)
		json_object_object_add(c, "custom", custom);
	else
		json_object_put(custom);

	const char *sens = ois_json_str(native, "Sensitivity");
	if (sens && !strcasecmp(sens, "Private"))
		json_object_object_add(c, "private", json_object_new_boolean(1));
	return c;
}

/* ---- canonical -> XML ---- */

/* XML text: escaped, with the C0 controls XML 1.0 cannot carry dropped. */
static void add_text(struct ois_buf *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
			continue;
		if (ch == '\r') {
			ois_buf_adds(out, "&#13;");
			continue;
		}
		char one[2] = { (char)ch, 0 };
		ois_buf_add_xml(out, one);
	}
}

static void add_elem(struct ois_buf *out, const char *name, const char *val)
{
	ois_buf_addf(out, "<t:%s>", name);
	add_text(out, val);
	ois_buf_addf(out, "</t:%s>", name);
}

static const char *canon_str(json_object *data, const char *key)
{
	return nonblank(ois_json_str(data, key));
}

static const char *email_of(json_object *data, const char *kind)
{
	json_object *arr = ois_json_arr(data, "emails");
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (ois_str_eq(ois_json_str(e, "kind"), kind))
			return nonblank(ois_json_str(e, "address"));
	}
	return NULL;
}

static const char *custom_of(json_object *data, int i)
{
	json_object *arr = ois_json_arr(data, "custom");
	if (!arr || (size_t)i >= json_object_array_length(arr))
		return NULL;
	json_object *v = json_object_array_get_idx(arr, (size_t)i);
	return json_object_is_type(v, json_type_string) ? nonblank(json_object_get_string(v)) : NULL;
}

static const struct simple_field *simple_by_unit(const char *unit)
{
	for (size_t i = 0; i < OIS_ARRAY_SIZE(simple_fields); i++)
		if (!strcmp(simple_fields[i].unit, unit))
			return &simple_fields[i];
	return NULL;
}

static const struct keyed *keyed_find(const struct keyed *t, size_t n, const char *unit)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].unit, unit))
			return &t[i];
	return NULL;
}

/* Written at noon UTC, so Outlook shows the same date in every zone from UTC-11 to UTC+11. */
static int birthday_value(const char *date, char out[32])
{
	/* The same rule as transform's: a date that exists (never 2026-02-31). */
	if (!ois_date_valid(date))
		return ois_fail(OIS_EDATA, "birthday '%s' is not a YYYY-MM-DD date", date);
	snprintf(out, 32, "%sT12:00:00Z", date);
	return 0;
}

static void add_ext(struct ois_buf *out, const char *uri, const char *val)
{
	ois_buf_adds(out, "<t:ExtendedProperty>");
	ois_buf_adds(out, uri);
	add_elem(out, "Value", val);
	ois_buf_adds(out, "</t:ExtendedProperty>");
}

static void add_simple(struct ois_buf *out, json_object *data, const char *unit)
{
	const struct simple_field *f = simple_by_unit(unit);
	const char *v = canon_str(data, unit);
	if (f && v)
		add_elem(out, f->elem, v);
}

static void add_body(struct ois_buf *out, const char *notes)
{
	ois_buf_adds(out, "<t:Body BodyType=\"Text\">");
	add_text(out, notes);
	ois_buf_adds(out, "</t:Body>");
}

static void add_categories(struct ois_buf *out, json_object *arr)
{
	ois_buf_adds(out, "<t:Categories>");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		if (json_object_is_type(v, json_type_string) && nonblank(json_object_get_string(v)))
			add_elem(out, "String", json_object_get_string(v));
	}
	ois_buf_adds(out, "</t:Categories>");
}

static int has_categories(json_object *data)
{
	json_object *arr = ois_json_arr(data, "categories");
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		if (json_object_is_type(v, json_type_string) && nonblank(json_object_get_string(v)))
			return 1;
	}
	return 0;
}

static void add_address_entry(struct ois_buf *out, const char *key, json_object *a)
{
	ois_buf_addf(out, "<t:Entry Key=\"%s\">", key);
	for (size_t j = 0; j < OIS_ARRAY_SIZE(address_parts); j++) {
		const char *v = canon_str(a, address_parts[j].unit);
		if (v)
			add_elem(out, address_parts[j].key, v);
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

static const char *mailing_key(json_object *data)
{
	const char *m = canon_str(data, "mailing_address");
	for (size_t i = 0; m && i < OIS_ARRAY_SIZE(address_keys); i++)
		if (!strcasecmp(m, address_keys[i].unit))
			return address_keys[i].key;
	return NULL;
}

int ois_ews_contact_xml(json_object *data, const char *op_id, struct ois_buf *out)
{
	char bday[32];
	const char *b = canon_str(data, "birthday");
	if (b && birthday_value(b, bday))
		return OIS_EDATA;
	const char *mk = mailing_key(data);
	if (canon_str(data, "mailing_address") && !mk)
		return ois_fail(OIS_EDATA, "mailing address '%s' is not business, home or other",
				canon_str(data, "mailing_address"));

	/* ItemType's elements first, then ContactItemType's, each in schema order. */
	ois_buf_adds(out, "<t:Contact>");
	if (ois_json_bool(data, "private", 0))
		add_elem(out, "Sensitivity", "Private");
	if (canon_str(data, "notes"))
		add_body(out, canon_str(data, "notes"));
	if (has_categories(data))
		add_categories(out, ois_json_arr(data, "categories"));
	if (op_id)
		add_ext(out, EXT_OP_ID, op_id);
	if (canon_str(data, "prefix"))
		add_ext(out, EXT_PREFIX, canon_str(data, "prefix"));
	for (int i = 0; i < NUSER_FIELDS; i++)
		if (custom_of(data, i))
			add_ext(out, user_field_uris[i], custom_of(data, i));

	add_simple(out, data, "file_as");
	add_simple(out, data, "display");
	add_simple(out, data, "first");
	add_simple(out, data, "middle");
	add_simple(out, data, "nickname");
	add_simple(out, data, "company");

	int any = 0;
	for (size_t i = 0; i < OIS_ARRAY_SIZE(email_keys); i++) {
		const char *v = email_of(data, email_keys[i].unit);
		if (!v)
			continue;
		if (!any++)
			ois_buf_adds(out, "<t:EmailAddresses>");
		ois_buf_addf(out, "<t:Entry Key=\"%s\">", email_keys[i].key);
		add_text(out, v);
		ois_buf_adds(out, "</t:Entry>");
	}
	if (any)
		ois_buf_adds(out, "</t:EmailAddresses>");

	any = 0;
	json_object *addrs = ois_json_obj(data, "addresses");
	for (size_t i = 0; i < OIS_ARRAY_SIZE(address_keys); i++) {
		json_object *a = ois_json_obj(addrs, address_keys[i].unit);
		if (address_empty(a))
			continue;
		if (!any++)
			ois_buf_adds(out, "<t:PhysicalAddresses>");
		add_address_entry(out, address_keys[i].key, a);
	}
	if (any)
		ois_buf_adds(out, "</t:PhysicalAddresses>");

	any = 0;
	json_object *phones = ois_json_obj(data, "phones");
	for (size_t i = 0; i < OIS_ARRAY_SIZE(phone_keys); i++) {
		const char *v = canon_str(phones, phone_keys[i].unit);
		if (!v)
			continue;
		if (!any++)
			ois_buf_adds(out, "<t:PhoneNumbers>");
		ois_buf_addf(out, "<t:Entry Key=\"%s\">", phone_keys[i].key);
		add_text(out, v);
		ois_buf_adds(out, "</t:Entry>");
	}
	if (any)
		ois_buf_adds(out, "</t:PhoneNumbers>");

	add_simple(out, data, "assistant");
	if (b)
		add_elem(out, "Birthday", bday);
	add_simple(out, data, "web");
	add_simple(out, data, "department");
	add_simple(out, data, "suffix");
	add_simple(out, data, "job_title");
	if (mk)
		add_elem(out, "PostalAddressIndex", mk);
	add_simple(out, data, "last");
	ois_buf_adds(out, "</t:Contact>");
	return 0;
}

/* ---- canonical units -> UpdateItem changes ---- */

static void set_field(struct ois_buf *out, const char *uri_elem, const char *inner)
{
	ois_buf_adds(out, "<t:SetItemField>");
	ois_buf_adds(out, uri_elem);
	ois_buf_adds(out, "<t:Contact>");
	ois_buf_adds(out, inner);
	ois_buf_adds(out, "</t:Contact></t:SetItemField>");
}

static void delete_field(struct ois_buf *out, const char *uri_elem)
{
	ois_buf_adds(out, "<t:DeleteItemField>");
	ois_buf_adds(out, uri_elem);
	ois_buf_adds(out, "</t:DeleteItemField>");
}

/* Set the field named by uri_elem to the element in inner, or delete it when inner is empty. */
static void change(struct ois_buf *out, const char *uri_elem, struct ois_buf *inner, int *n)
{
	if (inner->len)
		set_field(out, uri_elem, inner->data);
	else
		delete_field(out, uri_elem);
	ois_buf_reset(inner);
	(*n)++;
}

static void change_ext(struct ois_buf *out, const char *uri, const char *val, int *n)
{
	struct ois_buf inner = OIS_BUF_INIT;
	if (val)
		add_ext(&inner, uri, val);
	change(out, uri, &inner, n);
	ois_buf_release(&inner);
}

static void change_entry(struct ois_buf *out, const char *uri, const char *list, const char *key,
			 const char *val, int *n)
{
	struct ois_buf inner = OIS_BUF_INIT;
	char *u = ois_xasprintf("<t:IndexedFieldURI FieldURI=\"%s\" FieldIndex=\"%s\"/>", uri, key);
	if (val) {
		ois_buf_addf(&inner, "<t:%s><t:Entry Key=\"%s\">", list, key);
		add_text(&inner, val);
		ois_buf_addf(&inner, "</t:Entry></t:%s>", list);
	}
	change(out, u, &inner, n);
	free(u);
	ois_buf_release(&inner);
}

static void change_address(struct ois_buf *out, json_object *data, const struct keyed *k, int *n)
{
	json_object *a = ois_json_obj(ois_json_obj(data, "addresses"), k->unit);
	struct ois_buf inner = OIS_BUF_INIT;
	/* Each part is its own indexed field (contacts:PhysicalAddress:Street ...). */
	for (size_t j = 0; j < OIS_ARRAY_SIZE(address_parts); j++) {
		const char *v = canon_str(a, address_parts[j].unit);
		char *u = ois_xasprintf("<t:IndexedFieldURI FieldURI=\"contacts:PhysicalAddress:%s\" FieldIndex=\"%s\"/>",
					address_parts[j].key, k->key);
		if (v) {
			ois_buf_addf(&inner, "<t:PhysicalAddresses><t:Entry Key=\"%s\">", k->key);
			add_elem(&inner, address_parts[j].key, v);
			ois_buf_adds(&inner, "</t:Entry></t:PhysicalAddresses>");
		}
		change(out, u, &inner, n);
		free(u);
	}
	ois_buf_release(&inner);
}

#define FIELD_URI(name) "<t:FieldURI FieldURI=\"" name "\"/>"

static int change_unit(struct ois_buf *out, json_object *data, const char *unit, int *n)
{
	struct ois_buf inner = OIS_BUF_INIT;
	const struct simple_field *f = simple_by_unit(unit);
	const char *dot = strchr(unit, '.');
	int rc = 0;

	if (f) {
		const char *v = canon_str(data, unit);
		if (v && !strcmp(unit, "notes"))
			add_body(&inner, v);
		else if (v)
			add_elem(&inner, f->elem, v);
		char *u = ois_xasprintf("<t:FieldURI FieldURI=\"%s\"/>", f->uri);
		change(out, u, &inner, n);
		free(u);
	} else if (!strcmp(unit, "prefix")) {
		change_ext(out, EXT_PREFIX, canon_str(data, "prefix"), n);
	} else if (!strcmp(unit, "birthday")) {
		char bday[32];
		const char *b = canon_str(data, "birthday");
		if (b && (rc = birthday_value(b, bday)))
			goto out;
		if (b)
			add_elem(&inner, "Birthday", bday);
		change(out, FIELD_URI("contacts:Birthday"), &inner, n);
	} else if (!strcmp(unit, "mailing_address")) {
		const char *mk = mailing_key(data);
		if (canon_str(data, "mailing_address") && !mk) {
			rc = ois_fail(OIS_EDATA, "mailing address '%s' is not business, home or other",
				      canon_str(data, "mailing_address"));
			goto out;
		}
		/* Cleared is "None", not a deleted property: Outlook reads the index as a number. */
		add_elem(&inner, "PostalAddressIndex", mk ? mk : "None");
		change(out, FIELD_URI("contacts:PostalAddressIndex"), &inner, n);
	} else if (!strcmp(unit, "categories")) {
		if (has_categories(data))
			add_categories(&inner, ois_json_arr(data, "categories"));
		change(out, FIELD_URI("item:Categories"), &inner, n);
	} else if (!strcmp(unit, "private")) {
		add_elem(&inner, "Sensitivity", ois_json_bool(data, "private", 0) ? "Private" : "Normal");
		change(out, FIELD_URI("item:Sensitivity"), &inner, n);
	} else if (!strcmp(unit, "emails") || !strcmp(unit, "phones") || !strcmp(unit, "addresses") ||
		   !strcmp(unit, "custom")) {
		/* A whole group: each of its units. */
		static const char *const customs[] = { "custom.1", "custom.2", "custom.3", "custom.4" };
		char sub[64];
		const struct keyed *t = unit[0] == 'e' ? email_keys : unit[0] == 'p' ? phone_keys : address_keys;
		size_t cnt = unit[0] == 'e' ? OIS_ARRAY_SIZE(email_keys) :
			     unit[0] == 'p' ? OIS_ARRAY_SIZE(phone_keys) :
			     unit[0] == 'a' ? OIS_ARRAY_SIZE(address_keys) : NUSER_FIELDS;
		for (size_t i = 0; i < cnt && !rc; i++) {
			if (unit[0] == 'c')
				rc = change_unit(out, data, customs[i], n);
			else {
				snprintf(sub, sizeof(sub), "%s.%s", unit, t[i].unit);
				rc = change_unit(out, data, sub, n);
			}
		}
	} else if (dot && !strncmp(unit, "emails.", 7) && keyed_find(email_keys, OIS_ARRAY_SIZE(email_keys), dot + 1)) {
		const struct keyed *k = keyed_find(email_keys, OIS_ARRAY_SIZE(email_keys), dot + 1);
		change_entry(out, "contacts:EmailAddress", "EmailAddresses", k->key, email_of(data, k->unit), n);
	} else if (dot && !strncmp(unit, "phones.", 7) && keyed_find(phone_keys, OIS_ARRAY_SIZE(phone_keys), dot + 1)) {
		const struct keyed *k = keyed_find(phone_keys, OIS_ARRAY_SIZE(phone_keys), dot + 1);
		change_entry(out, "contacts:PhoneNumber", "PhoneNumbers", k->key,
			     canon_str(ois_json_obj(data, "phones"), k->unit), n);
	} else if (dot && !strncmp(unit, "addresses.", 10)) {
		/* "addresses.business" or a part of it ("addresses.business.city"): the whole address. */
		char which[16];
		size_t len = strcspn(dot + 1, ".");
		snprintf(which, sizeof(which), "%.*s", (int)(len < 15 ? len : 15), dot + 1);
		const struct keyed *k = keyed_find(address_keys, OIS_ARRAY_SIZE(address_keys), which);
		if (!k) {
			rc = ois_fail(OIS_EDATA, "unknown contact field '%s'", unit);
			goto out;
		}
		change_address(out, data, k, n);
	} else if (dot && !strncmp(unit, "custom.", 7) && dot[1] >= '1' && dot[1] <= '4' && !dot[2]) {
		int i = dot[1] - '1';
		change_ext(out, user_field_uris[i], custom_of(data, i), n);
	} else {
		rc = ois_fail(OIS_EDATA, "unknown contact field '%s'", unit);
	}
out:
	ois_buf_release(&inner);
	return rc;
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
