#!/usr/bin/env python3
"""make bench: overhead of the recorder, measured as the user feels it.

Every figure is a median over interleaved runs (bare, recorded, bare, …) in
one process, so machine noise hits both sides alike; budgets are docs/SPEC.md §6.
Usage: bench.py PKGTRAIL_BINARY [RUNS]"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from layout import make_shims  # noqa: E402
from wheels import leave_installed, make_wheel  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 21
TOOLS = os.environ.get("PKGTRAIL_TOOLS", os.path.join(REPO, ".tools"))
SHIMS = None  # links to BIN, as `make install` lays them out (made in main)


def env_for(root, venv, recorded):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PKGTRAIL_", "VIRTUAL_ENV"))}
    env.update(HOME=root, PIP_CONFIG_FILE="/dev/null", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PKGTRAIL_DB=os.path.join(root, "trail.db"), XDG_STATE_HOME=os.path.join(root, "state"))
    env["PATH"] = (SHIMS + ":" if recorded else "") + venv + "/bin:/usr/bin:/bin"
    return env


def make_venv(path, pad=0):
    subprocess.run(["python3", "-m", "venv", path], check=True, env=env_for(os.path.dirname(path), path, False))
    subprocess.run([path + "/bin/python", "-m", "pip", "install", "-q", "--no-index", "--find-links",
                    TOOLS + "/wheels", "pip==26.3"], check=True, env=env_for(os.path.dirname(path), path, False))
    site = path + "/lib/python3.11/site-packages"
    for i in range(pad):  # filler distributions, as pip would leave them
        leave_installed(site, f"filler_{i:03d}", f"1.0.{i}", project=f"filler-{i:03d}")
    return sum(1 for e in os.listdir(site) if e.endswith(".dist-info"))


def timed(cmd, env):
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - t) * 1000
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {r.stderr.decode()[-500:]}")
    return elapsed


def compare(label, cmd, root, venv):
    bare_env, rec_env = env_for(root, venv, False), env_for(root, venv, True)
    timed(cmd, bare_env), timed(cmd, rec_env)  # warm caches
    bare, rec = [], []
    for _ in range(RUNS):
        bare.append(timed(cmd, bare_env))
        rec.append(timed(cmd, rec_env))
    b, r = statistics.median(bare), statistics.median(rec)
    print(f"{label:<52} bare {b:8.1f} ms   recorded {r:8.1f} ms   added {r - b:+7.1f} ms   ratio {r / b:5.3f}")
    return b, r


def bench_uv(root, wheel):
    """`uv pip install` of one cached local wheel, recorded vs bare."""
    uv_src = os.path.join(TOOLS, "venv", "bin", "uv")
    if not os.path.exists(uv_src):
        sys.exit("bench: uv is missing: run `make toolchain`")
    bindir = os.path.join(root, "uvbin")  # uv alone: beside a venv's python it would pick that venv
    os.makedirs(bindir, exist_ok=True)
    shutil.copy(uv_src, bindir)
    venv = os.path.join(root, "uvvenv")
    subprocess.run([bindir + "/uv", "venv", "-q", "--python", "python3", venv], check=True)
    env_b, env_r = env_for(root, venv, False), env_for(root, venv, True)
    for e in (env_b, env_r):
        e.update(VIRTUAL_ENV=venv, UV_CACHE_DIR=os.path.join(root, "uvcache"), UV_PYTHON_DOWNLOADS="never")
        e["PATH"] = e["PATH"].replace(venv + "/bin", bindir)
    cmd = ["uv", "pip", "install", "--reinstall", "--no-deps", wheel]
    # Where the added time goes (issue 11), from the same interleaved series:
    # `tmpfs`, the recorded install with its log on /dev/shm, where fsync costs
    # nothing (the log on disk minus on tmpfs is the durability floor: the WAL
    # synced at commit, so the event is on disk before uv's exit status is
    # returned, and the checkpoint on close); `phases`, the recorded install
    # with PKGTRAIL_TRACE_PHASES, each phase's CLOCK_MONOTONIC stamp placed
    # between this process's own stamps before the spawn and after the wait.
    shm = tempfile.mkdtemp(prefix="pkgtrail-bench-", dir="/dev/shm") if os.path.isdir("/dev/shm") else root
    env_t = dict(env_r, PKGTRAIL_DB=os.path.join(shm, "trail.db"), XDG_STATE_HOME=os.path.join(shm, "state"))
    trace = os.path.join(root, "phases.tsv")
    env_p = dict(env_r, PKGTRAIL_TRACE_PHASES=trace)
    version = ["uv", "--version"]
    series = {"bare": (cmd, env_b), "recorded": (cmd, env_r), "tmpfs": (cmd, env_t), "phases": (cmd, env_p),
              "version-bare": (version, env_b), "version-shim": (version, env_r)}
    for c, e in series.values():
        timed(c, e)
    times = {k: [] for k in series}
    spans = {}
    for _ in range(RUNS):
        for k, (c, e) in series.items():
            if k != "phases":
                times[k].append(timed(c, e))
                continue
            open(trace, "w").close()
            t0 = time.monotonic_ns()
            times[k].append(timed(c, e))
            t1 = time.monotonic_ns()
            stamps = [("spawn", t0)]
            with open(trace) as f:
                for line in f:
                    phase, ns = line.split("\t")
                    stamps.append((phase, int(ns)))
            stamps.append(("returned", t1))
            for (a, ta), (z, tz) in zip(stamps, stamps[1:]):
                spans.setdefault(f"{a}>{z}", []).append((tz - ta) / 1e6)
    med = {k: statistics.median(v) for k, v in times.items()}
    shutil.rmtree(shm, ignore_errors=True) if shm != root else None
    b, r = med["bare"], med["recorded"]
    print(f"{'uv pip install, one cached local wheel':<52} bare {b:8.1f} ms   recorded {r:8.1f} ms   "
          f"added {r - b:+7.1f} ms   ratio {r / b:5.3f}")
    floor = med["recorded"] - med["tmpfs"]
    print(f"   start added (uv --version through the shim minus bare): {med['version-shim'] - med['version-bare']:.1f} ms; "
          f"durability floor (log on disk minus on tmpfs): {floor:.1f} ms; phases of one recorded install (medians):")
    names = {"spawn>main": "fork, shim, exec, runtime init", "main>decided": "argv read, real uv found",
             "decided>target": "target environment", "target>locked": "environment lock",
             "locked>before": "before-snapshot", "before>spawned": "uv spawned",
             "spawned>parallel": "(uv running) who, log open, drift", "parallel>waited": "(uv running) wait",
             "waited>after": "after-snapshot", "after>findings": "artifacts, hashes, uv version",
             "findings>event": "event built", "event>appended": "append, commit (WAL fsync)",
             "appended>closed": "close (checkpoint, fsync)", "closed>exit": "lock released",
             "exit>returned": "exit to the caller seeing it"}
    for key, label in names.items():
        if key in spans:
            print(f"   {label:<40} {statistics.median(spans[key]):6.2f} ms")
    return b, r


def bench_shell(root, venv):
    """The shell functions (issue 10), timed inside one bash so that only the
    command differs: `pip --version` through the function (which runs
    pkgtrail, which execs pip) against `command pip`; `python -c pass`
    through the function (no process of ours) against `command python`. Then
    what the init line adds to an interactive shell's start."""
    runs = RUNS * 3
    script = f"""eval "$({BIN} init bash)"
    for i in $(seq {runs}); do
        s=${{EPOCHREALTIME/./}}; command pip --version >/dev/null; e=${{EPOCHREALTIME/./}}; echo "bare-pip $((e - s))"
        s=${{EPOCHREALTIME/./}}; pip --version >/dev/null; e=${{EPOCHREALTIME/./}}; echo "fn-pip $((e - s))"
        s=${{EPOCHREALTIME/./}}; command python -c pass; e=${{EPOCHREALTIME/./}}; echo "bare-python $((e - s))"
        s=${{EPOCHREALTIME/./}}; python -c pass; e=${{EPOCHREALTIME/./}}; echo "fn-python $((e - s))"
    done
    """
    env = env_for(root, venv, False)
    env["LC_ALL"] = "C"
    out = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    times = {}
    for line in out.splitlines():
        k, us = line.split()
        times.setdefault(k, []).append(int(us) / 1000)
    med = {k: statistics.median(v) for k, v in times.items()}
    # Interactive start with and without the init line, interleaved.
    homes = {}
    for kind, rc in (("without", ""), ("with", f'eval "$({BIN} init bash)"\n')):
        homes[kind] = os.path.join(root, "home-" + kind)
        os.makedirs(homes[kind], exist_ok=True)
        with open(homes[kind] + "/.bashrc", "w") as f:
            f.write(rc)
    starts = {"without": [], "with": []}
    for _ in range(runs):
        for kind, home in homes.items():
            e = dict(env, HOME=home)
            t = time.perf_counter()
            subprocess.run(["bash", "-i", "-c", "exit"], env=e, stdin=subprocess.DEVNULL, capture_output=True)
            starts[kind].append((time.perf_counter() - t) * 1000)
    start = {k: statistics.median(v) for k, v in starts.items()}
    print(f"{'function pass-through: pip --version':<52} bare {med['bare-pip']:8.1f} ms   recorded "
          f"{med['fn-pip']:8.1f} ms   added {med['fn-pip'] - med['bare-pip']:+7.1f} ms")
    print(f"{'function pass-through: python -c pass':<52} bare {med['bare-python']:8.1f} ms   recorded "
          f"{med['fn-python']:8.1f} ms   added {med['fn-python'] - med['bare-python']:+7.1f} ms")
    print(f"{'bash -i -c exit, without / with the init line':<52} bare {start['without']:8.1f} ms   recorded "
          f"{start['with']:8.1f} ms   added {start['with'] - start['without']:+7.1f} ms")
    return (med["fn-pip"] - med["bare-pip"], med["fn-python"] - med["bare-python"], start["with"] - start["without"])


