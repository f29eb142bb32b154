"""`uv pip install|uninstall|sync` through the shims: same bytes and status
as bare uv, the log equal to the disk, artifact hashes from uv's cache or
the wheel file itself; other uv commands pass straight through."""
import hashlib
import os
import re
import signal
import subprocess
import tarfile
import time

import pytest
from conftest import BASE_PATH, BIN, SHIMS, UvBox, changes, disk_state, replayed_state, served_sha256
from wheels import build_index, make_sdist, make_wheel, serve


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

@pytest.fixture
def box(tmp_path, uv_dir):
    return UvBox(tmp_path, uv_dir)


def test_uv_pip_install_uninstall_sync(box, index):
    i = ["--index-url", index["simple"]]
    box.both("pip", "install", *i, "demo-app")
    e = box.events()[-1]
    assert e["command"]["tool"] == "uv" and e["command"]["tool_version"] == "0.13.9"
    assert changes(e) == [("demo-app", "install", None, "1.0"), ("demo-lib", "install", None, "1.1")]
    app, lib = e["changes"]
    assert app["requested"] is True and lib["requested"] is False
    assert app["installer"] == "uv"
    assert app["artifact"]["hash_source"] == "uv-cache-v8"
    assert app["artifact"]["url"] == index["url"] + "/files/demo_app-1.0-py3-none-any.whl"
    assert {"kind": "index", "url": index["simple"], "origin": "argv"} in e["sources"]
    assert e["environment"]["prefix"] == box.venv and e["environment"]["is_venv"] is True
    box.check_disk(index)

    box.both("pip", "install", *i, "demo-lib==1.0")
    assert changes(box.events()[-1]) == [("demo-lib", "downgrade", "1.1", "1.0")]
    wheel = index["files"] + "/llmlib-1.1-py3-none-any.whl"
    box.both("pip", "install", wheel)
    e = box.events()[-1]
    [c] = e["changes"]
    assert c["artifact"]["hash_source"] == "file" and c["artifact"]["sha256"] == served_sha256(index, os.path.basename(wheel))
    assert c["startup_hooks"][0]["executable_import"] is True

    box.both("pip", "uninstall", "llmlib")
    assert changes(box.events()[-1]) == [("llmlib", "remove", "1.1", None)]
    with open(box.root + "/req.txt", "w") as f:
        f.write("demo-lib==1.1\n")
    box.both("pip", "sync", *i, "req.txt")
    assert changes(box.events()[-1]) == [("demo-app", "remove", "1.0", None), ("demo-lib", "upgrade", "1.0", "1.1")]
    box.check_disk(index)
    # uv's own bytecode compilation is not drift.
    box.both("pip", "install", *i, "--compile-bytecode", "demo-app")
    assert any(f.endswith(".pyc") for _, _, fs in os.walk(box.site + "/demo_app") for f in fs)
    r = subprocess.run([BIN, "scan", "--db", box.db, box.venv], capture_output=True, env=box.env())
    assert r.returncode == 0, r.stdout
    assert [e["kind"] for e in box.events()].count("drift") == 0


def test_uv_finds_dot_venv_upward_and_fails_like_uv_without_one(box, index, tmp_path):
    project = tmp_path / "proj"
    (project / "sub").mkdir(parents=True)
    subprocess.run([box.uv_dir + "/uv", "venv", "-q", "--python", "python3", str(project / ".venv")], check=True,
                   env=box.env(bare=True))
    env = box.env()
    env.pop("VIRTUAL_ENV")
    r = box.uv("pip", "install", "--index-url", index["simple"], "demo-lib==1.0", cwd=str(project / "sub"), env=env)
    assert r.returncode == 0, r.stderr
    e = box.events()[-1]
    assert e["environment"]["prefix"] == str(project / ".venv")
    assert changes(e) == [("demo-lib", "install", None, "1.0")]
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    bare_env = box.env(bare=True)
    bare_env.pop("VIRTUAL_ENV")
    bare = box.uv("pip", "install", "demo-lib", cwd=str(lonely), env=bare_env)
    rec = box.uv("pip", "install", "demo-lib", cwd=str(lonely), env=env)
    assert rec.returncode == bare.returncode == 2 and rec.stderr == bare.stderr


