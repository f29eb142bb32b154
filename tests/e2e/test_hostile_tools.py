"""The recorder against tools that misbehave: fake `pip` and `uv` scripts on
PATH stand in where a real one cannot be made to (a malformed report, an
odd exit status), to show that pkgtrail keeps the tool's behaviour and
records what it can."""
import os
import subprocess

import pytest
from conftest import BIN, SHIMS, isolated_env


@pytest.fixture
def fake(tmp_path):
    """A directory of fake tools, a site-packages the fake pip 'installs' into, and an env."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    venv = tmp_path / "venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (venv / "bin").mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    os.symlink("/usr/bin/python3", venv / "bin" / "python")
    env = isolated_env(str(tmp_path), str(tmp_path / "trail.db"))
    env["PATH"] = f"{SHIMS}:{bindir}:/usr/bin:/bin"

    def tool(name, body):
        p = bindir / name
        p.write_text(f"#!{venv}/bin/python\n" + body if name.startswith("pip") else "#!/bin/sh\n" + body)
        p.chmod(0o755)
    return tool, env, site, tmp_path


def test_malformed_report_is_a_note_not_a_failure(fake):
    tool, env, site, tmp = fake
    tool("pip", f"""import os, sys
open(os.environ["PIP_REPORT"], "w").write("{{not json")
d = {str(site)!r} + "/thing-1.0.dist-info"
os.makedirs(d)
open(d + "/RECORD", "w").write("thing/__init__.py,,\\n")
print("fake pip out"); print("fake pip err", file=sys.stderr)
sys.exit(3)
""")
    r = subprocess.run(["pip", "install", "thing"], env=env, capture_output=True)
    assert (r.returncode, r.stdout, r.stderr) == (3, b"fake pip out\n", b"fake pip err\n")
    log = subprocess.run([BIN, "log", "--json", "--db", str(tmp / "trail.db")], capture_output=True)
    import json
    [e] = json.loads(log.stdout)
    assert e["command"]["outcome"] == "failed" and e["command"]["exit_status"] == 3
    assert [(c["name"], c["action"], c["to_version"]) for c in e["changes"]] == [("thing", "install", "1.0")]
    assert any("report was unreadable" in n for n in e["notes"])


REPORTS = {
    # What a broken or hostile pip could leave in PIP_REPORT.
    "enormous": "open(os.environ['PIP_REPORT'], 'w').write('{\"version\":\"1\",\"install\":[' + ','.join("
                "['{\"metadata\":{\"name\":\"p%d\",\"version\":\"1.0\"},\"download_info\":{\"url\":\"http://x/p.whl\"'"
                " ',\"archive_info\":{\"hashes\":{\"sha256\":\"%s\"}}}}' % (i, 'a' * 64) for i in range(150000)]) + ']}')",
    "nested 100,000 deep": "open(os.environ['PIP_REPORT'], 'w').write('[' * 100000 + ']' * 100000)",
    "not UTF-8": "open(os.environ['PIP_REPORT'], 'wb').write(b'{\"version\":\"\\xff\\xfe\"}')",
}


@pytest.mark.parametrize("kind", sorted(REPORTS))
def test_a_hostile_report_changes_nothing_the_user_sees(fake, kind):
    tool, env, site, tmp = fake
    tool("pip", f"""import os, sys
{REPORTS[kind]}
d = {str(site)!r} + "/thing-1.0.dist-info"
os.makedirs(d)
open(d + "/RECORD", "w").write("thing/__init__.py,,\\n")
print("fake pip out")
""")
    r = subprocess.run(["pip", "install", "thing"], env=env, capture_output=True, timeout=120)
    assert (r.returncode, r.stdout, r.stderr) == (0, b"fake pip out\n", b"")
    log = subprocess.run([BIN, "log", "--json", "--db", str(tmp / "trail.db")], capture_output=True)
    import json
    [e] = json.loads(log.stdout)
    assert [(c["name"], c["action"], c["to_version"]) for c in e["changes"]] == [("thing", "install", "1.0")]
    if kind != "enormous":
        assert any("report was unreadable" in n for n in e["notes"]), e["notes"]


def test_uv_passes_through_untouched(fake):
    tool, env, site, tmp = fake
    tool("uv", 'printf "%s|" "$@"; echo; echo err >&2; exit 5\n')
    r = subprocess.run(["uv", "pip", "list", "a b", "--", "-x"], env=env, capture_output=True)
    assert (r.returncode, r.stdout, r.stderr) == (5, b"pip|list|a b|--|-x|\n", b"err\n")
    assert not os.path.exists(tmp / "trail.db")


def test_stdin_reaches_the_tool(fake):
    tool, env, site, tmp = fake
    tool("pip", "import sys\nprint(sys.stdin.read().upper())\n")
    r = subprocess.run(["pip", "list"], env=env, input=b"hello", capture_output=True)
    assert r.stdout == b"HELLO\n"
    r = subprocess.run(["pip", "uninstall", "x"], env=env, input=b"yes", capture_output=True)
    assert r.stdout == b"YES\n" and r.returncode == 0


def test_exit_status_of_a_signal_death_is_mirrored(fake):
    tool, env, site, tmp = fake
    tool("pip", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    r = subprocess.run(["pip", "install", "x"], env=env, capture_output=True)
    assert r.returncode == -11
    import json
    [e] = json.loads(subprocess.run([BIN, "log", "--json", "--db", str(tmp / "trail.db")], capture_output=True).stdout)
    assert e["command"]["exit_status"] == 139 and e["command"]["outcome"] == "failed"


def test_unreadable_metadata_does_not_stop_the_record(fake):
    tool, env, site, tmp = fake
    tool("pip", f"""import os
