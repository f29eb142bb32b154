"""A release-age cooldown enforced by pip's and uv's own resolvers: pkgtrail
hands them the cut-off (PIP_UPLOADED_PRIOR_TO, UV_EXCLUDE_NEWER), keeps a
stricter one the user set, refuses a looser one on the command line, says
so where it cannot be handed over, and records in every event the policy
in force. A local PEP 691 index serves upload times (PEP 700)."""
import datetime
import hashlib
import json
import os
import re
import subprocess

import pytest
from conftest import BIN, Sandbox, UvBox, disk_state
from json_index import publish, serve
from osv import advisory, mal_database, pypi, write_zip
from wheels import sha256_file

@pytest.fixture(scope="module")
def json_index(tmp_path_factory):
    """fresh-pkg 1.0 uploaded three days ago, 1.1 five minutes ago."""
    root = str(tmp_path_factory.mktemp("json-index"))
    publish(root, "fresh-pkg", [("1.0", datetime.timedelta(days=3)), ("1.1", datetime.timedelta(minutes=5))])
    proc, url = serve(root, "fresh-pkg")
    yield url
    proc.terminate()
    proc.wait()


def write_policy(box, text):
    d = os.path.join(box.home, ".config", "pkgtrail")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "policy.toml"), "w") as f:
        f.write(text)
    return os.path.join(d, "policy.toml")


def installed(box):
    return disk_state(box.site).get("fresh-pkg")


def test_no_policy_installs_the_newest_and_records_none(tmp_path, json_index):
    box = Sandbox(tmp_path, "current", twin=False)
    r = box.pip("install", "-q", "-i", json_index, "fresh-pkg")
    assert r.returncode == 0, r
    assert installed(box) == "1.1"
    assert "policy" not in box.last()


def test_a_cooldown_keeps_a_five_minute_old_release_out(tmp_path, json_index):
    box = Sandbox(tmp_path, "current", twin=False)
    path = write_policy(box, '# keep out what is younger than two days\nmin_release_age = "48h"\n')
    r = box.pip("install", "-q", "-i", json_index, "fresh-pkg")
    assert r.returncode == 0 and r.stderr == b"", r
    assert installed(box) == "1.0"
    e = box.last()
    cutoff = e["policy"]["cooldown"]["cutoff"]
    started = datetime.datetime.fromisoformat(e["started"].replace("Z", "+00:00"))
    assert abs((started - datetime.datetime.fromisoformat(cutoff.replace("Z", "+00:00"))).total_seconds() - 48 * 3600) < 5
    assert e["policy"]["cooldown"] == {"min_release_age": "48h", "cutoff": cutoff, "in_force": True,
                                       "enforced_by": "PIP_UPLOADED_PRIOR_TO", "note": None}
    assert e["policy"]["files"] == [{"path": path, "sha256": sha256_file(path)}]
    # Asked for by version, the young release is not found: pip's own error,
    # exit 1, and one line saying what the cooldown kept out (the index asked after the failure).
    r = box.pip("install", "-q", "-i", json_index, "fresh-pkg==1.1")
    assert r.returncode == 1 and b"fresh-pkg==1.1" in r.stderr and installed(box) == "1.0", r
    # (Uploaded five minutes before the module's first test: more by now on a busy machine.)
    line = re.search(r"pkgtrail: (blocked by policy: fresh-pkg 1\.1 \(uploaded \d+ minutes ago, cooldown 48h\))\n$",
                     r.stderr.decode())
    assert line, r
    e = box.last()
    assert e["command"]["outcome"] == "failed" and e["policy"]["cooldown"]["in_force"], e
    assert line.group(1) in e["notes"], e["notes"]


