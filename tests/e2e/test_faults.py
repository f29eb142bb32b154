"""Faults (docs/SPEC.md §1, §3): the log locked past the busy timeout, read-only,
on a full filesystem, deleted or replaced by garbage while pip runs, the
recorder killed between pip's exit and the append, a writer killed in the
middle of its transactions. In each case the install behaves as bare pip
(same status, same output, plus one `pkgtrail: warning:` line), the event
reaches the spool or the log, and the next pkgtrail call appends the spool
in order. What each case loses is asserted (docs/DESIGN.md's reliability table)."""
import glob
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from conftest import BASE_PATH, BIN, SHIMS, Sandbox, changes, disk_state, replayed_state

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs (root only; CI runs as root)")

MID_RUN = {
    # What the "real pip" does to the log one second after pkgtrail has opened it, before running pip.
    "deleted mid-run": "for s in ('', '-wal', '-shm'):\n    os.path.exists(DB + s) and os.remove(DB + s)\n",
    "replaced by garbage mid-run": "for s in ('', '-wal', '-shm'):\n    os.path.exists(DB + s) and os.remove(DB + s)\n"
                                   "open(DB, 'wb').write(b'not a database' * 100)\n",
}


def wrapper_dir(box, tmp_path, action, kill_recorder=False):
    """A directory holding a "real pip" between the shims and the venv: a
    Python script (its shebang names the venv's interpreter, so pkgtrail
    resolves the same environment) that does `action`, then runs pip."""
    d = tmp_path / "wrap"
    d.mkdir(exist_ok=True)
    run = (f"rc = subprocess.call([{box.venv + '/bin/pip'!r}] + sys.argv[1:])\n"
           "os.kill(os.getppid(), signal.SIGKILL)\nsys.exit(rc)\n") if kill_recorder else \
        f"os.execv({box.venv + '/bin/pip'!r}, ['pip'] + sys.argv[1:])\n"
    script = d / "pip"
    script.write_text(f"#!{box.venv}/bin/python\nimport os, signal, subprocess, sys, time\nDB = {box.db!r}\n"
                      f"{action}{run}")
    script.chmod(0o755)
    return str(d)


def pip(box, *args, wrap=None, bare=False):
    env = box.env(bare=bare)
    if wrap:
        env["PATH"] = f"{SHIMS}:{wrap}:{box.venv}/bin:{BASE_PATH}"
    return subprocess.run(["pip", *args], env=env, capture_output=True, cwd=box.root, timeout=300)


def same_as_bare(box, rec, bare):
    """Status and output as bare pip's; pkgtrail adds exactly one warning line."""
    norm = lambda b: b.replace(box.twin.encode(), box.venv.encode())
    assert rec.returncode == bare.returncode, (rec, bare)
    assert rec.stdout == norm(bare.stdout)
    ours = [l for l in rec.stderr.splitlines(keepends=True) if l.startswith(b"pkgtrail:")]
    assert len(ours) == 1 and ours[0].startswith(b"pkgtrail: warning: "), rec.stderr
    assert b"".join(l for l in rec.stderr.splitlines(keepends=True) if l not in ours) == norm(bare.stderr)
    return ours[0].decode()


def spooled(box):
    """Every waiting spool line, beside the log or in the state directory."""
    lines = []
    for path in [box.db + ".spool"] + glob.glob(box.home + "/.local/state/pkgtrail/spool-*.ndjson"):
        if os.path.exists(path):
            lines += [json.loads(l.split(b" ", 1)[1]) for l in open(path, "rb").read().splitlines() if l.strip()]
    return lines


def installs(box):
    return [changes(e) for e in box.events() if e["kind"] == "install"]


def fault_then_recover(box, index, break_it, repair, wrap=None):
    """The common course: a recorded install, the fault, an upgrade under it
    (compared with bare pip in the twin), the repair, and the next call."""
    i = ["-q", "-i", index["simple"]]
    for bare in (True, False):
        assert pip(box, "install", *i, "demo-lib==1.0", bare=bare).returncode == 0
    break_it()
    bare = pip(box, "install", *i, "demo-lib==1.1", bare=True)
    rec = pip(box, "install", *i, "demo-lib==1.1", wrap=wrap)
    warning = same_as_bare(box, rec, bare)
    assert [changes(e) for e in spooled(box)] == [[("demo-lib", "upgrade", "1.0", "1.1")]], warning
    repair()
    return warning


def assert_recovered(box, expected_installs, whole_history=True):
    assert installs(box) == expected_installs  # `log` replayed the spool, in order
    assert spooled(box) == []
    if whole_history:
        assert replayed_state(box.events(), box.venv) == disk_state(box.site)
    r = box.trail("verify")
    assert r.stdout.startswith(b"ok: "), r.stdout


UPGRADE = [("demo-lib", "upgrade", "1.0", "1.1")]
BOTH = [[("demo-lib", "install", None, "1.0")], UPGRADE]


