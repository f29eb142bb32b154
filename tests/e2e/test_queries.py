"""docs/SPEC.md §5: the incident questions answered from the log alone, by the real
binary, after real pip installs through the shims: who, state, diff,
exposure (specifiers and OSV advisories) and the log filters."""
import datetime
import getpass
import json
import os
import socket
import subprocess

import pytest
from conftest import BIN, Sandbox, disk_state, normalize, replayed_state, served_sha256


@pytest.fixture(scope="module")
def incident(tmp_path_factory, index):
    """Two environments. In the first, agentkit pulls in the compromised
    llmlib 1.1 (a .pth hook), which is later upgraded away; a bypassing
    `python -m pip` is found as drift. The second still holds llmlib 1.1."""
    box = Sandbox(tmp_path_factory.mktemp("incident"), "current", twin=False)
    other = box.root + "/other"
    subprocess.run(["python3", "-m", "venv", "--without-pip", other], check=True)
    i = ["-i", index["simple"]]
    with open(box.root + "/constraints.txt", "w") as f:
        f.write("llmlib==1.1\n")
    for args in (["install", *i, "demo-app"], ["install", *i, "-c", "constraints.txt", "agentkit"], ["install", *i, "-U", "llmlib"],
                 ["uninstall", "-y", "demo-app"], ["--python", other + "/bin/python", "install", *i, "llmlib==1.1"]):
        assert box.pip(*args).returncode == 0, args
    env = box.env(extra={"PATH": box.venv + "/bin:/usr/bin:/bin"})
    subprocess.run([box.venv + "/bin/python", "-m", "pip", "install", "-q", *i, "demo-lib==1.0"], env=env, check=True)
    assert subprocess.run([BIN, "scan", "--db", box.db, box.venv], env=box.env(), capture_output=True).returncode == 1
    box.other = other
    return box


def run(box, *args, env=None):
    r = subprocess.run([BIN, *args, "--db", box.db], capture_output=True, env=env or box.env(), timeout=120)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def records(box, *args):
    rc, out, err = run(box, *args, "--json")
    assert rc in (0, 1), err
    return json.loads(out)


def test_who_names_every_change_that_touched_a_matching_version(incident, index):
    box = incident
    hits = records(box, "who", "llmlib==1.1")
    assert [(r["action"], r["from_version"], r["to_version"], r["environment"]) for r in hits] == [
        ("install", None, "1.1", box.venv), ("upgrade", "1.1", "1.2", box.venv), ("install", None, "1.1", box.other)]
    first = hits[0]
    assert first["user"] == getpass.getuser() and first["host"] == socket.gethostname()
    assert first["command"] == ["pip", "install", "-i", index["simple"], "-c", "constraints.txt", "agentkit"] and first["tool"] == "pip"
    assert first["sha256"] == served_sha256(index, "llmlib-1.1-py3-none-any.whl")
    assert first["index"] == index["simple"] and first["artifact_url"].endswith("/llmlib-1.1-py3-none-any.whl")
    assert first["requested"] is False and first["required_by"] == ["agentkit"]
    [hook] = first["startup_hooks"]
    assert hook["executable_import"] and hook["path"].endswith("llmlib_init.pth")
    assert first["hash"] == records(box, "log", "--package", "llmlib")[0]["hash"]
    # Specifier forms, name normalization, and a query nothing matches.
    assert len(records(box, "who", "LLMLib")) == 3
    assert [r["to_version"] for r in records(box, "who", "llmlib>1.1")] == ["1.2"]
    assert [r["to_version"] for r in records(box, "who", "llmlib~=1.1")] == ["1.1", "1.2", "1.1"]
    assert records(box, "who", "llmlib==2.*") == []
    rc, out, _ = run(box, "who", "llmlib==1.1")
    assert rc == 0 and "pulled in by agentkit" in out and "!! STARTUP HOOK" in out and out.endswith("3 changes touched llmlib==1.1\n")
    assert all(len(line) <= 80 for line in out.splitlines() if not line.lstrip().startswith(("!!", "env", "file", "cmd")))


def test_a_bad_specifier_is_a_usage_error(incident):
    rc, _, err = run(incident, "who", "llmlib=>1")
    assert rc == 64 and "not a version specifier" in err.splitlines()[0]


def test_state_at_every_moment_equals_the_replayed_log(incident):
    box = incident
    events = [e for e in records(box, "log") if e["environment"]["prefix"] == box.venv]
    for i, e in enumerate(events):
        got = {r["name"]: r["version"] for r in records(box, "state", "--env", box.venv, "--at", e["finished"])}
        assert got == replayed_state(events[: i + 1], box.venv), e["seq"]
    assert {r["name"]: r["version"] for r in records(box, "state", "--env", box.venv + "/")} == disk_state(box.site)
    rc, out, _ = run(box, "state", "--env", box.venv, "--freeze")
    assert out.splitlines() == sorted(f"{n}=={v}" for n, v in disk_state(box.site).items())
    # Before anything was recorded the environment was empty; VIRTUAL_ENV names the default.
    assert records(box, "state", "--env", box.venv, "--at", "2001-01-01") == []
    rc, out, _ = run(box, "state", env=box.env(extra={"VIRTUAL_ENV": box.other}))
    assert rc == 0 and "llmlib" in out and out.startswith(box.other)
    rc, _, err = run(box, "state")
    assert rc == 2 and "--env" in err


