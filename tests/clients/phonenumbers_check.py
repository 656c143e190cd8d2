#!/usr/bin/python3
"""phonenumbers_check.py - check oisync's phone cases against Debian's python3-phonenumbers.

Reads the cases tests/unit/test_phone.t --dump prints (JSON lines: raw,
region, e164 or null, display or null) on stdin, and for each asks the
Python port of libphonenumber what oisync's rule (lib/phone_module.cc)
makes of it: parse raw in region; a number that is not valid, or whose
last seven digits are one digit repeated, is kept as typed (null); a valid one is E.164 with ";ext=N", and in display form the
international format with " ext. N". Prints one line per case that
differs and exits 1 when any does; with both packages of one metadata
version (Debian 12: 8.12.57) none may. When the versions differ, the
first line says so, so that a difference reads as the metadata's.
"""

import json
import sys

import phonenumbers as pn


def oisync_rule(raw, region):
    try:
        n = pn.parse(raw, None if region == "ZZ" else region)
    except pn.NumberParseException:
        return None, None
    if not pn.is_valid_number(n):
        return None, None
    ext = n.extension
    n.extension = None
    e164 = pn.format_number(n, pn.PhoneNumberFormat.E164)
    # oisync's own rule on top (lib/phone_e164.c): a line of one digit seven times over is a placeholder.
    if len(set(e164[-7:])) == 1:
        return None, None
    display = pn.format_number(n, pn.PhoneNumberFormat.INTERNATIONAL)
    if ext:
        e164 += ";ext=" + ext
        display += " ext. " + ext
    return e164, display


def main():
    libversion = sys.argv[1] if len(sys.argv) > 1 else None
    if libversion and libversion != pn.__version__:
        print("metadata differs: libphonenumber %s, python3-phonenumbers %s" % (libversion, pn.__version__))
    cases = differ = 0
    for line in sys.stdin:
        c = json.loads(line)
        cases += 1
        got = oisync_rule(c["raw"], c["region"])
        if got != (c["e164"], c["display"]):
            differ += 1
            print("differs: %r in %s: oisync %r, python3-phonenumbers %r" % (c["raw"], c["region"],
                                                                         (c["e164"], c["display"]), got))
    print("%d cases, %d differ" % (cases, differ))
    return 1 if differ or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
