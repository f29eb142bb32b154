"""`make test-online`: issue 11's table against the real public index (PyPI),
through the real shims, with this machine's network. Every change must carry
the sha256 that PyPI publishes for the file (its JSON API, an independent
answer), or a note that says why not. Skips, saying so, when PyPI cannot be
reached. Never part of `make test`."""
import json
import os
import subprocess
import sys
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from conftest import BASE_PATH, BIN, SHIMS, TOOLS, isolated_env, make_venv  # noqa: E402

PYPI = "https://pypi.org"


def reachable():
    try:
        urllib.request.urlopen(PYPI + "/simple/six/", timeout=10).read(1)
        return True
    except OSError as e:
        print(f"\nmake test-online: {PYPI} is not reachable from here ({e}); skipping", file=sys.stderr)
        return False


pytestmark = pytest.mark.skipif(not reachable(), reason=f"{PYPI} is not reachable from this machine")

_published = {}


def published(name, filename):
    """The sha256 PyPI publishes for a file: its JSON simple API (PEP 691)."""
    if name not in _published:
        req = urllib.request.Request(f"{PYPI}/simple/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            _published[name] = {f["filename"]: f["hashes"].get("sha256") for f in json.load(r)["files"]}
    return _published[name].get(filename)


@pytest.fixture
def world(tmp_path):
    home = str(tmp_path)
    db = home + "/trail.db"
    make_venv(home + "/pipvenv", "current")
    uv_dir = tmp_path / "uvbin"
    uv_dir.mkdir()
    for t in ("uv", "uvx"):
        os.symlink(os.path.join(TOOLS, "venv", "bin", t), uv_dir / t)
    subprocess.run([str(uv_dir / "uv"), "venv", "-q", "--python", "python3", home + "/uvvenv"], check=True,
                   env=isolated_env(home, db, {"PATH": BASE_PATH}))
    # The machine's pip settings, less its local find-links folder: the real index decides.
    env = isolated_env(home, db, {"UV_CACHE_DIR": home + "/uv-cache", "UV_PYTHON_DOWNLOADS": "never",
                                  "PIP_NO_CACHE_DIR": "1", "PIP_CONFIG_FILE": "/dev/null"})
    return {"home": home, "db": db, "env": env, "uv_dir": str(uv_dir)}


def run(world, argv, path_first):
    env = dict(world["env"], PATH=f"{SHIMS}:{path_first}:{BASE_PATH}")
    r = subprocess.run(argv, env=env, capture_output=True, timeout=600, cwd=world["home"])
    assert r.returncode == 0, r
    return r


def events(world):
    return json.loads(subprocess.run([BIN, "log", "--json", "--db", world["db"]], capture_output=True, check=True).stdout)


def check_every_change(event):
    assert event["changes"], event
    for c in event["changes"]:
        if c["action"] == "remove":
            continue
        art = c["artifact"] or {}
        if art.get("sha256"):
            assert art["sha256"] == published(c["name"], art["filename"]), c
        else:
            assert any(c["name"] in n for n in event["notes"]), (c, event["notes"])


def test_pip_from_pypi(world):
    venv = world["home"] + "/pipvenv/bin"
    for args in (["requests==2.32.3"], ["six==1.16.0"], ["six==1.17.0"], ["six==1.16.0"]):
        run(world, ["pip", "install", *args], venv)
        e = events(world)[-1]
        check_every_change(e)
        assert all(c["artifact"]["sha256"] for c in e["changes"])


def test_uv_pip_and_uvx_from_pypi(world):
    env_first = world["uv_dir"]
    world["env"]["VIRTUAL_ENV"] = world["home"] + "/uvvenv"
    run(world, ["uv", "pip", "install", "httpx==0.27.0"], env_first)
    e = events(world)[-1]
    assert len(e["changes"]) >= 7
    check_every_change(e)
    assert all(c["artifact"]["sha256"] and c["artifact"]["hash_source"] == "uv-cache-v8" for c in e["changes"])
    del world["env"]["VIRTUAL_ENV"]
    for argv in (["uvx", "--from", "ruff==0.6.9", "ruff", "version"], ["uvx", "--from", "ruff==0.6.9", "ruff", "--version"]):
        count = len(events(world))
        run(world, argv, env_first)
        e = events(world)[-1]
        assert len(events(world)) == count + 1 and e["command"]["argv"] == argv, "every uvx run is recorded"
        if e["changes"]:
            check_every_change(e)
            [ruff] = [c for c in e["changes"] if c["name"] == "ruff"]
            assert ruff["artifact"]["sha256"], ruff
    assert subprocess.run([BIN, "verify", "--db", world["db"]], capture_output=True).returncode == 0
