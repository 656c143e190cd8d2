# ews_resolve.py - ResolveNames of the fake EWS server: the directory as the
# seed has it. Every mailbox is a directory entry (its display name is its
# address); the seed's "directory" adds entries of their own:
#   {"smtp": "carol.white@firm.example", "name": "Carol White",
#    "proxies": ["carol@firm.example"]}
# An entry matches an UnresolvedEntry without a routing type when its primary
# address or one of its proxy addresses is that address (case-insensitive),
# with "smtp:" when one of them starts with the rest. As Exchange answers:
# one match Success, several the Warning ErrorNameResolutionMultipleResults
# (at most 100), none the Error ErrorNameResolutionNoResults.

from ews_xml import M, EwsError, error_message, esc, response, text_of


def directory(store):
    out = [{"smtp": box["smtp"], "name": box["smtp"], "proxies": []}
           for box in store.state["mailboxes"].values()]
    out.extend(store.state.get("directory", []))
    return out


def resolves(entry, query):
    addrs = [entry["smtp"]] + list(entry.get("proxies", []))
    addrs = [a.lower() for a in addrs]
    q = query.strip().lower()
    if q.startswith("smtp:"):
        return any(a.startswith(q[5:]) for a in addrs)
    return q in addrs


def resolution(entry):
    return ("<t:Resolution><t:Mailbox><t:Name>%s</t:Name><t:EmailAddress>%s</t:EmailAddress>"
            "<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType>"
            "</t:Mailbox></t:Resolution>" % (esc(entry.get("name") or entry["smtp"]), esc(entry["smtp"])))


def op_resolve_names(ctx, op):
    el = op.find(M + "UnresolvedEntry")
    query = text_of(el) if el is not None else ""
    found = [e for e in directory(ctx.store) if resolves(e, query)][:100]
    if not found:
        return response("ResolveNames", [error_message("ResolveNames", EwsError(
            "ErrorNameResolutionNoResults", "No results were found."))])
    cls, code = ("Success", "NoError") if len(found) == 1 else \
        ("Warning", "ErrorNameResolutionMultipleResults")
    msg = ('<m:ResolveNamesResponseMessage ResponseClass="%s">%s<m:ResponseCode>%s</m:ResponseCode>'
           '<m:ResolutionSet TotalItemsInView="%d" IncludesLastItemInRange="true">%s</m:ResolutionSet>'
           '</m:ResolveNamesResponseMessage>'
           % (cls, "" if cls == "Success" else
              "<m:MessageText>Multiple results were found.</m:MessageText>",
              code, len(found), "".join(resolution(e) for e in found)))
    return response("ResolveNames", [msg])
