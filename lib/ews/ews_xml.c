/* ews_xml.c - parse EWS replies safely and turn item elements into native JSON. */
#include "ews.h"
#include "code.h"
#include "lazy.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char parse_error[256];

/* libxml2 reports through a global hook: keep the first message for ours, print nothing. */
static void keep_error(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	if (parse_error[0] || !err || !err->message)
		return;
	snprintf(parse_error, sizeof(parse_error), "line %d: %s", err->line, err->message);
	size_t n = strlen(parse_error);
	while (n && (parse_error[n - 1] == '\n' || parse_error[n - 1] == ' '))
		parse_error[--n] = '\0';
}

int ois_ews_parse(const char *body, size_t len, const char *where, xmlDoc **doc)
{
	*doc = NULL;
	if (len == 0)
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: empty body", where);
	if (len > OIS_EWS_MAX_REPLY)
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: larger than %zu bytes", where, OIS_EWS_MAX_REPLY);
	/*
	 * EWS never sends a DOCTYPE, and '<' in text always comes escaped, so
	 * "<!DOCTYPE" or "<!ENTITY" anywhere means a document we refuse before
	 * libxml2 reads its internal subset (entity expansion attacks).
	 */
	if (memmem(body, len, "<!DOCTYPE", 9) || memmem(body, len, "<!ENTITY", 8))
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: a DOCTYPE is not allowed", where);

	parse_error[0] = '\0';
	xmlSetStructuredErrorFunc(NULL, keep_error);
	/* XML_PARSE_NONET only: no NOENT (entity substitution), no DTDLOAD, no DTDATTR, no HUGE. */
	xmlDoc *d = xmlReadMemory(body, (int)len, NULL, NULL, XML_PARSE_NONET);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!d)
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: not well-formed XML (%s)", where,
				parse_error[0] ? parse_error : "no document");
	if (xmlGetIntSubset(d) || d->extSubset) {
		xmlFreeDoc(d);
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: a DOCTYPE is not allowed", where);
	}
	if (!xmlDocGetRootElement(d)) {
		xmlFreeDoc(d);
		return ois_fail(OIS_EUNAVAIL, "broken reply from %s: no root element", where);
	}
	*doc = d;
	return 0;
}

static int is_elem(xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && (!name || !strcmp((const char *)n->name, name));
}

xmlNode *ois_xml_child(xmlNode *parent, const char *name)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (is_elem(c, name))
			return c;
	return NULL;
}

char *ois_xml_text(xmlNode *node)
{
	xmlChar *t = node ? xmlNodeGetContent(node) : NULL;
	char *s = ois_xstrdup(t ? (const char *)t : "");
	ois_xml_free(t);
	return s;
}

char *ois_xml_attr(xmlNode *node, const char *name)
{
	xmlChar *v = node ? xmlGetProp(node, (const xmlChar *)name) : NULL;
	if (!v)
		return NULL;
	char *s = ois_xstrdup((const char *)v);
	ois_xml_free(v);
	return s;
}

static int has_child_elements(xmlNode *n)
{
	return ois_xml_child(n, NULL) != NULL;
}

/* 1 when every child element has local name name (and there is at least one). */
static int all_children_named(xmlNode *n, const char *name)
{
	int any = 0;
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)c->name, name))
			return 0;
		any = 1;
	}
	return any;
}

static json_object *elem_json(xmlNode *e);

