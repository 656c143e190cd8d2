/* phone_display.c - canonical contact data as apply writes it into a server: each valid number in the display form. */
#include "phone_display.h"
#include "phone.h"
#include "record.h"
#include "util.h"

#include <string.h>

json_object *ois_contact_written(json_object *data, const char *kind, enum ois_phone_format format)
{
	json_object *phones = data && kind && !strcmp(kind, "contact") ? ois_json_obj(data, "phones") : NULL;
	if (!phones || format == OIS_PHONE_E164)
		return json_object_get(data);
	json_object *copy = NULL;
	if (json_object_deep_copy(data, &copy, NULL) != 0)
		OIS_BUG("json_object_deep_copy failed");
	json_object *typed = ois_json_obj(copy, OIS_PHONES_TYPED);
	json_object_object_foreach(ois_json_obj(copy, "phones"), key, val) {
		(void)key;
		if (!json_object_is_type(val, json_type_string))
			continue;
		/* Replacing the value of an existing key while iterating keeps the object's entries. */
		if (format == OIS_PHONE_AS_TYPED) {
			const char *as_typed = ois_json_str(typed, json_object_get_string(val));
			if (as_typed)
				json_object_set_string(val, as_typed);
			continue;
		}
		char shown[96];
		if (ois_phone_display(json_object_get_string(val), format, shown, sizeof(shown)) == 0)
			json_object_set_string(val, shown);
	}
	return copy;
}

void ois_phones_typed_carry(json_object *data, json_object *const *from, size_t n)
{
	json_object *phones = ois_json_obj(data, "phones");
	json_object *out = json_object_new_object();
	if (phones) {
		json_object_object_foreach(phones, key, val) {
			(void)key;
			const char *v = json_object_is_type(val, json_type_string) ? json_object_get_string(val) : NULL;
			for (size_t i = 0; v && i < n; i++) {
				const char *t = ois_json_str(ois_json_obj(from[i], OIS_PHONES_TYPED), v);
				if (t) {
					json_object_object_add(out, v, json_object_new_string(t));
					break;
				}
			}
		}
	}
	if (json_object_object_length(out))
		json_object_object_add(data, OIS_PHONES_TYPED, out);
	else {
		json_object_put(out);
		json_object_object_del(data, OIS_PHONES_TYPED);
	}
}
