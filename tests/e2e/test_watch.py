"""`pkgtrail watch`: real pip and uv write into real venvs, none through the
shims, while the real watcher runs; what it records is read back with the
real query commands."""
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from datetime import datetime

import pytest

from conftest import BIN, SHIMS, BASE_PATH, Sandbox, disk_state, isolated_env, replayed_state

# Generous for 2 busy cores; the watcher's own latency is measured by `make bench`.
WAIT = 30


def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Watch:
    """The real watcher as a child process, its stdout lines collected."""

    def __init__(self, db, env, *args):
        self.lines = []
        self.proc = subprocess.Popen([BIN, "watch", "--db", db, *args], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait_for(lambda: any(line.startswith("watching ") for line in self.lines), "the watcher to start")

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, condition, what, timeout=WAIT):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition():
                return
            assert self.proc.poll() is None, (what, self.lines, self.proc.stderr.read())
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}: {self.lines}")

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=WAIT)
        self.reader.join(timeout=5)
        return rc, self.proc.stderr.read()


def events(db, env):
    r = subprocess.run([BIN, "log", "--json", "--db", db], capture_output=True, env=env, timeout=60)
    assert r.returncode == 0, r
    return json.loads(r.stdout)


def drift_of(found, prefix=None):
    return [e for e in found if e["kind"] == "drift" and e["drift"]["last_seen_seq"] is not None
            and (prefix is None or e["environment"]["prefix"] == prefix)]


def drift(db, env, prefix=None):
    return drift_of(events(db, env), prefix)


def wait_events(db, env, condition, what, timeout=WAIT):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = events(db, env) if os.path.exists(db) else []
        if condition(found):
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}: {found}")


def changed(e):
    return [(c["name"], c["action"], c["to_version"]) for c in e["changes"]]


@pytest.fixture
def box(tmp_path):
    b = Sandbox(tmp_path, "current", twin=False)
    # The baseline: the environment as pkgtrail first sees it.
    assert b.trail("scan", b.venv, check=False).returncode == 1
    return b


def bare_env(box):
    """No shims, no functions: an IDE's or a script's view of the machine."""
    env = isolated_env(box.home, box.db)
    env["PATH"] = BASE_PATH
    return env


def bare_pip(box, *args):
    r = subprocess.run([box.venv + "/bin/python", "-m", "pip", *args], env=bare_env(box), capture_output=True,
                       timeout=300)
    assert r.returncode == 0, r
    return r


def test_each_version_gets_its_own_event_with_a_window_of_seconds(box, index):
    began = time.time()
    w = Watch(box.db, bare_env(box))
    seen = []
    try:
        bare_pip(box, "install", "-q", "--index-url", index["simple"], "demo-lib==1.0")
        first = wait_events(box.db, bare_env(box), lambda ev: len(drift_of(ev)) >= 1,
                            "the 1.0 drift")
        seen.append(time.time())
        time.sleep(3)
        bare_pip(box, "install", "-q", "--index-url", index["simple"], "demo-lib==1.1")
        wait_events(box.db, bare_env(box), lambda ev: len(drift_of(ev)) >= 2, "the 1.1 drift")
        seen.append(time.time())
    finally:
        rc, err = w.stop()
    assert rc == 0, err
    assert first
    d = drift(box.db, bare_env(box))
    assert [changed(e) for e in d] == [[("demo-lib", "install", "1.0")], [("demo-lib", "upgrade", "1.1")]]
    for i, e in enumerate(d):
        assert e["drift"]["observer"] == "watch"
        # The window: from the watcher's previous look to the look that saw it. It never reaches back
        # before the look that recorded the version before (3 s of quiet, here), however busy the machine.
        opened, closed = ts(e["drift"]["last_seen"]), ts(e["started"])
        assert opened <= closed <= seen[i] + 1, (e["drift"], e["started"], seen)
        assert opened >= (ts(d[i - 1]["started"]) if i else began - 1), (e["drift"], d[i - 1]["started"])
        c = e["changes"][0]
        assert c["installer"] == "pip" and c["requested"] is True and len(c["record_sha256"]) == 64
        assert any("which process made this change is not known" in n for n in e["notes"])
    # The incident questions see it.
    who = json.loads(box.trail("who", "demo-lib==1.0", "--json").stdout)
    assert [(r["seq"], r["kind"]) for r in who] == [(d[0]["seq"], "drift"), (d[1]["seq"], "drift")]
    between = (ts(d[0]["finished"]) + ts(d[1]["drift"]["last_seen"])) / 2
    at = datetime.utcfromtimestamp(between).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    state = json.loads(box.trail("state", "--env", box.venv, "--at", at, "--json").stdout)
    assert {s["name"]: s["version"] for s in state}["demo-lib"] == "1.0"
    r = box.trail("exposure", "demo-lib==1.0", "--json", check=False)
    assert r.returncode == 1
    (window,) = json.loads(r.stdout)
    assert window["until"] == d[1]["finished"] and not window["still_present"]
    assert ts(window["until"]) - ts(window["from"]) < 10
    assert replayed_state(events(box.db, bare_env(box)), box.venv) == disk_state(box.site)
    assert "stopping (SIGTERM)" in w.lines