def test_diff_names_what_changed_between_two_moments(incident):
    box = incident
    arrived = records(box, "who", "llmlib==1.1")[0]["finished"]
    diff = records(box, "diff", "--env", box.venv, arrived)
    assert [(d["change"], d["name"], d["from_version"], d["to_version"]) for d in diff] == [
        ("removed", "demo-app", "1.0", None), ("changed", "demo-lib", "1.1", "1.0"), ("changed", "llmlib", "1.1", "1.2")]
    assert diff[1]["by"]["kind"] == "drift" and diff[2]["by"]["command"][-1] == "llmlib"
    rc, out, _ = run(box, "diff", "--env", box.venv, arrived)
    assert "- demo-app" in out and "~ llmlib" in out and "drift (unrecorded)" in out


def test_exposure_gives_every_window_and_gates_scripts(incident, index, tmp_path):
    box = incident
    who = records(box, "who", "llmlib==1.1")
    rc, out, _ = run(box, "exposure", "llmlib>=1.1,<1.2", "--json")
    assert rc == 1
    windows = json.loads(out)
    assert [(w["environment"], w["version"], w["still_present"]) for w in windows] == [
        (box.venv, "1.1", False), (box.other, "1.1", True)]
    gone = windows[0]
    assert gone["from"] == who[0]["started"] and gone["until"] == who[1]["finished"] and windows[1]["until"] is None
    assert gone["installed"]["sha256"] == served_sha256(index, "llmlib-1.1-py3-none-any.whl")
    assert gone["installed"]["startup_hooks"][0]["executable_import"] and gone["matched_by"] == ["llmlib>=1.1,<1.2"]
    rc, out, _ = run(box, "exposure", "llmlib==1.1")
    assert rc == 1 and "still present" in out and out.endswith("2 exposure windows in 2 environments on 1 host\n")
    assert run(box, "exposure", "llmlib==9.9")[0] == 0
    assert run(box, "exposure", "demo-lib==1.1", "--json")[0] == 1


def osv(id, name, ecosystem="PyPI", **affected):
    return {"schema_version": "1.6.0", "id": id, "modified": "2026-03-24T12:00:00Z", "summary": "malicious code",
            "affected": [dict(package={"ecosystem": ecosystem, "name": name}, **affected)],
            "database_specific": {"score": 9.8}}


def test_exposure_reads_osv_advisories(incident, tmp_path):
    box = incident
    single = tmp_path / "mal.json"
    single.write_text(json.dumps(osv("MAL-2026-0001", "LLMLib", versions=["1.1"])))
    array = tmp_path / "pysec.json"
    array.write_text(json.dumps([
        osv("PYSEC-2026-1", "llmlib", ranges=[{"type": "ECOSYSTEM", "events": [{"introduced": "1.1"}, {"fixed": "1.2"}]}]),
        osv("GHSA-npm", "llmlib", ecosystem="npm", versions=["1.2"]),
        osv("PYSEC-2026-2", "demo-lib", ranges=[{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "1.0"}]}])]))
    rc, out, err = run(box, "exposure", "--osv", str(single), "--json")
    assert rc == 1, err
    assert {(w["environment"], w["matched_by"][0]) for w in json.loads(out)} == {(box.venv, "MAL-2026-0001"), (box.other, "MAL-2026-0001")}
    rc, out, _ = run(box, "exposure", "--osv", str(array), "--json")
    got = {(w["name"], w["version"], tuple(w["matched_by"])) for w in json.loads(out)}
    assert got == {("llmlib", "1.1", ("PYSEC-2026-1",)), ("demo-lib", "1.0", ("PYSEC-2026-2",))}
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps(osv("MAL-2026-0002", "llmlib", versions=["0.9"])))
    assert run(box, "exposure", "--osv", str(clean))[0] == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    rc, _, err = run(box, "exposure", "--osv", str(bad))
    assert rc == 2 and err.count("\n") == 1 and "bad.json" in err
    assert run(box, "exposure", "--osv", str(tmp_path / "missing.json"))[0] == 2
    assert run(box, "exposure")[0] == 64
    # OSV's all.zip, and the advisory store an import fills, answer the same.
    import zipfile
    z = tmp_path / "all.zip"
    with zipfile.ZipFile(z, "w") as f:
        for doc in json.loads(array.read_text()):
            f.writestr(f"{doc['id']}.json", json.dumps(doc))
    rc, out, _ = run(box, "exposure", "--osv", str(z), "--json")
    assert rc == 1 and {(w["name"], w["version"], tuple(w["matched_by"])) for w in json.loads(out)} == got
    store = str(tmp_path / "advisories.db")
    assert subprocess.run([BIN, "advisories", "import", "--advisories", store, str(z)], capture_output=True).returncode == 0
    rc, out, _ = run(box, "exposure", "--osv", store, "--json")
    assert rc == 1 and {(w["name"], w["version"], tuple(w["matched_by"])) for w in json.loads(out)} == got


