"""End-to-end harness: real pip, real wheels from a local PEP 503 index on
127.0.0.1, the real shims first on PATH, the real pkgtrail binary, a real
SQLite file."""
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from layout import make_shims  # noqa: E402
from wheels import build_index, make_wheel, normalize, serve  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("PKGTRAIL_TEST_BIN", os.path.join(REPO, ".build", "debug", "pkgtrail"))
# The shims as installed: links to the binary under test.
SHIMS = make_shims(os.path.join(REPO, ".build", "e2e-shims"), BIN)
TOOLS = os.environ.get("PKGTRAIL_TOOLS", os.path.join(REPO, ".tools"))
PINNED_PIP = "26.3"
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"


@pytest.fixture(scope="session")
def index(tmp_path_factory):
    """The test index: a dependency chain, versions to move between, a
    compromised release with a .pth startup hook, a console script."""
    root = tmp_path_factory.mktemp("index")
    staging = root / "staging"
    staging.mkdir()
    s = str(staging)
    wheels = [
        make_wheel(s, "demo-lib", "1.0"),
        make_wheel(s, "demo-lib", "1.1"),
        make_wheel(s, "demo-app", "1.0", requires=["demo-lib>=1.0"], script="demo-app"),
        make_wheel(s, "llmlib", "1.0"),
        make_wheel(s, "llmlib", "1.1", pth=("llmlib_init.pth", "import os; os.environ.setdefault('LLMLIB', '1')\n")),
        make_wheel(s, "llmlib", "1.2"),
        make_wheel(s, "agentkit", "1.0", requires=["llmlib>=1.0"]),
    ]
    files = build_index(str(root), wheels)
    proc, url = serve(str(root))
    yield {"url": url, "simple": url + "/simple/", "files": files}
    proc.terminate()
    proc.wait()


