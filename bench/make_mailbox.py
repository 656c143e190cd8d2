#!/usr/bin/python3
# make_mailbox.py - a seed for tests/fakes/ews/ews_server.py with N realistic contacts (stdlib only).
"""Write an EWS fake seed with one mailbox of N generated contacts.

    make_mailbox.py N OUT.json [--mailbox SMTP] [--seed INT]

Each contact has a name, company, job title, 1-3 e-mail addresses, 2-4 phone
numbers, a business address, categories, a few lines of notes and, for one in
four, a user field and a prefix. The output is the same for the same N and
--seed, so runs compare. Service account: svc-oisync may impersonate everyone.
"""

import argparse
import json
import random

FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William "
         "Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Chloé José Zoë "
         "Øystein Małgorzata Siobhán Renée Jürgen Ana Wei Priya Kenji Fatima Olu").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
        "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez O'Brien "
        "Müller Nguyen Kowalski Rossi Dubois Sánchez Ivanova Tanaka Okafor Van der Berg").split()
COMPANY = ("Acme Widgets LLC|Globex Corporation|Initech|Umbrella Holdings plc|Stark & Wayne LLP|"
           "Wonka Industries|Hooli Inc.|Vandelay Import/Export|Soylent GmbH|Tyrell Corp.|"
           "Cyberdyne Systems|Oceanic Airlines|Wayne Enterprises|Dunder Mifflin|Pied Piper").split("|")
TITLE = ("General Counsel|Partner|Associate|Paralegal|CFO|CEO|VP Sales|Head of IP|"
         "Director, Compliance|Office Manager|Senior Analyst|Managing Director").split("|")
DEPT = "Legal|Finance|Sales|Operations|IT|Executive|Tax|Real Estate".split("|")
STREET = "Main Street|Oak Avenue|Park Lane|Broadway|High Street|Elm Road|Market Square".split("|")
CITY = [("New York", "NY", "United States", "100"), ("Chicago", "IL", "United States", "606"),
        ("London", "", "United Kingdom", "EC1A "), ("Paris", "", "France", "750"),
        ("Toronto", "ON", "Canada", "M5V "), ("Sydney", "NSW", "Australia", "200"),
        ("München", "BY", "Germany", "803")]
PHONES = ["BusinessPhone", "MobilePhone", "HomePhone", "BusinessFax", "BusinessPhone2",
          "AssistantPhone", "OtherTelephone"]
CATEGORIES = ["Clients", "Prospects", "VIP", "Referrals", "Opposing counsel", "Vendors"]
NOTES = ["Met at the annual IP conference.", "Prefers e-mail over phone.",
         "Assistant handles scheduling.", "Referred by the London office.",
         "Do not call before 10 am.", "Speaks French & German.", "Billing contact <AP>."]


def phone(r):
    return "+1 (%03d) 555-%04d" % (r.randint(201, 989), r.randint(0, 9999))


def contact(r, i):
    first, last = r.choice(FIRST), r.choice(LAST)
    company = r.choice(COMPANY)
    domain = company.split()[0].lower().strip(".,&") + ".example"
    local = "%s.%s%d" % (first.lower(), last.lower().replace(" ", "").replace("'", ""), i)
    emails = {"EmailAddress1": "%s@%s" % (local, domain)}
    for k in range(2, 2 + r.randint(0, 2)):
        emails["EmailAddress%d" % k] = "%s@mail%d.example" % (local, k)
    phones = {k: phone(r) for k in r.sample(PHONES, r.randint(2, 4))}
    city, state, country, zipp = r.choice(CITY)
    c = {
        "GivenName": first,
        "Surname": last,
        "DisplayName": "%s %s" % (first, last),
        "FileAs": "%s, %s" % (last, first),
        "CompanyName": company,
        "JobTitle": r.choice(TITLE),
        "Department": r.choice(DEPT),
        "EmailAddresses": emails,
        "PhoneNumbers": phones,
        "PhysicalAddresses": {"Business": {
            "Street": "%d %s\nSuite %d" % (r.randint(1, 999), r.choice(STREET), r.randint(100, 2400)),
            "City": city, "State": state, "CountryOrRegion": country,
            "PostalCode": "%s%02d" % (zipp, r.randint(0, 99))}},
        "PostalAddressIndex": "Business",
        "Categories": r.sample(CATEGORIES, r.randint(1, 2)),
        "Body": "\n".join(r.sample(NOTES, r.randint(1, 3))) + "\nContact #%d." % i,
    }
    if r.random() < 0.3:
        c["MiddleName"] = r.choice("ABCDEFGHJKLMNPRSTW") + "."
    if r.random() < 0.25:
        c["Birthday"] = "%04d-%02d-%02dT11:59:00Z" % (r.randint(1950, 2000), r.randint(1, 12),
                                                    r.randint(1, 28))
        c["ExtendedProperties"] = [
            {"PropertyTag": "0x3A45", "PropertyType": "String",
             "Value": r.choice(["Mr.", "Ms.", "Dr."])},
            {"PropertySetId": "00062004-0000-0000-C000-000000000046", "PropertyId": 32847,
             "PropertyType": "String", "Value": "Matter %04d-%03d" % (r.randint(2015, 2026), i % 1000)}]
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("count", type=int)
    ap.add_argument("out")
    ap.add_argument("--mailbox", default="alice@firm.example")
    ap.add_argument("--seed", type=int, default=4)
    args = ap.parse_args()
    r = random.Random(args.seed)
    seed = {"service_accounts": {"svc-oisync": {"impersonate": ["*"]}},
            "mailboxes": {args.mailbox: {"contacts": [contact(r, i) for i in range(args.count)]}}}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(seed, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