def test_the_users_stricter_cutoff_is_kept_and_a_looser_one_refused(tmp_path, json_index):
    box = Sandbox(tmp_path, "current", twin=False)
    write_policy(box, 'min_release_age = "48h"\n')
    ten_days = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = box.pip("install", "-q", "-i", json_index, "fresh-pkg", extra={"PIP_UPLOADED_PRIOR_TO": ten_days})
    assert r.returncode == 1 and installed(box) is None, r  # nothing that old
    c = box.last()["policy"]["cooldown"]
    assert c["cutoff"] == ten_days and c["enforced_by"] == "PIP_UPLOADED_PRIOR_TO (the user's own, stricter)", c
    # A later cut-off on the command line would loosen the policy: refused before pip runs.
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = box.pip("install", "-q", "-i", json_index, "--uploaded-prior-to", now, "fresh-pkg")
    assert r.returncode == 1 and installed(box) is None, r
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pkgtrail: blocked by policy: --uploaded-prior-to"), lines
    e = box.last()
    assert e["command"]["outcome"] == "blocked" and e["command"]["exit_status"] == 1 and e["changes"] == []
    assert e["policy"]["cooldown"]["in_force"] is False and e["policy"]["cooldown"]["note"].startswith("blocked: ")
    # A stricter cut-off in pip's own config file is kept, and handed over as pip would read it.
    conf = os.path.join(box.root, "pip.conf")
    with open(conf, "w") as f:
        f.write(f"[global]\ntimeout = 30\n[install]\nuploaded-prior-to = {ten_days}\n")
    r = box.pip("install", "-q", "-i", json_index, "fresh-pkg", extra={"PIP_CONFIG_FILE": conf})
    c = box.last()["policy"]["cooldown"]
    assert r.returncode == 1 and installed(box) is None, (r, c)
    assert c["cutoff"] == ten_days and c["enforced_by"] == f"PIP_UPLOADED_PRIOR_TO (from {conf}, stricter)", c


def test_pip_too_old_for_the_cutoff_warns_or_blocks_as_the_policy_says(tmp_path, json_index):
    box = Sandbox(tmp_path, "bundled", twin=False)
    write_policy(box, 'min_release_age = "48h"\n')
    r = box.pip("install", "-q", "-i", json_index, "fresh-pkg")
    assert r.returncode == 0 and installed(box) == "1.1", r  # pip 23 cannot be told: it takes the newest
    assert b"pkgtrail: warning: cooldown not in force: pip 23." in r.stderr, r.stderr
    c = box.last()["policy"]["cooldown"]
    assert c["in_force"] is False and "predates --uploaded-prior-to" in c["note"], c
    box.pip("uninstall", "-y", "-q", "fresh-pkg")
    write_policy(box, 'min_release_age = "48h"\non_unsupported = "block"\n')
    r = box.pip("install", "-q", "-i", json_index, "fresh-pkg")
    assert r.returncode == 1 and installed(box) is None, r
    assert r.stderr.decode().count("\n") == 1 and "blocked by policy: pip 23." in r.stderr.decode(), r
    assert box.last()["command"]["outcome"] == "blocked"


def test_the_administrators_policy_cannot_be_loosened(tmp_path, json_index):
    box = Sandbox(tmp_path, "bundled", twin=False)
    admin = tmp_path / "admin-policy.toml"
    admin.write_text('min_release_age = "72h"\non_unsupported = "block"\n')
    user = write_policy(box, 'min_release_age = "1h"\non_unsupported = "warn"\n')
    extra = {"PKGTRAIL_ADMIN_POLICY": str(admin)}
    show = json.loads(subprocess.run([BIN, "policy", "show", "--json"], capture_output=True,
                                     env=box.env(extra=extra)).stdout)
    assert show["min_release_age"] == {"value": "72h", "from": str(admin)}
    assert show["on_unsupported"] == {"value": "block", "from": str(admin)}
    assert [f["path"] for f in show["files"]] == [str(admin), user] and all(f["present"] for f in show["files"])
    r = box.pip("install", "-q", "-i", json_index, "fresh-pkg", extra=extra)
    assert r.returncode == 1 and b"on_unsupported" in r.stderr, r  # pip 23 under the admin's block
    assert [f["path"] for f in box.last()["policy"]["files"]] == [str(admin), user]