def test_a_shimmed_install_is_recorded_once_and_never_as_drift(box, index):
    w = Watch(box.db, bare_env(box))
    try:
        r = box.pip("install", "-q", "--index-url", index["simple"], "demo-app")
        assert r.returncode == 0, r
        time.sleep(4)  # settle, the lock, a look: nothing may come of it
        assert drift(box.db, bare_env(box)) == []
        assert not any(line.startswith("seq ") for line in w.lines), w.lines
        # And the watcher was looking all along: a change made by hand now is recorded, alone.
        with open(box.site + "/by_hand.pth", "w") as f:
            f.write("/opt/nothing\n")
        wait_events(box.db, bare_env(box), lambda ev: len(drift_of(ev)) == 1, "the drift by hand")
    finally:
        w.stop()
    ev = events(box.db, bare_env(box))
    installs = [e for e in ev if e["kind"] == "install"]
    assert len(installs) == 1 and {c["name"] for c in installs[0]["changes"]} == {"demo-app", "demo-lib"}
    (by_hand,) = drift(box.db, bare_env(box))
    assert by_hand["changes"] == [] and [h["path"] for h in by_hand["startup_hooks"]] == [box.site + "/by_hand.pth"]


def test_reinstall_uninstall_by_absolute_path_and_a_pth_written_by_hand(box, index):
    bare_pip(box, "install", "-q", "--index-url", index["simple"], "demo-lib==1.0")
    box.trail("scan", box.venv, check=False)  # recorded as drift before the watcher starts
    w = Watch(box.db, bare_env(box))
    try:
        # The same version written again (its dist-info replaced): a reinstall no version comparison sees.
        bare_pip(box, "install", "-q", "--force-reinstall", "--no-deps", "--index-url", index["simple"],
                 "demo-lib==1.0")
        wait_events(box.db, bare_env(box), lambda ev: any(changed(e) == [("demo-lib", "reinstall", "1.0")]
                                                          for e in drift_of(ev)), "the reinstall")
        r = subprocess.run([box.venv + "/bin/pip", "uninstall", "-y", "-q", "demo-lib"], env=bare_env(box),
                           capture_output=True, timeout=120)
        assert r.returncode == 0, r
        wait_events(box.db, bare_env(box), lambda ev: any(changed(e) == [("demo-lib", "remove", None)]
                                                          for e in drift_of(ev)), "the removal")
        with open(box.site + "/zz_hook.pth", "w") as f:
            f.write("import os; os.environ.setdefault('HOOKED', '1')\n")
        found = wait_events(box.db, bare_env(box), lambda ev: any(e["startup_hooks"] for e in ev[-1:]),
                            "the .pth drift")
    finally:
        w.stop()
    (hook,) = found[-1]["startup_hooks"]
    assert hook["path"] == box.site + "/zz_hook.pth" and hook["status"] == "added"
    assert hook["executable_import"] is True and len(hook["sha256"]) == 64
    assert found[-1]["drift"]["observer"] == "watch"
    text = box.trail("log").stdout.decode()
    assert "STARTUP HOOK" in text.splitlines()[-1]