def test_other_uv_commands_pass_through(box):
    for args in (["--version"], ["pip", "list"], ["pip", "install", "--help"], ["pip", "install", "--dry-run", "x"]):
        r = box.uv(*args)
        b = box.uv(*args, bare=True)
        assert r.returncode == b.returncode, args
        if args == ["--version"]:
            assert r.stdout == b.stdout and r.stdout.startswith(b"uv 0.13.9 ")
    assert not os.path.exists(box.db)


def test_uv_killed_by_sigint_is_mirrored(box, tmp_path):
    """SIGINT sent to the recorder reaches uv, which dies of it as bare uv does.

    Each run gets its own listening socket, so a connection left in the
    backlog by the bare run can never stand for the recorded run's uv (the
    signal would then be sent before uv started); a run that does not end
    fails with the process tree rather than hanging."""
    import socket
    results = []
    for bare in (True, False):
        with socket.socket() as srv:
            srv.bind(("127.0.0.1", 0))
            srv.listen(8)
            srv.settimeout(60)
            url = f"http://127.0.0.1:{srv.getsockname()[1]}/simple/"
            p = subprocess.Popen(["uv", "pip", "install", "--index-url", url, "demo-lib"], env=box.env(bare),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            conn, _ = srv.accept()  # uv itself is running and waiting for the index
            time.sleep(0.2)
            p.send_signal(signal.SIGINT)
            try:
                p.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                tree = subprocess.run(["ps", "-e", "-o", "pid,ppid,stat,args"], capture_output=True, text=True).stdout
                p.kill()
                pytest.fail(f"{'bare' if bare else 'recorded'} uv did not end after SIGINT:\n{tree}")
            finally:
                conn.close()
            results.append(p.returncode)
    assert results[1] == results[0]
    e = box.events()[-1]
    assert e["command"]["outcome"] == "interrupted"


PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = []\n\n[tool.uv]\npackage = false\n'


def test_uv_project_add_remove_sync_run(box, index, tmp_path):
    import hashlib
    projects = {}
    for side in ("rec", "bare"):
        d = tmp_path / side / "app"
        d.mkdir(parents=True)
        (d / "pyproject.toml").write_text(PYPROJECT)
        projects[side] = d

    def both(*args):
        out = []
        for side, bare in (("bare", True), ("rec", False)):
            env = box.env(bare)
            env.pop("VIRTUAL_ENV")
            env["UV_PYTHON"] = "python3"
            out.append(box.uv(*args, cwd=str(projects[side]), env=env))
        norm = lambda b: re.sub(rb"in [0-9.]+m?s", b"in Ts", b)
        assert out[1].returncode == out[0].returncode, out
        assert out[1].stdout == out[0].stdout and norm(out[1].stderr) == norm(out[0].stderr), out
        return out[1]

    venv = str(projects["rec"] / ".venv")
    lock = projects["rec"] / "uv.lock"
    both("add", "--index-url", index["simple"], "demo-app")
    e = box.events()[-1]
    assert e["environment"]["prefix"] == venv
    assert changes(e) == [("demo-app", "install", None, "1.0"), ("demo-lib", "install", None, "1.1")]
    app, lib = e["changes"]
    assert app["requested"] is True and lib["requested"] is False and lib["required_by"] == ["demo-app"]
    for c in e["changes"]:
        assert c["artifact"]["hash_source"] == "uv.lock"
        assert c["artifact"]["sha256"] == served_sha256(index, c["artifact"]["filename"])
    assert e["lockfile"] == {"path": str(lock), "sha256_before": None,
                             "sha256_after": hashlib.sha256(lock.read_bytes()).hexdigest()}
    assert {"kind": "index", "url": index["simple"], "origin": "uv.lock"} in e["sources"]

    both("remove", "demo-app")
    e = box.events()[-1]
    assert changes(e) == [("demo-app", "remove", "1.0", None), ("demo-lib", "remove", "1.1", None)]
    assert e["lockfile"]["sha256_before"] != e["lockfile"]["sha256_after"]
    n = len(box.events())
    both("sync")
    assert len(box.events()) == n + 1 and changes(box.events()[-1]) == []
    both("run", "--no-sync", "python", "-c", "print(1)")
    assert len(box.events()) == n + 1  # --no-sync changes nothing: not recorded
    r = box.uv("run", "python", "-c", "print(2)", cwd=str(projects["rec"]))
    assert r.stdout == b"2\n" and len(box.events()) == n + 2
    assert replayed_state(box.events(), venv) == disk_state(venv + "/lib/python3.11/site-packages")

    # `uv run --with`: the project environment and the ephemeral overlay, one event each.
    n = len(box.events())
    r = box.uv("run", "--index-url", index["simple"], "--with", "llmlib==1.1", "python", "-c", "import llmlib",
               cwd=str(projects["rec"]))
    assert r.returncode == 0, r.stderr
    project_event, overlay = box.events()[n:]
    assert project_event["environment"]["prefix"] == venv and changes(project_event) == []
    assert "/uv-cache/archive-v0/" in overlay["environment"]["prefix"]
    assert changes(overlay) == [("llmlib", "install", None, "1.1")]
    assert overlay["changes"][0]["startup_hooks"][0]["executable_import"] is True
    assert overlay["changes"][0]["artifact"]["sha256"] == served_sha256(index, "llmlib-1.1-py3-none-any.whl")
    assert overlay["command"] == project_event["command"]
    box.uv("run", "--index-url", index["simple"], "--with", "llmlib==1.1", "python", "-c", "pass", cwd=str(projects["rec"]))
    again = box.events()[-1]
    assert again["environment"]["prefix"] == overlay["environment"]["prefix"] and changes(again) == []
    assert subprocess.run([BIN, "verify", "--db", box.db], capture_output=True).returncode == 0


def test_uv_venv_and_uv_tool(box, index, tmp_path):
    env = box.env()
    env.pop("VIRTUAL_ENV")
    env.update(UV_PYTHON="python3", UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(tmp_path / "toolbin"))
    r = box.uv("venv", "made", cwd=str(tmp_path), env=env)
    assert r.returncode == 0, r.stderr
    e = box.events()[-1]
    assert e["environment"]["prefix"] == str(tmp_path / "made") and e["environment"]["is_venv"] is True
    assert e["notes"] == ["uv venv created this environment"] and changes(e) == []
    assert box.uv("venv", "--clear", "made", cwd=str(tmp_path), env=env).returncode == 0
    assert box.events()[-1]["notes"] == ["uv venv replaced this environment"]

    r = box.uv("tool", "install", "--index-url", index["simple"], "demo-app", cwd=str(tmp_path), env=env)
    assert r.returncode == 0, r.stderr
    assert os.path.exists(tmp_path / "toolbin" / "demo-app")
    e = box.events()[-1]
    assert e["environment"]["prefix"] == str(tmp_path / "tools" / "demo-app")
    assert changes(e) == [("demo-app", "install", None, "1.0"), ("demo-lib", "install", None, "1.1")]
    assert e["changes"][0]["requested"] is True and e["changes"][1]["requested"] is False
    for c in e["changes"]:
        assert c["artifact"]["hash_source"] == "uv-cache-v8"
        assert c["artifact"]["sha256"] == served_sha256(index, c["artifact"]["filename"])
    import hashlib
    receipt = tmp_path / "tools" / "demo-app" / "uv-receipt.toml"
    assert e["tool"] == {"name": "demo-app", "receipt_path": str(receipt),
                         "receipt_sha256": hashlib.sha256(receipt.read_bytes()).hexdigest(),
                         "executables": [str(tmp_path / "toolbin" / "demo-app")]}
    assert box.uv("tool", "uninstall", "demo-app", cwd=str(tmp_path), env=env).returncode == 0
    e = box.events()[-1]
    assert changes(e) == [("demo-app", "remove", "1.0", None), ("demo-lib", "remove", "1.1", None)]
    assert e["tool"]["receipt_sha256"] is None and e["tool"]["executables"] == []
    r = subprocess.run([BIN, "verify", "--db", box.db], capture_output=True)
    assert r.returncode == 0, r.stdout


def test_uvx_records_the_ephemeral_environment_built_or_reused(box, index):
    def run(*args):
        out = []
        for bare in (True, False):
            env = box.env(bare)
            env.pop("VIRTUAL_ENV")
            env["UV_PYTHON"] = "python3"
            out.append(subprocess.run(list(args), env=env, capture_output=True, cwd=box.root, timeout=120))
        norm = lambda b: re.sub(rb"in [0-9.]+m?s", b"in Ts", b)
        assert (out[1].returncode, out[1].stdout, norm(out[1].stderr)) == (out[0].returncode, out[0].stdout, norm(out[0].stderr))
        return out[1]

    assert run("uvx", "--index-url", index["simple"], "--from", "demo-app", "demo-app").stdout == b"demo-app 1.0\n"
    built = box.events()[-1]
    assert "/uv-cache/archive-v0/" in built["environment"]["prefix"]
    assert changes(built) == [("demo-app", "install", None, "1.0"), ("demo-lib", "install", None, "1.1")]
    assert built["changes"][0]["requested"] is True
    for c in built["changes"]:
        assert c["artifact"]["sha256"] == served_sha256(index, c["artifact"]["filename"])
    assert built["notes"] == ["ephemeral environment built by uv for this run"]
    assert built["command"]["argv"][0] == "uvx"

    run("uv", "tool", "run", "--index-url", index["simple"], "demo-app")
    reused = box.events()[-1]
    assert reused["environment"]["prefix"] == built["environment"]["prefix"]
    assert changes(reused) == [] and reused["state_before"] == reused["state_after"] == built["state_after"]
    assert reused["notes"] == ["cached ephemeral environment reused by uv for this run"]
    run("uvx", "--version")
    assert box.events()[-1]["id"] == reused["id"]  # --version changes nothing: not recorded
    # After the command, arguments are the command's: code from the environment ran each time.
    for args in (["demo-app", "--version"], ["demo-app", "check", "--help"], ["--with", "llmlib", "demo-app", "--", "--version"]):
        count = len(box.events())
        assert run("uvx", "--index-url", index["simple"], *args).stdout == b"demo-app 1.0\n"
        e = box.events()[-1]
        assert len(box.events()) == count + 1 and e["command"]["argv"] == ["uvx", "--index-url", index["simple"], *args]
        assert "/uv-cache/archive-v0/" in e["environment"]["prefix"]
    assert [c["name"] for c in box.events()[-1]["changes"]] == ["demo-app", "demo-lib", "llmlib"]
    assert subprocess.run([BIN, "verify", "--db", box.db], capture_output=True).returncode == 0


def test_uv_artifacts_from_every_source(box, index, tmp_path):
    """Each source uv supports gets the sha256 uv verified or stored, or a
    note that says why not (SPEC: a null hash never goes unexplained)."""
    sdists = tmp_path / "sdist-index"
    staging = tmp_path / "staging"
    staging.mkdir()
    built = [make_sdist(str(staging), "sdx", "0.4"), make_wheel(str(staging), "flk", "2.0")]
    files = build_index(str(sdists), built)
    server, url = serve(str(sdists))
    local = make_sdist(str(tmp_path), "sdlocal", "0.5")
    src = tmp_path / "src"
    with tarfile.open(make_sdist(str(staging), "sdgit", "0.6")) as t:
        t.extractall(src)
    repo = src / "sdgit-0.6"
    git = lambda *a: subprocess.run(["git", "-C", str(repo), *a], check=True, capture_output=True,
                                    env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                                         "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "one")
    commit = git("rev-parse", "HEAD").stdout.decode().strip()
    with tarfile.open(make_sdist(str(staging), "sddir", "0.7")) as t:
        t.extractall(src)

    def one(*args):
        box.both("pip", "install", *args)
        [c] = box.events()[-1]["changes"]
        return c, box.events()[-1]["notes"]
    try:
        c, notes = one("--no-index", "--find-links", url + "/files/", "flk==2.0")
        assert (c["artifact"]["sha256"], c["artifact"]["hash_source"]) == (sha256_file(files + "/flk-2.0-py3-none-any.whl"), "uv-cache-v8")
        c, notes = one(f"agentkit @ {index['url']}/files/agentkit-1.0-py3-none-any.whl", "--no-deps")
        assert c["artifact"]["sha256"] == served_sha256(index, "agentkit-1.0-py3-none-any.whl")
        assert c["artifact"]["url"] == f"{index['url']}/files/agentkit-1.0-py3-none-any.whl"
        c, notes = one("--index-url", url + "/simple/", "sdx==0.4")
        assert (c["artifact"]["sha256"], c["artifact"]["hash_source"]) == (sha256_file(files + "/sdx-0.4.tar.gz"), "uv-cache-sdists-v11")
        assert "sdx 0.4: uv built the installed wheel from this sdist; the sha256 is the sdist's" in notes
        c, notes = one(local)
        assert (c["artifact"]["sha256"], c["artifact"]["hash_source"]) == (sha256_file(local), "file")
        assert any("the sha256 is the local sdist's" in n for n in notes)
        c, notes = one(f"sdgit @ git+file://{repo}")
        assert c["artifact"]["url"] == f"git+file://{repo}@{commit}" and c["artifact"]["sha256"] is None
        assert f"sdgit 0.6 was built from git file://{repo} at commit {commit}: no archive exists, so no sha256" in notes
        c, notes = one(str(src / "sddir-0.7"))
        assert c["artifact"]["sha256"] is None
        assert f"sddir 0.7 was built from the local directory {src}/sddir-0.7: no archive exists, so no sha256" in notes
        c, notes = one("--no-cache", "--index-url", index["simple"], "llmlib==1.2")
        assert c["artifact"]["sha256"] is None
        assert "llmlib 1.2: uv ran without a cache (--no-cache), so the hashes it verified were not kept" in notes
        # Every null hash in the log says why.
        for e in box.events():
            for c in e["changes"]:
                if e["kind"] == "install" and not (c["artifact"] or {}).get("sha256") and c["action"] != "remove":
                    assert any(c["name"] in n for n in e["notes"]), (c, e["notes"])
    finally:
        server.terminate()
        server.wait()


def test_uv_pip_target_python_and_system_options(box, index, tmp_path):
    i = ["--index-url", index["simple"]]
    target = str(tmp_path / "target")
    assert box.uv("pip", "install", *i, "--target", target, "demo-lib==1.0").returncode == 0
    e = box.events()[-1]
    assert e["environment"]["prefix"] == target and e["environment"]["site_dirs"] == [target]
    assert changes(e) == [("demo-lib", "install", None, "1.0")]
    # --python given as a path wins over VIRTUAL_ENV.
    r = box.uv("pip", "install", *i, "--python", box.twin + "/bin/python", "demo-lib==1.1")
    assert r.returncode == 0, r.stderr
    e = box.events()[-1]
    assert e["environment"]["prefix"] == box.twin and changes(e) == [("demo-lib", "install", None, "1.1")]
    # --system skips virtual environments, even one first on PATH: uv targets /usr's python, which
    # Debian marks externally managed, so uv refuses (exit 2) and nothing changes — recorded as such.
    env = box.env()
    env.pop("VIRTUAL_ENV")
    env["PATH"] = f"{SHIMS}:{box.uv_dir}:{box.venv}/bin:{BASE_PATH}"
    r = subprocess.run(["uv", "pip", "install", *i, "--system", "llmlib==1.0"], env=env, capture_output=True, cwd=box.root)
    assert r.returncode == 2 and b"externally managed" in r.stderr
    e = box.events()[-1]
    assert e["environment"]["is_venv"] is False and e["environment"]["prefix"] == "/usr"
    assert e["command"]["outcome"] == "failed" and changes(e) == []
