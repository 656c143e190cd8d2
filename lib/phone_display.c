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
	json_object_object_foreach(ois_json_obj(copy, "phones"), key, val) {
		char shown[96];
		/* Replacing the value of an existing key while iterating keeps the object's entries. */
		if (json_object_is_type(val, json_type_string) &&
		    ois_phone_display(json_object_get_string(val), format, shown, sizeof(shown)) == 0)
			json_object_set_string(val, shown);
		(void)key;
	}
	return copy;
}
