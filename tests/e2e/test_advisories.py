"""The advisory store: OSV data for PyPI as OSV publishes it (all.zip of one
JSON file per advisory, a directory, single files), imported beside the
log, updated by `modified`, withdrawals honoured, other ecosystems counted
and skipped."""
import json
import os
import sqlite3
import subprocess

from conftest import BIN
from osv import advisory, pypi, write_zip


FIXTURES = [
    # As MAL-2026-2144 is: versions only.
    advisory("MAL-2026-2144", "2026-03-24T11:15:00Z", [pypi("LiteLLM", versions=["1.82.7", "1.82.8"])],
             aliases=["PYSEC-2026-2"]),
    advisory("PYSEC-2026-2", "2026-03-25T08:00:00Z",
             [pypi("litellm", ranges=[[{"introduced": "1.82.7"}, {"fixed": "1.82.9"}]])],
             aliases=["MAL-2026-2144"], severity="CRITICAL"),
    advisory("PYSEC-2026-9", "2026-04-01T00:00:00Z", [pypi("Demo_Lib", ranges=[[{"introduced": "0"},
                                                                                {"last_affected": "1.0"}]])],
             withdrawn="2026-04-02T00:00:00Z"),
    advisory("GHSA-aaaa-bbbb-cccc", "2026-04-03T00:00:00Z",
             [{"package": {"ecosystem": "npm", "name": "left-pad"}, "versions": ["1.0.0"]}]),
]


def run(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=120)


def write_tree(root, docs):
    os.makedirs(root, exist_ok=True)
    for d in docs:
        with open(os.path.join(root, d["id"] + ".json"), "w") as f:
            json.dump(d, f)


def test_import_a_zip_then_updates_and_withdrawals(tmp_path):
    store = str(tmp_path / "advisories.db")
    z = tmp_path / "all.zip"
    write_zip(z, FIXTURES)
    r = run("advisories", "import", "--advisories", store, str(z), "--json")
    assert r.returncode == 0, r
    assert json.loads(r.stdout) == {"store": store, "read": 4, "added": 4, "updated": 0, "unchanged": 0,
                                    "withdrawn": 1, "other_ecosystems": 1, "skipped_files": 0}
    con = sqlite3.connect(store)
    assert sorted(con.execute("SELECT advisory, name FROM affected").fetchall()) == [
        ("MAL-2026-2144", "litellm"), ("PYSEC-2026-2", "litellm"), ("PYSEC-2026-9", "demo-lib")]
    # The same again: nothing changes.
    r = run("advisories", "import", "--advisories", store, str(z), "--json")
    assert json.loads(r.stdout)["unchanged"] == 4
    # A newer version of one, as a directory tree; an older copy of another is ignored.
    newer = dict(FIXTURES[2], modified="2026-05-01T00:00:00Z")
    del newer["withdrawn"]
    older = dict(FIXTURES[1], modified="2026-01-01T00:00:00Z", summary="stale")
    write_tree(str(tmp_path / "tree" / "PyPI"), [newer, older])
    r = run("advisories", "import", "--advisories", store, str(tmp_path / "tree"), "--json")
    out = json.loads(r.stdout)
    assert (out["updated"], out["unchanged"], out["withdrawn"]) == (1, 1, 0), out
    assert con.execute("SELECT withdrawn FROM advisory WHERE id = 'PYSEC-2026-9'").fetchone() == (None,)
    assert con.execute("SELECT summary FROM advisory WHERE id = 'PYSEC-2026-2'").fetchone() == ("PYSEC-2026-2 summary",)
    r = run("advisories", "status", "--advisories", store, "--json")
    s = json.loads(r.stdout)
    assert (s["advisories"], s["malicious"], s["withdrawn"], s["packages"]) == (4, 2, 0, 2), s
    assert s["newest_modified"] == "2026-05-01T00:00:00Z" and s["last_import"]["read"] == 2
    r = run("advisories", "status", "--advisories", store)
    assert r.returncode == 0 and "4 advisories (2 malicious, 0 withdrawn) for 2 packages" in r.stdout, r


