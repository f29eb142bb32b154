"""Issue 17: pkgtrail on a terminal behaves like git. Long answers go
through a pager when stdout is a terminal (PKGTRAIL_PAGER, else PAGER,
else `less` with LESS=FRX), never into a pipe; `--no-pager`, `cat` or a
pager that is not installed turn it off; pkgtrail exits after its pager.
What matters is coloured; long work shows progress on stderr. Driven on
a real pseudo-terminal."""
import os
import pty
import re
import select
import shutil
import subprocess
import time

import pytest
from conftest import BIN, Sandbox
from osv import advisory, pypi, write_zip
from test_load import to_migration_two_shape


def on_terminal(args, env, timeout=60, program=BIN):
    """Runs pkgtrail (or `program`) with stdin, stdout and stderr on a
    pseudo-terminal; returns (exit status, everything the terminal
    received, when it exited)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(program, [program, *args], env)
    out, exited, status = b"", None, None
    deadline = time.time() + timeout
    while time.time() < deadline:
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status, exited = os.waitstatus_to_exitcode(st), time.time()
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            out += chunk
    os.close(fd)
    if status is None:
        _, st = os.waitpid(pid, 0)
        status, exited = os.waitstatus_to_exitcode(st), time.time()
    return status, out.replace(b"\r\n", b"\n"), exited


@pytest.fixture
def recorded(tmp_path, index):
    box = Sandbox(tmp_path, "current", twin=False)
    for spec in ("demo-lib==1.0", "llmlib==1.0"):
        assert box.pip("install", "-q", "-i", index["simple"], spec).returncode == 0
    return box


QUERIES = [["log"], ["who", "llmlib"], ["show", "1"], ["exposure", "llmlib"], ["state"], ["diff", "1d"]]


@pytest.mark.parametrize("query", QUERIES, ids=[q[0] for q in QUERIES])
def test_long_answers_page_on_a_terminal_and_never_in_a_pipe(recorded, query):
    env = dict(recorded.env(), TERM="xterm", PKGTRAIL_PAGER="sed s/^/PAGED:/", PAGER="cat", NO_COLOR="1")
    args = [*query, "--db", recorded.db]
    if query[0] == "state" or query[0] == "diff":
        args += ["--env", recorded.venv]
    status, out, _ = on_terminal(args, env)
    lines = [line for line in out.decode().splitlines() if line]
    assert lines and all(line.startswith("PAGED:") for line in lines), out
    piped = subprocess.run([BIN, *args], capture_output=True, env=env)
    assert piped.returncode == status and b"PAGED:" not in piped.stdout and piped.stdout, piped
    assert [line.removeprefix("PAGED:") for line in lines] == [x for x in piped.stdout.decode().splitlines() if x]
    status2, out2, _ = on_terminal([*args, "--no-pager"], env)
    assert status2 == status and b"PAGED:" not in out2 and out2, out2


def test_which_pager_and_when_not(recorded, tmp_path):
    base = dict(recorded.env(), TERM="xterm")
    args = ["log", "--db", recorded.db]
    # PKGTRAIL_PAGER over PAGER; cat, empty or a pager that is not there: none at all.
    for extra, paged in (({"PAGER": "sed s/^/P:/"}, True), ({"PAGER": "sed s/^/P:/", "PKGTRAIL_PAGER": "cat"}, False),
                         ({"PKGTRAIL_PAGER": ""}, False), ({"PKGTRAIL_PAGER": "/nonexistent/pager -x"}, False),
                         ({"PAGER": "no-such-pager-anywhere"}, False)):
        status, out, _ = on_terminal(args, dict(base, **extra))
        assert status == 0 and b"demo-lib" in out, (extra, out)
        assert (b"P:" in out) == paged, (extra, out)
    # git's default: less, told FRX (one screen: it prints and quits) unless LESS says otherwise.
    env = {k: v for k, v in base.items() if k not in ("PAGER", "PKGTRAIL_PAGER", "LESS")}
    status, out, _ = on_terminal(args, dict(env, PKGTRAIL_PAGER='sh -c "echo LESS=$LESS; cat"'))
    assert out.startswith(b"LESS=FRX\n"), out
    status, out, _ = on_terminal(args, dict(env, LESS="S", PKGTRAIL_PAGER='sh -c "echo LESS=$LESS; cat"'))
    assert out.startswith(b"LESS=S\n"), out
    status, out, _ = on_terminal(args, env)
    assert status == 0 and b"demo-lib" in out and b"llmlib" in out, out
    # pkgtrail exits after its pager, so the prompt comes back below the page.
    mark = tmp_path / "pager-done"
    status, out, exited = on_terminal(args, dict(env, PKGTRAIL_PAGER=f'sh -c "cat; sleep 1; touch {mark}"'))
    assert status == 0 and mark.exists() and os.path.getmtime(mark) <= exited, out


def test_what_matters_is_coloured_on_a_terminal_and_nowhere_else(tmp_path, index):
    """A startup hook, a failed install, an exposure and a verdict in colour
    on a terminal; never in a pipe unless --color always; NO_COLOR and
    --color never turn it off; the pager keeps the colour (less -R)."""
    box = Sandbox(tmp_path, "current", twin=False)
    i = ["-i", index["simple"]]
    assert box.pip("install", "-q", *i, "llmlib==1.1").returncode == 0
    assert box.pip("install", "-q", *i, "no-such-package-here").returncode != 0
    env = dict(box.env(), TERM="xterm", PKGTRAIL_PAGER="cat")
    env.pop("NO_COLOR", None)
    hook, failed = b"\x1b[1;31m!! STARTUP HOOK\x1b[0m", b"\x1b[33mpip failed\x1b[0m"
    log = ["log", "--db", box.db]
    _, out, _ = on_terminal(log, env)
    assert hook in out and failed in out, out
    _, out, _ = on_terminal(log, dict(env, PKGTRAIL_PAGER="sed s/^/P:/"))
    assert hook in out and b"P:" in out, out
    for extra, args in (({"NO_COLOR": "1"}, []), ({}, ["--color", "never"])):
        _, out, _ = on_terminal(log + args, dict(env, **extra))
        assert b"\x1b[" not in out and b"!! STARTUP HOOK" in out, (extra, args, out)
    piped = subprocess.run([BIN, *log], capture_output=True, env=env)
    assert b"\x1b[" not in piped.stdout and b"!! STARTUP HOOK" in piped.stdout, piped
    forced = subprocess.run([BIN, *log, "--color", "always"], capture_output=True, env=dict(env, NO_COLOR="1"))
    assert hook in forced.stdout, forced
    _, out, _ = on_terminal(["exposure", "llmlib", "--db", box.db], env)
    assert b"\x1b[1;31mEXPOSED\x1b[0m  llmlib 1.1" in out and hook in out, out
    _, out, _ = on_terminal(["verify", "--db", box.db], env)
    assert out.startswith(b"\x1b[32mok\x1b[0m: "), out


def test_long_work_shows_progress_on_a_terminal_only(tmp_path, index):
    """verify, scan --files, advisories import and audit draw a count and a rate on
    stderr, in place, and erase it before their answer; nothing in a pipe,
    with --json, or (audit, whose findings stream) when stdout is the
    terminal. The interval is 0 here so that a small log draws at all."""
    box = Sandbox(tmp_path, "current", twin=False)
    assert box.pip("install", "-q", "-i", index["simple"], "llmlib==1.1").returncode == 0
    env = dict(box.env(), TERM="xterm", PKGTRAIL_PAGER="cat", PKGTRAIL_PROGRESS_INTERVAL_MS="0", NO_COLOR="1")
    status, out, _ = on_terminal(["verify", "--db", box.db], env)
    assert status == 0 and re.search(rb"\rverifying: \d+ / \d+ events \(\d+%\), [\d,]+ events/s\x1b\[K", out), out
    assert b"\r\x1b[Kok: " in out, out
    for args in (["verify", "--db", box.db, "--json"],):
        _, out, _ = on_terminal(args, env)
        assert b"verifying" not in out, out
    piped = subprocess.run([BIN, "verify", "--db", box.db], capture_output=True, env=env)
    assert b"verifying" not in piped.stderr and piped.returncode == 0, piped
    always = subprocess.run([BIN, "verify", "--db", box.db], capture_output=True,
                            env=dict(env, PKGTRAIL_PROGRESS="always"))
    assert b"verifying: " in always.stderr, always
    never = dict(env, PKGTRAIL_PROGRESS="never")
    assert b"verifying" not in on_terminal(["verify", "--db", box.db], never)[1]

    status, out, _ = on_terminal(["scan", "--files", "--db", box.db], env)
    assert re.search(rb"\rre-hashing: [\d,]+ files, [\d,]+ files/s\x1b\[K", out) and b"files re-hashed" in out, out
    assert b"re-hashing" not in on_terminal(["scan", "--db", box.db], env)[1]

    write_zip(tmp_path / "mal.zip", [advisory("MAL-2026-0042", "2026-06-01T00:00:00Z", [pypi("llmlib", versions=["1.1"])])])
    _, out, _ = on_terminal(["advisories", "import", "--db", box.db, str(tmp_path / "mal.zip")], env)
    assert re.search(rb"\rimporting: \d+ / 1 files", out) and b"1 advisories read" in out, out
    # audit: its findings stream, so on the terminal they are the progress; into a file, the line is drawn.
    report = tmp_path / "report.txt"
    status, out, _ = on_terminal(["-c", f"{BIN} audit --db {box.db} > {report}"], env, program="/bin/sh")
    assert status == 1 and b"auditing: 1 / 1 findings" in out and b"MALICIOUS" in report.read_bytes(), out
    status, out, _ = on_terminal(["audit", "--db", box.db], env)
    assert status == 1 and b"auditing" not in out and b"MALICIOUS" in out, out


def test_the_one_time_upgrade_of_an_old_log_shows_that_it_is_working(tmp_path):
    """An old log's query tables are rebuilt by the first command (seconds
    per million events): on a terminal a line says so and for how long,
    erased before the answer; nothing in a pipe or with --json."""
    synth = os.path.join(os.path.dirname(BIN), "pkgtrail-synth")
    env = dict(os.environ, TERM="xterm", PKGTRAIL_PAGER="cat", PKGTRAIL_PROGRESS_INTERVAL_MS="0", NO_COLOR="1")
    old = str(tmp_path / "old.db")
    subprocess.run([synth, old, "20000", "5000"], capture_output=True, check=True)
    to_migration_two_shape(old)
    dbs = [str(tmp_path / f"{name}.db") for name in ("a", "b", "c")]
    for db in dbs:
        shutil.copyfile(old, db)
    status, out, _ = on_terminal(["who", "--db", dbs[0], "pkg-1", "--limit", "1"], env)
    assert status == 0 and b"upgrading the query tables of" in out, out
    # A line every 100,000 SQLite steps: tens of them for 20,000 events.
    assert len(re.findall(rb"\rupgrading the query tables: \d+ s\x1b\[K", out)) >= 3 and b"\r\x1b[K" in out, out
    assert out.rstrip().endswith(b"(the newest 1: more are recorded; --limit 1 left them out)"), out
    _, out, _ = on_terminal(["who", "--db", dbs[1], "pkg-1", "--json"], env)
    assert b"upgrading the query tables of" in out and b"upgrading the query tables:" not in out, out
    piped = subprocess.run([BIN, "who", "--db", dbs[2], "pkg-1"], capture_output=True, env=env)
    assert piped.returncode == 0 and piped.stderr.count(b"\n") == 1 and b"\r" not in piped.stderr, piped
