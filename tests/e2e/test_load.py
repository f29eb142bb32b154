"""Load (SPEC §1, §3): many recorded installs started at once, into
different environments and into the same one, with real pip and real uv;
then 10,000 appends from 8 processes at once. Every time: one linear chain,
no gaps, no duplicates, every command's event present, exit codes as bare."""
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from conftest import BIN, REPO, Sandbox, UvBox, changes, disk_state, replayed_state
from wheels import build_index, make_wheel, serve

PACKAGES = [f"load-{k}" for k in range(8)]


@pytest.fixture(scope="module")
def load_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("load-index")
    os.makedirs(root / "staging")
    build_index(str(root), [make_wheel(str(root / "staging"), name, "1.0") for name in PACKAGES])
    proc, url = serve(str(root))
    yield url + "/simple/"
    proc.terminate()
    proc.wait()


def bare_venv(path):
    """An environment with no pip of its own: the shimmed pip installs into it with --python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", path], check=True)
    return path


def log(db):
    r = subprocess.run([BIN, "log", "--json", "--db", db], capture_output=True)
    assert r.returncode == 0, r
    return json.loads(r.stdout)


def assert_one_linear_chain(db, events):
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert len({e["id"] for e in events}) == len(events)
    r = subprocess.run([BIN, "verify", "--db", db], capture_output=True)
    assert r.returncode == 0 and r.stdout.startswith(b"ok: "), r
    r = subprocess.run([sys.executable, REPO + "/scripts/verify_log.py", db], capture_output=True)
    assert r.returncode == 0, r


def assert_each_environment_recorded_once(events, expected):
    """expected: prefix -> the set of packages its commands installed. Each
    install event holds exactly one of them (no command claims another's
    package), and nothing is recorded as drift: the recorder saw every change."""
    installs = [e for e in events if e["kind"] == "install"]
    assert sum(len(v) for v in expected.values()) == len(installs)
    for prefix, names in expected.items():
        mine = [changes(e) for e in installs if e["environment"]["prefix"] == prefix]
        assert sorted(mine) == sorted([(n, "install", None, "1.0")] for n in names), prefix
    late = [e for e in events if e["kind"] == "drift" and e["drift"]["last_seen_seq"] is not None]
    assert late == [], [changes(e) for e in late]


def run_at_once_and_check(commands, db, targets, shared):
    """Starts every command at once: the i-th target gets PACKAGES[i % 8],
    the shared environment gets all eight, one command each."""
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for cmd, env in commands]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()[-2000:]
        # Commands into one environment take turns (EnvironmentLock); a long wait is said, nothing else.
        ours = [l for l in err.splitlines() if l.startswith(b"pkgtrail:")]
        assert all(l.startswith(b"pkgtrail: waiting for another recorded command in ") for l in ours), err.decode()
    events = log(db)
    assert_one_linear_chain(db, events)
    expected = {t: {PACKAGES[i % 8]} for i, t in enumerate(targets)}
    expected[shared] = set(PACKAGES)
    assert_each_environment_recorded_once(events, expected)
    for prefix in expected:
        assert replayed_state(events, prefix) == disk_state(prefix + "/lib/python3.11/site-packages"), prefix


def test_pip_sixteen_environments_and_eight_into_one_at_once(tmp_path, load_index):
    box = Sandbox(tmp_path / "box", "current", twin=False)
    targets = [bare_venv(str(tmp_path / f"env{i}")) for i in range(16)]
    commands = [(["pip", "--python", t + "/bin/python", "install", "-q", "-i", load_index, PACKAGES[i % 8] + "==1.0"],
                 box.env()) for i, t in enumerate(targets)]
    commands += [(["pip", "install", "-q", "-i", load_index, name + "==1.0"], box.env()) for name in PACKAGES]
    run_at_once_and_check(commands, box.db, targets, box.venv)


def test_uv_sixteen_environments_and_eight_into_one_at_once(tmp_path, load_index, uv_dir):
    box = UvBox(tmp_path / "box", uv_dir)
    targets = []
    for i in range(16):
        targets.append(str(tmp_path / f"env{i}"))
        assert box.uv("venv", "-q", "--python", "python3", targets[-1], bare=True).returncode == 0
    commands = [(["uv", "pip", "install", "-q", "--python", t, "-i", load_index, PACKAGES[i % 8] + "==1.0"], box.env())
                for i, t in enumerate(targets)]
    commands += [(["uv", "pip", "install", "-q", "-i", load_index, name + "==1.0"], box.env()) for name in PACKAGES]
    run_at_once_and_check(commands, box.db, targets, box.venv)


def test_ten_thousand_appends_from_eight_processes(tmp_path):
    """Each writer persists its 1,250 events one at a time, as the recorder
    does (log, or the spool when the log stays locked past the busy timeout)."""
    synth = os.path.join(os.path.dirname(BIN), "pkgtrail-synth")
    db = str(tmp_path / "trail.db")
    writers = [subprocess.Popen([synth, db, "1250", "1", str(w)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for w in range(8)]
    for w in writers:
        out, err = w.communicate(timeout=900)
        assert w.returncode == 0, err
    events = log(db)  # replays anything spooled, in order
    assert len(events) == 10_000
    assert_one_linear_chain(db, events)
    by_writer = {}
    for e in events:
        by_writer.setdefault(e["id"][19:23], []).append(int(e["id"][24:], 16))
    assert sorted(by_writer) == [f"8{w:03x}" for w in range(8)]
    for ids in by_writer.values():
        assert ids == list(range(1250)), "a writer's events are chained in the order it wrote them"


def test_sixteen_processes_creating_the_log_at_once(tmp_path):
    """The first opens of a brand-new log race to create its schema; the
    losers must wait for it, not spool (a stale empty schema once reported
    "no such table: grdb_migrations" in about one round in five)."""
    synth = os.path.join(os.path.dirname(BIN), "pkgtrail-synth")
    for round in range(20):
        db = str(tmp_path / f"trail{round}.db")
        writers = [subprocess.Popen([synth, db, "1", "1", str(w)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for w in range(16)]
        for w in writers:
            out, err = w.communicate(timeout=120)
            assert w.returncode == 0 and err == b"", err.decode()
            assert b"; 0 spooled;" in out, out.decode()
        assert not [p for p in os.listdir(tmp_path) if ".spool" in p]
        assert_one_linear_chain(db, log(db))


def to_migration_two_shape(db):
    """Turns a log back into what pkgtrail wrote before migration 3: UNIQUE
    prev_hash and hash columns, no head-extending trigger."""
    con = sqlite3.connect(db)
    triggers = con.execute("SELECT sql FROM sqlite_master WHERE name IN ('event_no_update', 'event_no_delete')").fetchall()
    con.executescript(
        "PRAGMA foreign_keys = OFF; BEGIN;"
        "CREATE TABLE event_old (seq INTEGER PRIMARY KEY AUTOINCREMENT CHECK (seq >= 1), id TEXT NOT NULL UNIQUE,"
        " prev_hash BLOB NOT NULL UNIQUE CHECK (length(prev_hash) = 32), hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
        " body BLOB NOT NULL);"
        "INSERT INTO event_old SELECT * FROM event; DROP TABLE event; ALTER TABLE event_old RENAME TO event;"
        "DELETE FROM grdb_migrations WHERE identifier = '3-chain-linked-by-trigger'; COMMIT;")
    for (sql,) in triggers:
        con.execute(sql)
    con.commit()
    con.close()


def test_sixteen_processes_upgrading_an_old_log_at_once(tmp_path):
    """Migration 3 rebuilds the chained table; sixteen writers meeting an old
    log at once: one upgrades it, the others wait (one may find the work done
    and only fail to record it again) and append. Nothing spooled or lost."""
    synth = os.path.join(os.path.dirname(BIN), "pkgtrail-synth")
    for round in range(5):
        db = str(tmp_path / f"old{round}.db")
        subprocess.run([synth, db, "50", "10"], capture_output=True, check=True)
        to_migration_two_shape(db)
        r = subprocess.run([BIN, "verify", "--db", db], capture_output=True)
        assert r.returncode == 0, r  # an old log verifies as it is, read-only
        writers = [subprocess.Popen([synth, db, "1", "1", str(w + 1)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for w in range(16)]
        for w in writers:
            out, err = w.communicate(timeout=120)
            assert w.returncode == 0 and err == b"", err.decode()
            assert b"; 0 spooled;" in out, out.decode()
        events = log(db)
        assert len(events) == 66
        assert_one_linear_chain(db, events)
        con = sqlite3.connect(db)
        assert [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")] == \
            ["event_extends_head", "event_no_delete", "event_no_update"]
        assert con.execute("SELECT count(*) FROM grdb_migrations").fetchone()[0] == 3
