#!/usr/bin/env python3
"""make bench, the fleet (issue 14's budgets), against a local PostgreSQL
run with a real server's durability (fsync on, synchronous commits):

- ingest: 100 hosts' synthetic logs pushed by `pkgtrail push`, three at a
  time, every row verified and projected by the database as it arrives:
  events/s as measured (the pushing processes share the two cores with the
  server), and the server's own CPU per event (what the store needs when
  the hosts push from their own machines);
- scale: then hosts up to HOSTS (default 10,000) of PER_HOST events each
  (10.1M events in all) pushed the same way; then the fleet questions, each
  timed end to end as a responder runs it (`pkgtrail … --central URL`:
  process, connection, query, output): `exposure litellm==1.82.8`,
  `who litellm`, `state --host --env --at`;
- one new event on a host: `pkgtrail push` end to end;
- an install recorded with `push = after-install` against one recorded
  without: what the detached push adds to the install (interleaved runs).

Every figure is a median. Usage: bench_fleet.py PKGTRAIL_BINARY PKGTRAIL_SYNTH [HOSTS [PER_HOST]]"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from layout import make_shims  # noqa: E402
from postgres import Server  # noqa: E402
from wheels import make_wheel  # noqa: E402

BIN, SYNTH = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
HOSTS = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
PER_HOST = int(sys.argv[4]) if len(sys.argv) > 4 else 1_000
INGEST_HOSTS, INGEST_PER_HOST = 100, 2_000
EXPOSED_EVERY = 50  # one host in 50 ever installed litellm
KEPT = 9  # hosts whose local logs stay, for the one-event push


def host_name(i):
    return f"host-{i:05d}"


def run(cmd, env=None, ok=(0,)):
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode not in ok:
        sys.exit(f"bench_fleet: {' '.join(cmd)} failed ({r.returncode}): {r.stderr[-800:]}")
    return r


class Fleet:
    def __init__(self, root):
        self.root = root
        self.pg = Server(settings={"shared_buffers": "2GB", "max_wal_size": "8GB", "checkpoint_timeout": "15min"})
        self.env = dict(self.pg.client_env(), XDG_CONFIG_HOME=root + "/config", XDG_STATE_HOME=root + "/state")
        run([BIN, "central", "init", "--db", self.pg.url()], self.env)
        self.pg.add_role("bench_host", "pkgtrail_host", "bench-host-secret")
        self.pg.add_role("responder", "pkgtrail_reader", "responder-secret")
        run([BIN, "key", "init"], self.env)
        self.push_env = dict(self.env, PKGTRAIL_CENTRAL=self.pg.url("bench_host"))

    def make_log(self, i, events):
        db = f"{self.root}/logs/{host_name(i)}.db"
        env = {"PATH": os.environ["PATH"], "PKGTRAIL_SYNTH_HOST": host_name(i)}
        if i % EXPOSED_EVERY == 0:
            env["PKGTRAIL_SYNTH_LITELLM"] = "1"
        run([SYNTH, db, str(events)], env)
        return db

    def push(self, i, db):
        return run([BIN, "push", "--db", db, "--host", host_name(i)], self.push_env)

    def load(self, first, last, events, keep=()):
        """Generates and pushes hosts first..<last; the seconds the pushes took
        (generation excluded) and the server's CPU seconds meanwhile."""
        os.makedirs(self.root + "/logs", exist_ok=True)
        pushing = server = 0.0
        chunk = 200
        for start in range(first, last, chunk):
            ids = range(start, min(start + chunk, last))
            with ThreadPoolExecutor(2) as pool:
                dbs = list(pool.map(lambda i: self.make_log(i, events), ids))
            t, cpu = time.perf_counter(), server_cpu()
            with ThreadPoolExecutor(3) as pool:
                list(pool.map(lambda a: self.push(*a), zip(ids, dbs)))
            pushing += time.perf_counter() - t
            server += server_cpu() - cpu
            for i, db in zip(ids, dbs):
                if i not in keep:
                    os.remove(db)
            done = min(start + chunk, last)
            if sys.stderr.isatty():
                print(f"\r  {done - first}/{last - first} hosts pushed", end="", file=sys.stderr, flush=True)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        return pushing, server

    def ask(self, *args):
        t = time.perf_counter()
        r = run([BIN, *args, "--central", self.pg.url("responder")], self.env, ok=(0, 1))
        return (time.perf_counter() - t) * 1000, r.stdout

    def sql(self, query):
        return self.pg.psql(query, db="fleet")[1].strip()


