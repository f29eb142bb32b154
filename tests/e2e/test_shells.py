"""Issue 10: every install a person types is recorded. Real interactive
bash, zsh and fish on a pseudo-terminal, a fresh HOME whose startup file
holds the README's line verbatim followed by lines that beat PATH shims
(a pyenv-style shims directory, uv's env file), and the habits people have:
activated venvs, `python -m pip`, pip3.N, uv, subshells, scripts, a second
`source` of the startup file, `exec` of a new shell. Each line is typed
twice, with pkgtrail and in a twin without it: same bytes, same status, and
with pkgtrail exactly one install event whose argv is what was typed."""
import json
import os
import re
import shutil
import subprocess
import time

import pytest
from conftest import BASE_PATH, BIN, TOOLS, isolated_env, make_venv
from layout import make_shims
from shells import (ACTIVATE, RC_FILE, Session, install_layout, install_uv_like_its_installer, pyenv_like_shims,
                    write_rc)

SHELLS = ["bash", "zsh", "fish"]


@pytest.fixture(scope="session", autouse=True)
def shells_installed():
    missing = [s for s in SHELLS if shutil.which(s) is None]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: run `make shells` (scripts/debian.sh installs them from Debian)")


class World:
    """One side of a comparison: a HOME, venvs, a project, a script."""

    def __init__(self, root, shell, uv_dir, index, covered):
        self.root, self.shell, self.covered = root, shell, covered
        self.home = root + "/home"
        self.db = root + "/trail.db"
        os.makedirs(self.home)
        os.makedirs(root + "/o")
        self.shims = install_layout(self.home) if covered else None
        install_uv_like_its_installer(self.home, uv_dir)
        make_venv(root + "/v", "current")
        make_venv(root + "/p", "current")
        pyenv_like_shims(root, root + "/p")
        write_rc(self.home, shell, root, covered)
        os.makedirs(root + "/proj")
        with open(root + "/proj/pyproject.toml", "w") as f:
            f.write('[project]\nname = "proj"\nversion = "0.1"\nrequires-python = ">=3.8"\ndependencies = []\n')
        with open(root + "/deploy.sh", "w") as f:
            f.write(f"#!/bin/bash\nset -e\n. {root}/v/bin/activate\npip install demo-lib==1.0\n")
        self.env = isolated_env(self.home, self.db, {
            "PATH": BASE_PATH, "PIP_INDEX_URL": index["simple"], "UV_INDEX_URL": index["simple"],
            "UV_CACHE_DIR": root + "/uv-cache", "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1",
            "TERM": "dumb"})
        for name in ("SHELL", "BASH_ENV", "ENV"):
            self.env.pop(name, None)

    def session(self):
        return Session(self.shell, self.env, self.root)

    def events(self):
        if not os.path.exists(self.db):
            return []
        r = subprocess.run([BIN, "log", "--json", "--db", self.db], capture_output=True, env=self.env)
        assert r.returncode == 0, r
        return json.loads(r.stdout)


def habits(shell, root):
    """(typed line, expected argv of its one install event or None, tool, environment)."""
    act, rc = ACTIVATE[shell], "~/" + RC_FILE[shell]
    sub = ("fish -c 'pip install llmlib==1.1'" if shell == "fish" else "( pip install llmlib==1.1 )")
    out = [
        # No venv: the pyenv-style launcher that the line after ours put first on PATH.
        ("pip install --target t1 demo-lib==1.0", "pip install --target t1 demo-lib==1.0", "pip", root + "/t1"),
        ("python -m pip install llmlib==1.0", "python -m pip install llmlib==1.0", "pip", root + "/p"),
        ("python -c 'import sys; print(sys.prefix)'", None, None, None),
        ("python3 --version", None, None, None),
        (act, None, None, None),
        ("pip install demo-lib==1.0", "pip install demo-lib==1.0", "pip", root + "/v"),
        ("pip3 install llmlib==1.0", "pip3 install llmlib==1.0", "pip", root + "/v"),
        ("pip3.11 install llmlib==1.2", "pip3.11 install llmlib==1.2", "pip", root + "/v"),
        ("python -m pip install agentkit", "python -m pip install agentkit", "pip", root + "/v"),
        ("python3 -m pip install demo-lib==1.1", "python3 -m pip install demo-lib==1.1", "pip", root + "/v"),
        ("python -c 'import sys; print(sys.prefix)'", None, None, None),
        ("python3.11 -m pip list", None, None, None),
        ("uv pip install demo-app", "uv pip install demo-app", "uv", root + "/v"),
        # fish has no subshell: `fish -c` reads config.fish again, whose
        # pyenv-style line puts p's pip ahead of the venv (bare fish alike).
        (sub, "pip install llmlib==1.1", "pip", root + ("/p" if shell == "fish" else "/v")),
        ("bash deploy.sh", "pip install demo-lib==1.0", "pip", root + "/v"),
        ("cd proj", None, None, None),
        ("uv add demo-lib", "uv add demo-lib", "uv", root + "/proj/.venv"),
        ("cd ..", None, None, None),
        ("deactivate", None, None, None),
        ("pip install --target t2 llmlib==1.0", "pip install --target t2 llmlib==1.0", "pip", root + "/t2"),
        (f"source {rc}", None, None, None),
        ("pip install --target t3 demo-lib==1.1", "pip install --target t3 demo-lib==1.1", "pip", root + "/t3"),
    ]
    if shell != "fish":
        out.insert(13, ("hash -r", None, None, None))
    return out