def test_locked_past_the_busy_timeout(tmp_path, index):
    box = Sandbox(tmp_path, "current")
    holder = []

    def lock():
        holder.append(subprocess.Popen([sys.executable, "-c", (
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({box.db!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(60)\n")],
            stdout=subprocess.PIPE))
        assert holder[0].stdout.readline() == b"locked\n"

    def unlock():
        holder[0].kill()
        holder[0].wait()

    warning = fault_then_recover(box, index, lock, unlock)
    assert "locked" in warning
    assert_recovered(box, BOTH)


@needs_root
@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_read_only_and_full_filesystems(tmp_path, index, fault):
    mnt = tmp_path / "fs"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (a container without CAP_SYS_ADMIN)")
    try:
        box = Sandbox(tmp_path, "current")
        box.db = str(mnt / "trail.db")

        def break_it():
            if fault == "read-only":
                subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            else:
                subprocess.run(["dd", "if=/dev/zero", f"of={mnt}/filler", "bs=64k"], capture_output=True)

        def repair():
            if fault == "read-only":
                subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
            else:
                os.remove(mnt / "filler")

        warning = fault_then_recover(box, index, break_it, repair)
        # Beside the log was impossible: the spool went to the state directory.
        assert "/.local/state/pkgtrail/spool-" in warning, warning
        assert_recovered(box, BOTH)
        assert not os.path.exists(box.db + ".spool") or os.path.getsize(box.db + ".spool") == 0
    finally:
        subprocess.run(["umount", "-l", str(mnt)])


@pytest.mark.parametrize("fault", sorted(MID_RUN))
def test_log_deleted_or_replaced_while_pip_runs(tmp_path, index, fault):
    box = Sandbox(tmp_path, "current")
    wrap = wrapper_dir(box, tmp_path, "time.sleep(1)\n" + MID_RUN[fault])
    warning = fault_then_recover(box, index, lambda: None, lambda: None, wrap=wrap)
    assert "deleted or replaced while the command ran" in warning
    if fault.startswith("replaced"):
        # While garbage is there, calls fail clearly and the spool waits.
        r = box.trail("log", check=False)
        assert r.returncode == 2 and b"damaged or not a SQLite file" in r.stderr
        assert len(spooled(box)) == 1
        os.remove(box.db)
    # The old log went with the fault (someone removed it); the event did not.
    assert_recovered(box, [UPGRADE], whole_history=False)


def test_recorder_killed_between_pips_exit_and_the_append(tmp_path, index):
    box = Sandbox(tmp_path, "current")
    i = ["-q", "-i", index["simple"]]
    assert pip(box, "install", *i, "demo-lib==1.0").returncode == 0
    wrap = wrapper_dir(box, tmp_path, "", kill_recorder=True)
    r = pip(box, "install", *i, "demo-lib==1.1", wrap=wrap)
    assert r.returncode == -signal.SIGKILL  # what the user sees: the recorder they ran was killed
    assert disk_state(box.site)["demo-lib"] == "1.1" and spooled(box) == []
    # The event is lost; the change is not: the next look at the environment finds it as drift.
    assert box.trail("scan", box.venv, check=False).returncode in (0, 1)
    drift = [e for e in box.events() if e["kind"] == "drift" and e["drift"]["last_seen_seq"] is not None]
    assert [changes(e) for e in drift] == [UPGRADE]
    assert_recovered(box, [[("demo-lib", "install", None, "1.0")]])


def test_writer_killed_mid_transaction_leaves_whole_batches(tmp_path):
    """SIGKILL at random moments of a batch-append loop (one transaction per
    batch of 50): each reopen finds an intact chain of whole batches, and the
    writer carries on from there."""
    synth = os.path.join(os.path.dirname(BIN), "pkgtrail-synth")
    db = str(tmp_path / "trail.db")
    rng = random.Random(7)
    counts = []
    for _ in range(6):
        p = subprocess.Popen([synth, db, "20000", "50"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.4, 1.2))
        p.send_signal(signal.SIGKILL)
        p.wait()
        r = subprocess.run([BIN, "verify", "--db", db, "--json"], capture_output=True)
        report = json.loads(r.stdout)
        assert r.returncode == 0 and report["intact"], report
        assert report["events"] % 50 == 0
        counts.append(report["events"])
    assert counts == sorted(counts) and counts[-1] > 0


def test_an_edited_spool_line_is_set_aside_and_a_spooled_event_is_marked(tmp_path, index):
    box = Sandbox(tmp_path, "current", twin=False)
    i = ["-q", "-i", index["simple"]]
    assert pip(box, "install", *i, "demo-lib==1.0").returncode == 0
    os.rename(box.db, box.db + ".real")
    open(box.db, "wb").write(b"not a database" * 100)
    for version in ("1.1", "1.0"):
        assert b"pkgtrail: warning:" in pip(box, "install", *i, f"demo-lib=={version}").stderr
    lines = open(box.db + ".spool", "rb").read().splitlines(keepends=True)
    assert len(lines) == 2
    # The first waiting event edited to say 6.6 was installed (its digest now disagrees).
    lines[0] = lines[0].replace(b'"to_version":"1.1"', b'"to_version":"6.6"')
    open(box.db + ".spool", "wb").write(b"".join(lines))
    os.replace(box.db + ".real", box.db)
    r = box.trail("log")
    assert b"1 spooled line(s) were edited, corrupted or torn and were set aside in" in r.stderr, r.stderr
    assert installs(box) == [[("demo-lib", "install", None, "1.0")], [("demo-lib", "downgrade", "1.1", "1.0")]]
    assert b'"to_version":"6.6"' in open(box.db + ".spool.rejected", "rb").read()
    # What did pass through the spool says so in the log, when and why.
    shown = box.trail("show", str(box.events()[-1]["seq"])).stdout
    assert b"spooled at " in shown and b"because the log could not be written" in shown
    assert box.trail("verify").returncode == 0
