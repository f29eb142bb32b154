"""Fleet queries on a real PostgreSQL server: three hosts (real pip, real uv
through the shims, each under its own host name, and a pkgtrail-synth log
of many hosts) push their logs; every query asked with --central gives what
the three local logs give together, field by field, with the same exit
codes. Then sixteen hosts push at once and every chain arrives whole."""
import fcntl
import hashlib
import json
import os
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import BIN, Sandbox, UvBox
from postgres import Server

SYNTH = os.path.join(os.path.dirname(BIN), "pkgtrail-synth")


@pytest.fixture(scope="module")
def pg():
    server = Server()
    r = subprocess.run([BIN, "central", "init", "--db", server.url()], capture_output=True, text=True,
                       env=server.client_env())
    assert r.returncode == 0, r
    server.add_role("responder", "pkgtrail_reader", "reader-secret")
    yield server
    server.stop()


def as_host(name, argv):
    """Runs argv on a machine called `name`: its own UTS namespace, so the
    recorder reads that name from gethostname() as it would there."""
    unshare = ["unshare", "--uts"] if os.geteuid() == 0 else ["unshare", "--map-root-user", "--uts"]
    return unshare + ["sh", "-c", 'hostname "$0" && exec "$@"', name] + argv


def enroll(pg, host, env):
    """A host's database role and its own checkpoint key; the environment its pushes run with."""
    role = "role_" + host.replace("-", "_")
    pg.add_role(role, "pkgtrail_host", "secret-" + role)
    env = dict(env, PGPASSFILE=pg.passfile, PKGTRAIL_CENTRAL=pg.url(role), XDG_CONFIG_HOME=f"{pg.root}/{host}")
    assert subprocess.run([BIN, "key", "init"], capture_output=True, env=env).returncode == 0
    return env


def push(pg, db, host, env, enrolled=False):
    env = env if enrolled else enroll(pg, host, env)
    return subprocess.run([BIN, "push", "--db", db, "--host", host], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture(scope="module")
def fleet(pg, tmp_path_factory, index, uv_dir):
    """Three hosts' logs, pushed: fleet-a (pip), fleet-b (uv) and a synthetic log of 1,000 hosts."""
    a = Sandbox(tmp_path_factory.mktemp("fleet-a"), "current", twin=False)
    for args in (["install", "-q", "-i", index["simple"], "llmlib==1.1", "demo-lib==1.0"],
                 ["install", "-q", "-i", index["simple"], "llmlib==1.2"],
                 ["uninstall", "-y", "-q", "demo-lib"]):
        r = subprocess.run(as_host("fleet-a", ["pip", *args]), env=a.env(), capture_output=True, cwd=a.root)
        assert r.returncode == 0, r
    b = UvBox(tmp_path_factory.mktemp("fleet-b"), uv_dir)
    for args in (["pip", "install", "-i", index["simple"], "agentkit", "llmlib==1.1"],):
        r = subprocess.run(as_host("fleet-b", ["uv", *args]), env=b.env(), capture_output=True, cwd=b.root)
        assert r.returncode == 0, r
    c = str(tmp_path_factory.mktemp("fleet-c") / "trail.db")
    assert subprocess.run([SYNTH, c, "4000"], capture_output=True).returncode == 0
    logs = {"fleet-a": (a.db, a.env()), "fleet-b": (b.db, b.env()), "synth-c": (c, a.env())}
    for host, (db, env) in logs.items():
        r = push(pg, db, host, env)
        assert r.returncode == 0 and "pushed events 1…" in r.stdout, r
    return {host: db for host, (db, _) in logs.items()}, b.venv


def ask(pg, *args, central=True, db=None):
    where = ["--central", pg.url("responder")] if central else ["--db", db]
    return subprocess.run([BIN, *args, *where], capture_output=True, text=True, env=pg.client_env(), timeout=120)


def records(stdout):
    """A --json answer as a multiset of records, each compared field by field."""
    return sorted(json.dumps(x, sort_keys=True) for x in json.loads(stdout))


QUESTIONS = [
    ["exposure", "llmlib==1.1"],
    ["exposure", "litellm==1.82.8", "llmlib>=1.1"],
    ["exposure", "no-such-package"],
    ["exposure", "--osv", "{osv}"],
    ["who", "llmlib"],
    ["who", "litellm"],
    ["who", "pkg-3>=2"],
    ["log", "--package", "llmlib"],
    ["log", "--user", "user3", "--since", "2026-06-01"],
    # Narrowed by time and place: each host's narrowed answer, united.
    ["who", "pkg-3>=2", "--since", "2026-06-01", "--until", "2026-09-01"],
    ["who", "llmlib", "--host", "fleet-a"],
    ["exposure", "pkg-3>=2", "--since", "2026-10-01", "--env", "/srv/app0/.venv"],
    ["log", "--package", "pkg-3", "--env", "/srv/app1/.venv", "--until", "2026-05-01"],
    # The retroactive audit, its records written from the stored bodies.
    ["audit", "--advisories", "{store}"],
    ["audit", "--advisories", "{store}", "--host", "fleet-b"],
]


@pytest.fixture(scope="module")
def osv(tmp_path_factory):
    """Two advisories: a MAL- entry by versions, a PYSEC- one by range."""
    path = tmp_path_factory.mktemp("osv") / "advisories.json"
    path.write_text(json.dumps([
        {"id": "MAL-2026-0042", "affected": [{"package": {"ecosystem": "PyPI", "name": "LLMLib"}, "versions": ["1.1"]}]},
        {"id": "PYSEC-2026-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "litellm"}, "ranges": [
            {"type": "ECOSYSTEM", "events": [{"introduced": "1.82.7"}, {"fixed": "1.82.9"}]}]}]}]))
    return str(path)


