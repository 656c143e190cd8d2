#!/usr/bin/python3
"""holdings.py EWS_URL IA_URL [--graph GRAPH_URL] [--counts|--json] - what each side holds, per user.

Reads the fakes' /_fake/dump endpoints and prints, per mailbox, the Outlook
contacts and the InterAction contact list of the user with that e-mail address,
then, where either has any, the Outlook calendar (singles and series, as
stored) and the user's InterAction appointments and activities. With --graph,
the mailboxes of the Graph fake too (Exchange Online), in the same rows.
--json prints the same as one JSON object (for tests); --counts only counts.
"""
import json
import sys
import urllib.request


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def outlook_row(c):
    name = " ".join(x for x in (c.get("GivenName"), c.get("Surname")) if x) or c.get("DisplayName", "")
    emails = c.get("EmailAddresses") or {}
    phones = c.get("PhoneNumbers") or {}
    return {"name": name, "email": (emails.get("EmailAddress1") or "").lower(),
            "job": c.get("JobTitle", ""), "mobile": phones.get("MobilePhone", "")}


def graph_contact(c):
    """A Graph contact in the EWS fake's shape, for outlook_row."""
    emails = c.get("emailAddresses") or []
    return {"GivenName": c.get("givenName"), "Surname": c.get("surname"),
            "DisplayName": c.get("displayName") or "", "JobTitle": c.get("jobTitle") or "",
            "EmailAddresses": {"EmailAddress1": emails[0].get("address", "")} if emails else {},
            "PhoneNumbers": {"MobilePhone": c.get("mobilePhone")} if c.get("mobilePhone") else {}}


def graph_event(e):
    """A Graph event (the dump's times are UTC) in the EWS fake's shape, for outlook_meeting."""
    def utc(t):
        return (t or {}).get("dateTime", "")[:19] + "Z" if (t or {}).get("dateTime") else ""
    return {"Subject": e.get("subject") or "", "Start": utc(e.get("start")), "End": utc(e.get("end")),
            "Recurrence": e.get("recurrence") and {"Weekly" if (e["recurrence"].get("pattern") or {})
                                                    .get("type") == "weekly" else "Other": 1}}


def graph_mailboxes(url):
    """{upn: {"contacts": [...], "calendar": [...]}} of the Graph fake, as the EWS fake's dump."""
    out = {}
    for upn, m in get(url + "/_fake/dump")["mailboxes"].items():
        contacts = [graph_contact(c) for f in m["contactFolders"] for c in f["contacts"]]
        out[upn] = {"contacts": contacts, "calendar": [graph_event(e) for e in m["events"]]}
    return out


def ia_row(c):
    name = " ".join(x for x in (c.get("first_name"), c.get("last_name")) if x) or c.get("company_name", "")
    return {"name": name, "email": ((c.get("emails") or {}).get("business") or "").lower(),
            "job": c.get("job_title", ""), "mobile": (c.get("phones") or {}).get("mobile", "")}


def outlook_meeting(m):
    row = {"subject": m.get("Subject", ""), "start": m.get("Start", ""), "end": m.get("End", "")}
    if m.get("Recurrence"):
        row["series"] = "weekly" if "Weekly" in str(m["Recurrence"]) else "recurring"
    return row


def ia_meeting(a):
    return {"subject": a.get("subject", ""), "start": a.get("start", ""), "end": a.get("end", ""),
            "status": a.get("status", ""), "type": a.get("type", ""),
            "participants": sum(1 for x in a.get("attendees") or []
                                if x.get("contact_id") or x.get("user_id"))}


def members(lists, uid):
    lst = lists.get(uid) or {}
    if isinstance(lst, dict):
        return list(lst.keys())
    return [e["id"] if isinstance(e, dict) else e for e in lst]


def main():
    args = sys.argv[1:]
    graph_url = None
    if "--graph" in args:
        i = args.index("--graph")
        graph_url = args[i + 1]
        del args[i:i + 2]
    ews_url, ia_url = args[0], args[1]
    mode = args[2] if len(args) > 2 else ""
    ews = get(ews_url + "/_fake/dump")["mailboxes"] if ews_url != "-" else {}
    if graph_url:
        ews.update(graph_mailboxes(graph_url))
    ia = get(ia_url + "/_fake/dump")
    users = {u["email"].lower(): u["id"] for u in ia["users"]}
    out = {"firm_contacts": len(ia["contacts"]), "mailboxes": {}}
    for smtp in sorted(ews):
        uid = users.get(smtp.lower())
        ol = sorted((outlook_row(c) for c in ews[smtp]["contacts"]), key=lambda r: r["name"])
        il = sorted((ia_row(ia["contacts"][cid]) for cid in members(ia["lists"], uid) if cid in ia["contacts"]),
                    key=lambda r: r["name"]) if uid else []
        out["mailboxes"][smtp] = {"user": uid, "outlook": ol, "interaction": il}
        oc = sorted((outlook_meeting(m) for m in ews[smtp].get("calendar") or []),
                    key=lambda r: (r["start"], r["subject"]))
        ic = sorted((ia_meeting(a) for a in (ia.get("appointments") or {}).values() if a.get("owner") == uid),
                    key=lambda r: (r["start"], r["subject"]))
        if oc or ic:
            out["mailboxes"][smtp].update(outlook_calendar=oc, interaction_calendar=ic)
    if mode == "--json":
        json.dump(out, sys.stdout, indent=1, sort_keys=True)
        print()
        return
    print("InterAction firm contacts: %d" % out["firm_contacts"])
    for smtp, box in out["mailboxes"].items():
        print("%s: %d Outlook contacts, %d on InterAction user %s's list"
              % (smtp, len(box["outlook"]), len(box["interaction"]), box["user"]))
        if mode == "--counts":
            continue
        both = sorted({r["name"] for r in box["outlook"]} | {r["name"] for r in box["interaction"]})
        ol = {r["name"]: r for r in box["outlook"]}
        il = {r["name"]: r for r in box["interaction"]}
        print("  %-18s %-8s %-12s %s" % ("name", "Outlook", "InterAction", "job title / mobile (Outlook)"))
        for n in both:
            o, i = ol.get(n), il.get(n)
            detail = o or i
            print("  %-18s %-8s %-12s %s%s" % (n, "yes" if o else "-", "yes" if i else "-",
                                              detail["job"], (" / " + detail["mobile"]) if detail["mobile"] else ""))
        if "outlook_calendar" not in box:
            continue
        print("  Outlook calendar:")
        for m in box["outlook_calendar"]:
            print("    %-20s %-22s %s" % (m["start"], m["subject"], m.get("series", "")))
        print("  InterAction appointments and activities:")
        for a in box["interaction_calendar"]:
            print("    %-20s %-22s %-11s %-8s %d participant%s"
                  % (a["start"], a["subject"], a["status"], a["type"], a["participants"],
                     "" if a["participants"] == 1 else "s"))


if __name__ == "__main__":
    main()
