#!/usr/bin/python3
# make_graph_mailbox.py - a seed for tests/fakes/graph/graph_server.py with N realistic contacts (stdlib only).
"""Write a Graph fake seed with one mailbox of N generated contacts.

    make_graph_mailbox.py N OUT.json [--mailbox SMTP] [--seed INT] [--client-id ID]

The people are make_mailbox.py's (the EWS bench's), the same for the same N
and --seed, written as Graph contacts: names, company, job title, department,
1-3 e-mail addresses, 2-4 phone numbers (the ones Graph's contact resource
lacks, such as the business fax, as the extended properties Outlook keeps them
in), a business address that is the mailing address, categories, notes and,
for one in four, a birthday, a prefix and a user field. The app --client-id
(the example seed's by default) may open the mailbox, with Contacts.ReadWrite
and Mail.ReadWrite (the sync record lives in a mail folder).
"""

import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_mailbox  # noqa: E402  (beside this file; the people are declared there)

TENANT = "6f1e0c5a-3b0d-4c8e-9f4a-0a1b2c3d4e5f"
CLIENT_ID = "0c3b5a1e-7d2f-4e8a-9b6c-1a2b3c4d5e6f"
# Outlook's contact property set (User Fields, the mailing address), as Graph names it.
PSETID_ADDRESS = "{00062004-0000-0000-C000-000000000046}"
# Phones Graph's contact resource has no property for: String extended properties by MAPI tag.
PHONE_TAGS = {"BusinessFax": "0x3A24", "AssistantPhone": "0x3A2E", "OtherTelephone": "0x3A1F"}
# PidLidPostalAddressId of the business address.
POSTAL_BUSINESS = "2"


def graph_contact(ews):
    """One make_mailbox contact (EWS names) as a Graph contact."""
    ext = []
    c = {
        "givenName": ews["GivenName"],
        "surname": ews["Surname"],
        "displayName": ews["DisplayName"],
        "fileAs": ews["FileAs"],
        "companyName": ews["CompanyName"],
        "jobTitle": ews["JobTitle"],
        "department": ews["Department"],
        "emailAddresses": [{"name": ews["DisplayName"], "address": a}
                           for _, a in sorted(ews["EmailAddresses"].items())],
        "categories": ews["Categories"],
        "personalNotes": ews["Body"],
    }
    phones = ews["PhoneNumbers"]
    business = [phones[k] for k in ("BusinessPhone", "BusinessPhone2") if k in phones]
    if business:
        c["businessPhones"] = business
    if "MobilePhone" in phones:
        c["mobilePhone"] = phones["MobilePhone"]
    if "HomePhone" in phones:
        c["homePhones"] = [phones["HomePhone"]]
    for key, tag in PHONE_TAGS.items():
        if key in phones:
            ext.append({"id": "String " + tag, "value": phones[key]})
    a = ews["PhysicalAddresses"]["Business"]
    c["businessAddress"] = {"street": a["Street"], "city": a["City"], "state": a["State"],
                            "postalCode": a["PostalCode"], "countryOrRegion": a["CountryOrRegion"]}
    ext.append({"id": "Integer %s Id 0x8022" % PSETID_ADDRESS, "value": POSTAL_BUSINESS})
    if "MiddleName" in ews:
        c["middleName"] = ews["MiddleName"]
    if "Birthday" in ews:
        # Outlook keeps a birthday at some time of its day; Graph shows it in UTC.
        c["birthday"] = ews["Birthday"][:10] + "T12:00:00Z"
    for p in ews.get("ExtendedProperties", []):
        if p.get("PropertyTag") == "0x3A45":
            c["title"] = p["Value"]
        elif p.get("PropertyId") == 32847:
            ext.append({"id": "String %s Id 0x804F" % PSETID_ADDRESS, "value": p["Value"]})
    c["singleValueExtendedProperties"] = ext
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("count", type=int)
    ap.add_argument("out")
    ap.add_argument("--mailbox", default="alice@firm.example")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--client-id", default=CLIENT_ID)
    args = ap.parse_args()
    r = random.Random(args.seed)
    contacts = [graph_contact(make_mailbox.contact(r, i)) for i in range(args.count)]
    seed = {
        "tenant": {"id": TENANT, "domains": [args.mailbox.split("@")[1]]},
        "apps": {args.client_id: {"displayName": "oisync", "mailboxes": [args.mailbox],
                                  "roles": ["Contacts.ReadWrite", "Mail.ReadWrite"]}},
        "users": {args.mailbox: {"displayName": "Bench Mailbox", "contacts": contacts}},
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(seed, f, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