@pytest.fixture(scope="module")
def advisory_store(osv, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("advisories") / "advisories.db")
    r = subprocess.run([BIN, "advisories", "import", "--advisories", path, osv], capture_output=True, text=True)
    assert r.returncode == 0, r
    return path


@pytest.mark.parametrize("question", QUESTIONS, ids=[" ".join(q) for q in QUESTIONS])
def test_a_fleet_answer_is_the_union_of_every_hosts_own_answer(pg, fleet, question, osv, advisory_store):
    logs, _ = fleet
    question = [{"{osv}": osv, "{store}": advisory_store}.get(q, q) for q in question]
    local = [ask(pg, *question, "--json", central=False, db=db) for db in logs.values()]
    fleetwide = ask(pg, *question, "--json")
    union = sorted(sum((records(r.stdout) for r in local), []))
    assert records(fleetwide.stdout) == union
    # Exposure's exit status is the verdict: 1 when any host was exposed, across the fleet too.
    assert fleetwide.returncode == max(r.returncode for r in local), (fleetwide, local)
    if question[0] in ("exposure", "audit") and question[-1] != "no-such-package":
        assert union and fleetwide.returncode == 1
    # The text says the same, in the same words.
    text = ask(pg, *question)
    assert text.returncode == fleetwide.returncode and text.stderr == ""
    if question[0] != "log":
        summary = text.stdout.splitlines()[-1]
        assert summary.split()[0] == (str(len(union)) if union else "no"), summary


@pytest.mark.parametrize("question", [["who", "pkg-3"], ["exposure", "pkg-3"], ["log", "--package", "pkg-3"]])
def test_a_limit_keeps_the_fleets_newest(pg, fleet, question):
    """--limit N across the fleet: the N of every host's answers that started
    last, oldest first."""
    logs, _ = fleet
    def started(r):
        return r["started"] if "started" in r else r["installed"]["started"]
    union = sorted(sum((json.loads(ask(pg, *question, "--json", central=False, db=db).stdout) for db in logs.values()), []),
                   key=started)
    assert len(union) > 20
    for n in (1, 20):
        newest = json.loads(ask(pg, *question, "--limit", str(n), "--json").stdout)
        assert [started(r) for r in newest] == [started(r) for r in union[-n:]]
        assert records(json.dumps(newest)) == records(json.dumps(union[-n:]))