def test_a_broken_policy_stops_the_command_and_check_says_where(tmp_path, json_index):
    box = Sandbox(tmp_path, "current", twin=False)
    path = write_policy(box, 'min_release_age = "48h"\nmin_release_age = "1h"\n')
    r = box.pip("install", "-q", "-i", json_index, "fresh-pkg")
    assert r.returncode == 2 and installed(box) is None, r
    assert r.stderr.decode().count("\n") == 1 and "line 2" in r.stderr.decode(), r
    r = subprocess.run([BIN, "policy", "check", path], capture_output=True, text=True)
    assert r.returncode == 2 and "line 2: min_release_age is set twice" in r.stderr, r
    for bad, why in (('min_release_age = "2 days"', "give a span"), ("allow = 3", "unknown setting"), ("deny = 3", "list of strings"),
                     ("on_unsupported = 'maybe'", "warn"), ("min_release_age = 48h", "expected")):
        with open(path, "w") as f:
            f.write(bad + "\n")
        r = subprocess.run([BIN, "policy", "check", path], capture_output=True, text=True)
        assert r.returncode == 2 and why in r.stderr and r.stderr.count("\n") == 1, (bad, r)
    with open(path, "w") as f:
        f.write('[ignored]\n')
    r = subprocess.run([BIN, "policy", "check", path], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == f"ok: {path}\n", r


def test_uv_pip_takes_the_cutoff_and_keeps_its_own_config(tmp_path, uv_dir, json_index):
    box = UvBox(tmp_path, uv_dir)
    os.makedirs(box.root + "/.config/pkgtrail", exist_ok=True)
    with open(box.root + "/.config/pkgtrail/policy.toml", "w") as f:
        f.write('min_release_age = "48h"\n')
    r = box.uv("pip", "install", "--index-url", json_index, "fresh-pkg")
    assert r.returncode == 0, r
    assert disk_state(box.site)["fresh-pkg"] == "1.0"
    c = box.events()[-1]["policy"]["cooldown"]
    assert c["in_force"] and c["enforced_by"] == "UV_EXCLUDE_NEWER", c
    # A project's own exclude-newer is uv's to apply: not overridden, and said so.
    project = tmp_path / "proj"
    project.mkdir()
    (project / "uv.toml").write_text('exclude-newer = "2026-01-01T00:00:00Z"\n')
    r = box.uv("pip", "install", "--index-url", json_index, "fresh-pkg==1.0", cwd=str(project))
    assert b"cooldown not in force: uv's own exclude-newer in" in r.stderr, r
    c = box.events()[-1]["policy"]["cooldown"]
    assert c["in_force"] is False and str(project / "uv.toml") in c["note"], c


def test_an_index_without_upload_times_is_on_unsupported_to_decide(tmp_path, index):
    """pip fails every install once given a cut-off against an index that
    publishes no upload times (PEP 700; the HTML test index). pkgtrail asks
    the index first (once a day, kept by the URL's sha256): on_unsupported
    "warn" installs without the cooldown and says so, "block" refuses."""
    box = Sandbox(tmp_path, "current", twin=False)
    write_policy(box, 'min_release_age = "48h"\n')
    r = box.pip("install", "-q", "-i", index["simple"], "demo-lib")
    assert r.returncode == 0 and "demo-lib" in disk_state(box.site), r
    line = (f"cooldown not in force: {index['simple']} publishes no upload times (PEP 700), which pip needs to apply "
            "a cut-off")
    assert r.stderr.decode() == f"pkgtrail: warning: {line}\n", r
    c = box.last()["policy"]["cooldown"]
    assert c["in_force"] is False and c["cutoff"] is None and c["note"] == line.removeprefix("cooldown not in force: ")
    kept = os.listdir(os.path.join(box.home, ".local", "state", "pkgtrail", "policy"))
    assert [f for f in kept if f.startswith("index-")] == [f"index-{hashlib.sha256(index['simple'].encode()).hexdigest()}.txt"]
    box.pip("uninstall", "-y", "-q", "demo-lib")
    write_policy(box, 'min_release_age = "48h"\non_unsupported = "block"\n')
    r = box.pip("install", "-q", "-i", index["simple"], "demo-lib")
    assert r.returncode == 1 and r.stderr.decode().startswith("pkgtrail: blocked by policy: " + line[23:]), r
    assert box.last()["command"]["outcome"] == "blocked" and "demo-lib" not in disk_state(box.site)


def constraint_sha(lines):
    import hashlib
    return hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()


def test_a_deny_list_steers_the_resolver_and_refuses_what_is_named(tmp_path, index):
    """A denied version becomes a constraint the resolver honours (agentkit,
    which needs llmlib>=1.0, gets 1.1 instead of the denied 1.2, beside the
    user's own constraints); a denied version or project the command names
    is refused before pip runs."""
    box = Sandbox(tmp_path, "current", twin=False)
    path = write_policy(box, 'deny = ["LLMLib==1.2", "evil_pkg"]\n')
    i = ["-i", index["simple"]]
    r = box.pip("install", "-q", *i, "agentkit")
    assert r.returncode == 0, r
    assert disk_state(box.site)["llmlib"] == "1.1"
    d = box.last()["policy"]["deny"]
    assert d == {"entries": 2, "constraints_sha256": constraint_sha(["llmlib!=1.2"]),
                 "enforced_by": "--constraint (beside the command's own)", "found": [], "note": None}, d
    assert box.last()["command"]["argv"] == ["pip", "install", "-q", *i, "agentkit"]  # as the user typed it
    for args, what in ((["llmlib==1.2"], "llmlib 1.2"), (["evil-pkg"], "evil-pkg"),
                       ([index["files"] + "/llmlib-1.2-py3-none-any.whl"], "llmlib 1.2")):
        r = box.pip("install", "-q", *i, *args)
        assert r.returncode == 1, r
        (line,) = r.stderr.decode().splitlines()
        assert line.startswith(f"pkgtrail: blocked by policy: {what} is on the deny-list"), line
        assert path in line
        e = box.last()
        assert e["command"]["outcome"] == "blocked" and e["changes"] == []
    assert disk_state(box.site)["llmlib"] == "1.1"
    # Every version denied: pip's resolver fails cleanly, and one line says why it may have.
    box.pip("uninstall", "-y", "-q", "agentkit", "llmlib")
    write_policy(box, 'deny = ["llmlib==1.0", "llmlib==1.1", "llmlib==1.2"]\n')
    r = box.pip("install", "-q", *i, "agentkit")
    assert r.returncode == 1 and "llmlib" not in disk_state(box.site), r
    assert r.stderr.decode().endswith(
        "pkgtrail: warning: pip failed with the deny-list's 3 constraint lines in force (--constraint (beside the "
        "command's own)); a conflict on a denied version is the policy's doing: see `pkgtrail policy show`\n"), r
    assert box.last()["command"]["outcome"] == "failed"
    write_policy(box, 'deny = ["LLMLib==1.2", "evil_pkg"]\n')
    # The user's own constraints stay in force beside the policy's.
    own = tmp_path / "own.txt"
    own.write_text("llmlib!=1.1\n")
    r = box.pip("install", "-q", *i, "agentkit", extra={"PIP_CONSTRAINT": str(own)})
    assert r.returncode == 0 and disk_state(box.site)["llmlib"] == "1.0", r


def test_uv_takes_the_deny_list_beside_its_own_constraints(tmp_path, uv_dir, index):
    box = UvBox(tmp_path, uv_dir)
    os.makedirs(box.root + "/.config/pkgtrail", exist_ok=True)
    with open(box.root + "/.config/pkgtrail/policy.toml", "w") as f:
        f.write('deny = ["llmlib==1.2"]\n')
    i = ["--index-url", index["simple"]]
    assert box.uv("pip", "install", *i, "agentkit").returncode == 0
    assert disk_state(box.site)["llmlib"] == "1.1"
    assert box.events()[-1]["policy"]["deny"]["enforced_by"] == "UV_CONSTRAINT"
    box.uv("pip", "uninstall", "agentkit", "llmlib")
    own = tmp_path / "own.txt"
    own.write_text("llmlib!=1.1\n")
    # `-c` on uv's command line replaces UV_CONSTRAINT: the policy's file goes beside it there.
    r = box.uv("pip", "install", *i, "-c", str(own), "agentkit")
    assert r.returncode == 0 and disk_state(box.site)["llmlib"] == "1.0", r
    assert box.events()[-1]["policy"]["deny"]["enforced_by"] == "--constraint (beside the command's own)"
    r = box.uv("pip", "install", *i, "llmlib==1.2")
    assert r.returncode == 1 and b"blocked by policy: llmlib 1.2" in r.stderr, r


def project_locking_llmlib_12(tmp_path, uv_dir, index):
    """A uv project whose lock pins llmlib 1.2, added before any policy; its box, directory and environment."""
    box = UvBox(tmp_path, uv_dir)
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
                                            'dependencies = []\n\n[tool.uv]\npackage = false\n')
    env = box.env()
    env.pop("VIRTUAL_ENV")
    env["UV_PYTHON"] = "python3"
    assert box.uv("add", "--index-url", index["simple"], "llmlib==1.2", cwd=str(project), env=env).returncode == 0
    os.makedirs(box.root + "/.config/pkgtrail", exist_ok=True)
    return box, project, env


