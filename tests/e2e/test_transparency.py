"""docs/SPEC.md §1: the recorder is invisible. Same status, bytes, TTY, stdin and
signals as the bare tool; pass-through commands never touch the log."""
import os
import signal
import subprocess
import time

import pytest
from conftest import BIN, SHIMS, TOOLS, Sandbox, changes


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    return Sandbox(tmp_path_factory.mktemp("transparency"), "current")


def test_pass_through_commands_never_open_the_log(box):
    for args in (["--version"], ["list"], ["show", "pip"], ["install", "--help"], ["freeze"]):
        bare, rec = box.pip(*args, bare=True), box.pip(*args)
        assert rec.returncode == bare.returncode == 0, (args, rec)
        assert rec.stdout.replace(box.venv.encode(), b"V") == bare.stdout.replace(box.twin.encode(), b"V"), args
        assert rec.stderr == bare.stderr
    assert not os.path.exists(box.db)


def test_bad_option_exit_status_and_stderr_match(box, index):
    box.both("install", "--no-such-option", "x")
    assert box.pip("install", "--no-such-option", "x").returncode == 2


def test_colours_survive_on_a_terminal(box, index):
    """Under a pseudo-terminal pip colours its errors; through the shim too."""
    def on_tty(bare):
        env = box.env(bare)
        r = subprocess.run(["script", "-qec", f"pip install -i {index['simple']} does-not-exist", "/dev/null"],
                           env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
        return r
    bare, rec = on_tty(True), on_tty(False)
    assert rec.returncode == bare.returncode == 1
    assert b"\x1b[" in bare.stdout and b"\x1b[" in rec.stdout
    assert rec.stdout == bare.stdout.replace(box.twin.encode(), box.venv.encode())


def test_ctrl_c_on_a_terminal_takes_pips_own_path(box, stall):
    url, connected = stall
    before = len(box.events()) if os.path.exists(box.db) else 0
    # `exec`: a non-interactive dash left waiting would die of the Ctrl-C
    # itself (script then reports 130) whatever pip did; $SHELL varies by machine.
    p = subprocess.Popen(["script", "-qefc", f"exec pip install -i {url} demo-lib", "/dev/null"],
                         env=box.env(extra={"SHELL": "/bin/sh"}),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert connected.wait(60)
    time.sleep(0.3)
    p.stdin.write(b"\x03")
    p.stdin.flush()
    out, _ = p.communicate(timeout=60)
    assert p.returncode == 1, out
    assert b"Operation cancelled by user" in out
    events = box.events()
    assert len(events) == before + 1
    assert events[-1]["command"]["outcome"] == "interrupted"
    assert events[-1]["command"]["exit_status"] == 1


def test_sigterm_sent_to_the_wrapper_reaches_pip_and_is_mirrored(box, stall):
    url, connected = stall
    p = subprocess.Popen(["pip", "install", "-i", url, "demo-lib"], env=box.env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    assert connected.wait(60)
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=60)
    assert p.returncode == -signal.SIGTERM
    e = box.events()[-1]
    assert e["command"]["outcome"] == "interrupted" and e["command"]["exit_status"] == 128 + signal.SIGTERM


def test_missing_real_tool_exits_127(box):
    env = box.env()
    env["PATH"] = SHIMS
    r = subprocess.run([SHIMS + "/pip", "install", "x"], env=env, capture_output=True)
    assert r.returncode == 127
    assert r.stderr == b"pkgtrail: pip: command not found\n"


def test_a_loop_back_into_the_shims_is_detected(box, tmp_path):
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "pip").write_text('#!/bin/sh\nexec pip "$@"\n')
    (loop / "pip").chmod(0o755)
    env = box.env()
    env["PATH"] = f"{SHIMS}:{loop}:/usr/bin:/bin"
    t = time.monotonic()
    r = subprocess.run(["pip", "install", "x"], env=env, capture_output=True, timeout=60)
    assert r.returncode == 127
    assert b"circular shim invocation" in r.stderr
    assert time.monotonic() - t < 30


def test_shims_dir_listed_twice_is_skipped(box, index):
    env = box.env()
    env["PATH"] = f"{SHIMS}:{SHIMS}:{env['PATH']}"
    r = subprocess.run(["pip", "--version"], env=env, capture_output=True)
    assert r.returncode == 0 and box.venv.encode() in r.stdout


def test_nested_calls_are_not_recorded_twice(box, index):
    n = len(box.events()) if os.path.exists(box.db) else 0
    r = box.pip("install", "-i", index["simple"], "demo-lib==1.0", extra={"PKGTRAIL_ACTIVE": "1"})
    assert r.returncode == 0
    assert (len(box.events()) if os.path.exists(box.db) else 0) == n
    box.pip("uninstall", "-y", "demo-lib", extra={"PKGTRAIL_ACTIVE": "1"})


def test_exec_is_what_the_shims_call(box, index):
    r = subprocess.run([BIN, "exec", "pip", "--", "--version"], env=box.env(), capture_output=True)
    assert r.returncode == 0 and b"pip 26.3" in r.stdout


def test_target_prefix_and_python_options(box, index, tmp_path):
    i = ["-i", index["simple"]]
    target = str(tmp_path / "target")
    assert box.pip("install", *i, "--target", target, "demo-lib==1.0").returncode == 0
    e = box.events()[-1]
    assert e["environment"]["prefix"] == target and e["environment"]["site_dirs"] == [target]
    assert changes(e) == [("demo-lib", "install", None, "1.0")]

    prefix = str(tmp_path / "prefix")
    assert box.pip("install", *i, "--prefix", prefix, "demo-lib==1.1").returncode == 0
    e = box.events()[-1]
    assert e["environment"]["site_dirs"] == [prefix + "/lib/python3.11/site-packages"]
    assert changes(e) == [("demo-lib", "install", None, "1.1")]

    # pip >= 22.3 installs into another interpreter's environment with --python.
    assert box.pip("--python", box.twin + "/bin/python", "install", *i, "demo-lib==1.0").returncode == 0
    e = box.events()[-1]
    assert e["environment"]["prefix"] == box.twin and changes(e) == [("demo-lib", "install", None, "1.0")]
    assert box.pip("--python", box.twin, "uninstall", "-y", "demo-lib").returncode == 0
    assert changes(box.events()[-1]) == [("demo-lib", "remove", "1.0", None)]


def test_editable_install_records_its_pth(box, tmp_path):
    proj = tmp_path / "proj"
    (proj / "edpkg").mkdir(parents=True)
    (proj / "edpkg" / "__init__.py").write_text("")
    (proj / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "edpkg"\nversion = "0.1"\n')
    # A setuptools that builds PEP 660 editables by itself (3.11's bundled 65.5 needs `wheel`).
    subprocess.run([box.venv + "/bin/python", "-m", "pip", "install", "-q", "--no-index", "--find-links",
                    TOOLS + "/wheels", "setuptools==80.9.0"], env=box.env(), check=True)
    r = box.pip("install", "--no-build-isolation", "--no-index", "-e", str(proj))
    assert r.returncode == 0, r.stderr
    e = box.events()[-1]
    assert changes(e) == [("edpkg", "install", None, "0.1")]
    c = e["changes"][0]
    assert c["artifact"]["sha256"] is None and c["artifact"]["url"].startswith("file://")
    hooks = c["startup_hooks"]
    assert [os.path.basename(h["path"]) for h in hooks] == ["__editable__.edpkg-0.1.pth"]


def test_user_install_into_a_non_venv_interpreter(box, index, tmp_path):
    """The machine's own pip (not a venv, behind pyenv's bash shim) with --user."""
    import shutil
    real = shutil.which("pip", path=os.environ["PATH"])
    if real is None:
        pytest.skip("no machine pip")
    env = box.env()
    userbase = str(tmp_path / "userbase")
    env["PATH"] = SHIMS + ":" + os.environ["PATH"]
    env["PYTHONUSERBASE"] = userbase
    for k in ("PYENV_VERSION",):
        env.pop(k, None)
    r = subprocess.run(["pip", "install", "--user", "-i", index["simple"], "demo-lib==1.0"], env=env,
                       capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr
    e = box.events()[-1]
    assert e["environment"]["is_venv"] is False
    assert e["environment"]["site_dirs"][0].startswith(userbase + "/lib/python3")
    assert changes(e) == [("demo-lib", "install", None, "1.0")]