def test_an_environment_at_a_moment_and_its_changes_read_the_same_from_the_fleet(pg, fleet):
    logs, venv = fleet
    for args in (["state", "--host", "fleet-b", "--env", venv],
                 ["state", "--host", "host-240", "--env", "/srv/app0/.venv", "--at", "2026-09-01"],
                 ["diff", "--host", "host-240", "--env", "/srv/app0/.venv", "2026-01-01", "2026-11-01"]):
        db = logs["fleet-b" if "fleet-b" in args else "synth-c"]
        local, fleetwide = ask(pg, *args, "--json", central=False, db=db), ask(pg, *args, "--json")
        assert local.returncode == fleetwide.returncode == 0, (local, fleetwide)
        assert records(local.stdout) == records(fleetwide.stdout)
        assert ask(pg, *args, central=False, db=db).stdout == ask(pg, *args).stdout
    r = ask(pg, "state", "--env", venv, "--freeze")
    assert r.returncode == 0 and "llmlib==1.1" in r.stdout.split(), r  # one host holds that path: found without --host
    r = ask(pg, "state", "--env", "/nowhere")
    assert r.returncode == 2 and r.stderr.startswith("pkgtrail: nothing is recorded for /nowhere"), r


def test_a_hosts_export_from_the_store_is_its_own_export_and_verifies(pg, fleet, tmp_path):
    logs, _ = fleet
    r = ask(pg, "export", "--format", "ndjson")
    assert r.returncode == 2 and "name it with --host" in r.stderr and r.stderr.count("\n") == 1, r
    out = str(tmp_path / "b.ndjson")
    r = ask(pg, "export", "--format", "ndjson", "--host", "fleet-b", "-o", out)
    assert r.returncode == 0, r
    mine = ask(pg, "export", "--format", "ndjson", central=False, db=logs["fleet-b"]).stdout.splitlines()
    theirs = open(out).read().splitlines()
    strip = lambda line: {k: v for k, v in json.loads(line)["export"].items() if k != "exported_at"}
    assert strip(theirs[0]) == strip(mine[0]) and theirs[1:] == mine[1:]
    v = subprocess.run(["python3", os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "verify_log.py"),
                        out], capture_output=True, text=True)
    assert v.returncode == 0 and v.stdout.startswith("ok: seq 1.."), v


def test_the_configured_store_answers_with_fleet(pg, fleet, tmp_path):
    conf = tmp_path / "config" / "pkgtrail"
    conf.mkdir(parents=True)
    (conf / "central.conf").write_text(f"url = {pg.url('responder')}\n")
    env = dict(pg.client_env(), XDG_CONFIG_HOME=str(tmp_path / "config"))
    r = subprocess.run([BIN, "who", "llmlib==1.1", "--fleet", "--json"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and {x["host"] for x in json.loads(r.stdout)} == {"fleet-a", "fleet-b"}, r
    # Without --central/--fleet the same command reads the local log, whatever is configured.
    r = subprocess.run([BIN, "who", "llmlib", "--db", str(tmp_path / "none.db")], capture_output=True, text=True,
                       env=env)
    assert r.returncode == 2 and "no log at" in r.stderr, r
    r = subprocess.run([BIN, "who", "llmlib", "--db", "x.db", "--fleet"], capture_output=True, text=True, env=env)
    assert r.returncode == 64 and "not both" in r.stderr, r
    assert "reader-secret" not in r.stdout + r.stderr


def test_sixteen_hosts_pushing_at_once_each_arrive_whole(pg, tmp_path):
    hosts = [f"burst-{i:02d}" for i in range(16)]
    dbs = {}
    for i, h in enumerate(hosts):
        dbs[h] = str(tmp_path / f"{h}.db")
        assert subprocess.run([SYNTH, dbs[h], str(300 + 37 * i)], capture_output=True).returncode == 0
    box = Sandbox(tmp_path / "keys", "current", twin=False)
    envs = {h: enroll(pg, h, box.env()) for h in hosts}  # roles first: the password file is rewritten for each
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda h: push(pg, dbs[h], h, envs[h], enrolled=True), hosts))
    assert all(r.returncode == 0 for r in results), [r for r in results if r.returncode]
    for h in hosts:
        n = 300 + 37 * hosts.index(h)
        _, out, _ = pg.psql(
            "SELECT count(*), min(seq), max(seq), count(DISTINCT s.seq) FROM pkgtrail.event e JOIN pkgtrail.host_log "
            f"USING (log_id) LEFT JOIN pkgtrail.event_summary s USING (log_id, seq) WHERE host = '{h}'", db="fleet")
        assert out.strip() == f"{n}|1|{n}|{n}", (h, out)
    r = subprocess.run([BIN, "central", "verify", "--central", pg.url("responder")], capture_output=True, text=True,
                       env=pg.client_env())
    assert r.returncode == 0 and all(f"{h}: " in r.stdout for h in hosts), r