def test_a_locked_project_holding_a_denied_version_is_refused_before_uv_runs(tmp_path, uv_dir, index):
    """No constraint reaches `uv sync` from an existing lock: the lock itself is
    checked, and a project whose lock pins a denied version is refused."""
    box, project, env = project_locking_llmlib_12(tmp_path, uv_dir, index)
    with open(box.root + "/.config/pkgtrail/policy.toml", "w") as f:
        f.write('deny = ["llmlib==1.2"]\n')
    n = len(box.events())
    r = box.uv("sync", cwd=str(project), env=env)
    assert r.returncode == 1 and r.stderr.decode().startswith("pkgtrail: blocked by policy: llmlib 1.2"), r
    assert len(box.events()) == n + 1 and box.events()[-1]["command"]["outcome"] == "blocked"
    note = box.events()[-1]["policy"]["deny"]["note"]
    assert note.startswith("blocked by policy: llmlib 1.2"), note


def test_known_startup_hooks_are_marked_so_an_unknown_one_stands_out(tmp_path, index):
    """setuptools' distutils-precedence.pth, in every venv python makes, is
    listed as known; llmlib's .pth stays loud until the policy vouches for it."""
    box = Sandbox(tmp_path, "bundled", twin=False)
    assert box.pip("install", "-q", "-i", index["simple"], "demo-lib").returncode == 0
    first_seen = box.events()[0]
    hooks = first_seen["startup_hooks"] + [h for c in first_seen["changes"] for h in c["startup_hooks"]]
    assert any(h["path"].endswith("distutils-precedence.pth") for h in hooks), first_seen
    log = box.trail("log").stdout.decode()
    assert "!! STARTUP HOOK" not in log and "startup hook (known)" in log, log
    show = box.trail("show", str(first_seen["seq"])).stdout.decode()
    assert "known: setuptools 60–80 distutils-precedence.pth" in show, show
    assert box.pip("install", "-q", "-i", index["simple"], "llmlib==1.1").returncode == 0
    log = box.trail("log").stdout.decode().splitlines()
    assert "!! STARTUP HOOK" in log[-1], log
    who = json.loads(box.trail("who", "--json", "llmlib").stdout)
    (hook,) = who[-1]["startup_hooks"]
    assert hook["known"] is None and hook["executable_import"], hook
    write_policy(box, f'known_startup_hooks = ["{hook["sha256"]}"]\n')
    assert "!! STARTUP HOOK" not in box.trail("log").stdout.decode()
    who = json.loads(box.trail("who", "--json", "llmlib").stdout)
    assert who[-1]["startup_hooks"][0]["known"] == "listed in the policy"


