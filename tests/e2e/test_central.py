"""The fleet's central store on a real PostgreSQL server: `pkgtrail central
init` creates it; rows pushed through its function are verified in the
database against the real hashes of a real local log; refusals become
alerts; the host role can push and nothing else."""
import hashlib
import json
import os
import sqlite3
import subprocess
import time

import pytest

from conftest import BIN, Sandbox
from postgres import ADMIN, Server


@pytest.fixture(scope="module")
def pg():
    server = Server()
    yield server
    server.stop()


def central(pg, *args, user=ADMIN, extra_env=None):
    env = {"PATH": os.environ["PATH"], "HOME": pg.root, "PGPASSFILE": pg.passfile, "LC_ALL": "C.UTF-8"}
    env.update(extra_env or {})
    return subprocess.run([BIN, "central", *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def store(pg):
    r = central(pg, "init", "--db", pg.url())
    assert r.returncode == 0, r
    pg.add_role("laptop1", "pkgtrail_host", "host-secret-1")
    pg.add_role("laptop2", "pkgtrail_host", "host-secret-2")
    pg.add_role("responder", "pkgtrail_reader", "reader-secret")
    pg.add_role("laptop3", "pkgtrail_host", "host-secret-3")
    return pg


def local_rows(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT seq, prev_hash, hash, body FROM event ORDER BY seq").fetchall()
    con.close()
    return [(s, bytes(p), bytes(h), bytes(b)) for s, p, h, b in rows]


def push_sql(host, verifier, rows):
    def arr(values, cast):
        return "ARRAY[" + ",".join(values) + f"]::{cast}[]"

    def hexes(i):
        return arr(["'\\x" + r[i].hex() + "'" for r in rows], "bytea")
    seqs = arr([str(r[0]) for r in rows], "bigint")
    return (f"SELECT accepted, head_seq, encode(head_hash, 'hex'), coalesce(reason, '') FROM pkgtrail.push("
            f"'{host}', '{verifier}', NULL, {seqs}, {hexes(1)}, {hexes(2)}, {hexes(3)})")


def push(pg, user, host, verifier, rows):
    rc, out, err = pg.psql(push_sql(host, verifier, rows), user=user, db="fleet")
    accepted, seq, head, reason = out.strip().split("|", 3)
    return accepted == "t", int(seq) if seq else None, head, reason


def rechain(rows, start):
    """What a rewriter does: edit a body, then recompute every hash after it."""
    out = list(rows[:start])
    prev = out[-1][2] if out else bytes(32)
    for seq, _, _, body in rows[start:]:
        if seq == rows[start][0]:
            body = body.replace(b'"user":"', b'"user":"x', 1)
        h = hashlib.sha256(b"\x00" + prev + body).digest()
        out.append((seq, prev, h, body))
        prev = h
    return out


@pytest.fixture(scope="module")
def host_log(tmp_path_factory, index):
    box = Sandbox(tmp_path_factory.mktemp("host"), "current", twin=False)
    for spec in ("demo-lib==1.0", "demo-app", "demo-lib==1.1"):
        assert box.pip("install", "-q", "-i", index["simple"], spec).returncode == 0
    r = subprocess.run([BIN, "key", "init", "--key-file", box.root + "/cp.key"], capture_output=True, text=True,
                       env=box.env())
    assert r.returncode == 0, r
    verifier = open(box.root + "/cp.pub").read().strip()
    return local_rows(box.db), verifier


def test_init_creates_upgrades_then_finds_the_schema_current(pg, host_log):
    r = central(pg, "init", "--db", pg.url(), "--to-version", "1")
    assert r.returncode == 0 and "schema version 1 (applied 1)" in r.stdout, r
    # A log pushed before the projections existed is projected by the upgrade.
    rows, verifier = host_log
    assert push(pg, ADMIN, "early-host", verifier, rows)[0]
    r = central(pg, "init", "--db", pg.url())
    assert r.returncode == 0 and "schema version 2 (applied 2)" in r.stdout, r
    r = central(pg, "init", "--db", pg.url())
    assert r.returncode == 0 and "the schema is current (version 2)" in r.stdout, r
    assert "admin-secret" not in r.stdout + r.stderr
    r = subprocess.run([BIN, "who", "demo-lib", "--central", pg.url(), "--json"], capture_output=True, text=True,
                       env=pg.client_env())
    assert r.returncode == 0 and [x["to_version"] for x in json.loads(r.stdout)] == ["1.0", "1.1"], r
    r = central(pg, "init", "--db", pg.url(), "--to-version", "9")
    assert r.returncode == 64 and "versions 1 to 2" in r.stderr, r


def test_credentials_come_from_the_password_file_only(pg, tmp_path):
    r = central(pg, "init", "--db", f"postgresql://{ADMIN}:admin-secret-1@127.0.0.1:{pg.port}/fleet")
    assert r.returncode == 64 and r.stderr.startswith("pkgtrail: ") and "~/.pgpass" in r.stderr, r
    assert "admin-secret" not in r.stderr
    # No password anywhere (PGPASSWORD is never read): refused by the server.
    r = central(pg, "init", "--db", pg.url(), extra_env={"PGPASSFILE": str(tmp_path / "none"),
                                                          "PGPASSWORD": "admin-secret-1"})
    assert r.returncode == 2 and r.stderr.startswith("pkgtrail: cannot connect to postgresql://"), r
    assert "none is in the password file" in r.stderr and r.stderr.count("\n") == 1, r
    loose = tmp_path / "pgpass"
    loose.write_text(open(pg.passfile).read())
    loose.chmod(0o644)
    r = central(pg, "init", "--db", pg.url(), extra_env={"PGPASSFILE": str(loose)})
    assert r.returncode == 2 and "chmod 600" in r.stderr and r.stderr.count("\n") == 1, r
    r = central(pg, "init")
    assert r.returncode == 64 and "PKGTRAIL_CENTRAL" in r.stderr, r
    # A connection service file (libpq's third place for credentials): settings and the password.
    services = tmp_path / "pg_service.conf"
    pg.psql("CREATE DATABASE creds")  # its own database: this test leaves the shared one as it found it
    services.write_text(f"[fleet]\nhost=127.0.0.1\nport={pg.port}\ndbname=creds\nuser={ADMIN}\n"
                        f"password=admin-secret-1\nsslmode=disable\n")
    services.chmod(0o600)
    none = {"PGPASSFILE": str(tmp_path / "none"), "PGSERVICEFILE": str(services)}
    r = central(pg, "init", "--db", "postgresql:///?service=fleet", extra_env=none)
    assert r.returncode == 0 and r.stdout.startswith(f"postgresql://{ADMIN}@127.0.0.1:{pg.port}/creds"), r
    r = central(pg, "init", "--db", "postgresql://", extra_env=dict(none, PGSERVICE="fleet"))
    assert r.returncode == 0 and "admin-secret" not in r.stdout + r.stderr, r
    services.chmod(0o644)
    r = central(pg, "init", "--db", "postgresql:///?service=fleet", extra_env=none)
    assert r.returncode == 2 and "chmod 600" in r.stderr and "admin-secret" not in r.stderr, r


def test_a_real_chain_is_verified_on_arrival_and_stored_once(store, host_log):
    rows, verifier = host_log
    assert push(store, "laptop1", "laptop1", verifier, rows) == (True, rows[-1][0], rows[-1][2].hex(), "")
    # Pushed again, and again cut off and resumed: nothing is stored twice.
    assert push(store, "laptop1", "laptop1", verifier, rows)[0]
    assert push(store, "laptop1", "laptop1", verifier, rows[1:])[0]
    _, out, _ = store.psql("SELECT count(*), max(seq) FROM pkgtrail.event e JOIN pkgtrail.host_log h USING (log_id) "
                           "WHERE h.host = 'laptop1'", db="fleet")
    assert out.strip() == f"{len(rows)}|{rows[-1][0]}"
    # The bytes are the local log's, exactly.
    _, out, _ = store.psql("SELECT encode(body, 'hex') FROM pkgtrail.event WHERE seq = 1 AND log_id = "
                           "(SELECT log_id FROM pkgtrail.host_log WHERE host = 'laptop1')", db="fleet")
    assert bytes.fromhex(out.strip()) == rows[0][3]


def test_a_rewritten_or_reset_history_is_refused_and_alerted(store, host_log):
    rows, verifier = host_log
    assert push(store, "laptop1", "laptop1", verifier, rows)[0]
    for forged, why in ((rechain(rows, 1), "differs from the stored history"),
                        (rechain(rows, 0)[:1], "differs from the stored history")):
        accepted, seq, head, reason = push(store, "laptop1", "laptop1", verifier, forged)
        assert not accepted and why in reason and (seq, head) == (rows[-1][0], rows[-1][2].hex())
    # A row that does not hash to what it claims, past the head.
    bad = [(rows[-1][0] + 1, rows[-1][2], bytes(32), b'{"x":1}')]
    accepted, _, _, reason = push(store, "laptop1", "laptop1", verifier, bad)
    assert not accepted and "is not sha256(0x00 || prev_hash || body)" in reason
    _, out, _ = store.psql("SELECT kind, stored_seq, encode(stored_hash, 'hex'), pushed_seq FROM pkgtrail.alert "
                           "WHERE host = 'laptop1' ORDER BY alert_id", user="responder", db="fleet")
    alerts = [line.split("|") for line in out.strip().splitlines()]
    assert [a[0] for a in alerts][-3:] == ["refused", "refused", "refused"]
    assert all(a[1] == str(rows[-1][0]) and a[2] == rows[-1][2].hex() for a in alerts[-3:])
    # The stored history is untouched.
    _, out, _ = store.psql("SELECT string_agg(encode(hash, 'hex'), ',' ORDER BY seq) FROM pkgtrail.event e "
                           "JOIN pkgtrail.host_log h USING (log_id) WHERE h.host = 'laptop1'", db="fleet")
    assert out.strip() == ",".join(r[2].hex() for r in rows)


def test_a_chain_whose_bodies_are_not_events_is_refused_and_nothing_stored(store, host_log):
    _, verifier = host_log
    junk, prev = [], bytes(32)
    for seq, body in ((1, b"not json"), (2, b'{"seq": 7}')):
        h = hashlib.sha256(b"\x00" + prev + body).digest()
        junk.append((seq, prev, h, body))
        prev = h
    for rows in (junk[:1], [junk[0][:3] + (json.dumps({"seq": 2}).encode(),)]):
        rows = [(r[0], r[1], hashlib.sha256(b"\x00" + r[1] + r[3]).digest(), r[3]) for r in rows]
        rc, _, err = store.psql(push_sql("junk-host", verifier, rows), user="laptop2", db="fleet", check=False)
        assert rc != 0 and "is not a pkgtrail event" in err and "nothing was stored" in err, err
    _, out, _ = store.psql("SELECT count(*) FROM pkgtrail.event JOIN pkgtrail.host_log USING (log_id) "
                           "WHERE host = 'junk-host'", db="fleet")
    assert out.strip() == "0"


def test_another_hosts_name_or_another_key_is_refused(store, host_log):
    rows, verifier = host_log
    assert push(store, "laptop1", "laptop1", verifier, rows)[0]
    accepted, _, _, reason = push(store, "laptop2", "laptop1", verifier, rows)
    assert not accepted and "bound to laptop1" in reason
    other = verifier.split("+")[0] + "+00000000+" + verifier.split("+")[2]
    accepted, _, _, reason = push(store, "laptop1", "laptop1", other, rows)
    assert not accepted and "another checkpoint key" in reason
    _, out, _ = store.psql("SELECT kind FROM pkgtrail.alert WHERE kind IN ('wrong-role', 'wrong-key')",
                           user="responder", db="fleet")
    assert {"wrong-role", "wrong-key"} <= set(out.split())


def test_the_host_role_can_push_and_nothing_else(store, host_log):
    rows, verifier = host_log
    assert push(store, "laptop1", "laptop1", verifier, rows)[0]
    for sql in ("SELECT count(*) FROM pkgtrail.event", "SELECT * FROM pkgtrail.host_log",
                "SELECT * FROM pkgtrail.alert",
                "INSERT INTO pkgtrail.event (log_id, seq, prev_hash, hash, body) VALUES (1, 99, '\\x00', '\\x00', '')",
                "UPDATE pkgtrail.event SET body = '' WHERE seq = 1", "DELETE FROM pkgtrail.event",
                "UPDATE pkgtrail.host_log SET head_seq = 0", "DELETE FROM pkgtrail.alert",
                "SELECT * FROM pkgtrail.change", "SELECT * FROM pkgtrail.environment",
                "SELECT * FROM pkgtrail.event_summary", "DELETE FROM pkgtrail.change",
                "INSERT INTO pkgtrail.environment (log_id, host, prefix) VALUES (1, 'x', '/x')",
                "SELECT pkgtrail.unreadable_body(1, 1)"):
        rc, _, err = store.psql(sql, user="laptop2", db="fleet", check=False)
        assert rc != 0 and "permission denied" in err, (sql, err)
    # Its own head, and no one else's.
    _, out, _ = store.psql("SELECT head_seq FROM pkgtrail.head('laptop1')", user="laptop1", db="fleet")
    assert out.strip() == str(rows[-1][0])
    _, out, _ = store.psql("SELECT count(*) FROM pkgtrail.head('laptop1')", user="laptop2", db="fleet")
    assert out.strip() == "0"
    # The responder reads and writes nothing; even the owner cannot edit history.
    rc, _, err = store.psql("DELETE FROM pkgtrail.event", user="responder", db="fleet", check=False)
    assert rc != 0 and "permission denied" in err
    rc, _, err = store.psql("UPDATE pkgtrail.event SET body = body", db="fleet", check=False)
    assert rc != 0 and "append-only" in err


SYNTH = os.path.join(os.path.dirname(BIN), "pkgtrail-synth")


def push_env(box, pg, role="laptop3"):
    env = box.env()
    env.update({"PGPASSFILE": pg.passfile, "PKGTRAIL_CENTRAL": pg.url(role)})
    return env


def pkgtrail_push(box, pg, *args, role="laptop3"):
    return subprocess.run([BIN, "push", "--db", box.db, *args], capture_output=True, text=True,
                          env=push_env(box, pg, role), timeout=300)


def central_hashes(pg, host):
    _, out, _ = pg.psql("SELECT coalesce(string_agg(encode(hash, 'hex'), ',' ORDER BY seq), '') FROM pkgtrail.event "
                        f"JOIN pkgtrail.host_log USING (log_id) WHERE host = '{host}'", user="responder", db="fleet")
    return out.strip()


def test_push_sends_what_the_store_lacks_signed_and_resumable(store, tmp_path, index):
    box = Sandbox(tmp_path, "current", twin=False)
    assert box.pip("install", "-q", "-i", index["simple"], "demo-lib==1.0").returncode == 0
    r = pkgtrail_push(box, store, "--host", "push-a")
    assert r.returncode == 2 and "pkgtrail key init" in r.stderr, r  # no key, no push: the log is bound to one
    assert subprocess.run([BIN, "key", "init"], capture_output=True, env=box.env()).returncode == 0
    r = pkgtrail_push(box, store, "--host", "push-a")
    rows = local_rows(box.db)
    assert r.returncode == 0 and f"pushed events 1…{len(rows)}" in r.stdout, r
    assert "host-secret" not in r.stdout + r.stderr
    assert central_hashes(store, "push-a") == ",".join(x[2].hex() for x in rows)
    store.psql("UPDATE pkgtrail.host_log SET last_push = now() - interval '30 days' WHERE host = 'push-a'", db="fleet")
    r = pkgtrail_push(box, store, "--host", "push-a")
    assert r.returncode == 0 and "nothing to push" in r.stdout, r
    # Even with nothing new, the push tells the store the host is there: it is not listed as silent.
    r = central(store, "status", "--central", store.url("responder"), "--json")
    (h,) = [h for h in json.loads(r.stdout)["hosts"] if h["host"] == "push-a"]
    assert h["silent"] is False and h["seconds_since_last_push"] < 600, h
    assert h["newest_event"] == json.loads(box.trail("log", "--json").stdout)[-1]["finished"], h
    pushed = len(rows)
    for spec in ("demo-app", "demo-lib==1.1"):
        assert box.pip("install", "-q", "-i", index["simple"], spec).returncode == 0
    # With its progress line forced on (a terminal's case): a count of what was sent, erased at the end.
    r = subprocess.run([BIN, "push", "--db", box.db, "--host", "push-a", "--batch", "1"], capture_output=True,
                       text=True, timeout=300, env=dict(push_env(box, store), PKGTRAIL_PROGRESS="always",
                                                        PKGTRAIL_PROGRESS_INTERVAL_MS="0"))
    rows = local_rows(box.db)
    assert r.returncode == 0 and f"its head is {len(rows)}" in r.stdout, r
    # (text mode reads each \r as a new line)
    assert r.stderr.startswith("\npushing: 1 / ") and f"pushing: {len(rows) - pushed} / {len(rows) - pushed} events (100%)" \
        in r.stderr and r.stderr.endswith(" events/s\x1b[K\n\x1b[K"), r
    assert central_hashes(store, "push-a") == ",".join(x[2].hex() for x in rows)
    # Every batch carried a checkpoint of its head, signed by the bound key.
    _, out, _ = store.psql("SELECT checkpoint FROM pkgtrail.host_log WHERE host = 'push-a'", user="responder",
                           db="fleet")
    assert out.startswith(f"push-a/pkgtrail\n{len(rows)}\n"), out
    r = subprocess.run([BIN, "verify", "--checkpoint", "/dev/stdin", "--db", box.db], input=out.strip() + "\n",
                       capture_output=True, text=True, env=box.env())
    assert r.returncode == 0 and "EXTENDS" in r.stdout.upper(), r
    # Another key, or a log that was reset since: refused here, nothing sent.
    assert subprocess.run([BIN, "key", "init", "--key-file", box.root + "/other.key"], capture_output=True,
                          env=box.env()).returncode == 0
    r = pkgtrail_push(box, store, "--host", "push-a", "--key", box.root + "/other.key")
    assert r.returncode == 2 and "bound to another checkpoint key" in r.stderr, r
    os.remove(box.db)
    assert box.pip("install", "-q", "-i", index["simple"], "llmlib==1.0").returncode == 0
    r = pkgtrail_push(box, store, "--host", "push-a")
    assert r.returncode == 2 and "does not extend" in r.stderr and r.stderr.count("\n") == 1, r
    assert central_hashes(store, "push-a").count(",") == len(rows) - 1


def test_a_push_cut_off_by_the_server_dying_resumes_with_nothing_lost_or_doubled(store, tmp_path):
    box = Sandbox(tmp_path, "current", twin=False)
    assert subprocess.run([SYNTH, box.db, "3000"], capture_output=True).returncode == 0
    assert subprocess.run([BIN, "key", "init"], capture_output=True, env=box.env()).returncode == 0
    proc = subprocess.Popen([BIN, "push", "--db", box.db, "--host", "push-b", "--batch", "2"],
                            env=push_env(box, store), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and central_hashes(store, "push-b") == "":
            time.sleep(0.02)
        store.kill()  # mid-push: 1,500 batches take seconds
        # It gives up within a few seconds: it never hangs on a dead server.
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        store.start()
    interrupted = proc.returncode
    r = pkgtrail_push(box, store, "--host", "push-b", "--batch", "500")
    assert r.returncode == 0 and "pushed events" in r.stdout and "…3000 " in r.stdout, r
    rows = local_rows(box.db)
    assert central_hashes(store, "push-b") == ",".join(x[2].hex() for x in rows)
    assert interrupted == 2 and err.startswith("pkgtrail: ") and err.count("\n") == 1, (interrupted, out, err)


def test_status_lists_hosts_refusals_and_silence(store, host_log):
    rows, verifier = host_log
    assert push(store, "laptop1", "laptop1", verifier, rows)[0]
    assert not push(store, "laptop1", "laptop1", verifier, rechain(rows, 1))[0]
    store.psql("UPDATE pkgtrail.host_log SET last_push = now() - interval '10 days' WHERE host = 'laptop1'", db="fleet")
    r = central(store, "status", "--central", store.url("responder"))
    assert r.returncode == 0, r
    (line,) = [x for x in r.stdout.splitlines() if x.startswith("  laptop1 ")]
    assert f"head {rows[-1][0]}" in line and "REFUSED" in line and "SILENT for over 7 days" in line, line
    assert any(x.startswith("  ALERT ") and "laptop1 refused" in x for x in r.stdout.splitlines()), r.stdout
    r = central(store, "status", "--central", store.url("responder"), "--json", "--silent-days", "30")
    status = json.loads(r.stdout)
    (h,) = [h for h in status["hosts"] if h["host"] == "laptop1"]
    assert h["head"] == rows[-1][0] and h["refused"] >= 1 and h["silent"] is False
    assert {"at", "host", "kind", "detail"} <= set(status["alerts"][0])


def test_central_verify_recomputes_every_chain_and_checkpoint(store, tmp_path, index):
    box = Sandbox(tmp_path, "current", twin=False)
    for spec in ("demo-lib==1.0", "demo-app"):
        assert box.pip("install", "-q", "-i", index["simple"], spec).returncode == 0
    assert subprocess.run([BIN, "key", "init"], capture_output=True, env=box.env()).returncode == 0
    assert pkgtrail_push(box, store, "--host", "verify-a").returncode == 0
    n = len(local_rows(box.db))
    r = central(store, "verify", "--central", store.url("responder"))
    assert r.returncode == 0 and f"verify-a: {n} events, chain intact, its checkpoint at {n} verifies" in r.stdout, r
    # The owner disables the guard and edits a stored body: the chain no longer holds.
    store.psql("ALTER TABLE pkgtrail.event DISABLE TRIGGER event_append_only; "
               "UPDATE pkgtrail.event SET body = convert_to(replace(convert_from(body, 'UTF8'), 'demo', 'DEMO'), 'UTF8') "
               "WHERE seq = 2 AND log_id = (SELECT log_id FROM pkgtrail.host_log WHERE host = 'verify-a'); "
               "ALTER TABLE pkgtrail.event ENABLE TRIGGER event_append_only", db="fleet")
    r = central(store, "verify", "--central", store.url("responder"), "--json")
    assert r.returncode == 1, r
    (v,) = [v for v in json.loads(r.stdout) if v["host"] == "verify-a"]
    assert v["intact"] is False and v["problems"][0].startswith("seq 2: modified"), v
    # A checkpoint whose signature is not the bound key's is found too.
    store.psql("UPDATE pkgtrail.host_log SET checkpoint = replace(checkpoint, 'verify-a/pkgtrail', 'verify-b/pkgtrail') "
               "WHERE host = 'verify-a'", db="fleet")
    r = central(store, "verify", "--central", store.url("responder"))
    assert r.returncode == 1 and "does not verify with the bound key" in r.stdout, r


def make_certs(d):
    """A CA, a server certificate for 127.0.0.1 and one for another name, and an unrelated CA."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)
    for ca in ("ca", "other-ca"):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", "2",
            "-subj", f"/CN=pkgtrail test {ca}")
    for name, san in (("server", "IP:127.0.0.1"), ("wrong-name", "DNS:db.example")):
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
        with open(os.path.join(d, f"{name}.ext"), "w") as f:
            f.write(f"subjectAltName={san}\n")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o600 if f.endswith(".key") else 0o644)
        if os.geteuid() == 0:
            import shutil
            shutil.chown(os.path.join(d, f), "nobody", "nogroup")


@pytest.mark.parametrize("cert", ["server", "wrong-name"])
def test_verify_full_checks_the_servers_certificate_and_name(cert):
    import pathlib
    import shutil
    import tempfile
    certs = pathlib.Path(tempfile.mkdtemp(prefix="pkgtrail-certs-"))  # the server's user must reach it
    os.chmod(certs, 0o755)
    make_certs(str(certs))
    server = Server(settings={"fsync": "off", "ssl": "on", "ssl_cert_file": str(certs / f"{cert}.pem"),
                              "ssl_key_file": str(certs / f"{cert}.key")})
    try:
        url = f"postgresql://{ADMIN}@127.0.0.1:{server.port}/fleet"
        env = server.client_env()
        ask = lambda u: subprocess.run([BIN, "central", "init", "--db", u], capture_output=True, text=True, env=env,
                                       timeout=120)
        # Encrypted without checking (libpq's require), whatever the certificate.
        r = ask(url + "?sslmode=require")
        assert r.returncode == 0, r
        r = ask(url + f"?sslmode=verify-full&sslrootcert={certs}/ca.pem")
        if cert == "server":
            assert r.returncode == 0 and "schema is current" in r.stdout, r
        else:  # signed by the right CA, for another name
            assert r.returncode == 2 and r.stderr.startswith("pkgtrail: cannot connect") and r.stderr.count("\n") == 1, r
            assert "TLS certificate is not accepted" in r.stderr, r
        r = ask(url + f"?sslmode=verify-full&sslrootcert={certs}/other-ca.pem")
        assert r.returncode == 2 and r.stderr.startswith("pkgtrail: cannot connect"), r
        assert "admin-secret" not in r.stdout + r.stderr and "certificate" in r.stderr, r
    finally:
        server.stop()
        shutil.rmtree(certs, ignore_errors=True)
