# graph_batch.py - JSON batching (POST /v1.0/$batch) in the Graph fake.
"""JSON batching as /graph/json-batching documents it: {"requests": [{"id",
"method", "url", "headers", "body", "dependsOn"}]}, at most 20 (more: 400, the
whole batch refused, as for a malformed one); ids unique; a body needs a
Content-Type header. The reply is 200 with {"responses": [{"id", "status",
"headers", "body"}]}, one per request, each with its own status; a request whose
dependency failed gets 424 (Failed Dependency).

Order and concurrency: requests run once their dependsOn have run. Without
dependsOn, Graph runs up to 4 of a batch's requests at once ("Outlook service
limits for JSON batching"): the fake runs them in waves of 4, each request of a
wave counted in flight against its mailbox's concurrency limit for the whole wave
(so a batch of independent requests occupies up to 4 of a mailbox's slots, and a
fully sequential one a single slot), and an inner request over the limit gets its
own 429 ApplicationThrottled. The inner requests use the batch's Authorization;
the fault kind batch_item answers one inner request with an error status and
Retry-After (a throttled inner request), as Graph reports throttling per request."""

import base64
import json

from graph_odata import GraphError, bad_request
from graph_throttle import fault_error

MAX_REQUESTS = 20
WAVE = 4
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")



def parse(body):
    """The checked requests of a batch body; GraphError 400 for the whole batch."""
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise bad_request("Invalid batch payload format: a JSON object with a requests array "
                          "is expected.")
    reqs = body["requests"]
    if not reqs:
        raise bad_request("Invalid batch payload format: the requests array is empty.")
    if len(reqs) > MAX_REQUESTS:
        raise bad_request("Number of requests in the batch exceeds the maximum of %d."
                          % MAX_REQUESTS)
    seen = {}
    for r in reqs:
        if not isinstance(r, dict) or not isinstance(r.get("id"), str) or not r["id"] \
                or not isinstance(r.get("url"), str) or r.get("method", "").upper() not in METHODS:
            raise bad_request("Invalid batch payload format: each request needs an id, a method "
                              "and a url.")
        if r["id"].lower() in seen:
            raise bad_request("Batch request ids must be unique: '%s' is repeated." % r["id"])
        seen[r["id"].lower()] = r
        headers = r.get("headers") or {}
        if not isinstance(headers, dict):
            raise bad_request("The headers of request '%s' must be an object." % r["id"])
        if "body" in r and not any(k.lower() == "content-type" for k in headers):
            raise bad_request("Write request id : %s does not contain Content-Type header or "
                              "body." % r["id"])
        deps = r.get("dependsOn") or []
        if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
            raise bad_request("dependsOn of request '%s' must be an array of ids." % r["id"])
    for r in reqs:
        for d in r.get("dependsOn") or []:
            if d.lower() not in seen or d.lower() == r["id"].lower():
                raise bad_request("Request '%s' depends on an unknown request '%s'."
                                  % (r["id"], d))
    order_waves(reqs)  # refuses cycles
    return reqs


def order_waves(reqs):
    """Lists of requests to run together: a request runs once what it depends on
    has; independent requests run WAVE at a time, in the batch's order."""
    done, waves, left = set(), [], list(reqs)
    while left:
        ready = [r for r in left if all(d.lower() in done for d in r.get("dependsOn") or [])]
        if not ready:
            raise bad_request("The dependsOn of the batch's requests form a cycle.")
        wave = ready[:WAVE]
        waves.append(wave)
        for r in wave:
            done.add(r["id"].lower())
            left.remove(r)
    return waves


def inner_request(outer, r):
    """A Request of an inner request: its url is relative to the version."""
    url = r["url"] if r["url"].startswith("/") else "/" + r["url"]
    first = url.split("/")[1].split("?")[0]
    if first.lower() in ("v1.0", "beta"):
        # The url is relative to the version (/users/...): Graph takes a version
        # segment for a resource, as it answers.
        raise bad_request("Resource not found for the segment '%s'." % first)
    headers = {k: str(v) for k, v in (r.get("headers") or {}).items()}
    body = r.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, str):
        try:
            raw = base64.b64decode(body)
        except ValueError:
            raw = body.encode("utf-8")
    else:
        raw = json.dumps(body).encode("utf-8")
    return outer.derive(r["method"].upper(), "/v1.0" + url, headers, raw)


def run(srv, outer):
    """The reply to a $batch request: (200, {"responses": [...]}, {})."""
    reqs = parse(outer.json())
    srv.stats.count("batch", "batches")
    results = {}
    for wave in order_waves(reqs):
        held, ready = [], []
        for r in wave:
            failed = [d for d in r.get("dependsOn") or [] if results[d.lower()]["status"] >= 400]
            if failed:
                results[r["id"].lower()] = response(r["id"], GraphError(
                    424, "FailedDependency",
                    "The request depends on request '%s', which failed." % failed[0]))
                continue
            srv.stats.count("batch", "requests")
            try:
                req = inner_request(outer, r)
                prep = srv.api.prepare(req, outer.app)
                srv.slots.acquire(outer.app.client_id, prep.mbx.upn)
                held.append(prep.mbx.upn)
                ready.append((r, req, prep))
            except GraphError as e:
                results[r["id"].lower()] = response(r["id"], e)
        try:
            for r, req, prep in ready:
                picked = srv.faults.take(("batch_item",))
                if picked:
                    spec = picked[1]
                    results[r["id"].lower()] = response(
                        r["id"], fault_error(spec["code"], spec.get("retry_after")))
                    continue
                try:
                    with srv.lock:
                        status, obj, hdr = srv.api.execute(req, prep)
                    results[r["id"].lower()] = response(r["id"], None, status, obj, hdr)
                except GraphError as e:
                    results[r["id"].lower()] = response(r["id"], e)
        finally:
            for upn in held:
                srv.slots.release(outer.app.client_id, upn)
    return 200, {"responses": [results[r["id"].lower()] for r in reqs]}, {}


def response(rid, error, status=None, obj=None, headers=None):
    if error is not None:
        hdr = dict(error.headers)
        hdr["Content-Type"] = "application/json"
        return {"id": rid, "status": error.status, "headers": hdr, "body": error.body()}
    out = {"id": rid, "status": status,
           "headers": dict(headers or {}, **({"Content-Type": "application/json"}
                                            if obj is not None else {}))}
    if obj is not None:
        out["body"] = obj
    return out
