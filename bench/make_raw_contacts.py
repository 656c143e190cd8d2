#!/usr/bin/python3
# make_raw_contacts.py - N raw Exchange contact records as oisync-extract writes them, the input of bench/transform (stdlib only).
"""Write N EWS contact records (oisync-records(5), "RAW RECORDS") to stdout.

    make_raw_contacts.py N [--seed INT]

What a firm's mailbox holds, in the forms the normalizer has to handle:
2-3 phone numbers each, mixed: E.164, national with and without
punctuation, dotted, with extensions, foreign (London, Munich) numbers
written nationally, and some placeholders (000-000-0000, (555) 555-5555);
one in six contacts has only a display name (no GivenName or Surname),
among them titles and post-nominals, "Last, First", organisations, couples,
role mailboxes and placeholders; countries as codes, English names,
aliases, the offices' own languages, and some no country; 1-3 e-mail
addresses, a few of them Exchange X.500 ones with the SMTP address on the
item, a few invalid. Ends with the checkpoint extract writes. The output
is the same for the same N and --seed, so runs compare.
"""

import argparse
import json
import random

FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William "
         "Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Chloé José Zoë "
         "Øystein Małgorzata Siobhán Renée Jürgen Ana Wei Priya Kenji Fatima Olu").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
        "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez O'Brien "
        "Müller Nguyen Kowalski Rossi Dubois Sánchez Ivanova Tanaka Okafor").split()
COMPANY = ("Acme Widgets LLC|Globex Corporation|Initech|Umbrella Holdings plc|Stark & Wayne LLP|"
           "Wonka Industries|Hooli Inc.|Vandelay Import/Export|Soylent GmbH|Tyrell Corp.|"
           "Cyberdyne Systems|Oceanic Airlines|Wayne Enterprises|Dunder Mifflin|Pied Piper").split("|")
TITLE = "General Counsel|Partner|Associate|Paralegal|CFO|VP Sales|Head of IP|Office Manager".split("|")
# Display-only names: people in the forms lists hold them, and the ones that are no person.
DISPLAY = ["Dr. {f} {l}", "{l}, {f}", "{f} {l} Jr.", "Prof. {f} {m}. {l}", "{f} \"{n}\" {l}",
           "{L} {f}", "{f} van der {l}", "{f} {l}, Esq.", "Mr {f} {l} PhD", "{f} {l}",
           "{c}", "The Law Offices of {l} & {l2}", "{f} and {f2} {l}", "Accounts Payable",
           "TBD", "{l}"]
COUNTRY = ["United States", "USA", "US", "U.S.A.", "United States of America", "Deutschland",
           "Germany", "DE", "UK", "United Kingdom", "England", "GB", "España", "Schweiz",
           "The Netherlands", "Holland", "France", "\u65e5\u672c", "Côte d\u2019Ivoire", "St. Lucia",
           "Bosnia & Herzegovina", "826", "DEU", "Atlantis", "N/A", ""]
CITY = [("New York", "NY", "10001"), ("London", "", "EC1A 1BB"), ("München", "BY", "80331"),
        ("Paris", "", "75001"), ("Toronto", "ON", "M5V 2T6"), ("Zürich", "", "8001")]
PHONE_KEYS = ["BusinessPhone", "MobilePhone", "HomePhone", "BusinessFax", "BusinessPhone2",
              "AssistantPhone", "OtherTelephone"]
X500 = "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=%08x-%s"
PSETID = "00062004-0000-0000-C000-000000000046"
SMTP_LID = {"EmailAddress1": "0x8084", "EmailAddress2": "0x8094", "EmailAddress3": "0x80A4"}


