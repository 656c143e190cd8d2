#!/usr/bin/env bats
# phone_reference.bats - oisync's phone cases (tests/unit/phone_cases.inc)
# against Debian's python3-phonenumbers, the Python port of libphonenumber
# with the same metadata: the C library and the reference must agree on
# every case, valid or kept as typed, E.164 and display form.

load helper

setup() {
	[ -x "$OISYNC_BUILD/tests/unit/test_phone.t" ] || skip "build the unit tests first (make units)"
}

@test "phone cases: python3-phonenumbers agrees with every case" {
	version=$(dpkg-query -W -f='${Version}' libphonenumber8 2>/dev/null | sed 's/[+-].*//')
	run bash -c "'$OISYNC_BUILD/tests/unit/test_phone.t' --dump | /usr/bin/python3 '$ROOT/tests/clients/phonenumbers_check.py' '$version'"
	assert_success
	assert_line --regexp '^[0-9]+ cases, 0 differ$'
	refute_line --partial 'metadata differs'
}

@test "phone cases: the reference check fails on a wrong expectation" {
	run bash -c "printf '%s\n' '{\"raw\":\"(555) 555-5555\",\"region\":\"US\",\"e164\":\"+15555555555\",\"display\":\"+1 555-555-5555\"}' |
		/usr/bin/python3 '$ROOT/tests/clients/phonenumbers_check.py'"
	assert_failure
	assert_line --partial "differs: '(555) 555-5555' in US"
}