def test_a_venv_created_below_a_discover_root_is_watched(box, index, tmp_path):
    root = tmp_path / "src"
    (root / "proj").mkdir(parents=True)
    w = Watch(box.db, bare_env(box), "--discover", str(root))
    try:
        venv = str(root / "proj" / ".venv")
        subprocess.run(["python3", "-m", "venv", "--without-pip", venv], check=True, env=bare_env(box))
        w.wait_for(lambda: any(venv in line and "--discover" in line for line in w.lines), "the new venv")
        # Recorded at once, empty: what arrives later has a window.
        (base,) = wait_events(box.db, bare_env(box), lambda ev: [e for e in ev if e["environment"]["prefix"] == venv],
                              "the empty baseline")[-1:]
        assert base["changes"] == [] and base["drift"]["last_seen_seq"] is None
        assert any("holds no distributions yet" in n for n in base["notes"])
        # It is watched from then on: a module installed there is recorded.
        site = venv + "/lib/python3.11/site-packages"
        r = subprocess.run(["python3", "-m", "pip", "install", "-q", "--no-deps", "--target", site,
                            "--index-url", index["simple"], "demo-lib==1.1"],
                           env=bare_env(box), capture_output=True, timeout=300)
        assert r.returncode == 0, r
        wait_events(box.db, bare_env(box), lambda ev: any(changed(e) == [("demo-lib", "install", "1.1")]
                                                          for e in drift_of(ev, venv)),
                    "the install into the discovered venv")
        # A conda-style prefix (site-packages, no pyvenv.cfg), made a directory at a time.
        prefix = str(root / "conda" / "envs" / "ml")
        os.makedirs(prefix + "/lib/python3.11/site-packages")
        w.wait_for(lambda: any(prefix in line and "--discover" in line for line in w.lines), "the new prefix")
        wait_events(box.db, bare_env(box), lambda ev: [e for e in ev if e["environment"]["prefix"] == prefix],
                    "the prefix's baseline")
        r = subprocess.run(["python3", "-m", "pip", "install", "-q", "--no-deps", "--target",
                            prefix + "/lib/python3.11/site-packages", "--index-url", index["simple"], "llmlib==1.1"],
                           env=bare_env(box), capture_output=True, timeout=300)
        assert r.returncode == 0, r
        found = wait_events(box.db, bare_env(box), lambda ev: any(
            changed(e) == [("llmlib", "install", "1.1")] for e in drift_of(ev, prefix)),
            "the install into the prefix")
    finally:
        w.stop()
    (e,) = [e for e in found if e["environment"]["prefix"] == prefix and e["changes"]]
    assert e["environment"]["is_venv"] is False
    (hook,) = e["changes"][0]["startup_hooks"]  # the compromised release's .pth, flagged
    assert hook["executable_import"] is True and hook["path"].endswith("/llmlib_init.pth")


def test_an_environment_that_appears_in_the_log_is_picked_up(box, index, tmp_path, uv_dir):
    env = uv_env(box)
    w = Watch(box.db, env)
    try:
        other = str(tmp_path / "other")
        subprocess.run(["python3", "-m", "venv", "--without-pip", other], check=True, env=env)
        uv_install_all(uv_dir, [other], index, env, "demo-lib==1.0")
        r = subprocess.run([BIN, "scan", other, "--db", box.db], env=env, capture_output=True)
        assert r.returncode == 1, r  # first seen, with demo-lib 1.0
        w.wait_for(lambda: any(other in line and "the log" in line for line in w.lines), "the new environment")
        uv_install_all(uv_dir, [other], index, env, "demo-lib==1.1")
        wait_events(box.db, env, lambda ev: any(changed(e) == [("demo-lib", "upgrade", "1.1")]
                                                for e in drift(box.db, env, other)),
                    "the upgrade in the environment the log gained")
    finally:
        w.stop()


def many_venvs(uv_dir, root, n, env):
    venvs = [f"{root}/v{i:02d}" for i in range(n)]
    for v in venvs:
        subprocess.run(["python3", "-m", "venv", "--without-pip", v], check=True, env=env)
    return venvs