def normalized(data, world):
    """What may differ between the twins: where they live, and uv's timings."""
    return re.sub(rb"in [0-9.]+m?s", b"in Ts", data.replace(world.root.encode(), b"ROOT"))


def typed_with_output(world, n, line):
    return f"{line} >{world.root}/o/{n}.out 2>{world.root}/o/{n}.err"


def read_output(world, n):
    with open(f"{world.root}/o/{n}.out", "rb") as a, open(f"{world.root}/o/{n}.err", "rb") as b:
        return a.read(), b.read()


@pytest.mark.parametrize("shell", SHELLS)
def test_every_habit_is_recorded_as_typed(shell, tmp_path, uv_dir, index):
    covered = World(str(tmp_path / "c"), shell, uv_dir, index, True)
    bare = World(str(tmp_path / "b"), shell, uv_dir, index, False)
    lines = habits(shell, covered.root)
    results = {}
    for world in (bare, covered):
        session = world.session()
        try:
            seen = len(world.events())
            for n, (line, argv, tool, prefix) in enumerate(lines):
                status = session.run(typed_with_output(world, n, line))
                results.setdefault(n, []).append((status, *read_output(world, n)))
                if not world.covered:
                    continue
                events = world.events()
                new = [e for e in events[seen:] if e["kind"] == "install"]
                seen = len(events)
                if argv is None:
                    assert new == [], (line, new)
                    continue
                assert len(new) == 1, (line, new)
                e = new[0]
                assert e["command"]["argv"] == argv.split(), line
                assert e["command"]["tool"] == tool, line
                assert e["environment"]["prefix"] == prefix, line
                assert e["command"]["outcome"] == "ok", (line, e)
                assert e["changes"], (line, e)
            # `exec` replaces the shell: the new one reads the startup file again.
            session.send(f"exec {shell}\n")
            assert session.run("true") == 0
            n = len(lines)
            status = session.run(typed_with_output(world, n, "pip install --target t4 llmlib==1.1"))
            results.setdefault(n, []).append((status, *read_output(world, n)))
        finally:
            session.close()
    for n, ((b_status, b_out, b_err), (c_status, c_out, c_err)) in results.items():
        line = lines[n][0] if n < len(lines) else "exec"
        assert c_status == b_status, (line, c_status, b_status, c_err, b_err)
        assert normalized(c_out, covered) == normalized(b_out, bare), (line, c_out, b_out)
        assert normalized(c_err, covered) == normalized(b_err, bare), (line, c_err, b_err)
    events = covered.events()
    assert events[-1]["command"]["argv"] == "pip install --target t4 llmlib==1.1".split()
    # Nothing went around the recorder: no drift seen between two recorded commands.
    assert [e for e in events if e["kind"] == "drift" and e["drift"]["last_seen_seq"] is not None] == []
    assert subprocess.run([BIN, "verify", "--db", covered.db], capture_output=True).returncode == 0