/* Upper-case hex digits of a GUID, so the key never depends on the server's spelling. */
static void upcase(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* An integer attribute (PropertyId xs:int, PropertyTag "0x3A45" or decimal) as "0x%04X". */
static void hex_id(const char *v, char *out, size_t n)
{
	char *end;
	unsigned long x = strtoul(v, &end, 0);
	if (*v && !*end)
		snprintf(out, n, "0x%04lX", x);
	else
		snprintf(out, n, "%s", v);
}

/* "PublicStrings:oisync-op-id", "00062004-...:0x804F", "0x3A45": see oisync-extract(1). */
static char *ext_key(xmlNode *uri)
{
	char *tag = ois_xml_attr(uri, "PropertyTag");
	char *dset = ois_xml_attr(uri, "DistinguishedPropertySetId");
	char *set = ois_xml_attr(uri, "PropertySetId");
	char *name = ois_xml_attr(uri, "PropertyName");
	char *id = ois_xml_attr(uri, "PropertyId");
	char buf[64];
	char *key;
	if (tag) {
		hex_id(tag, buf, sizeof(buf));
		key = ois_xstrdup(buf);
	} else {
		if (set)
			upcase(set);
		if (id)
			hex_id(id, buf, sizeof(buf));
		key = ois_xasprintf("%s:%s", dset ? dset : set ? set : "", name ? name : id ? buf : "");
	}
	free(tag);
	free(dset);
	free(set);
	free(name);
	free(id);
	return key;
}

static void add_extended(json_object *exts, xmlNode *prop)
{
	xmlNode *uri = ois_xml_child(prop, "ExtendedFieldURI");
	if (!uri)
		return;
	char *key = ext_key(uri);
	xmlNode *v = ois_xml_child(prop, "Value");
	xmlNode *vs = ois_xml_child(prop, "Values");
	json_object *val;
	if (v) {
		char *t = ois_xml_text(v);
		val = json_object_new_string(t);
		free(t);
	} else if (vs) {
		val = json_object_new_array();
		for (xmlNode *c = vs->children; c; c = c->next) {
			if (!is_elem(c, "Value"))
				continue;
			char *t = ois_xml_text(c);
			json_object_array_add(val, json_object_new_string(t));
			free(t);
		}
	} else {
		val = json_object_new_string("");
	}
	json_object_object_add(exts, key, val);
	free(key);
}

/* Children by local name; a repeated name becomes an array of its values. */
static json_object *children_json(xmlNode *e, int top)
{
	json_object *o = json_object_new_object();
	json_object *exts = NULL;
	json_object *repeated = NULL; /* names already turned into arrays of repeats */
	for (xmlNode *c = e->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		const char *name = (const char *)c->name;
		if (top && (!strcmp(name, "ItemId") || !strcmp(name, "ParentFolderId")))
			continue;
		if (!strcmp(name, "ExtendedProperty")) {
			if (!exts)
				exts = json_object_new_object();
			add_extended(exts, c);
			continue;
		}
		json_object *v = elem_json(c), *prev;
		if (!json_object_object_get_ex(o, name, &prev)) {
			json_object_object_add(o, name, v);
			continue;
		}
		if (!repeated)
			repeated = json_object_new_object();
		if (!json_object_object_get_ex(repeated, name, NULL)) {
			json_object *arr = json_object_new_array();
			json_object_array_add(arr, json_object_get(prev));
			json_object_object_add(o, name, arr);
			json_object_object_add(repeated, name, NULL);
			prev = arr;
		}
		json_object_array_add(prev, v);
	}
	json_object_put(repeated);
	if (exts)
		json_object_object_add(o, "ExtendedProperties", exts);
	return o;
}

static json_object *elem_json(xmlNode *e)
{
	const char *name = (const char *)e->name;
	if (!strcmp(name, "Categories") || all_children_named(e, "String")) {
		json_object *arr = json_object_new_array();
		for (xmlNode *c = e->children; c; c = c->next) {
			if (!is_elem(c, "String"))
				continue;
			char *t = ois_xml_text(c);
			json_object_array_add(arr, json_object_new_string(t));
			free(t);
		}
		return arr;
	}
	if (all_children_named(e, "Entry")) {
		json_object *o = json_object_new_object();
		for (xmlNode *c = e->children; c; c = c->next) {
			if (!is_elem(c, "Entry"))
				continue;
			char *key = ois_xml_attr(c, "Key");
			/* An entry is text (an address, a number) or, for PhysicalAddresses, parts. */
			if (key && has_child_elements(c)) {
				json_object_object_add(o, key, elem_json(c));
			} else if (key) {
				char *t = ois_xml_text(c);
				json_object_object_add(o, key, json_object_new_string(t));
				free(t);
			}
			free(key);
		}
		return o;
	}
	if (has_child_elements(e))
		return children_json(e, 0);
	char *t = ois_xml_text(e);
	json_object *v;
	if (!t[0] && e->properties) {
		/* An empty element with attributes only (ConversationId Id=...): its attributes. */
		v = json_object_new_object();
		for (xmlAttr *a = e->properties; a; a = a->next) {
			char *av = ois_xml_attr(e, (const char *)a->name);
			json_object_object_add(v, (const char *)a->name, json_object_new_string(av ? av : ""));
			free(av);
		}
	} else {
		v = json_object_new_string(t);
	}
	free(t);
	return v;
}

json_object *ois_ews_item_json(xmlNode *item)
{
	return children_json(item, 1);
}
