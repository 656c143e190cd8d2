/* normalize_p.h - the field rules contacts and appointments share (lib/normalize*.c only). */
#ifndef OIS_NORMALIZE_P_H
#define OIS_NORMALIZE_P_H

#include <json-c/json.h>

/*
 * Apply rule to the string at key: keep the result when it holds anything,
 * else remove the key. A value of another JSON type is removed too: the
 * canonical shape has only strings there. Absent keys stay absent.
 */
void ois_norm_str(json_object *obj, const char *key, char *(*rule)(const char *));
/* A list of strings: each cleaned, empties dropped, sorted bytewise, unique; removed when empty. */
void ois_norm_list(json_object *data, const char *unit);
/* true, or the key removed. */
void ois_norm_flag(json_object *data, const char *unit);

/*
 * A contact with no prefix, first, middle, last or suffix: its display
 * name, else its file-as name, split into them (ois_person_name_split); a
 * name that is no person's (an organisation, a couple, a shared mailbox, a
 * placeholder) is left whole and marked by "entity". A structured name is
 * never split again, so this is idempotent.
 */
void ois_norm_person_name(json_object *data);

#endif
