"""docs/SPEC.md §2–3 end to end: the chain on a real log, tampering as an attacker
with the file would do it, the spool, and secrets that must never be stored."""
import glob
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from conftest import BIN, REPO, Sandbox, changes


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, index):
    """A log of seven real events: the venv first seen (drift), then six pip installs."""
    box = Sandbox(tmp_path_factory.mktemp("integrity"), "current", twin=False)
    i = ["-i", index["simple"]]
    for args in (["demo-app"], ["demo-lib==1.0"], ["-U", "demo-lib"], ["agentkit"], ["llmlib==1.1"], ["llmlib==1.2"]):
        assert box.pip("install", *i, *args).returncode == 0
    return box


def verify(db):
    r = subprocess.run([BIN, "verify", "--db", db], capture_output=True)
    py = subprocess.run([sys.executable, REPO + "/scripts/verify_log.py", db], capture_output=True)
    return r, py


def tampered_copy(box, tmp_path, sql):
    db = str(tmp_path / "copy.db")
    src = sqlite3.connect(box.db)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    # An attacker with write access: drop the triggers, edit, put them back.
    dst.executescript("DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete;")
    if callable(sql):
        sql(dst)
    else:
        dst.executescript(sql)
    present = {n for (n,) in dst.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for name, body in TRIGGERS:
        if name not in present:
            dst.execute(body)
    dst.commit()
    dst.close()
    return db


TRIGGERS = []


@pytest.fixture(autouse=True, scope="module")
def _triggers(recorded):
    db = sqlite3.connect(recorded.db)
    TRIGGERS[:] = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    assert sorted(n for n, _ in TRIGGERS) == ["event_extends_head", "event_no_delete", "event_no_update"]


def test_intact_log_verifies_with_pkgtrail_and_ten_lines_of_python(recorded):
    r, py = verify(recorded.db)
    assert r.returncode == 0 and py.returncode == 0, (r, py)
    head = r.stdout.splitlines()[0].split()[-1]
    assert py.stdout.split()[-1] == head
    assert b"ok: 7 events" in r.stdout
    j = json.loads(subprocess.run([BIN, "verify", "--json", "--db", recorded.db], capture_output=True).stdout)
    assert j == {"events": 7, "head": head.decode(), "intact": True, "problems": [], "projections_checked": True}


def test_the_triggers_refuse_edits(recorded):
    db = sqlite3.connect(recorded.db)
    for sql in ("UPDATE event SET body = body WHERE seq = 1", "DELETE FROM event WHERE seq = 6"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)


def flip(column, seq, at):
    def edit(db):
        value = bytearray(db.execute(f"SELECT {column} FROM event WHERE seq = ?", (seq,)).fetchone()[0])
        value[at] ^= 0x01
        db.execute(f"UPDATE event SET {column} = ? WHERE seq = ?", (bytes(value), seq))
    return edit


CASES = {
    "modified body": ("UPDATE event SET body = CAST(replace(CAST(body AS TEXT), '\"1.0\"', '\"6.6\"') AS BLOB) WHERE seq = 2", 2, b"modified"),
    "flipped body byte": (flip("body", 4, 120), 4, b"modified"),
    "flipped hash byte": (flip("hash", 3, 0), 3, b"modified"),
    "flipped prev_hash column": (flip("prev_hash", 5, 31), 5, b"modified"),
    "deleted row": ("DELETE FROM change WHERE seq = 3; DELETE FROM event_summary WHERE seq = 3; DELETE FROM event WHERE seq = 3", 3, b"missing"),
    "deleted tail": ("DELETE FROM change WHERE seq = 6; DELETE FROM event_summary WHERE seq = 6; DELETE FROM event WHERE seq = 6", 6, b"missing"),
    "reordered rows": ("""
        PRAGMA foreign_keys = OFF;
        UPDATE event SET seq = 100 WHERE seq = 2;
        UPDATE event SET seq = 2, id = id || 'x' WHERE seq = 3;
        UPDATE event SET seq = 3 WHERE seq = 100;
        UPDATE event SET id = substr(id, 1, 36) WHERE seq = 2;""", 2, b"reordered"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_tampering_is_named_by_seq(recorded, tmp_path, case):
    sql, seq, kind = CASES[case]
    db = tampered_copy(recorded, tmp_path, sql)
    r, py = verify(db)
    assert r.returncode == 1, r
    assert f"seq {seq}:".encode() in r.stdout and kind in r.stdout, r.stdout
    # A chain alone cannot see a cut tail (pkgtrail sees it via sqlite_sequence), and the
    # stand-alone verifier reads prev_hash from the body, not the redundant column.
    if case not in ("deleted tail", "flipped prev_hash column"):
        assert py.returncode != 0


def test_inserted_row_is_named(recorded, tmp_path):
    """A forged but well-formed event slipped in after seq 3, later rows renumbered."""
    db = sqlite3.connect(recorded.db)
    seq3_hash = db.execute("SELECT hash FROM event WHERE seq = 3").fetchone()[0]
    body = json.loads(db.execute("SELECT body FROM event WHERE seq = 4").fetchone()[0])
    body.update(seq=4, prev_hash=seq3_hash.hex(), id="00000000-0000-4000-8000-00000000f0f0")
    forged = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    import hashlib
    forged_hash = hashlib.sha256(b"\x00" + seq3_hash + forged).digest()
    # The event_extends_head trigger refuses a row anywhere but after the
    # head, so the attacker rebuilds the table (which drops its triggers).
    sql = ("PRAGMA foreign_keys = OFF;"
           "CREATE TABLE ev2 (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, prev_hash BLOB NOT NULL,"
           " hash BLOB NOT NULL UNIQUE, body BLOB NOT NULL);"
           "INSERT INTO ev2 SELECT * FROM event; DROP TABLE event; ALTER TABLE ev2 RENAME TO event;"
           "UPDATE event SET seq = seq + 100 WHERE seq >= 4; UPDATE event SET seq = seq - 99 WHERE seq >= 100;"
           f"INSERT INTO event (seq, id, prev_hash, hash, body) VALUES (4, '{body['id']}', x'{seq3_hash.hex()}', "
           f"x'{forged_hash.hex()}', x'{forged.hex()}');")
    copy = tampered_copy(recorded, tmp_path, sql)
    r, py = verify(copy)
    assert r.returncode == 1 and b"seq 4: inserted" in r.stdout, r.stdout
    assert py.returncode != 0


def test_dropped_trigger_and_edited_projection_are_reported(recorded, tmp_path):
    db = str(tmp_path / "p.db")
    con = sqlite3.connect(db)
    sqlite3.connect(recorded.db).backup(con)
    con.execute("UPDATE change SET name = 'something-else' WHERE name = 'llmlib'")
    con.execute("DROP TRIGGER event_no_delete")
    con.commit()
    r = subprocess.run([BIN, "verify", "--db", db], capture_output=True)
    assert r.returncode == 1
    assert b"projection mismatch" in r.stdout and b"event_no_delete is missing" in r.stdout


ELSEWHERE = "INSERT INTO environment (host, prefix) SELECT host, '/elsewhere' FROM environment LIMIT 1;"
LLMLIB_EVENTS = "(SELECT seq FROM change WHERE name = 'llmlib')"
HIDING = {
    # An attacker who edits only the query tables, so that `who`/`exposure`/`state` stop seeing llmlib.
    "its change rows deleted": "DELETE FROM change WHERE name = 'llmlib'",
    "renamed in the change rows": "UPDATE change SET name = 'something-else' WHERE name = 'llmlib'",
    "its events moved to another environment": ELSEWHERE +
        f"UPDATE event_summary SET env = (SELECT max(id) FROM environment) WHERE seq IN {LLMLIB_EVENTS};"
        f"UPDATE change SET env = (SELECT max(id) FROM environment) WHERE seq IN {LLMLIB_EVENTS};",
    "its changes moved to another environment": ELSEWHERE +
        "UPDATE change SET env = (SELECT max(id) FROM environment) WHERE name = 'llmlib'",
}


@pytest.mark.parametrize("case", sorted(HIDING))
def test_projections_edited_to_hide_a_package_are_reported(recorded, tmp_path, case):
    first = sqlite3.connect(recorded.db).execute("SELECT min(seq) FROM change WHERE name = 'llmlib'").fetchone()[0]
    db = tampered_copy(recorded, tmp_path, "PRAGMA foreign_keys = OFF;" + HIDING[case])
    r, py = verify(db)
    assert r.returncode == 1 and b"projection mismatch" in r.stdout, r.stdout
    assert r.stdout.startswith(b"TAMPERED: seq "), r.stdout
    assert int(r.stdout.split()[2].rstrip(b":")) >= first
    assert py.returncode == 0  # the chain itself is intact: only pkgtrail's projection check sees this


def test_log_filters_show_and_errors(recorded):
    out = recorded.trail("log", "--package", "LLMLib").stdout.decode().splitlines()
    assert len(out) == 3 and "STARTUP HOOK" in out[1]
    assert recorded.trail("log", "--since", "1h").stdout.count(b"\n") == 7
    assert recorded.trail("log", "--until", "2000-01-01").stdout == b""
    e = recorded.events()[1]
    by_id = json.loads(recorded.trail("show", e["id"], "--json").stdout)
    assert by_id == e
    r = recorded.trail("show", "999", check=False)
    assert r.returncode == 2 and r.stderr.startswith(b"pkgtrail: no event 999")
    r = recorded.trail("log", "--since", "yesterday-ish", check=False)
    assert r.returncode == 64
    r = subprocess.run([BIN, "log", "--db", "/nonexistent/trail.db"], capture_output=True)
    assert r.returncode == 2 and b"nothing has been recorded yet" in r.stderr


def test_unwritable_log_spools_and_the_next_call_replays_in_order(tmp_path, index):
    box = Sandbox(tmp_path, "current", twin=False)
    i = ["-i", index["simple"]]
    assert box.pip("install", *i, "demo-lib==1.0").returncode == 0
    # Replace the log by garbage, as a disk error or a careless `cp` would (the
    # WAL goes with it, or SQLite would read the real pages from there).
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(box.db + suffix):
            os.rename(box.db + suffix, box.db + ".real" + suffix)
    with open(box.db, "wb") as f:
        f.write(b"this is not a database" * 100)
    r = box.pip("install", *i, "demo-lib==1.1")
    assert r.returncode == 0
    warning = [l for l in r.stderr.decode().splitlines() if l.startswith("pkgtrail:")]
    assert len(warning) == 1 and warning[0].startswith("pkgtrail: warning: could not write the log")
    assert os.path.getsize(box.db + ".spool") > 0
    r = box.pip("uninstall", "-y", "demo-lib", extra={"PKGTRAIL_STRICT": "1"})
    assert r.returncode == 70  # strict: a recording failure is an error; the event is still spooled
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(box.db + suffix):
            os.remove(box.db + suffix)
        if os.path.exists(box.db + ".real" + suffix):
            os.replace(box.db + ".real" + suffix, box.db + suffix)
    # Any pkgtrail call replays the spool, oldest first.
    assert [changes(e) for e in box.events() if e["kind"] == "install"] == [
        [("demo-lib", "install", None, "1.0")], [("demo-lib", "upgrade", "1.0", "1.1")],
        [("demo-lib", "remove", "1.1", None)]]
    assert os.path.getsize(box.db + ".spool") == 0
    assert box.trail("verify").returncode == 0


def test_secrets_never_reach_the_log(tmp_path, index):
    box = Sandbox(tmp_path, "current", twin=False)
    canary = "CANARYtoken7f3a9"
    host = index["url"].split("//")[1]
    extra = {"OPENAI_API_KEY": "sk-" + canary, "AWS_SECRET_ACCESS_KEY": canary, "GITHUB_TOKEN": "ghp_" + canary,
             "PIP_INDEX_URL": f"http://__token__:{canary}@{host}/simple/"}
    assert box.pip("install", "demo-lib==1.0", extra=extra).returncode == 0
    r = box.pip("install", "-i", f"http://user:{canary}@{host}/simple/", "--extra-index-url",
                f"http://{canary}@{host}/simple/", "demo-lib==1.1", extra=extra)
    assert r.returncode == 0
    e = [x for x in box.events() if x["kind"] == "install"]
    assert e[0]["sources"][0] == {"kind": "index", "url": f"http://***@{host}/simple/", "origin": "env:PIP_INDEX_URL"}
    assert f"http://***@{host}/simple/" in e[1]["command"]["argv"]
    outputs = [box.trail("log").stdout, box.trail("log", "--json").stdout, box.trail("show", "3").stdout,
               box.trail("show", "3", "--json").stdout]
    for path in glob.glob(box.db + "*"):
        with open(path, "rb") as f:
            outputs.append(f.read())
    for blob in outputs:
        assert canary.encode() not in blob
