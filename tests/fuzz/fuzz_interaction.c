/* fuzz_interaction.c - fuzz target: InterAction reply bodies, as the client parses and maps them. */
#include "fuzz.h"
#include "interaction/ia_appointment.h"
#include "interaction/ia_contact.h"
#include "interaction/interaction.h"
#include "record.h"

#include <stdlib.h>

/* What extract and apply do with one contact or appointment of a reply. */
static void use_item(json_object *item)
{
	json_object_put(ois_ia_contact_to_canonical(item));
	json_object_put(ois_ia_appointment_to_canonical(item));
	(void)ois_ia_op_tag(item);
	free(ois_ia_version_str(item));
}

static void use_all(json_object *arr)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		use_item(json_object_array_get_idx(arr, i));
}

/* One body, read as each kind of reply the client asks for. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *reply;
	if (ois_ia_parse_reply((const char *)data, size, "fuzz", &reply))
		return 0;
	use_item(reply); /* a single contact or appointment (GET, PATCH, POST replies) */

	struct ois_ia_page page;
	if (ois_ia_list_page_parse(reply, &page) == 0) {
		use_all(page.contacts);
		ois_ia_page_release(&page);
	}
	struct ois_ia_appt_page appts;
	if (ois_ia_appt_page_parse(reply, &appts) == 0) {
		use_all(appts.appointments);
		ois_ia_appt_page_release(&appts);
	}
	struct ois_ia_changes ch;
	if (ois_ia_changes_parse(reply, &ch) == 0) {
		for (size_t i = 0; i < json_object_array_length(ch.changes); i++) {
			json_object *c = json_object_array_get_idx(ch.changes, i);
			int appt = ois_ia_change_is_appointment(c);
			json_object *item = ois_json_obj(c, appt ? "appointment" : "contact");
			if (item)
				use_item(item);
		}
		ois_ia_changes_release(&ch);
	}
	json_object_put(reply);
	return 0;
}
