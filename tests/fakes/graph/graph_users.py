# graph_users.py - GET /v1.0/users?$filter=mail eq '...' of the Graph fake:
# the tenant's users by e-mail address, as an app with User.Read.All (or
# User.ReadWrite.All) reads them. Only that filter (OData's doubled quote
# escaping a quote), and $select, are served; mail compares case-insensitively,
# as Entra ID does.

import re

from graph_odata import GraphError

FILTER_RE = re.compile(r"\s*mail\s+eq\s+'((?:[^']|'')*)'\s*$", re.I)


def list_users(store, app, query):
    if not ("User.Read.All" in app.roles or "User.ReadWrite.All" in app.roles):
        raise GraphError(403, "Authorization_RequestDenied",
                         "Insufficient privileges to complete the operation.")
    m = FILTER_RE.match(query.get("$filter", ""))
    if not m:
        raise GraphError(400, "BadRequest",
                         "The fake serves /users only with $filter=mail eq '...'.")
    mail = m.group(1).replace("''", "'").lower()
    found = [store.directory.user_json(mbx) for mbx in store.directory.mailboxes.values()
             if mbx.upn.lower() == mail]
    select = [s for s in query.get("$select", "").split(",") if s]
    if select:
        found = [{k: v for k, v in u.items() if k in select} for u in found]
    return {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": found}