def served_sha256(index, filename):
    with open(os.path.join(index["files"], filename), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def isolated_env(home, db, extra=None):
    """The machine's environment minus its pip configuration (docs/FACTS.md)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PKGTRAIL_", "UV_", "VIRTUAL_ENV"))}
    env.update({
        "HOME": home, "XDG_DATA_HOME": home + "/.local/share", "XDG_STATE_HOME": home + "/.local/state",
        "XDG_CONFIG_HOME": home + "/.config", "PIP_CONFIG_FILE": "/dev/null", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_CACHE_DIR": "1", "PIP_DEFAULT_TIMEOUT": "20", "PKGTRAIL_DB": db,
        "PYTHONDONTWRITEBYTECODE": "1", "LC_ALL": "C.UTF-8",
    })
    env.pop("CI", None)
    env.update(extra or {})
    return env


def make_venv(path, flavor):
    subprocess.run([sys.executable if False else "python3", "-m", "venv", path], check=True,
                   env=isolated_env(os.path.dirname(path), "/nonexistent"))
    if flavor == "current":
        subprocess.run([path + "/bin/python", "-m", "pip", "install", "-q", "--no-index", "--find-links",
                        TOOLS + "/wheels", f"pip=={PINNED_PIP}"], check=True,
                       env=isolated_env(os.path.dirname(path), "/nonexistent"))


class Sandbox:
    """One environment driven through the shims, with a twin driven bare."""

    def __init__(self, root, flavor, twin=True):
        self.root = str(root)
        self.home = self.root + "/home"
        os.makedirs(self.home, exist_ok=True)
        self.db = self.root + "/trail.db"
        self.venv = self.root + "/venv"
        make_venv(self.venv, flavor)
        self.twin = self.root + "/twin" if twin else None
        if twin:
            make_venv(self.twin, flavor)
        self.site = self.venv + "/lib/python3.11/site-packages"

    def env(self, bare=False, extra=None):
        env = isolated_env(self.home, self.db, extra)
        venv = self.twin if bare else self.venv
        env["PATH"] = (venv + "/bin:" if bare else SHIMS + ":" + venv + "/bin:") + BASE_PATH
        return env

    def pip(self, *args, bare=False, input=None, extra=None, cwd=None):
        return subprocess.run(["pip", *args], env=self.env(bare, extra), input=input, capture_output=True,
                              cwd=cwd or self.root, timeout=300)

    def both(self, *args, input=None):
        """Runs the command bare in the twin and recorded here; asserts the
        user saw the same exit status and the same bytes."""
        bare = self.pip(*args, bare=True, input=input)
        rec = self.pip(*args, input=input)
        norm = lambda b: b.replace(self.twin.encode(), self.venv.encode()).replace(b"./twin/", b"./venv/")
        assert rec.returncode == bare.returncode, (rec, bare)
        assert rec.stdout == norm(bare.stdout), (rec.stdout, bare.stdout)
        assert rec.stderr == norm(bare.stderr), (rec.stderr, bare.stderr)
        return rec

    def trail(self, *args, check=True):
        r = subprocess.run([BIN, *args, "--db", self.db], capture_output=True, env=self.env(), timeout=120)
        if check:
            assert r.returncode == 0, r
        return r

    def events(self):
        return json.loads(self.trail("log", "--json").stdout)

    def last(self):
        return self.events()[-1]


def disk_state(site):
    """name -> version from the dist-info directories actually on disk."""
    out = {}
    for entry in os.listdir(site):
        if entry.endswith(".dist-info"):
            name, version = entry[: -len(".dist-info")].split("-", 1)
            out[normalize(name)] = version
    return out


def state_digest(state):
    lines = "".join(sorted(f"{n}=={v}\n" for n, v in state.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def replayed_state(events, prefix):
    """The fold of every event for prefix: drift events included, so the log
    alone (first-seen baseline and all) must reproduce the disk."""
    state = {}
    for e in events:
        if e["environment"]["prefix"] != prefix:
            continue
        for c in e["changes"]:
            if c["action"] == "remove":
                state.pop(c["name"], None)
            else:
                state[c["name"]] = c["to_version"]
    return state


def assert_log_matches_disk(box, index, drift_expected=False):
    events = box.events()
    state = replayed_state(events, box.venv)
    assert state == disk_state(box.site)
    assert events[-1]["state_after"] == state_digest(disk_state(box.site))
    assert drift_expected or [e for e in events if e["kind"] == "drift" and e["drift"]["last_seen_seq"] is not None] == [], \
        "ordinary recorded installs must never produce drift"
    for e in events:
        for c in e["changes"]:
            art = c["artifact"]
            if art and art["sha256"]:
                assert art["sha256"] == served_sha256(index, art["filename"]), c
    r = box.trail("verify")
    assert r.stdout.startswith(b"ok: "), r.stdout
    r = subprocess.run([sys.executable, REPO + "/scripts/verify_log.py", box.db], capture_output=True)
    assert r.returncode == 0, r


def changes(event):
    return [(c["name"], c["action"], c["from_version"], c["to_version"]) for c in event["changes"]]


TOOLS_UV = os.path.join(TOOLS, "venv", "bin", "uv")


@pytest.fixture(scope="session")
def uv_dir(tmp_path_factory):
    """uv on its own in a directory: uv beside a venv's python would treat
    that venv (the test toolchain) as the environment to change."""
    if not os.path.exists(TOOLS_UV):
        pytest.fail("uv is missing from the test toolchain: run `make toolchain`")
    d = tmp_path_factory.mktemp("uvbin")
    import shutil
    shutil.copy(TOOLS_UV, d / "uv")
    shutil.copy(TOOLS_UV + "x", d / "uvx")
    return str(d)


class UvBox:
    def __init__(self, root, uv_dir):
        self.uv_dir = uv_dir
        self.root = str(root)
        self.db = self.root + "/trail.db"
        self.venv, self.twin = self.root + "/venv", self.root + "/twin"
        for v in (self.venv, self.twin):
            subprocess.run([uv_dir + "/uv", "venv", "-q", "--python", "python3", v], check=True, env=self.env(bare=True))
        self.site = self.venv + "/lib/python3.11/site-packages"

    def env(self, bare=False, venv=None):
        # One cache per side, so both download (or reuse) alike and print the same lines.
        env = isolated_env(self.root, self.db, {"UV_CACHE_DIR": self.root + ("/uv-cache-bare" if bare else "/uv-cache"),
                                                "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"})
        env["PATH"] = ("" if bare else SHIMS + ":") + self.uv_dir + ":" + BASE_PATH
        env["VIRTUAL_ENV"] = venv or (self.twin if bare else self.venv)
        return env

    def uv(self, *args, bare=False, cwd=None, env=None):
        return subprocess.run(["uv", *args], env=env or self.env(bare), capture_output=True, cwd=cwd or self.root,
                              timeout=120)

    def both(self, *args):
        bare, rec = self.uv(*args, bare=True), self.uv(*args)
        norm = lambda b: re.sub(rb"in [0-9.]+m?s", b"in Ts", b.replace(self.twin.encode(), self.venv.encode())
                                .replace(b" at: twin", b" at: venv"))
        assert rec.returncode == bare.returncode, (rec, bare)
        assert rec.stdout == bare.stdout
        assert norm(rec.stderr) == norm(bare.stderr), (rec.stderr, bare.stderr)
        return rec

    def events(self):
        r = subprocess.run([BIN, "log", "--json", "--db", self.db], capture_output=True)
        assert r.returncode == 0, r
        return json.loads(r.stdout)

    def check_disk(self, index):
        events = self.events()
        assert replayed_state(events, self.venv) == disk_state(self.site)
        assert events[-1]["state_after"] == state_digest(disk_state(self.site))
        for e in events:
            for c in e["changes"]:
                if c["artifact"] and c["artifact"]["hash_source"] == "uv-cache-v8":
                    assert c["artifact"]["sha256"] == served_sha256(index, c["artifact"]["filename"])
        assert subprocess.run([BIN, "verify", "--db", self.db], capture_output=True).returncode == 0


@pytest.fixture
def stall():
    """An index that accepts connections and never answers: pip waits on it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held, connected = [], threading.Event()

    def accept():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            held.append(conn)
            connected.set()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}/simple/", connected
    srv.close()
    for c in held:
        c.close()