def uv_install_all(uv_dir, venvs, index, env, spec):
    procs = [subprocess.Popen([uv_dir + "/uv", "pip", "install", "-q", "--python", v + "/bin/python",
                               "--index-url", index["simple"], spec], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for v in venvs]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err


def uv_env(box):
    env = bare_env(box)
    env.update({"UV_CACHE_DIR": box.root + "/uv-cache", "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"})
    return env


def test_fifty_environments_changing_at_once_are_each_recorded_once(box, index, tmp_path, uv_dir):
    env = uv_env(box)
    venvs = many_venvs(uv_dir, tmp_path / "fleet", 50, env)
    w = Watch(box.db, env, "--discover", str(tmp_path / "fleet"))
    # Each is found, and recorded empty: what arrives later has a window.
    wait_events(box.db, env, lambda ev: len(ev) >= 51, "the 50 baselines")
    try:
        uv_install_all(uv_dir, venvs, index, env, "demo-lib==1.0")
        wait_events(box.db, env, lambda ev: len(drift_of(ev)) >= 50, "50 drift events", timeout=60)
        time.sleep(2.5)  # anything doubled would show up by now
    finally:
        w.stop()
    d = drift(box.db, env)
    assert sorted(e["environment"]["prefix"] for e in d) == sorted(venvs)
    assert all(changed(e) == [("demo-lib", "install", "1.0")] for e in d)
    ev = events(box.db, env)
    for v in venvs:
        assert replayed_state(ev, v) == disk_state(v + "/lib/python3.11/site-packages")


def test_killed_watcher_records_what_happened_meanwhile_at_restart(box, index, tmp_path, uv_dir):
    env = uv_env(box)
    venvs = many_venvs(uv_dir, tmp_path / "fleet", 6, env)
    fleet = ("--discover", str(tmp_path / "fleet"))
    w = Watch(box.db, env, *fleet)
    wait_events(box.db, env, lambda ev: len(ev) >= 7, "the 6 baselines")
    procs = [subprocess.Popen([uv_dir + "/uv", "pip", "install", "-q", "--python", v + "/bin/python",
                               "--index-url", index["simple"], "demo-lib==1.0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for v in venvs]
    time.sleep(0.3)
    w.stop(signal.SIGKILL)  # mid-burst: some changes seen, some not
    for p in procs:
        assert p.wait(timeout=300) == 0
    killed_at = time.time()
    uv_install_all(uv_dir, venvs[:3], index, env, "demo-lib==1.1")  # while no watcher runs
    time.sleep(1)
    w = Watch(box.db, env, *fleet)
    try:
        wait_events(box.db, env, lambda ev: all(replayed_state(ev, v) == disk_state(v + "/lib/python3.11/site-packages")
                                                for v in venvs), "the catch-up at restart")
        time.sleep(2)
    finally:
        w.stop()
    ev = events(box.db, env)
    for v in venvs[:3]:
        # 1.1 arrived while nothing watched: the window honestly reaches back
        # to before the kill.
        (e,) = [e for e in drift(box.db, env, v) if ("demo-lib", "upgrade", "1.1") in changed(e)
                or ("demo-lib", "install", "1.1") in changed(e)]
        assert ts(e["drift"]["last_seen"]) < killed_at
    # Nothing doubled: every version arrives once per environment.
    for v in venvs:
        arrivals = [c for e in drift(box.db, env, v) for c in changed(e)]
        assert len(arrivals) == len(set(arrivals)), arrivals
    assert subprocess.run([BIN, "verify", "--db", box.db], capture_output=True, env=env).returncode == 0


def test_a_locked_log_spools_then_appends(box, index):
    w = Watch(box.db, bare_env(box))
    locked = threading.Event()

    def hold():
        con = sqlite3.connect(box.db, timeout=30, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(15)
        con.execute("ROLLBACK")
        con.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        bare_pip(box, "install", "-q", "--index-url", index["simple"], "demo-lib==1.0")
        w.wait_for(lambda: any(line.startswith("spooled to ") for line in w.lines), "the event to be spooled")
        holder.join()
        wait_events(box.db, bare_env(box), lambda ev: any(changed(e) == [("demo-lib", "install", "1.0")]
                                                          for e in drift(box.db, bare_env(box))), "the append")
    finally:
        holder.join()
        w.stop()
    (e,) = drift(box.db, bare_env(box))
    assert any("spooled at" in n for n in e["notes"])
    spool = box.db + ".spool"
    assert not os.path.exists(spool) or os.path.getsize(spool) == 0


def test_one_watcher_per_log_a_unit_file_and_doctor(box, tmp_path):
    env = bare_env(box)
    w = Watch(box.db, env)
    try:
        r = subprocess.run([BIN, "watch", "--db", box.db], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and r.stderr.startswith("pkgtrail: a watcher already runs"), r
        r = subprocess.run([BIN, "watch", "--db", box.db, "--if-not-running"], env=env, capture_output=True,
                           timeout=60)
        assert r.returncode == 0 and r.stdout == b"", r
        r = subprocess.run([BIN, "doctor", "--db", box.db, "--json"], env=env, capture_output=True, timeout=60)
        watch = json.loads(r.stdout)["watch"]
        assert watch["running"] is True and watch["environments"] == [box.venv], watch
        # SIGHUP re-reads the environments and goes on; between events the log is not held open.
        w.proc.send_signal(signal.SIGHUP)
        with open(box.site + "/after_hup.pth", "w") as f:
            f.write("/opt/nothing\n")
        wait_events(box.db, env, lambda ev: ev[-1]["startup_hooks"][:1] and
                    ev[-1]["startup_hooks"][0]["path"].endswith("/after_hup.pth"), "the drift after SIGHUP")
        time.sleep(0.5)
        fds = [os.readlink(f"/proc/{w.proc.pid}/fd/{n}") for n in os.listdir(f"/proc/{w.proc.pid}/fd")]
        assert not any(f.startswith(box.db) for f in fds), fds
        assert w.proc.poll() is None
    finally:
        rc, _ = w.stop()
    assert rc == 0
    r = subprocess.run([BIN, "doctor", "--db", box.db, "--json"], env=env, capture_output=True, timeout=60)
    assert json.loads(r.stdout)["watch"]["running"] is False
    r = subprocess.run([BIN, "watch", "--db", box.db, "--discover", str(tmp_path), "--print-systemd-unit"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    unit = r.stdout
    assert "[Service]" in unit and "WantedBy=default.target" in unit
    (exec_line,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert exec_line == f"ExecStart={BIN} watch --db {box.db} --discover {tmp_path}"
    r = subprocess.run([BIN, "watch", "--db", box.db, "--discover", str(tmp_path / "nope")], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("pkgtrail: --discover"), r


@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs (root only; CI runs as root)")
def test_a_read_only_log_spools_then_appends(tmp_path, index):
    mnt = tmp_path / "fs"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (a container without CAP_SYS_ADMIN)")
    try:
        box = Sandbox(tmp_path, "current", twin=False)
        box.db = str(mnt / "trail.db")
        assert box.trail("scan", box.venv, check=False).returncode == 1
        w = Watch(box.db, bare_env(box))
        try:
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            bare_pip(box, "install", "-q", "--index-url", index["simple"], "demo-lib==1.0")
            w.wait_for(lambda: any(line.startswith("spooled to ") for line in w.lines), "the event to be spooled")
            # Beside the log was impossible: the spool is in the state directory.
            (line,) = [line for line in w.lines if line.startswith("spooled to ")]
            assert "/.local/state/pkgtrail/spool-" in line, line
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
            wait_events(box.db, bare_env(box), lambda ev: any(changed(e) == [("demo-lib", "install", "1.0")]
                                                              for e in drift(box.db, bare_env(box))),
                        "the append once the log is writable")
        finally:
            w.stop()
        (e,) = drift(box.db, bare_env(box))
        assert e["drift"]["observer"] == "watch" and any("spooled at" in n for n in e["notes"])
        assert replayed_state(events(box.db, bare_env(box)), box.venv) == disk_state(box.site)
    finally:
        subprocess.run(["umount", "-l", str(mnt)])