def central_hashes(pg, host):
    _, out, _ = pg.psql("SELECT coalesce(string_agg(encode(hash, 'hex'), ',' ORDER BY seq), '') FROM pkgtrail.event "
                        f"JOIN pkgtrail.host_log USING (log_id) WHERE host = '{host}'", db="fleet")
    return out.strip()


def local_hashes(db):
    con = sqlite3.connect(db)
    try:
        return ",".join(bytes(h).hex() for (h,) in con.execute("SELECT hash FROM event ORDER BY seq"))
    finally:
        con.close()


def configured_box(pg, tmp_path, url, role):
    """A host whose central.conf says to push after each recorded install."""
    box = Sandbox(tmp_path, "current", twin=False)
    conf = os.path.join(box.home, ".config", "pkgtrail")
    os.makedirs(conf, exist_ok=True)
    with open(os.path.join(conf, "central.conf"), "w") as f:
        f.write(f"# written by the test\nurl = {url}\npush = after-install\n")
    env = dict(box.env(), PGPASSFILE=pg.passfile)
    assert subprocess.run([BIN, "key", "init"], capture_output=True, env=env).returncode == 0
    return box, env


def test_each_recorded_install_pushes_in_the_background_one_push_at_a_time(pg, tmp_path, index):
    pg.add_role("auto_host", "pkgtrail_host", "auto-secret")
    box, env = configured_box(pg, tmp_path, pg.url("auto_host"), "auto_host")
    host = subprocess.run(["hostname"], capture_output=True, text=True).stdout.strip()
    # A push of this log is running (the test holds its lock, as a push does).
    state = os.path.join(box.home, ".local", "state", "pkgtrail")
    os.makedirs(state, exist_ok=True)
    held = os.open(os.path.join(state, f"push-{hashlib.sha256(box.db.encode()).hexdigest()[:16]}.lock"),
                   os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(held, fcntl.LOCK_EX)
    for spec in ("demo-lib==1.0", "demo-lib==1.1", "llmlib==1.0", "llmlib==1.2", "demo-app"):
        r = subprocess.run(["pip", "install", "-q", "-i", index["simple"], spec], env=env, capture_output=True,
                           cwd=box.root, timeout=300)
        assert r.returncode == 0 and r.stderr == b"", r
    # Behind it exactly one push waits; the others found it waiting and left; nothing was sent meanwhile.
    pattern = f"push --background --db {box.db}"
    waiting = lambda: subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
    deadline = time.time() + 60
    while time.time() < deadline and len(waiting()) != 1:
        time.sleep(0.2)
    time.sleep(1)
    assert len(waiting()) == 1 and central_hashes(pg, host) == "", waiting()
    os.close(held)
    # Then that one sends everything, once.
    deadline = time.time() + 90
    while time.time() < deadline and central_hashes(pg, host) != local_hashes(box.db):
        time.sleep(0.2)
    assert central_hashes(pg, host) == local_hashes(box.db) != ""
    while time.time() < deadline and subprocess.run(["pgrep", "-f", f"push --background --db {box.db}"],
                                                    capture_output=True).returncode == 0:
        time.sleep(0.2)
    r = subprocess.run([BIN, "doctor"], capture_output=True, text=True, env=env)
    (line,) = [x for x in r.stdout.splitlines() if x.startswith("push: ")]
    assert "after each recorded install; last background push " in line and " ok: " in line, line
    assert "auto-secret" not in r.stdout + r.stderr
    r = subprocess.run([BIN, "doctor", "--json"], capture_output=True, text=True, env=env)
    assert json.loads(r.stdout)["central"]["push"] == "after-install"
    # Nothing of the push entered the log: one event per install, no credentials in any body.
    assert "auto-secret" not in open(box.db, "rb").read().decode("latin-1")


def test_an_unreachable_store_never_holds_up_the_install(pg, tmp_path, index, stall):
    url, connected = stall
    port = url.split(":")[2].split("/")[0]
    box, env = configured_box(pg, tmp_path, f"postgresql://nobody@127.0.0.1:{port}/fleet?sslmode=disable", "x")
    r = subprocess.run(["pip", "install", "-q", "-i", index["simple"], "demo-lib==1.0"], env=env, capture_output=True,
                       cwd=box.root, timeout=300)
    assert r.returncode == 0 and r.stderr == b"", r
    # The install is back while its push still waits on a store that never answers.
    assert connected.wait(30)
    pattern = f"push --background --db {box.db}"
    assert subprocess.run(["pgrep", "-f", pattern], capture_output=True).returncode == 0
    subprocess.run(["pkill", "-f", pattern])


def test_push_prints_a_systemd_service_and_timer(pg, tmp_path):
    r = subprocess.run([BIN, "push", "--print-systemd-unit", "--db", "trail.db", "--host", "build 7"],
                       capture_output=True, text=True, env=pg.client_env(), cwd=str(tmp_path))
    assert r.returncode == 0, r
    unit = r.stdout
    bindir = os.path.dirname(os.path.realpath(BIN))
    exec_line = [x for x in unit.splitlines() if x.startswith("ExecStart=")]
    assert exec_line == [f'ExecStart={bindir}/pkgtrail push --db {tmp_path}/trail.db --host "build 7"'], unit
    assert "[Timer]" in unit and "OnUnitActiveSec=15min" in unit and "Persistent=true" in unit
    assert "Type=oneshot" in unit and "WantedBy=timers.target" in unit
    # A password never goes into a unit file.
    r = subprocess.run([BIN, "push", "--print-systemd-unit", "--central", "postgresql://u:hunter2@db.example/fleet"],
                       capture_output=True, text=True, env=pg.client_env(), cwd=str(tmp_path))
    assert r.returncode == 64 and "~/.pgpass" in r.stderr and "hunter2" not in r.stdout + r.stderr, r


def test_a_password_in_the_push_settings_is_refused_never_shown(pg, tmp_path):
    box = Sandbox(tmp_path, "current", twin=False)
    conf = os.path.join(box.home, ".config", "pkgtrail")
    os.makedirs(conf, exist_ok=True)
    with open(os.path.join(conf, "central.conf"), "w") as f:
        f.write("url = postgresql://laptop:hunter2@db.example/fleet\npush = after-install\n")
    assert subprocess.run([BIN, "key", "init"], capture_output=True, env=box.env()).returncode == 0
    assert subprocess.run([SYNTH, box.db, "10"], capture_output=True).returncode == 0
    for env in (box.env(), dict(box.env(), PKGTRAIL_CENTRAL="postgresql://laptop:hunter3@db.example/fleet")):
        for args in (["doctor"], ["doctor", "--json"], ["push", "--db", box.db], ["who", "x", "--fleet"]):
            r = subprocess.run([BIN, *args], capture_output=True, text=True, env=env)
            out = r.stdout + r.stderr
            assert "hunter2" not in out and "hunter3" not in out, (args, r)
            assert "holds a password" in out, (args, r)
