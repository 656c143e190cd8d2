// phone_module.cc - oisync-phone.so: the C shim over libphonenumber's C++
// PhoneNumberUtil. Built as a module of its own and opened by
// lib/phone_load.c on the first number that needs parsing: libphonenumber
// brings the C++ runtime, protobuf, abseil and ICU, whose loading alone cost
// every stage that links them several milliseconds at each start, numbers
// or not.
#include "phone.h"
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
int OIS_PHONE_MODULE_FN(const char *raw, const char *region, int format, char *out, size_t outlen)
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
		// IsValidNumber, not IsPossibleNumber: only a number in a range
		// its country assigns is formatted. A placeholder (000-000-0000,
		// 555-555-5555), an unassigned area code or a national number read
		// in the wrong region is possible, often, but formatting it would
		// make up a real-looking number nobody has; it stays as typed.
		// A local-only number (7 digits in the US) is not valid either: it
		// would need an area code nobody typed.
		if (!util->IsValidNumber(number))
			return -1;
		std::string ext = number.has_extension() ? number.extension() : std::string();
		number.clear_extension();
		std::string s;
		if (format == OIS_PHONE_INTERNATIONAL) {
			// libphonenumber's grouping, but one extension prefix for every
			// country (its own varies: " x" for the UK, " ext. " for the US).
			util->Format(number, PhoneNumberUtil::INTERNATIONAL, &s);
			if (!ext.empty())
				s += " ext. " + ext;
		} else {
			util->Format(number, PhoneNumberUtil::E164, &s);
			if (!ext.empty())
				s += ";ext=" + ext;
		}
		if (s.size() + 1 > outlen)
			return -1;
		std::memcpy(out, s.c_str(), s.size() + 1);
		return 0;
	} catch (...) {
		return -1;
	}
}
