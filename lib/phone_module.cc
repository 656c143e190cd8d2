// phone_module.cc - oisync-phone.so: the C shim over libphonenumber's C++
// PhoneNumberUtil. Built as a module of its own and opened by lib/phone.c on
// the first number that needs parsing: libphonenumber brings the C++ runtime,
// protobuf, abseil and ICU, whose loading alone cost every stage that links
// them several milliseconds at each start, numbers or not.
#include "phone_p.h"

#include <cstring>
#include <string>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#pragma GCC diagnostic pop

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// The module's one entry point (the rest is built -fvisibility=hidden).
extern "C" __attribute__((visibility("default")))
int OIS_PHONE_MODULE_FN(const char *raw, const char *region, char *out, size_t outlen)
{
	if (!raw || !out || outlen == 0)
		return -1;
	try {
		// GetInstance builds the metadata singleton on first use: that is
		// why this is only ever called when a number needs formatting.
		const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
		PhoneNumber number;
		if (util->Parse(raw, region ? region : "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR)
			return -1;
		// IsPossibleNumber, not IsValidNumber: a number we cannot prove is
		// assigned (555-01xx, new ranges the metadata lacks) is still a
		// number the user typed, and both sides must format it alike.
		// A local-only number (7 digits in the US) has no E.164 form: it
		// would need an area code nobody typed, so it stays as typed.
		if (util->IsPossibleNumberWithReason(number) != PhoneNumberUtil::IS_POSSIBLE)
			return -1;
		std::string e164;
		util->Format(number, PhoneNumberUtil::E164, &e164);
		if (number.has_extension() && !number.extension().empty())
			e164 += ";ext=" + number.extension();
		if (e164.size() + 1 > outlen)
			return -1;
		std::memcpy(out, e164.c_str(), e164.size() + 1);
		return 0;
	} catch (...) {
		return -1;
	}
}
