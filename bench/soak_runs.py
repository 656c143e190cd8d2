# soak_runs.py - bench/soak's runs of oisync: the driver, kills, replays, settling.
"""Start oisync-run and oisync-apply --replay as the soak's own process groups,
SIGKILL one stage of a run at a random moment, wait for every process of a
group (bounded), and read the driver's per-user outcome lines. Python 3
standard library only."""

import os
import re
import signal
import subprocess
import time

STAGES = ("oisync-extract", "oisync-transform", "oisync-reconcile", "oisync-apply", "oisync-run")
RUN_TIMEOUT = 180      # seconds one oisync-run or replay may take
DRAIN_TIMEOUT = 60     # seconds left-over processes of a killed driver may take
# A user's line ends with its change set, or says none was written (a quiet
# user, committed by extract alone; or a run that failed before reconcile).
LINE = re.compile(r"^oisync-run: (\S+): (ok|failed \(exit (\d+)\)): (\d+) create, "
                  r"(\d+) update, (\d+) delete, (\d+) conflicts; "
                  r"(?:change set (\S+)|nothing new, no change set|no change set)$")


def _group(pgid):
    """(pid, comm) of the live processes of a process group."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        rp = stat.rfind(")")
        comm = stat[stat.find("(") + 1:rp]
        fields = stat[rp + 2:].split()
        # fields: state ppid pgrp ...; a zombie has finished its work
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            out.append((int(name), comm))
    return out


def _comm(stage):
    return stage[:15]   # the kernel keeps 15 bytes of a command name


class Run:
    """One process group the soak started: a driver run or a replay."""

    def __init__(self, runner, argv, label):
        self.label = label
        self.out_path = os.path.join(runner.dir, "run.out")
        self.out = open(self.out_path + ".%d" % runner.serial, "w+")
        runner.serial += 1
        self.err = runner.log
        runner.log.write("\n=== %s: %s\n" % (label, " ".join(argv)))
        runner.log.flush()
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=runner.log, env=runner.env, cwd=runner.dir,
                                     start_new_session=True)
        self.pgid = self.proc.pid
        self.rc = None
        self.killed = None

    def finish(self, runner):
        """Wait for the driver and then for every process of its group."""
        try:
            self.rc = self.proc.wait(timeout=max(1, RUN_TIMEOUT - (time.monotonic() - self.t0)))
        except subprocess.TimeoutExpired:
            runner.note("%s: still running after %d s; killed" % (self.label, RUN_TIMEOUT))
            self._kill_group()
            self.rc = self.proc.wait(timeout=10)
            runner.hung += 1
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while _group(self.pgid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _group(self.pgid):
            runner.note("%s: processes left %d s after the driver; killed" % (self.label, DRAIN_TIMEOUT))
            self._kill_group()
            runner.hung += 1
        self.out.seek(0)
        text = self.out.read()
        self.out.close()
        os.unlink(self.out.name)
        runner.log.write(text)
        runner.log.flush()
        self.users = {}
        for line in text.splitlines():
            m = LINE.match(line)
            if m:
                self.users[m.group(1)] = {
                    "ok": m.group(2) == "ok", "rc": int(m.group(3) or 0),
                    "changes": int(m.group(4)) + int(m.group(5)) + int(m.group(6)),
                    "set": m.group(8)}
        return self

    def _kill_group(self):
        try:
            os.killpg(self.pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait_stage(self, stage, nth):
        """Wait until the nth process named `stage` of this run appears; its
        pid, or None when the run ended first."""
        seen = []
        deadline = self.t0 + RUN_TIMEOUT
        while self.proc.poll() is None and time.monotonic() < deadline:
            for pid, comm in _group(self.pgid):
                if comm == _comm(stage) and pid not in seen:
                    seen.append(pid)
            if len(seen) >= nth:
                return seen[nth - 1]
            time.sleep(0.003)
        return None

    def kill_stage(self, stage, nth, delay):
        """SIGKILL the nth process named `stage` of this run `delay` seconds
        after it appears (the driver itself `delay` seconds after its start).
        Returns what was killed, or None when the run ended first."""
        if stage == "oisync-run":
            end = self.t0 + delay
            while time.monotonic() < end and self.proc.poll() is None:
                time.sleep(0.005)
            if self.proc.poll() is not None:
                return None
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                return None
            self.killed = "oisync-run after %.2f s" % delay
            return self.killed
        pid = self.wait_stage(stage, nth)
        if pid is None:
            return None
        end = time.monotonic() + delay
        while time.monotonic() < end:
            if (pid, _comm(stage)) not in _group(self.pgid):
                return None
            time.sleep(0.003)
        # Only a process of this run's group, still with the stage's name.
        if (pid, _comm(stage)) not in _group(self.pgid):
            return None
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return None  # it finished between the look and the kill
        self.killed = "%s #%d after %.3f s" % (stage, nth, delay)
        return self.killed


class Runner:
    def __init__(self, root, build, workdir, conf):
        self.dir = workdir
        self.root = root
        self.conf = conf
        self.serial = 0
        self.hung = 0
        self.log = open(os.path.join(workdir, "runs.log"), "a")
        # oisync talks to the fakes on 127.0.0.1 only: no proxy in between.
        env = {k: v for k, v in os.environ.items()
               if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
        env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
        env.update({"LC_ALL": "C", "OISYNC_BIN": os.path.join(build, "bin"),
                    "OISYNC_CONF": conf,
                    "PATH": os.path.join(build, "bin") + ":" + os.path.join(root, "scripts")
                    + ":" + env.get("PATH", "/usr/bin:/bin")})
        self.env = env
        self.driver = os.path.join(root, "scripts", "oisync-run")
        self.apply = os.path.join(build, "bin", "oisync-apply")

    def note(self, msg):
        self.log.write("soak: %s\n" % msg)
        self.log.flush()

    def start_run(self, label, wait=None):
        argv = [self.driver, "-c", self.conf]
        if wait is not None:
            argv += ["--wait", str(wait)]
        return Run(self, argv + ["ex1"], label)

    def replay(self, path, label):
        return Run(self, [self.apply, "-c", self.conf, "--replay", path], label).finish(self)

    def close(self):
        self.log.close()
