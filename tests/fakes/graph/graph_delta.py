# graph_delta.py - delta queries of the Graph fake: contacts in a folder, a calendar view.
"""Delta query as /graph/delta-query-overview documents it: a round of GETs, each
page but the last ending with @odata.nextLink ($skiptoken), the last with
@odata.deltaLink ($deltatoken), which starts the next round. The query options of
the first request ($select for contacts; startDateTime and endDateTime for a
calendar view, whose window the first request fixes) are kept in the state the
tokens name, so later requests carry only the token.

Like Exchange, the fake keeps the sync states itself (the tokens are opaque keys
to them), and a state can be dropped (POST /_fake/expire-delta, or a reset): the
next request with its token gets 410 Gone, code syncStateNotFound, and a Location
header with the initial query, as the documentation's "synchronization reset"
describes.

A round reports what differs from the state the previous round ended with: each
item (or calendar instance) that is new or whose changeKey (for instances, its
whole rendering) changed, in full; each one gone as {"id", "@removed": {"reason":
"deleted"}}. A page renders its entries as they are when it is read, so an item
changed during a round is reported again in the next one (a replay, which the
documentation tells clients to expect)."""

import hashlib
import json
import secrets

from graph_odata import GraphError

DEFAULT_PAGE = 10      # entries per page without Prefer: odata.maxpagesize
MAX_PAGE = 1000


class State:
    """What a token names: the mailbox and collection, the first request's options
    and either the snapshot a finished round ended with ("delta") or the entries
    of a round under way and the snapshot it will end with ("page")."""

    def __init__(self, upn, scope, options, snapshot, entries=None, pos=0, nxt=None):
        self.upn, self.scope, self.options = upn, scope, options
        self.snapshot = snapshot      # {id: signature} the client holds
        self.entries = entries        # [(id, removed?)] of the round (page states)
        self.pos = pos
        self.next = nxt               # the snapshot at the end of this round


class SyncStates:
    def __init__(self):
        self.states = {}
        self.expired = {}             # token -> (upn, scope, options)

    def new_token(self, state):
        token = secrets.token_urlsafe(24)
        self.states[token] = state
        return token

    def find(self, token, upn, scope, initial_url):
        st = self.states.get(token)
        if st is not None and st.upn == upn and st.scope == scope:
            return st
        old = self.expired.get(token)
        headers = {}
        if old is not None and old[:2] == (upn, scope):
            headers["Location"] = initial_url(old[2])
        raise GraphError(410, "syncStateNotFound",
                         "The sync state generation is not found. The delta token is expired "
                         "and data must be synchronized again.", headers)

    def expire(self, upn=None):
        """Drop every state (of one mailbox); the count dropped."""
        gone = [t for t, st in self.states.items() if upn is None or st.upn.lower() == upn.lower()]
        for t in gone:
            st = self.states.pop(t)
            self.expired[t] = (st.upn, st.scope, st.options)
        return len(gone)


def signature(obj):
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def page_size(prefer):
    """(entries per page, the Preference-Applied value or None)."""
    text = prefer.get("odata.maxpagesize")
    if text is None:
        return DEFAULT_PAGE, None
    if not text.isdigit() or int(text) < 1:
        raise GraphError(400, "ErrorInvalidRequest",
                         "odata.maxpagesize must be a positive integer.")
    n = min(int(text), MAX_PAGE)
    return n, "odata.maxpagesize=%d" % n


def run(states, req, upn, scope, options, current, render, odata_type):
    """One delta request. current(options) gives {id: signature} of the collection
    now, in its order; render(id, options) gives the entry's JSON, or None when it
    is gone (options: the first request's, which the tokens keep). Returns
    (value, nextLink or None, deltaLink or None, Preference-Applied or None); the
    links are the request's path with the new token."""
    size, applied = page_size(req.prefer)
    skip, delta = req.query.get("$skiptoken"), req.query.get("$deltatoken")
    initial = lambda opts: req.url(req.path, opts)  # noqa: E731
    if skip:
        st = states.find(skip, upn, scope, initial)
    else:
        prev = states.find(delta, upn, scope, initial) if delta else None
        snapshot = prev.snapshot if prev else {}
        options = prev.options if prev else options
        now = current(options)
        entries = [(i, False) for i, sig in now.items() if snapshot.get(i) != sig]
        entries += [(i, True) for i in snapshot if i not in now]
        st = State(upn, scope, options, snapshot, entries, 0, now)
    chunk = st.entries[st.pos:st.pos + size]
    value = []
    for item_id, removed in chunk:
        obj = None if removed else render(item_id, st.options)
        value.append(obj if obj is not None else
                     {"@odata.type": odata_type, "id": item_id,
                      "@removed": {"reason": "deleted"}})
    pos = st.pos + len(chunk)
    if pos < len(st.entries):
        token = states.new_token(State(upn, scope, st.options, st.snapshot, st.entries, pos,
                                       st.next))
        return value, req.url(req.path, {"$skiptoken": token}), None, applied
    token = states.new_token(State(upn, scope, st.options, st.next))
    return value, None, req.url(req.path, {"$deltatoken": token}), applied