def test_cooldown_exemptions_lift_only_the_files_own_cooldown(tmp_path, uv_dir, json_index):
    """uv takes per-package exemptions (--exclude-newer-package NAME=false);
    pip has no per-package form and says so; the user's exemption never lifts
    the administrator's cooldown."""
    box = UvBox(tmp_path, uv_dir)
    os.makedirs(box.root + "/.config/pkgtrail", exist_ok=True)
    with open(box.root + "/.config/pkgtrail/policy.toml", "w") as f:
        f.write('min_release_age = "48h"\ncooldown_exempt = ["Fresh_Pkg"]\n')
    r = box.uv("pip", "install", "--index-url", json_index, "fresh-pkg")
    assert r.returncode == 0 and disk_state(box.site)["fresh-pkg"] == "1.1", r
    c = box.events()[-1]["policy"]["cooldown"]
    assert c["in_force"] and c["note"] == "exempt: fresh-pkg", c
    assert box.events()[-1]["command"]["argv"] == ["uv", "pip", "install", "--index-url", json_index, "fresh-pkg"]
    box.uv("pip", "uninstall", "fresh-pkg")
    admin = tmp_path / "admin.toml"
    admin.write_text('min_release_age = "72h"\n')
    env = dict(box.env(), PKGTRAIL_ADMIN_POLICY=str(admin))
    r = box.uv("pip", "install", "--index-url", json_index, "fresh-pkg", env=env)
    assert r.returncode == 0 and disk_state(box.site)["fresh-pkg"] == "1.0", r
    assert box.events()[-1]["policy"]["cooldown"]["note"] is None

    pipbox = Sandbox(tmp_path / "pip", "current", twin=False)
    write_policy(pipbox, 'min_release_age = "48h"\ncooldown_exempt = ["fresh-pkg"]\n')
    assert pipbox.pip("install", "-q", "-i", json_index, "fresh-pkg").returncode == 0
    assert installed(pipbox) == "1.0"
    assert "no per-package form" in pipbox.last()["policy"]["cooldown"]["note"]


