"""docs/SPEC.md §4: what changes outside the shims is found by the next recorded
command or by `pkgtrail scan`, recorded as drift with its window, and an
unchanged environment never reports drift."""
import json
import os
import shutil
import subprocess

import pytest
from conftest import BIN, Sandbox, assert_log_matches_disk, changes


@pytest.fixture
def box(tmp_path):
    return Sandbox(tmp_path, "current", twin=False)


def scan(box, *paths):
    r = subprocess.run([BIN, "scan", "--db", box.db, *paths], capture_output=True, env=box.env())
    return r.returncode, r.stdout.decode()


def test_first_sight_of_an_environment_is_its_baseline(box, index):
    assert box.pip("install", "-i", index["simple"], "demo-lib==1.0").returncode == 0
    first, install = box.events()
    assert first["kind"] == "drift" and first["drift"] == {"last_seen": None, "last_seen_seq": None, "observer": "recorder"}
    assert ("pip", "install", None, "26.3") in changes(first)
    assert first["command"] is None and install["kind"] == "install"
    assert install["state_before"] == first["state_after"]
    assert_log_matches_disk(box, index)


def test_a_bypassing_install_is_found_by_the_next_recorded_command(box, index):
    i = ["-i", index["simple"]]
    assert box.pip("install", *i, "demo-lib==1.0").returncode == 0
    seen = box.last()
    env = box.env(extra={"PATH": box.venv + "/bin:/usr/bin:/bin"})
    subprocess.run([box.venv + "/bin/python", "-m", "pip", "install", "-q", *i, "llmlib==1.1", "demo-lib==1.1"],
                   env=env, check=True)
    assert box.pip("install", *i, "agentkit").returncode == 0
    drift, install = box.events()[-2:]
    assert drift["kind"] == "drift"
    assert drift["drift"] == {"last_seen": seen["finished"], "last_seen_seq": seen["seq"], "observer": "recorder"}
    assert drift["finished"] <= install["started"]
    assert changes(drift) == [("demo-lib", "upgrade", "1.0", "1.1"), ("llmlib", "install", None, "1.1")]
    [hook] = drift["changes"][1]["startup_hooks"]
    assert hook["executable_import"] and hook["path"].endswith("/llmlib_init.pth")
    assert changes(install) == [("agentkit", "install", None, "1.0")]
    assert_log_matches_disk(box, index, drift_expected=True)


def test_scan_finds_deleted_metadata_and_a_dropped_pth_then_settles(box, index):
    assert box.pip("install", "-i", index["simple"], "demo-app").returncode == 0
    assert scan(box) == (0, f"{box.venv}: matches the log\n")
    shutil.rmtree(box.site + "/demo_lib-1.1.dist-info")
    with open(box.site + "/zz_dropped.pth", "w") as f:
        f.write("import os; os.system('true')\n")
    rc, out = scan(box, box.venv)
    assert rc == 1 and "DRIFT recorded as seq" in out and "-demo-lib 1.1" in out, out
    drift = box.last()
    assert changes(drift) == [("demo-lib", "remove", "1.1", None)]
    assert drift["startup_hooks"][0]["path"] == box.site + "/zz_dropped.pth"
    assert drift["startup_hooks"][0]["executable_import"] is True
    assert b"STARTUP HOOK" in box.trail("show", str(drift["seq"])).stdout
    # Recorded once; the log now agrees with the disk.
    assert scan(box) == (0, f"{box.venv}: matches the log\n")
    os.remove(box.site + "/zz_dropped.pth")
    rc, out = scan(box, box.venv + "/bin/python")
    assert rc == 1 and "removed" in out
    assert box.trail("verify").returncode == 0


def test_scan_of_unknown_and_missing_paths(box, index, tmp_path):
    r = subprocess.run([BIN, "scan", "--db", box.db, str(tmp_path / "nope")], capture_output=True, env=box.env())
    assert r.returncode == 2 and r.stderr.startswith(b"pkgtrail: ") and r.stderr.count(b"\n") == 1
    plain = tmp_path / "plain-site"
    plain.mkdir()
    assert scan(box, str(plain)) == (0, f"{plain}: matches the log\n")  # empty, like the log's view of it
    r = subprocess.run([BIN, "scan", "--json", "--db", box.db], capture_output=True, env=box.env())
    assert (r.returncode, json.loads(r.stdout)) == (0, [])  # nothing recorded, so no environment is known
    (plain / "thing-1.0.dist-info").mkdir()
    rc, out = scan(box, str(plain))
    assert rc == 1 and "+thing 1.0" in out
    # Now the log knows it: a scan of everything includes it, matching.
    r = subprocess.run([BIN, "scan", "--json", "--db", box.db], capture_output=True, env=box.env())
    assert (r.returncode, json.loads(r.stdout)) == (0, [{"prefix": str(plain), "drift": False, "seq": None, "files": None}])


def test_no_false_drift_after_recorded_installs_with_bytecode(box, index):
    extra = {"PYTHONDONTWRITEBYTECODE": ""}
    for args in (["demo-app"], ["-U", "demo-lib"], ["--force-reinstall", "demo-lib"], ["llmlib==1.1"]):
        assert box.pip("install", "-i", index["simple"], *args, extra=extra).returncode == 0
    assert box.pip("uninstall", "-y", "llmlib", extra=extra).returncode == 0
    assert any(name.endswith(".pyc") for _, _, files in os.walk(box.site + "/demo_lib") for name in files)
    assert scan(box)[0] == 0
    assert [e["kind"] for e in box.events()].count("drift") == 1  # only the first sight
    assert_log_matches_disk(box, index)


def test_scan_files_finds_edited_missing_and_unlisted_files(box, index):
    assert box.pip("install", "-i", index["simple"], "demo-app", "llmlib==1.1").returncode == 0
    r = subprocess.run([BIN, "scan", "--files", "--db", box.db, box.venv], capture_output=True, env=box.env())
    assert r.returncode == 0, r.stdout
    assert b"0 finding(s)" in r.stdout
    with open(box.site + "/demo_lib/__init__.py", "a") as f:
        f.write("import os  # tampered\n")
    os.remove(box.site + "/demo_app/__init__.py")
    with open(box.site + "/demo_lib/extra.py", "w") as f:
        f.write("x = 1\n")
    with open(box.site + "/zz_sneaky.pth", "w") as f:
        f.write("import sys\n")
    r = subprocess.run([BIN, "scan", "--files", "--json", "--db", box.db, box.venv], capture_output=True, env=box.env())
    assert r.returncode == 1
    [finding] = json.loads(r.stdout)
    got = sorted((f["status"], f["path"].replace(box.site + "/", ""), f["distribution"]) for f in finding["files"])
    assert got == [("missing", "demo_app/__init__.py", "demo-app"), ("modified", "demo_lib/__init__.py", "demo-lib"),
                   ("unlisted", "demo_lib/extra.py", None), ("unlisted-startup-hook", "zz_sneaky.pth", None)]
    # The dropped .pth is also drift, recorded once; the file findings are reported each time.
    assert finding["drift"] is True
    r = subprocess.run([BIN, "scan", "--files", "--json", "--db", box.db, box.venv], capture_output=True, env=box.env())
    assert r.returncode == 1 and json.loads(r.stdout)[0]["drift"] is False
