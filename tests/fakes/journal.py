# journal.py - a fake's state on disk: a JSON file written whole now and then, and a journal of changes since.
"""Persistence of the fakes that take --data-dir (EWS, InterAction), so that a
change costs the fake work in proportion to the change, not to all it holds.

- The state file (e.g. DIR/state.json) holds the whole state as JSON, written
  atomically (temporary file, fsync, rename): at start, at a reset, at a clean
  stop (SIGTERM, SIGINT) and whenever the journal has grown past the state
  file's size, so its rewrites cost O(1) per change, amortized. It carries
  "journal_id", a random token.
- The journal beside it (DIR/state.journal) holds what changed since, one line
  per commit (at most one per request): a JSON list of operations on the state,
  each [op, path, value] with path a list of keys from the top:
    ["set", [k, ...], value]   the value at path (missing objects on the way made)
    ["del", [k, ...]]          remove the key at the end of path (if there)
    ["append", [k, ...], [v]]  extend the list at path
    ["trim", [k, ...], n]      drop n items from the front of the list at path
  Its first line is {"journal_id": TOKEN}, the state file's. Each commit is one
  write(2) to a file opened O_APPEND, made before the request's reply, without
  fsync: a fake killed at any moment (even SIGKILL) keeps every change it
  answered; power loss is not covered. At load, a torn last line (the fake was
  killed in the middle of a write, before it answered) is dropped, and a journal
  of another id (left over when the fake stopped between a rewrite's rename and
  the journal's removal) is ignored.

A store marks what changed (mark(path): the value now there, or its absence, is
written at the next commit; add(op): a raw operation, for lists), and commits.
Python 3 standard library only."""

import json
import os
import secrets
import tempfile

# Below this size the journal is not worth a rewrite of the state file.
MIN_JOURNAL_BYTES = 1 << 20
_ABSENT = object()


def apply(state, ops):
    """Replay one journal line's operations on the state (a dict)."""
    for op in ops:
        kind, path = op[0], op[1]
        d = state
        for k in path[:-1]:
            d = d.setdefault(k, {}) if kind == "set" else d[k]
        last = path[-1]
        if kind == "set":
            d[last] = op[2]
        elif kind == "del":
            d.pop(last, None)
        elif kind == "append":
            d[last].extend(op[2])
        elif kind == "trim":
            del d[last][:op[2]]
        else:
            raise ValueError("unknown journal operation %r" % (kind,))


def lookup(root, path):
    """The value at path in root, or _ABSENT."""
    d = root
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return _ABSENT
        d = d[k]
    return d


class Journal:
    """The state file `path` and its journal. `snapshot()` gives the whole state
    to write (a dict; its values may be the store's live objects, as the values at
    marked paths are); `dump_opts` are json.dump's options for the state file.
    Callers hold their store's lock."""

    def __init__(self, path, snapshot, **dump_opts):
        self.path = path
        self.journal_path = os.path.splitext(path)[0] + ".journal"
        self.snapshot = snapshot
        self.dump_opts = dump_opts
        self.id = None
        self.fd = None
        self.state_bytes = 0
        self.journal_bytes = 0
        self.marked = {}          # path tuple -> None: an ordered set
        self.ops = []
        self.retired = False

    # ---- loading ----------------------------------------------------------------
    def load(self):
        """The state the files hold, the journal replayed; None without a state file.
        ValueError (or OSError) when they cannot be read."""
        if not os.path.exists(self.path):
            return None
        with open(self.path, encoding="utf-8") as f:
            state = json.load(f)
        if not isinstance(state, dict):
            raise ValueError("%s: not a JSON object" % self.path)
        jid = state.pop("journal_id", None)
        try:
            with open(self.journal_path, encoding="utf-8") as f:
                lines = f.read().split("\n")
        except FileNotFoundError:
            return state
        try:
            head = json.loads(lines[0])
        except ValueError:
            return state          # torn before the first change was whole: nothing
        if jid is None or not isinstance(head, dict) or head.get("journal_id") != jid:
            return state          # a journal of an earlier state file
        for n, line in enumerate(lines[1:], 2):
            if not line:
                continue
            try:
                ops = json.loads(line)
            except ValueError:
                if n == len(lines):
                    break         # torn last line: its request was never answered
                raise ValueError("%s:%d: not JSON" % (self.journal_path, n)) from None
            apply(state, ops)
        return state

    # ---- writing ----------------------------------------------------------------
    def rewrite(self):
        """Write the whole state file anew and start an empty journal."""
        if self.retired:
            return
        jid = secrets.token_hex(8)
        state = dict(self.snapshot(), journal_id=jid)
        d = os.path.dirname(self.path) or "."
        fd, tmp = tempfile.mkstemp(prefix=".state.", dir=d)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(state, f, **self.dump_opts)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
                size = f.tell()
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        self._close_fd()
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            pass
        self.id, self.state_bytes, self.journal_bytes = jid, size, 0
        self.marked, self.ops = {}, []

    def mark(self, *path):
        """The value at path changed (or is gone): written at the next commit."""
        self.marked[path] = None

    def add(self, op):
        """A raw operation (append, trim) for the next commit, after the marks'."""
        self.ops.append(op)

    def commit(self):
        """One line of what changed since the last commit; a rewrite instead when
        the journal has outgrown the state file."""
        if self.retired or (not self.marked and not self.ops):
            return
        root = self.snapshot()
        ops = []
        for path in self.marked:
            v = lookup(root, path)
            ops.append(["del", list(path)] if v is _ABSENT else ["set", list(path), v])
        ops += self.ops
        self.marked, self.ops = {}, []
        data = (json.dumps(ops, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        if self.fd is None:
            self.fd = os.open(self.journal_path,
                              os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
            data = (json.dumps({"journal_id": self.id}) + "\n").encode() + data
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        self.journal_bytes += len(data)
        if self.journal_bytes > max(self.state_bytes, MIN_JOURNAL_BYTES):
            self.rewrite()

    def close(self):
        """At a clean stop: the state file whole again, no journal left."""
        if self.retired:
            return
        if self.fd is not None or self.marked or self.ops:
            self.rewrite()
        self._close_fd()

    def retire(self):
        """This store is replaced (a reset): it writes nothing from now on."""
        self._close_fd()
        self.retired = True

    def _close_fd(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
