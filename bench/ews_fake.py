#!/usr/bin/python3
# ews_fake.py - run tests/fakes/ews/ews_server.py with TCP_NODELAY on every accepted connection.
"""Start the fake EWS server for the bench, Nagle's algorithm off.

    ews_fake.py [ews_server.py options]

The fake writes a reply's headers and its body with two send() calls; with
Nagle on, the body's last partial segment waits for the client's delayed ACK
of the headers (40 ms on Linux) on many replies, which at 645 requests
(getitem_batch = 16, 10,000 contacts) adds ~27 s that no real Exchange
server would. Setting TCP_NODELAY is harmless if the fake already does.
"""

import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fakes", "ews"))

import ews_server  # noqa: E402

_setup = ews_server.Handler.setup


def setup(self):
    self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    _setup(self)


ews_server.Handler.setup = setup

if __name__ == "__main__":
    sys.exit(ews_server.main())