def test_log_filters(incident):
    box = incident
    every = records(box, "log")
    me, host = getpass.getuser(), socket.gethostname()
    assert records(box, "log", "--user", me) == every and records(box, "log", "--user", "nobody-else") == []
    assert records(box, "log", "--host", host) == every
    assert {e["environment"]["prefix"] for e in records(box, "log", "--env", box.other + "/")} == {box.other}
    assert [e["kind"] for e in records(box, "log", "--kind", "drift")] == ["drift"] * 2
    assert all(e["command"]["tool"] == "pip" for e in records(box, "log", "--tool", "pip"))
    assert records(box, "log", "--since", "1d") == every and records(box, "log", "--until", "2001-01-01") == []
    assert records(box, "log", "--since", every[3]["finished"]) == [e for e in every if e["finished"] >= every[3]["finished"]]
    assert run(box, "log", "--kind", "bogus")[0] == 64


def test_local_times_carry_their_offset(incident):
    kolkata = incident.env(extra={"TZ": "Asia/Kolkata"})
    for args in (["who", "llmlib==1.1"], ["log"], ["show", "2"], ["state", "--env", incident.venv], ["exposure", "llmlib==1.1"]):
        rc, out, _ = run(incident, *args, "--local", env=kolkata)
        assert rc in (0, 1) and "+05:30" in out, args
        rc, out, _ = run(incident, *args, env=kolkata)
        assert "+05:30" not in out and "Z" in out, args


def test_who_exposure_and_log_narrow_by_time_place_and_count(incident):
    """--since/--until/--host/--env/--limit (docs/SPEC.md §5) select exactly
    what the whole answer holds in that range, newest last."""
    box = incident
    who = records(box, "who", "llmlib")
    assert len(who) == 3
    # The newest N of the whole answer, in the same order; -n is --limit.
    for n in (1, 2, 3, 9):
        assert records(box, "who", "llmlib", "--limit", str(n)) == who[-n:]
    assert records(box, "who", "llmlib", "-n", "2") == who[-2:]
    assert records(box, "who", "llmlib", "--env", box.other + "/") == [r for r in who if r["environment"] == box.other]
    assert records(box, "who", "llmlib", "--host", "elsewhere") == []
    cut = who[2]["finished"]
    assert records(box, "who", "llmlib", "--since", cut) == [r for r in who if r["finished"] >= cut]
    assert records(box, "who", "llmlib", "--until", who[2]["started"]) == who[:2]
    # The text says what a limit left out, and what an empty narrowed answer was narrowed by.
    rc, out, _ = run(box, "who", "llmlib", "--limit", "1")
    assert rc == 0 and out.endswith("1 change touched llmlib (the newest 1: more are recorded; --limit 1 left them out)\n")
    rc, out, _ = run(box, "who", "llmlib", "--limit", "3")
    assert out.endswith("3 changes touched llmlib\n")
    rc, out, _ = run(box, "who", "llmlib", "--host", "elsewhere")
    assert rc == 0 and out.endswith("no recorded change touched llmlib within the --host given\n")

    windows = records(box, "exposure", "llmlib")
    assert [(w["environment"], w["version"]) for w in windows][-2:] == [(box.venv, "1.2"), (box.other, "1.1")]
    assert records(box, "exposure", "llmlib", "--limit", "1") == [windows[-1]]
    # A window counts when it was open at some moment in the range: the 1.1
    # upgraded away ended before a --since after its end.
    ended = next(w for w in windows if w["until"])
    later = datetime.datetime.fromisoformat(ended["until"].replace("Z", "+00:00")) + datetime.timedelta(milliseconds=1)
    after = records(box, "exposure", "llmlib", "--since", later.isoformat(timespec="milliseconds"))
    assert ended not in after and all(w["until"] is None or w["until"] >= ended["until"] for w in after) and after
    assert records(box, "exposure", "llmlib", "--until", ended["from"]) == [w for w in windows if w["from"] < ended["from"]]
    assert records(box, "exposure", "llmlib", "--env", box.other) == [windows[-1]]
    assert run(box, "exposure", "llmlib==1.1", "--env", "/nowhere")[0] == 0

    every = records(box, "log")
    assert records(box, "log", "--limit", "3") == every[-3:]
    assert records(box, "log", "--package", "llmlib", "-n", "1") == [e for e in every if any(
        c["name"] == "llmlib" for c in e["changes"])][-1:]
    rc, _, err = run(box, "log", "--limit", "0")
    assert rc == 64 and "--limit 0: give a count of 1 or more" in err
