# graph_throttle.py - the Outlook service's concurrency limit, and Graph's throttling replies.
"""Outlook's limit per app and mailbox (/graph/throttling-limits, "Outlook service
limits"): at most 4 concurrent requests. The fake counts the requests of each
(app, mailbox) that are in flight, from the moment the mailbox is known until the
reply is ready (released before it is sent, so a client that sends its next
request the moment a reply arrives is never counted twice), and answers one more
with 429, code ApplicationThrottled, message "Application is over its
MailboxConcurrency limit.", and Retry-After, as Exchange Online does. Each inner
request of a $batch counts while it runs.

/_fake/stats shows, per mailbox, the most requests ever in flight at once
(mailbox_inflight_max), those in flight now (mailbox_inflight) and the requests
refused (mailbox_throttled): a test proves a client keeps to the limit."""

import threading

from graph_odata import GraphError


def unavailable(retry_after):
    return GraphError(503, "serviceNotAvailable",
                      "The service is temporarily unavailable. Try the request again after a "
                      "delay.", {"Retry-After": str(retry_after)} if retry_after is not None
                      else {})


def fault_error(code, retry_after):
    """The Graph error of an injected http_status or batch_item fault."""
    hdr = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    if code == 429:
        return GraphError(429, "TooManyRequests", "Please retry again later.", hdr,
                          inner_code="429")
    if code == 503:
        return unavailable(retry_after)
    names = {500: "generalException", 502: "badGateway", 504: "gatewayTimeout"}
    return GraphError(code, names.get(code, "generalException"), "Injected fault.", hdr)


class MailboxSlots:
    def __init__(self, limit, retry_after, stats):
        self.limit = limit
        self.retry_after = retry_after
        self.stats = stats
        self.lock = threading.Lock()
        self.inflight = {}       # (client id, mailbox upn) -> requests in flight

    def acquire(self, app_id, upn):
        """Count one more request in flight; GraphError 429 over the limit."""
        k = (app_id, upn)
        with self.lock:
            n = self.inflight.get(k, 0)
            if n >= self.limit:
                over = True
            else:
                over = False
                self.inflight[k] = n + 1
                with self.stats.lock:
                    peak = self.stats.data["mailbox_inflight_max"]
                    peak[upn] = max(peak.get(upn, 0), n + 1)
        if over:
            self.stats.count("mailbox_throttled", upn)
            raise GraphError(429, "ApplicationThrottled",
                             "Application is over its MailboxConcurrency limit.",
                             {"Retry-After": str(self.retry_after)})

    def release(self, app_id, upn):
        k = (app_id, upn)
        with self.lock:
            n = self.inflight.get(k, 0) - 1
            if n > 0:
                self.inflight[k] = n
            else:
                self.inflight.pop(k, None)

    def now(self):
        """{mailbox: requests in flight now}, summed over apps."""
        out = {}
        with self.lock:
            for (_, upn), n in self.inflight.items():
                out[upn] = out.get(upn, 0) + n
        return out