@pytest.mark.parametrize("shell", SHELLS)
def test_ctrl_c_at_the_prompt_reaches_pip_doctor_and_plain_python(shell, tmp_path, uv_dir, index, stall):
    url, connected = stall
    world = World(str(tmp_path / "c"), shell, uv_dir, index, True)
    session = world.session()
    try:
        assert session.run(ACTIVATE[shell]) == 0
        assert session.run(f"pkgtrail doctor >{world.root}/o/doctor") == 0, open(f"{world.root}/o/doctor").read()
        doctor = open(f"{world.root}/o/doctor").read()
        for command, runs in (("pip", "/v/bin/pip"), ("python -m pip", "/v/bin/python"), ("uvx", "/home/.local/bin/uvx")):
            assert re.search(rf"^{command} +recorded +shell function -> {world.root}{runs}$", doctor, re.M), doctor
        assert "covered:" in doctor
        # Plain interpreter calls start no process of ours.
        link = world.home + "/.local/bin/pkgtrail"
        trace = world.root + "/trace"
        os.unlink(link)
        with open(link, "w") as f:
            f.write(f'#!/bin/sh\necho "$*" >> {trace}\nexec {BIN} "$@"\n')
        os.chmod(link, 0o755)
        # Nor do pip and uv lines that cannot change anything (no install, uninstall, sync…).
        for line in ("python -c pass", "python3 --version", "python3.11 -c 'import sys'", "python -I -m pip --version",
                     "pip --version", "pip3 list", "python -m pip show pip", "uv --version", "uv pip list"):
            assert session.run(line + " >/dev/null") == 0, line
        assert not os.path.exists(trace), open(trace).read()
        assert session.run("python -m pip uninstall -y not-installed >/dev/null 2>&1") == 0
        assert open(trace).read() == "exec python -- -m pip uninstall -y not-installed\n"
        # Ctrl-C typed on the terminal goes to pip, which cancels and exits 1.
        session.send(f"pip install -i {url} demo-lib; echo \"@@\"CTRLC:{'$status' if shell == 'fish' else '$?'}\n")
        assert connected.wait(60)
        time.sleep(0.5)
        session.send(b"\x03")
        assert session.read_until(rb"@@CTRLC:(\d+)", 60).group(1) == b"1"
        e = world.events()[-1]
        assert e["command"]["argv"] == ["pip", "install", "-i", url, "demo-lib"]
        assert e["command"]["outcome"] == "interrupted"
    finally:
        session.close()


def test_doctor_finds_a_bypassing_path_entry_without_functions(tmp_path, uv_dir, index):
    world = World(str(tmp_path / "c"), "bash", uv_dir, index, True)
    env = dict(world.env, PATH=f"{world.root}/v/bin:{world.shims}:{BASE_PATH}")
    r = subprocess.run([BIN, "doctor"], capture_output=True, env=env)
    assert r.returncode == 1, r
    out = r.stdout.decode()
    assert re.search(rf"^pip +BYPASSES +{world.root}/v/bin/pip comes before the pkgtrail shims", out, re.M), out
    assert re.search(r"^python -m pip +BYPASSES", out, re.M) and "NOT COVERED" in out
    r = subprocess.run([BIN, "doctor", "--json"], capture_output=True, env=env)
    report = json.loads(r.stdout)
    assert r.returncode == 1 and report["covered"] is False and report["shell"] is None
    assert {c["command"]: c["status"] for c in report["commands"]}["pip"] == "bypasses"
    # Shims first and no venv: pip is covered by its shim, python -m pip still is not.
    env["PATH"] = f"{world.shims}:{world.root}/v/bin:{BASE_PATH}"
    report = json.loads(subprocess.run([BIN, "doctor", "--json"], capture_output=True, env=env).stdout)
    status = {c["command"]: (c["status"], c["via"]) for c in report["commands"]}
    assert status["pip"] == ("recorded", "shim") and status["python -m pip"] == ("bypasses", "PATH")
    # The log, the key and the newest checkpoint made here.
    assert report["log"] == {"path": world.db, "exists": False, "writable": True, "events": None, "head": None,
                             "problem": None, "spooled": 0}
    r = subprocess.run(["pip", "install", "--target", world.root + "/t", "demo-lib==1.0"], env=env, capture_output=True)
    assert r.returncode == 0, r
    for cmd in (["key", "init"], ["checkpoint", "-o", world.root + "/cp.note"]):
        assert subprocess.run([BIN, *cmd], env=env, capture_output=True).returncode == 0
    assert subprocess.run(["pip", "install", "--target", world.root + "/t", "demo-lib==1.1"], env=env).returncode == 0
    report = json.loads(subprocess.run([BIN, "doctor", "--json"], capture_output=True, env=env).stdout)
    head = json.loads(subprocess.run([BIN, "log", "--json"], capture_output=True, env=env).stdout)[-1]
    assert report["log"]["events"] == head["seq"] and report["log"]["head"] == head["hash"]
    assert report["key"]["exists"] is True
    assert report["newest_checkpoint"]["size"] == head["seq"] - 1 and report["newest_checkpoint"]["age"].endswith(" s")
    out = subprocess.run([BIN, "doctor"], capture_output=True, env=env).stdout.decode()
    assert f"newest checkpoint: {head['seq'] - 1} events, made " in out and "ago), 1 events since" in out, out


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_uninstalled_binary_leaves_the_real_tools_working(shell, tmp_path, uv_dir, index):
    world = World(str(tmp_path / "c"), shell, uv_dir, index, True)
    session = world.session()
    try:
        assert session.run(ACTIVATE[shell]) == 0
        # `make uninstall PREFIX=~/.local`, while this shell is open.
        os.unlink(world.home + "/.local/bin/pkgtrail")
        shutil.rmtree(world.home + "/.local/share/pkgtrail")
        for n in range(2):
            assert session.run(f"pip uninstall -y not-installed >{world.root}/o/{n}.out 2>{world.root}/o/{n}.err") == 0
        first, second = (read_output(world, n) for n in range(2))
        assert first[1].startswith(b"pkgtrail: " + world.home.encode() + b"/.local/bin/pkgtrail is gone; running pip unrecorded")
        assert first[1].count(b"is gone") == 1 and b"is gone" not in second[1]
        assert b"not installed" in first[1] + first[0] and first[1].endswith(second[1])
        assert session.run("python -m pip --version >/dev/null 2>&1") == 0
    finally:
        session.close()
    # A new shell skips the line quietly: no functions, no errors.
    session = world.session()
    try:
        assert session.run(f"type pip >{world.root}/o/type 2>&1") == 0
        assert b"function" not in open(world.root + "/o/type", "rb").read()
    finally:
        session.close()


