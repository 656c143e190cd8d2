/* person_name.h - split a name typed on one line into its parts, or say it is no person's. */
#ifndef OIS_PERSON_NAME_H
#define OIS_PERSON_NAME_H

/*
 * What a one-line name is. Only OIS_NAME_PERSON has parts; the others are
 * kept whole, so that no organisation, couple, shared mailbox or stand-in
 * becomes a person. OIS_NAME_UNKNOWN: nothing to split (empty, an e-mail
 * address, or a shape no rule reads, such as three comma-separated names).
 */
enum ois_name_entity {
	OIS_NAME_UNKNOWN,
	OIS_NAME_PERSON,
	OIS_NAME_ORGANIZATION,
	OIS_NAME_COUPLE,
	OIS_NAME_ROLE,
	OIS_NAME_PLACEHOLDER,
};

/* The parts; each NULL when empty, else owned (ois_person_name_release). */
struct ois_person_name {
	enum ois_name_entity entity;
	char *prefix, *first, *middle, *last, *suffix, *nickname;
};

/*
 * Split s (UTF-8, cleaned: trimmed, single spaces) by the rules of
 * oisync-transform(1), NAMES, walking lib/person_name.def's table.
 */
void ois_person_name_split(const char *s, struct ois_person_name *out);
void ois_person_name_release(struct ois_person_name *n);

/* The canonical "entity" value of a non-person ("organization", ...), NULL for a person or unknown. */
const char *ois_name_entity_key(enum ois_name_entity e);

#endif