@pytest.mark.parametrize("source", ["by hand", "from advisories"])
def test_a_denied_version_no_constraint_reached_is_reported_and_recorded(tmp_path, uv_dir, index, source):
    """`uv tool install` takes no constraints: the denied llmlib 1.2 that
    agentkit (asked for `--with` the tool) pulls in is said on stderr and kept
    in the event; `uvx --from llmlib@1.2` is refused."""
    box = UvBox(tmp_path, uv_dir)
    os.makedirs(box.root + "/.config/pkgtrail", exist_ok=True)
    path = box.root + "/.config/pkgtrail/policy.toml"
    with open(path, "w") as f:
        f.write('deny = ["llmlib==1.2"]\n' if source == "by hand" else 'deny_advisories = ["MAL"]\n')
    if source == "from advisories":
        write_zip(tmp_path / "mal.zip", [LLMLIB_MAL])
        subprocess.run([BIN, "advisories", "import", "--db", box.db, str(tmp_path / "mal.zip")], check=True)
    why = (f"is on the deny-list (llmlib==1.2, {path})" if source == "by hand"
           else f"(MAL-2026-2144, alias PYSEC-2026-2; deny_advisories in {path})")
    env = box.env()
    env.pop("VIRTUAL_ENV")
    env.update(UV_PYTHON="python3", UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(tmp_path / "toolbin"))
    r = box.uv("tool", "install", "--index-url", index["simple"], "--with", "agentkit", "demo-app", cwd=str(tmp_path),
               env=env)
    assert r.returncode == 0, r
    assert f"pkgtrail: DENIED BY POLICY and installed: llmlib 1.2 {why}; remove it\n" in r.stderr.decode(), r
    e = box.events()[-1]
    assert ("llmlib", "1.2") in [(c["name"], c["to_version"]) for c in e["changes"]]
    assert e["policy"]["deny"]["found"] == ["llmlib==1.2"] and e["policy"]["deny"]["enforced_by"] is None, e["policy"]
    n = len(box.events())
    r = box.uv("tool", "run", "--index-url", index["simple"], "--from", "llmlib@1.2", "python", cwd=str(tmp_path),
               env=env)
    assert r.returncode == 1 and r.stderr.decode().startswith("pkgtrail: blocked by policy: llmlib 1.2"), r
    assert len(box.events()) == n + 1 and box.events()[-1]["command"]["outcome"] == "blocked"


# llmlib 1.2 malicious (as MAL-2026-2144 is: versions only, an alias), evil-pkg in every version.
LLMLIB_MAL = advisory("MAL-2026-2144", "2026-03-24T11:15:00Z", [pypi("LLMLib", versions=["1.2"])],
                      aliases=["PYSEC-2026-2"])
EVIL_MAL = advisory("MAL-2026-0666", "2026-03-20T00:00:00Z",
                    [pypi("Evil_Pkg", versions=["0.1"], ranges=[[{"introduced": "0"}]])])


def import_advisories(box, tmp_path, docs, name="mal.zip"):
    z = tmp_path / name
    write_zip(z, docs)
    box.trail("advisories", "import", str(z))