def test_python_m_uv_is_recorded_as_uv_in_that_venv(tmp_path, uv_dir, index):
    """uv installed as a module: `python -m uv` runs the uv beside that
    interpreter with VIRTUAL_ENV set to its venv (uv's own __main__)."""
    world = World(str(tmp_path / "c"), "bash", uv_dir, index, True)
    subprocess.run([world.root + "/v/bin/python", "-m", "pip", "install", "-q", "--no-index", "--find-links",
                    TOOLS + "/wheels", "uv"], check=True, env=world.env)
    session = world.session()
    try:
        assert session.run(ACTIVATE["bash"]) == 0
        assert session.run(f"python -m uv pip install demo-lib==1.0 >{world.root}/o/uv 2>&1") == 0, \
            open(world.root + "/o/uv").read()
        assert session.run("python -m uv --version >/dev/null") == 0
    finally:
        session.close()
    installs = [e for e in world.events() if e["kind"] == "install"]
    assert [e["command"]["argv"] for e in installs] == [["python", "-m", "uv", "pip", "install", "demo-lib==1.0"]]
    e = installs[0]
    assert e["command"]["tool"] == "uv" and e["command"]["tool_version"] == "0.13.9"
    assert e["environment"]["prefix"] == world.root + "/v"
    assert [(c["name"], c["to_version"], c["artifact"]["hash_source"]) for c in e["changes"]] == [("demo-lib", "1.0", "uv-cache-v8")]


def test_a_shim_left_on_path_without_its_binary_runs_the_real_tool(tmp_path):
    """After `make uninstall` a shims directory may still be on PATH (a
    script's own PATH, a shell opened before): its links now lead nowhere,
    so every shell and execvp skips them and the real pip runs, unrecorded."""
    make_venv(str(tmp_path / "v"), "current")
    shims = make_shims(str(tmp_path / "share" / "pkgtrail" / "shims"), str(tmp_path / "bin" / "pkgtrail"))
    env = isolated_env(str(tmp_path), str(tmp_path / "trail.db"), {"PATH": f"{shims}:{tmp_path}/v/bin:{BASE_PATH}"})
    for argv in (["pip", "--version"], ["sh", "-c", "pip --version"], ["bash", "-c", "pip --version"]):
        r = subprocess.run(argv, env=env, capture_output=True, timeout=60)
        assert r.returncode == 0 and r.stdout.startswith(b"pip 26.3 from " + str(tmp_path).encode()), r
        assert r.stderr == b"", r
    assert not os.path.exists(tmp_path / "trail.db")


@pytest.mark.parametrize("shell,compinit", [("bash", None), ("fish", None), ("zsh", "before"), ("zsh", "after")])
def test_tab_completes_subcommands_and_options(shell, compinit, tmp_path, uv_dir, index):
    """The completion scripts `make install` lays out, loaded by the init
    line: in zsh whether `compinit` runs before it (sourced) or after (fpath)."""
    world = World(str(tmp_path / "c"), shell, uv_dir, index, True)
    if compinit:
        rc = os.path.join(world.home, RC_FILE[shell])
        lines = open(rc).read().splitlines()
        at = 0 if compinit == "before" else len(lines)
        lines.insert(at, "autoload -Uz compinit && compinit -u")
        open(rc, "w").write("\n".join(lines) + "\n")
    session = world.session()
    try:
        # Names and environments complete from the log.
        assert session.run(f"{ACTIVATE[shell]}; pip install -q llmlib==1.1; deactivate") == 0
        for typed, completed in (("pkgtrail verif", rb"verify"), ("pkgtrail log --jso", rb"--json"),
                                 ("pkgtrail advisories sta", rb"status"), ("pkgtrail who llm", rb"llmlib"),
                                 (f"pkgtrail state --env {world.root}/", rb"/v( |\b)")):
            session.send(typed + "\t")
            session.read_until(completed, 20)
            session.send("\x15")  # Ctrl-U: the line is not run
            assert session.run("true") == 0
    finally:
        session.close()