s = {str(site)!r}
os.symlink(s + "/nowhere", s + "/dangling-1.0.dist-info")
os.symlink(s + "/loop-1.0.dist-info", s + "/loop-1.0.dist-info")
os.makedirs(s + "/noversion.dist-info")
os.makedirs(s + "/odd-2.0.dist-info/RECORD")
open(s + "/good-1.0.dist-info", "w").write("a file, not a directory")
os.makedirs(s + "/real-3.0.dist-info")
open(s + "/real-3.0.dist-info/RECORD", "wb").write(b"\\xff\\xfe,not utf-8\\r\\nreal.pth,,\\r\\n")
open(s + "/real.pth", "wb").write(b"\\x00\\x01import os\\n")
""")
    r = subprocess.run(["pip", "install", "anything"], env=env, capture_output=True)
    assert r.returncode == 0 and r.stderr == b""
    import json
    [e] = json.loads(subprocess.run([BIN, "log", "--json", "--db", str(tmp / "trail.db")], capture_output=True).stdout)
    names = sorted((c["name"], c["to_version"]) for c in e["changes"])
    assert ("real", "3.0") in names and ("odd", "2.0") in names
    skipped = sorted(n.split("/")[-1].split(" ")[0] for n in e["notes"] if "could not be read" in n)
    assert skipped == ["dangling-1.0.dist-info", "loop-1.0.dist-info", "noversion.dist-info"], e["notes"]
    real = next(c for c in e["changes"] if c["name"] == "real")
    assert [h["path"].rsplit("/", 1)[1] for h in real["startup_hooks"]] == ["real.pth"]
    assert subprocess.run([BIN, "verify", "--db", str(tmp / "trail.db")]).returncode == 0


def test_concurrent_recordings_make_one_linear_chain(fake):
    tool, env, site, tmp = fake
    tool("pip", "import time\ntime.sleep(0.05)\n")
    procs = [subprocess.Popen(["pip", "install", f"p{i}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(8) for _ in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and err == b"", err
    import json
    events = json.loads(subprocess.run([BIN, "log", "--json", "--db", str(tmp / "trail.db")], capture_output=True).stdout)
    assert [e["seq"] for e in events] == list(range(1, 25))
    assert len({e["id"] for e in events}) == 24
    assert sorted(e["command"]["argv"][2] for e in events) == sorted(f"p{i}" for i in range(8) for _ in range(3))
    assert subprocess.run([BIN, "verify", "--db", str(tmp / "trail.db")]).returncode == 0