def bench_scan(root, venv):
    """Median `pkgtrail scan` of an unchanged environment, and `scan --files`
    throughput against sha256sum over exactly the files the RECORDs hash."""
    env = env_for(root, venv, True)
    db = ["--db", os.path.join(root, "trail.db")]
    subprocess.run([BIN, "scan", *db, venv], env=env, capture_output=True)
    runs = []
    for _ in range(RUNS):
        t = time.perf_counter()
        r = subprocess.run([BIN, "scan", *db, venv], env=env, capture_output=True)
        runs.append((time.perf_counter() - t) * 1000)
        if r.returncode != 0:
            sys.exit(f"bench: scan reported drift on an unchanged environment: {r.stdout}")
    site = venv + "/lib/python3.11/site-packages"
    files = []
    for d in os.listdir(site):
        if d.endswith(".dist-info"):
            for line in open(os.path.join(site, d, "RECORD")):
                parts = line.rsplit(",", 2)
                if len(parts) == 3 and parts[1].startswith("sha256="):
                    files.append(os.path.normpath(os.path.join(site, parts[0])))
    size = sum(os.path.getsize(f) for f in files) / 1e6
    fr, sr = [], []
    for _ in range(max(3, RUNS // 3)):
        t = time.perf_counter()
        subprocess.run([BIN, "scan", "--files", *db, venv], env=env, capture_output=True)
        fr.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run(["sha256sum", *files], capture_output=True)
        sr.append(time.perf_counter() - t)
    return statistics.median(runs), size / statistics.median(fr), size / statistics.median(sr)


def main():
    if not os.path.exists(BIN):
        sys.exit(f"bench: no binary at {BIN}: run `make release`")
    global SHIMS
    root = tempfile.mkdtemp(prefix="pkgtrail-bench-")
    try:
        SHIMS = make_shims(os.path.join(root, "shims"), BIN)
        wheel = make_wheel(root, "bench-pkg", "1.0")
        small, big = root + "/small", root + "/big"
        make_venv(small)
        n = make_venv(big, pad=300)
        print(f"pkgtrail bench: {RUNS} interleaved runs each, medians; environments of "
              f"{sum(1 for e in os.listdir(small + '/lib/python3.11/site-packages') if e.endswith('.dist-info'))} "
              f"and {n} distributions; pip 26.3")
        install = ["pip", "install", "--no-index", "--no-deps", "--force-reinstall", wheel]
        b, r = compare("pip install, one cached local wheel", install, root, small)
        ok1 = r / b <= 1.05
        b3, r3 = compare(f"pip install, one local wheel, {n} distributions", install, root, big)
        ok2 = r3 - b3 <= 30
        bp, rp = compare("pass-through: pip --version", ["pip", "--version"], root, small)
        bu, ru = bench_uv(root, wheel)
        ok5 = ru / bu <= 1.10
        ok3 = rp - bp <= 10
        fn_pip, fn_python, init_added = bench_shell(root, small)
        print()
        print(f"budget recorded/bare <= 1.05 ........ {r / b:.3f}  {'ok' if ok1 else 'OVER'}")
        print(f"budget added at {n} dists <= 30 ms .. {r3 - b3:.1f} ms  {'ok' if ok2 else 'OVER'}")
        print(f"budget pass-through added <= 10 ms .. {rp - bp:.1f} ms  {'ok' if ok3 else 'OVER'}")
        print(f"budget uv recorded/bare <= 1.10 ..... {ru / bu:.3f}  {'ok' if ok5 else 'OVER'}")
        print(f"budget function pip --version added <= 3 ms .. {fn_pip:.1f} ms  {'ok' if fn_pip <= 3 else 'OVER'}")
        print(f"budget function python -c pass added <= 1 ms .. {fn_python:.2f} ms  {'ok' if fn_python <= 1 else 'OVER'}")
        print(f"budget init line added to bash -i <= 10 ms .. {init_added:.1f} ms  {'ok' if init_added <= 10 else 'OVER'}")
        scan_ms, files_rate, sum_rate = bench_scan(root, big)
        ok4 = scan_ms <= 30
        print(f"budget scan of {n} unchanged dists <= 30 ms .. {scan_ms:.1f} ms  {'ok' if ok4 else 'OVER'}")
        print(f"scan --files: {files_rate:.0f} MB/s re-hashing vs sha256sum {sum_rate:.0f} MB/s over the same files "
              f"({files_rate / sum_rate:.2f}x)")
        events = subprocess.run([BIN, "verify", "--db", root + "/trail.db"], capture_output=True, text=True)
        print(f"log after the bench: {events.stdout.strip()}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