def test_a_deny_list_from_imported_mal_advisories(tmp_path, index):
    """deny_advisories = ["MAL"] over a generated database of 10,000 projects
    malicious in every version and 50 with one bad version: the 51 single
    versions become constraints, the rest is looked up by name; what a
    command names is refused with the advisory's id; a withdrawal lifts it."""
    box = Sandbox(tmp_path, "current", twin=False)
    i = ["-i", index["simple"]]
    # Asked for and not there: said, recorded, and refused where the policy says so.
    write_policy(box, 'deny_advisories = ["MAL"]\non_unsupported = "block"\n')
    r = box.pip("install", "-q", *i, "demo-lib")
    assert r.returncode == 1 and "blocked by policy: deny_advisories" in r.stderr.decode(), r
    assert "no advisories at" in r.stderr.decode() and "pkgtrail advisories import" in r.stderr.decode()
    path = write_policy(box, 'deny_advisories = ["MAL"]\n')
    r = box.pip("install", "-q", *i, "demo-lib")
    assert r.returncode == 0 and r.stderr.decode().startswith("pkgtrail: warning: deny-list not complete: deny_advisories"), r
    assert "no advisories at" in box.last()["policy"]["deny"]["note"]
    (shown,) = json.loads(subprocess.run([BIN, "policy", "show", "--json"], capture_output=True, env=box.env(),
                                         check=True).stdout)["deny_advisories"]
    assert shown["selected"] is None and shown["store"] == os.path.join(os.path.dirname(box.db), "advisories.db")
    assert shown["problem"] == box.last()["policy"]["deny"]["note"], shown  # the recorder's words, as it reads them

    import_advisories(box, tmp_path, mal_database() + [LLMLIB_MAL, EVIL_MAL])
    r = box.pip("install", "-q", *i, "agentkit")
    assert r.returncode == 0 and r.stderr == b"", r
    assert disk_state(box.site)["llmlib"] == "1.1"
    d = box.last()["policy"]["deny"]
    lines = sorted(["llmlib!=1.2"] + [f"mal-pkg-{n}!=1.0" for n in range(50)])
    assert d["constraints_sha256"] == constraint_sha(lines) and d["constraints"] == 51, d
    assert d["entries"] == 0 and d["enforced_by"] == "--constraint (beside the command's own)" and d["note"] is None
    (a,) = d["advisories"]
    assert a["selected"] == 10_052 and a["prefixes"] == ["MAL"] and a["newest_modified"] == "2026-05-01T00:00:00Z", a
    assert a["store"] == os.path.join(os.path.dirname(box.db), "advisories.db") and a["imported"], a

    def refused(args, line):
        n = len(box.events())
        r = box.pip("install", "-q", *i, *args)
        assert r.returncode == 1 and r.stderr.decode() == f"pkgtrail: {line}\n", r
        assert len(box.events()) == n + 1 and box.last()["command"]["outcome"] == "blocked"
        assert box.last()["policy"]["deny"]["note"].startswith(line)

    def policy_show(*args):
        return subprocess.run([BIN, "policy", "show", *args], capture_output=True, env=box.env(), check=True).stdout

    shown = json.loads(policy_show("--json"))["deny_advisories"]
    assert [(s["prefixes"], s["from"], s["selected"], s["constraints"]) for s in shown] == [(["MAL"], path, 10_052, 51)]
    text = policy_show().decode()
    assert f"deny_advisories MAL  (from {path})" in text and "10052 advisories selected" in text, text

    mal = f"(MAL-2026-2144, alias PYSEC-2026-2; deny_advisories in {path})"
    refused(["llmlib==1.2"], f"blocked by policy: llmlib 1.2 {mal}")
    (tmp_path / "req.txt").write_text("demo-lib\nEvil_Pkg>=0.1  # a typosquat a mirror still serves\n")
    refused(["-r", str(tmp_path / "req.txt")],
            f"blocked by policy: evil-pkg (MAL-2026-0666; deny_advisories in {path})")
    (tmp_path / "pins.txt").write_text("llmlib==1.2\n")
    refused(["-c", str(tmp_path / "pins.txt"), "agentkit"], f"blocked by policy: llmlib 1.2 {mal}")
    refused(["typo-squat-9999"], f"blocked by policy: typo-squat-9999 (MAL-2026-19999; deny_advisories in {path})")
    assert disk_state(box.site)["llmlib"] == "1.1"

    # Withdrawn upstream and imported again: the deny-list follows the store.
    withdrawn = dict(LLMLIB_MAL, modified="2026-03-25T00:00:00Z", withdrawn="2026-03-25T00:00:00Z")
    import_advisories(box, tmp_path, [withdrawn], name="update.zip")
    r = box.pip("install", "-q", *i, "llmlib==1.2")
    assert r.returncode == 0 and disk_state(box.site)["llmlib"] == "1.2", r
    d = box.last()["policy"]["deny"]
    assert d["constraints"] == 50 and d["advisories"][0]["selected"] == 10_051, d


