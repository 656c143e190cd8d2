/* normalize_name.c - a contact without a structured name gets one from its display name (oisync-transform(1), NAMES). */
#include "normalize_p.h"
#include "person_name.h"
#include "record.h"

#include <strings.h>

/* The units a source fills when it has a structured name: any of them, and nothing is split. */
static const char *const parts[] = { "prefix", "first", "middle", "last", "suffix" };

void ois_norm_person_name(json_object *data)
{
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (ois_json_str(data, parts[i]))
			return;
	struct ois_person_name n;
	/* The display name, else the file-as name: also when the display name is none (an e-mail address). */
	const char *src = ois_json_str(data, "display");
	ois_person_name_split(src, &n);
	if (n.entity == OIS_NAME_UNKNOWN)
		ois_person_name_split(src = ois_json_str(data, "file_as"), &n);
	/*
	 * A name that is the contact's company name is the company's: what
	 * Exchange shows for a contact that has only a company, such as an
	 * InterAction company synced to Outlook ("Baker McKenzie" is no
	 * Mr. McKenzie).
	 */
	const char *company = ois_json_str(data, "company");
	if (n.entity == OIS_NAME_PERSON && company && !strcasecmp(src, company)) {
		ois_person_name_release(&n);
		n.entity = OIS_NAME_ORGANIZATION;
	}
	const char *entity = ois_name_entity_key(n.entity);
	if (entity) {
		/* Kept whole and marked, never a person: reconcile makes no InterAction person of it. */
		ois_json_set_str(data, "entity", entity);
		/* An organisation's name is its company name: what an InterAction company is called. */
		if (n.entity == OIS_NAME_ORGANIZATION && !ois_json_str(data, "company"))
			ois_json_set_str(data, "company", src);
	} else if (n.entity == OIS_NAME_PERSON) {
		char *v[] = { n.prefix, n.first, n.middle, n.last, n.suffix };
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (v[i])
				ois_json_set_str(data, parts[i], v[i]);
		if (n.nickname && !ois_json_str(data, "nickname"))
			ois_json_set_str(data, "nickname", n.nickname);
	}
	ois_person_name_release(&n);
}