def server_cpu():
    """CPU seconds used so far by every PostgreSQL process (the bench's server is the only one)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if "(postgres)" in stat:
            fields = stat.rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime, stime, and of children reaped
    return total / os.sysconf("SC_CLK_TCK")


def timed(label, fleet, args, budget, runs=7):
    fleet.ask(*args)  # the first run reads the pages from disk into the cache
    samples, out = [], ""
    for _ in range(runs):
        ms, out = fleet.ask(*args)
        samples.append(ms)
    median = statistics.median(samples)
    verdict = "ok" if median <= budget else "OVER BUDGET"
    last = out.strip().splitlines()[-1] if out.strip() else ""
    print(f"  {label:<44} median {median:6.1f} ms (budget {budget} ms) {verdict}  [{last}]")
    return median <= budget


def bench_install(fleet, root):
    """A recorded install with `push = after-install` against one without."""
    shims = make_shims(root + "/shims", BIN)
    venv = root + "/venv"
    run(["python3", "-m", "venv", venv])
    wheels = root + "/wheels"
    os.makedirs(wheels)
    make_wheel(wheels, "bench-pkg", "1.0")
    home = {}
    for mode in ("manual", "after-install"):
        home[mode] = f"{root}/home-{mode}"
        os.makedirs(home[mode] + "/config/pkgtrail")
        shutil.copy(root + "/config/pkgtrail/checkpoint.key", home[mode] + "/config/pkgtrail/checkpoint.key")
        with open(home[mode] + "/config/pkgtrail/central.conf", "w") as f:
            f.write(f"url = {fleet.pg.url('bench_host')}\npush = {mode}\n")

    def env(mode):
        return {"PATH": f"{shims}:{venv}/bin:/usr/bin:/bin", "HOME": home[mode], "PGPASSFILE": fleet.pg.passfile,
                "XDG_CONFIG_HOME": home[mode] + "/config", "XDG_STATE_HOME": home[mode] + "/state",
                "PKGTRAIL_DB": home[mode] + "/trail.db", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                "PIP_CONFIG_FILE": "/dev/null"}
    cmd = ["pip", "install", "-q", "--no-index", "--find-links", wheels, "--force-reinstall", "bench-pkg"]
    samples = {"manual": [], "after-install": []}
    for i in range(12):
        for mode in ("manual", "after-install"):
            t = time.perf_counter()
            run(cmd, env(mode))
            if i > 0:
                samples[mode].append((time.perf_counter() - t) * 1000)
            time.sleep(0.3)  # the background push of the previous run finishes, as between real installs
    a, b = statistics.median(samples["manual"]), statistics.median(samples["after-install"])
    print(f"  recorded install, push = after-install: median {b:.0f} ms vs {a:.0f} ms without "
          f"({b / a:.3f}x; the push runs after the install returns)")


def main():
    root = tempfile.mkdtemp(prefix="pkgtrail-bench-fleet-")
    fleet = Fleet(root)
    try:
        print(f"fleet: PostgreSQL {fleet.sql('SHOW server_version')} on 127.0.0.1, fsync on, "
              f"shared_buffers {fleet.sql('SHOW shared_buffers')}")
        seconds, cpu = fleet.load(0, INGEST_HOSTS, INGEST_PER_HOST)
        n = INGEST_HOSTS * INGEST_PER_HOST
        rate = n / seconds
        capacity = os.cpu_count() * n / cpu
        print(f"  ingest: {n:,} events from {INGEST_HOSTS} hosts in {seconds:.1f} s: {rate:,.0f} events/s with the "
              f"pushing processes on the same {os.cpu_count()} cores; the server used {cpu / n * 1e6:.0f} us of CPU "
              f"per event: {capacity:,.0f} events/s on {os.cpu_count()} cores (budget >= 20,000) "
              f"{'ok' if capacity >= 20_000 else 'UNDER BUDGET'}")
        keep = set(range(HOSTS - KEPT, HOSTS))
        seconds, _ = fleet.load(INGEST_HOSTS, HOSTS, PER_HOST, keep)
        n = (HOSTS - INGEST_HOSTS) * PER_HOST
        print(f"  loaded {n:,} more events from {HOSTS - INGEST_HOSTS:,} hosts in {seconds:.0f} s "
              f"({n / seconds:,.0f} events/s into a growing store)")
        fleet.sql("VACUUM ANALYZE")
        total = int(fleet.sql("SELECT count(*) FROM pkgtrail.event"))
        size = fleet.sql("SELECT pg_size_pretty(pg_database_size('fleet'))")
        print(f"  the store: {total:,} events from {fleet.sql('SELECT count(*) FROM pkgtrail.host_log')} hosts, {size}")
        mid = "2026-06-01"
        ok = all([
            timed("exposure litellm==1.82.8", fleet, ["exposure", "litellm==1.82.8"], 200),
            timed("who litellm", fleet, ["who", "litellm"], 200),
            timed(f"state --host {host_name(HOSTS * 42 // 100)} --env … --at {mid}", fleet,
                  ["state", "--host", host_name(HOSTS * 42 // 100), "--env", "/srv/app0/.venv", "--at", mid], 100),
        ])
        samples = []
        for i in sorted(keep):
            db = f"{root}/logs/{host_name(i)}.db"
            run([SYNTH, db, str(PER_HOST + 1)], {"PATH": os.environ["PATH"], "PKGTRAIL_SYNTH_HOST": host_name(i),
                                                 "PKGTRAIL_SYNTH_FROM": str(PER_HOST)})
            t = time.perf_counter()
            out = fleet.push(i, db).stdout
            samples.append((time.perf_counter() - t) * 1000)
            assert f"pushed events {PER_HOST + 1}…{PER_HOST + 1}" in out, out
        one = statistics.median(samples)
        print(f"  push of one new event, end to end: median {one:.1f} ms (budget 50 ms) "
              f"{'ok' if one <= 50 else 'OVER BUDGET'}")
        bench_install(fleet, root)
        if not ok or one > 50 or capacity < 20_000:
            print("  some fleet figures are over budget (above)")
    finally:
        fleet.pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