def phone(r):
    a, b, c = r.randint(201, 989), r.randint(200, 999), r.randint(0, 9999)
    return r.choice([
        "+1%03d%03d%04d" % (a, b, c),                 # E.164
        "+1 (%03d) %03d-%04d" % (a, b, c),
        "(%03d) %03d-%04d" % (a, b, c),               # national, punctuated
        "%03d-%03d-%04d" % (a, b, c),
        "%03d.%03d.%04d" % (a, b, c),
        "%03d%03d%04d" % (a, b, c),                   # national, bare
        "%03d-%03d-%04d x%d" % (a, b, c, r.randint(1, 9999)),   # extensions
        "+1 %03d %03d %04d ext. %d" % (a, b, c, r.randint(1, 999)),
        "+44 20 7946 %04d" % r.randint(0, 999),       # London, international
        "020 7946 %04d" % r.randint(0, 999),          # London, national
        "+49 89 %07d" % r.randint(1000000, 9999999),  # Munich
        "000-000-0000",                               # placeholders
        "(555) 555-5555",
    ])


def contact(r, i):
    f, f2, l, l2 = r.choice(FIRST), r.choice(FIRST), r.choice(LAST), r.choice(LAST)
    company = r.choice(COMPANY)
    domain = company.split()[0].lower().strip(".,&") + ".example"
    local = "%s.%s%d" % (f.lower(), l.lower().replace("'", ""), i)
    d = {"CompanyName": company, "JobTitle": r.choice(TITLE)}
    if r.random() < 1 / 6:
        d["DisplayName"] = r.choice(DISPLAY).format(f=f, f2=f2, l=l, l2=l2, L=l.upper(), m=r.choice("ABCDEJM"),
                                                    n=f[:3], c=company)
    else:
        d.update({"GivenName": f, "Surname": l, "DisplayName": "%s %s" % (f, l), "FileAs": "%s, %s" % (l, f)})
    emails, ext = {"EmailAddress1": "%s@%s" % (local, domain)}, {}
    for k in range(2, 2 + r.randint(0, 2)):
        emails["EmailAddress%d" % k] = "%s@mail%d.example" % (local, k)
    roll = r.random()
    if roll < 0.03:   # a contact made from the GAL: the X.500 address, the SMTP one on the item
        ext["%s:%s" % (PSETID, SMTP_LID["EmailAddress1"])] = emails["EmailAddress1"]
        emails["EmailAddress1"] = X500 % (i, f.lower())
    elif roll < 0.05:  # typed by hand
        emails["EmailAddress1"] = r.choice(["%s at %s" % (local, domain), "n/a", "%s@%s." % (local, domain)])
    d["EmailAddresses"] = emails
    d["PhoneNumbers"] = {k: phone(r) for k in r.sample(PHONE_KEYS, r.randint(2, 3))}
    city, state, postal = r.choice(CITY)
    d["PhysicalAddresses"] = {"Business": {"Street": "%d Main Street\r\nSuite %d" % (r.randint(1, 999), r.randint(100, 900)),
                                           "City": city, "State": state, "PostalCode": postal,
                                           "CountryOrRegion": r.choice(COUNTRY)}}
    d["PostalAddressIndex"] = "Business"
    d["Categories"] = r.sample(["Clients", "Prospects", "VIP", "Referrals", "Vendors"], r.randint(0, 2))
    d["Body"] = "Met at the annual IP conference.\r\nPrefers e-mail.\r\n"
    d["Sensitivity"] = "Normal"
    if ext:
        d["ExtendedProperties"] = ext
    return {"type": "contact", "side": "exchange", "account": "alice@firm.example", "folder": "contacts",
            "id": "AAMkADbench%07d" % i, "version": "EQAAABYA%07d" % i, "op": "upsert",
            "modified": "2026-11-20T09:00:00Z", "data": d}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    r = random.Random(a.seed)
    w = open(1, "w", encoding="utf-8", closefd=False, buffering=1 << 20)
    for i in range(a.n):
        w.write(json.dumps(contact(r, i), ensure_ascii=False, separators=(",", ":")) + "\n")
    w.write(json.dumps({"type": "checkpoint", "side": "exchange", "account": "alice@firm.example",
                        "folder": "contacts", "token": "t", "complete": True, "full": True}) + "\n")
    w.flush()


if __name__ == "__main__":
    main()