def test_single_files_arrays_and_what_is_not_an_advisory(tmp_path):
    store = str(tmp_path / "advisories.db")
    arr = tmp_path / "two.json"
    arr.write_text(json.dumps(FIXTURES[:2]))
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    r = run("advisories", "import", "--advisories", store, str(arr), str(junk))
    assert r.returncode == 0 and "2 advisories read: 2 new" in r.stdout, r
    assert "junk.json skipped" in r.stderr, r
    # Each advisory of an array is stored as its own document.
    con = sqlite3.connect(store)
    (body,) = con.execute("SELECT body FROM advisory WHERE id = 'PYSEC-2026-2'").fetchone()
    assert json.loads(body)["id"] == "PYSEC-2026-2"
    r = run("advisories", "import", "--advisories", store, str(tmp_path / "missing.zip"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such file" in r.stderr, r
    r = run("advisories", "status", "--advisories", str(tmp_path / "none.db"))
    assert r.returncode == 2 and "advisories import" in r.stderr, r


def test_the_store_sits_beside_the_log_by_default(tmp_path):
    env = dict(os.environ, PKGTRAIL_DB=str(tmp_path / "logdir" / "trail.db"))
    env.pop("PKGTRAIL_ADVISORIES", None)
    f = tmp_path / "one.json"
    f.write_text(json.dumps(FIXTURES[0]))
    r = run("advisories", "import", str(f), env=env)
    assert r.returncode == 0 and os.path.exists(tmp_path / "logdir" / "advisories.db"), r


def test_audit_finds_a_removed_compromise_after_the_fact(tmp_path, index):
    from conftest import Sandbox
    import time
    box = Sandbox(tmp_path / "host", "current", twin=False)
    for spec in ("demo-lib==1.0", "llmlib==1.1"):
        assert box.pip("install", "-q", "-i", index["simple"], spec).returncode == 0
    # Used: the .pth hook runs at every interpreter start.
    assert subprocess.run([box.venv + "/bin/python", "-c", "pass"], env=box.env()).returncode == 0
    assert box.pip("install", "-q", "-i", index["simple"], "llmlib==1.2").returncode == 0
    events = box.events()
    came = next(e for e in events if any(c["to_version"] == "1.1" for c in e["changes"]))
    went = next(e for e in events if any(c["to_version"] == "1.2" for c in e["changes"]))
    store = str(tmp_path / "advisories.db")
    mal = advisory("MAL-2026-0042", "2026-06-01T00:00:00Z", [pypi("llmlib", versions=["1.1"])],
                   aliases=["PYSEC-2026-42"], summary="llmlib 1.1 steals credentials from a .pth file")
    pysec = advisory("PYSEC-2026-42", "2026-06-02T00:00:00Z",
                     [pypi("LLMLib", ranges=[[{"introduced": "1.1"}, {"fixed": "1.2"}]])], severity="HIGH")
    write_tree(str(tmp_path / "osv"), [mal, pysec])

    def audit(*args):
        return subprocess.run([BIN, "audit", "--advisories", store, *args], capture_output=True, text=True,
                              env=box.env(), timeout=120)
    assert run("advisories", "import", "--advisories", store, str(tmp_path / "osv")).returncode == 0
    r = audit("--json")
    assert r.returncode == 1, r
    (f,) = json.loads(r.stdout)
    assert (f["name"], f["version"], f["environment"], f["still_present"]) == ("llmlib", "1.1", box.venv, False)
    assert f["from"] == came["started"] and f["until"] == went["finished"], f
    assert f["malicious"] is True and [a["ids"] for a in f["advisories"]] == [["MAL-2026-0042", "PYSEC-2026-42"]]
    assert f["advisories"][0]["severity"] == "HIGH" and f["installed"]["startup_hooks"], f
    text = audit()
    assert text.returncode == 1 and text.stdout.startswith("MALICIOUS  llmlib 1.1  on "), text
    assert "advisory MAL-2026-0042 = PYSEC-2026-42 [HIGH]: llmlib 1.1 steals credentials" in text.stdout
    assert text.stdout.splitlines()[-1] == "1 finding (1 malicious) in 1 environment(s)"
    # Withdrawn, one and then the other: the answer follows.
    write_tree(str(tmp_path / "osv2"), [dict(pysec, modified="2026-07-01T00:00:00Z", withdrawn="2026-07-01T00:00:00Z")])
    assert run("advisories", "import", "--advisories", store, str(tmp_path / "osv2")).returncode == 0
    (f,) = json.loads(audit("--json").stdout)
    assert [a["ids"] for a in f["advisories"]] == [["MAL-2026-0042"]]
    # A daily job: only what was imported since its last run.
    time.sleep(0.05)
    now = time.time()
    mark = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
    time.sleep(0.05)
    demo = advisory("PYSEC-2026-77", "2026-07-02T00:00:00Z", [pypi("demo-lib", versions=["1.0"])], severity="LOW")
    write_tree(str(tmp_path / "osv3"), [demo])
    assert run("advisories", "import", "--advisories", store, str(tmp_path / "osv3")).returncode == 0
    r = audit("--json", "--new-since", mark)
    assert [f["name"] for f in json.loads(r.stdout)] == ["demo-lib"] and r.returncode == 1, r
    assert [f["name"] for f in json.loads(audit("--json").stdout)] == ["llmlib", "demo-lib"]  # malicious first
    assert [f["name"] for f in json.loads(audit("--json", "--malicious-only").stdout)] == ["llmlib"]
    write_tree(str(tmp_path / "osv4"), [dict(mal, modified="2026-08-01T00:00:00Z", withdrawn="2026-08-01T00:00:00Z"),
                                        dict(demo, modified="2026-08-01T00:00:00Z", withdrawn="2026-08-01T00:00:00Z")])
    assert run("advisories", "import", "--advisories", store, str(tmp_path / "osv4")).returncode == 0
    r = audit()
    assert r.returncode == 0 and r.stdout.startswith("nothing found"), r