def test_uv_add_sync_and_pylock_are_checked_against_the_advisories(tmp_path, uv_dir, index):
    """No constraint reaches a locked `uv sync` or a pylock.toml; `uv add`
    of a denied version is refused before the project changes."""
    box, project, env = project_locking_llmlib_12(tmp_path, uv_dir, index)
    path = box.root + "/.config/pkgtrail/policy.toml"
    with open(path, "w") as f:
        f.write('deny_advisories = ["MAL"]\n')
    z = tmp_path / "mal.zip"
    write_zip(z, mal_database(whole=100, versioned=5) + [LLMLIB_MAL, EVIL_MAL])
    assert subprocess.run([BIN, "advisories", "import", "--db", box.db, str(z)], capture_output=True).returncode == 0
    mal = f"(MAL-2026-2144, alias PYSEC-2026-2; deny_advisories in {path})"
    n = len(box.events())
    r = box.uv("sync", cwd=str(project), env=env)
    assert r.returncode == 1 and r.stderr.decode() == f"pkgtrail: blocked by policy: llmlib 1.2 {mal}\n", r
    pyproject = (project / "pyproject.toml").read_text()
    r = box.uv("add", "--index-url", index["simple"], "agentkit", "llmlib==1.2", cwd=str(project), env=env)
    assert r.returncode == 1 and f"blocked by policy: llmlib 1.2 {mal}" in r.stderr.decode(), r
    assert (project / "pyproject.toml").read_text() == pyproject
    (tmp_path / "pylock.toml").write_text(
        'lock-version = "1.0"\ncreated-by = "hand"\n\n[[packages]]\nname = "demo-lib"\nversion = "1.0"\n\n'
        '[[packages]]\nname = "evil-pkg"\nversion = "0.1"\n\n[[packages.wheels]]\nname = "evil_pkg-0.1-py3-none-any.whl"\n')
    r = box.uv("pip", "install", "-r", str(tmp_path / "pylock.toml"))
    assert r.returncode == 1 and r.stderr.decode().startswith("pkgtrail: blocked by policy: evil-pkg 0.1 (MAL-2026-0666")
    assert [e["command"]["outcome"] for e in box.events()[n:]] == ["blocked"] * 3


def test_a_new_unknown_startup_hook_fails_the_command_and_is_left_in_place(tmp_path, index):
    """block_new_startup_hooks: llmlib 1.1's .pth is installed and recorded,
    named on stderr, and the command exits 1; a hook already there, or one
    the policy vouches for, passes."""
    box = Sandbox(tmp_path, "current", twin=False)
    i = ["-i", index["simple"]]
    write_policy(box, "block_new_startup_hooks = true\n")
    assert box.pip("install", "-q", *i, "demo-lib").returncode == 0
    assert box.last()["policy"]["unknown_startup_hooks"] == []
    r = box.pip("install", "-q", *i, "llmlib==1.1")
    pth = box.site + "/llmlib_init.pth"
    assert r.returncode == 1 and disk_state(box.site)["llmlib"] == "1.1" and os.path.exists(pth), r
    sha = sha256_file(pth)
    assert r.stderr.decode() == (
        f"pkgtrail: UNKNOWN STARTUP HOOK from llmlib 1.1: {pth} (sha256 {sha}) runs at every Python start; left in "
        "place, exit status 1 (block_new_startup_hooks): review it, then uninstall llmlib or vouch for it in "
        "known_startup_hooks\n"), r
    e = box.last()
    assert e["command"]["exit_status"] == 0 and e["command"]["outcome"] == "ok", e["command"]
    assert e["policy"]["unknown_startup_hooks"] == [pth]
    assert [(c["name"], c["to_version"]) for c in e["changes"]] == [("llmlib", "1.1")]
    # Already there: not new. Vouched for: known.
    assert box.pip("install", "-q", *i, "agentkit", "--no-deps").returncode == 0
    box.pip("uninstall", "-y", "-q", "llmlib")
    write_policy(box, f'block_new_startup_hooks = true\nknown_startup_hooks = ["{sha}"]\n')
    r = box.pip("install", "-q", *i, "llmlib==1.1")
    assert r.returncode == 0 and r.stderr == b"", r
    assert box.last()["policy"]["unknown_startup_hooks"] == []
