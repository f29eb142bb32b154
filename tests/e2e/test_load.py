"""Load (docs/SPEC.md §1, §3): many recorded installs started at once, into
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


# Migration 2's presence windows, built from the change rows as it built them.
PRESENCE = """
CREATE TABLE presence (since_seq INTEGER NOT NULL, idx INTEGER NOT NULL, host TEXT NOT NULL, prefix TEXT NOT NULL,
    name TEXT NOT NULL, version TEXT NOT NULL, until_seq INTEGER, PRIMARY KEY (since_seq, idx),
    FOREIGN KEY (since_seq, idx) REFERENCES change(seq, idx)) WITHOUT ROWID;
INSERT INTO presence (since_seq, idx, host, prefix, name, version, until_seq)
    SELECT seq, idx, host, prefix, name, to_version, next_seq FROM (
        SELECT c.seq, c.idx, s.host, s.prefix, c.name, c.action, c.to_version,
               lead(c.seq) OVER (PARTITION BY s.host, s.prefix, c.name ORDER BY c.seq) AS next_seq
        FROM change c JOIN event_summary s ON s.seq = c.seq)
    WHERE action != 'remove' AND to_version IS NOT NULL;
CREATE INDEX presence_env ON presence(host, prefix, name, until_seq);
"""


def to_migration_two_shape(db):
    """Turns a log back into what pkgtrail wrote before migration 3: UNIQUE
    prev_hash and hash columns, no head-extending trigger; host and prefix
    strings in the summary, no environment ids, presence windows (before 4)."""
    con = sqlite3.connect(db)
    triggers = con.execute("SELECT sql FROM sqlite_master WHERE name IN ('event_no_update', 'event_no_delete')").fetchall()
    con.executescript(
        "PRAGMA foreign_keys = OFF; BEGIN;"
        "CREATE TABLE event_old (seq INTEGER PRIMARY KEY AUTOINCREMENT CHECK (seq >= 1), id TEXT NOT NULL UNIQUE,"
        " prev_hash BLOB NOT NULL UNIQUE CHECK (length(prev_hash) = 32), hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),"
        " body BLOB NOT NULL);"
        "INSERT INTO event_old SELECT * FROM event; DROP TABLE event; ALTER TABLE event_old RENAME TO event;"
        "CREATE TABLE summary_old (seq INTEGER PRIMARY KEY REFERENCES event(seq), kind TEXT NOT NULL, started TEXT NOT NULL,"
        " finished TEXT NOT NULL, user TEXT NOT NULL, host TEXT NOT NULL, tool TEXT, prefix TEXT NOT NULL, outcome TEXT,"
        " exit_status INTEGER, change_count INTEGER NOT NULL, state_after TEXT NOT NULL, startup_after TEXT NOT NULL);"
        "INSERT INTO summary_old SELECT s.seq, s.kind, s.started, s.finished, s.user, v.host, s.tool, v.prefix, s.outcome,"
        " s.exit_status, s.change_count, s.state_after, s.startup_after FROM event_summary s JOIN environment v ON v.id = s.env;"
        "CREATE TABLE change_old (seq INTEGER NOT NULL REFERENCES event(seq), idx INTEGER NOT NULL, name TEXT NOT NULL,"
        " action TEXT NOT NULL, from_version TEXT, to_version TEXT, sha256 TEXT, startup_hook INTEGER NOT NULL,"
        " PRIMARY KEY (seq, idx)) WITHOUT ROWID;"
        "INSERT INTO change_old SELECT seq, idx, name, action, from_version, to_version, sha256, startup_hook FROM change;"
        "DROP TABLE change; DROP TABLE event_summary; DROP TABLE environment;"
        "ALTER TABLE summary_old RENAME TO event_summary; ALTER TABLE change_old RENAME TO change;"
        "CREATE INDEX event_summary_finished ON event_summary(finished);"
        "CREATE INDEX event_summary_prefix ON event_summary(prefix, seq);"
        "CREATE INDEX event_summary_host ON event_summary(host, prefix, seq);"
        "CREATE INDEX event_summary_user ON event_summary(user, seq);"
        "CREATE INDEX change_name ON change(name, seq);" + PRESENCE +
        "DELETE FROM grdb_migrations WHERE identifier IN"
        " ('3-chain-linked-by-trigger', '4-environment-ids', '5-change-index-covers-versions'); COMMIT;")
    for (sql,) in triggers:
        con.execute(sql)
    con.commit()
    con.close()


def test_an_old_log_is_upgraded_by_the_first_command_or_verified_as_it_is(tmp_path):
    """A log written before migration 4 that cannot be upgraded (here: another
    process holds its write lock for longer than the busy timeout) still has
    its chain and triggers verified; the first command that can upgrades it."""
    synth = os.path.join(os.path.dirname(BIN), "pkgtrail-synth")
    db = str(tmp_path / "old.db")
    subprocess.run([synth, db, "50", "10"], capture_output=True, check=True)
    before = log(db)
    to_migration_two_shape(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    r = subprocess.run([BIN, "verify", "--db", db], capture_output=True)
    assert r.returncode == 0 and r.stdout.startswith(b"ok: 50 events"), r
    assert b"query tables not checked: they predate this pkgtrail" in r.stdout, r.stdout
    assert r.stderr.startswith(b"pkgtrail: upgrading the query tables of"), r.stderr
    holder.rollback()
    holder.close()
    r = subprocess.run([BIN, "who", "--json", "--db", db, "litellm"], capture_output=True)
    assert r.returncode == 0 and r.stderr.count(b"\n") == 1 and b"upgrading" in r.stderr, r
    # Checkpointed and removed on the upgrade's close (a later read-only open leaves an empty one).
    assert os.path.getsize(db + "-wal") == 0, "the upgrade's WAL is left behind"
    assert log(db) == before
    r = subprocess.run([BIN, "verify", "--db", db], capture_output=True)
    assert r.returncode == 0 and b"not checked" not in r.stdout and r.stderr == b"", r


def test_sixteen_processes_upgrading_an_old_log_at_once(tmp_path):
    """Migrations 3 to 5 rebuild the chained and query tables; sixteen writers meeting an old
    log at once: one upgrades it, the others wait (one may find the work done
    and only fail to record it again) and append. Nothing spooled or lost."""
    synth = os.path.join(os.path.dirname(BIN), "pkgtrail-synth")
    for round in range(5):
        db = str(tmp_path / f"old{round}.db")
        subprocess.run([synth, db, "50", "10"], capture_output=True, check=True)
        to_migration_two_shape(db)
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
        assert con.execute("SELECT count(*) FROM grdb_migrations").fetchone()[0] == 5
        assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'change_by_name'").fetchone()[0] == 1
