/* lazy_xml.c - the libxml2 functions oisync calls, opening libxml2 (and ICU with it) on the first (see lazy.h). */
#include "lazy.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <string.h>

#ifndef OIS_XML_SONAME
#error "OIS_XML_SONAME must name the libxml2 oisync is built against (the Makefile reads it)"
#endif

static struct ois_lazy_lib xml = { OIS_XML_SONAME, NULL };

xmlDocPtr xmlReadMemory(const char *buffer, int size, const char *url, const char *encoding, int options)
{
	OIS_LAZY_FN(xml, xmlReadMemory);
	return real_xmlReadMemory(buffer, size, url, encoding, options);
}

void xmlFreeDoc(xmlDocPtr doc)
{
	/* Freeing nothing needs no libxml2. */
	if (!doc)
		return;
	OIS_LAZY_FN(xml, xmlFreeDoc);
	real_xmlFreeDoc(doc);
}

xmlNodePtr xmlDocGetRootElement(const xmlDoc *doc)
{
	OIS_LAZY_FN(xml, xmlDocGetRootElement);
	return real_xmlDocGetRootElement(doc);
}

xmlDtdPtr xmlGetIntSubset(const xmlDoc *doc)
{
	OIS_LAZY_FN(xml, xmlGetIntSubset);
	return real_xmlGetIntSubset(doc);
}

xmlChar *xmlGetProp(const xmlNode *node, const xmlChar *name)
{
	OIS_LAZY_FN(xml, xmlGetProp);
	return real_xmlGetProp(node, name);
}

xmlChar *xmlNodeGetContent(const xmlNode *cur)
{
	OIS_LAZY_FN(xml, xmlNodeGetContent);
	return real_xmlNodeGetContent(cur);
}

void xmlSetStructuredErrorFunc(void *ctx, xmlStructuredErrorFunc handler)
{
	OIS_LAZY_FN(xml, xmlSetStructuredErrorFunc);
	real_xmlSetStructuredErrorFunc(ctx, handler);
}

void ois_xml_free(void *p)
{
	static xmlFreeFunc *real_free;
	if (!p)
		return;
	if (!real_free)
		real_free = ois_lazy_sym(&xml, "xmlFree");
	(*real_free)(p);
}
