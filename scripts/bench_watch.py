#!/usr/bin/env python3
"""make bench, the watcher (docs/SPEC.md §6 and issue 13's budgets):

- latency: a dist-info written into a watched environment -> its drift
  event committed (the watcher prints the line after the commit);
- idle: context switches and CPU of a watcher with nothing changing;
- memory: resident size watching 1,000 environments;
- burst: 1,000 dist-info directories written across 50 environments ->
  all of them recorded.

Environments are venv layouts made here (pyvenv.cfg, site-packages) and the
changes are the directories an installer leaves: the cost measured is the
watcher's, not pip's. Usage: bench_watch.py PKGTRAIL_BINARY"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "e2e"))
from wheels import leave_installed  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
SITE = "lib/python3.11/site-packages"


def make_venvs(root, n):
    venvs = []
    for i in range(n):
        v = f"{root}/p{i // 100:02d}/v{i:04d}"
        os.makedirs(f"{v}/{SITE}")
        with open(f"{v}/pyvenv.cfg", "w") as f:
            f.write("home = /usr/bin\nversion = 3.11.7\n")
        venvs.append(v)
    return venvs


class Watch:
    def __init__(self, root, depth=3):
        self.reports = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("PKGTRAIL_")}
        env.update(HOME=root, XDG_STATE_HOME=root + "/state")
        self.proc = subprocess.Popen([BIN, "watch", "--db", root + "/trail.db", "--discover", root + "/envs",
                                      "--depth", str(depth), "--json"], env=env, stdout=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.wait(lambda: any(r["report"] == "started" for r in self.reports), 120)

    def _read(self):
        for line in self.proc.stdout:
            r = json.loads(line)
            r["at"] = time.time()
            self.reports.append(r)

    def recorded(self, since=0.0):
        return [r for r in self.reports if r["report"] == "recorded" and r["at"] >= since]

    def wait(self, condition, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition():
                return True
            time.sleep(0.01)
        return False

    def status(self):
        fields = {}
        for line in open(f"/proc/{self.proc.pid}/status"):
            k, _, v = line.partition(":")
            fields[k] = v.strip()
        stat = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        cpu = (int(stat[11]) + int(stat[12])) * 1000 / os.sysconf("SC_CLK_TCK")
        switches = int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])
        return switches, cpu, int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


def bench_latency(root, trials=25):
    venvs = make_venvs(root + "/envs", 20)
    w = Watch(root)
    try:
        if not w.wait(lambda: len(w.recorded()) >= 20, 120):
            sys.exit("bench: the watcher did not record the 20 new environments")
        time.sleep(2)
        latencies = []
        for i in range(trials):
            venv = venvs[i % len(venvs)]
            t0 = time.time()
            leave_installed(f"{venv}/{SITE}", f"bench_{i:03d}", "1.0")
            if not w.wait(lambda: any(r["prefix"] == venv and r.get("outcome") == "logged"
                                      for r in w.recorded(t0)), 30):
                sys.exit(f"bench: no event within 30 s for a change in {venv}")
            latencies.append(min(r["at"] for r in w.recorded(t0) if r["prefix"] == venv) - t0)
            time.sleep(0.3)
        time.sleep(4)  # let everything settle, then count wakeups while nothing changes
        s0, c0, _, _ = w.status()
        time.sleep(10)
        s1, c1, _, _ = w.status()
        return latencies, s1 - s0, c1 - c0
    finally:
        w.stop()


def bench_scale(root, n=1000):
    make_venvs(root + "/envs", n)
    t0 = time.time()
    w = Watch(root)
    try:
        if not w.wait(lambda: len(w.recorded()) >= n, 600):
            sys.exit(f"bench: only {len(w.recorded())} of {n} environments recorded")
        ready = time.time() - t0
        time.sleep(2)
        _, _, rss, hwm = w.status()
        return ready, rss, hwm
    finally:
        w.stop()


def bench_burst(root, envs=50, per=20):
    venvs = make_venvs(root + "/envs", envs)
    w = Watch(root)
    try:
        if not w.wait(lambda: len(w.recorded()) >= envs, 120):
            sys.exit("bench: the watcher did not record the new environments")
        time.sleep(2)
        t0 = time.time()
        for k in range(per):
            for v in venvs:
                leave_installed(f"{v}/{SITE}", f"burst_{k:02d}", "1.0")
        written = time.time() - t0
        total = envs * per
        done = w.wait(lambda: sum(r["changes"] for r in w.recorded(t0)) >= total, 60)
        got = sum(r["changes"] for r in w.recorded(t0))
        if not done:
            sys.exit(f"bench: only {got} of {total} changes recorded within 60 s")
        last = max(r["at"] for r in w.recorded(t0))
        return written, last - t0, len(w.recorded(t0)), got
    finally:
        w.stop()


def main():
    if not os.path.exists(BIN):
        sys.exit(f"bench: no binary at {BIN}: run `make release`")
    root = tempfile.mkdtemp(prefix="pkgtrail-bench-watch-")
    try:
        lat, switches, cpu = bench_latency(root + "/latency")
        lat.sort()
        median = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
        ready, rss, hwm = bench_scale(root + "/scale")
        written, burst, events, changes = bench_burst(root + "/burst")
        print()
        print(f"pkgtrail watch: {len(lat)} changes one at a time, 20 environments; settle 1 s")
        print(f"budget change -> event median <= 2 s .. {median:.2f} s  {'ok' if median <= 2 else 'OVER'}"
              f"  (min {lat[0]:.2f}, max {lat[-1]:.2f})")
        print(f"budget change -> event p99 <= 5 s ..... {p99:.2f} s  {'ok' if p99 <= 5 else 'OVER'}")
        print(f"budget idle wakeups in 10 s = 0 ....... {switches}  {'ok' if switches == 0 else 'OVER'}"
              f"  (CPU {cpu:.0f} ms)")
        print(f"budget memory watching 1,000 environments <= 30 MB .. {hwm:.1f} MB peak  "
              f"{'ok' if hwm <= 30 else 'OVER'}  (resident {rss:.1f} MB; all recorded {ready:.1f} s after start)")
        print(f"budget 1,000 dist-infos across 50 environments <= 10 s .. {burst:.1f} s  "
              f"{'ok' if burst <= 10 else 'OVER'}  (written in {written:.2f} s; {events} events, {changes} changes)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
