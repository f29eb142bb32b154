#!/usr/bin/env python3
"""make bench, the policy (issue 16's budgets): a recorded install with a
48 h cooldown and the deny-list of `deny_advisories = ["MAL"]` over an
imported database of 10,050 MAL advisories (50 single versions, which
become constraint lines, and 10,000 projects malicious in every version,
looked up by name in the store's index) against the same recorded install
without a policy, pip and uv, interleaved runs, medians; and the policy
decision itself (reading the files, the store, deciding, the constraints
file), from the recorder's own phase stamps, with minus without. For
comparison, the same list written by hand in policy.toml (parsed for
every command).

The index is a local PEP 691 one with upload times (pip refuses a cut-off
without them). Usage: bench_policy.py PKGTRAIL_BINARY [RUNS]"""
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.argv = [sys.argv[0], sys.argv[1], *(sys.argv[2:] or ["21"])]
import bench  # noqa: E402  (the same environments and timing as the overhead bench)
from layout import make_shims  # noqa: E402
from json_index import publish, serve  # noqa: E402
from osv import mal_database, write_zip  # noqa: E402

RUNS = int(sys.argv[2])


def policy_home(root, kind, store):
    """kind: "advisories" (deny_advisories over `store`) or "by hand" (10,050 entries in the file)."""
    home = os.path.join(root, "policy-home-" + kind.replace(" ", "-"))
    os.makedirs(os.path.join(home, ".config", "pkgtrail"))
    with open(os.path.join(home, ".config", "pkgtrail", "policy.toml"), "w") as f:
        f.write('min_release_age = "48h"\n')
        if kind == "advisories":
            f.write(f'deny_advisories = ["MAL"]\nadvisories = "{store}"\n')
        else:
            deny = [f"mal-pkg-{i}==1.0" for i in range(50)] + [f"typo-squat-{i}" for i in range(10_000)]
            f.write("deny = [\n" + "".join(f'  "{d}",\n' for d in deny) + "]\n")
    return home


def series(label, cmd, env_plain, env_policy, trace):
    """Interleaved: recorded without policy, recorded with it; each run's phase stamps kept."""
    envs = {"plain": dict(env_plain, PKGTRAIL_TRACE_PHASES=trace), "policy": dict(env_policy, PKGTRAIL_TRACE_PHASES=trace)}
    for e in envs.values():
        bench.timed(cmd, e)
    times = {k: [] for k in envs}
    decide = {k: [] for k in envs}
    for _ in range(RUNS):
        for k, e in envs.items():
            open(trace, "w").close()
            times[k].append(bench.timed(cmd, e))
            stamps = dict(line.split("\t") for line in open(trace).read().splitlines())
            # Reading the files (decided > policy-read) and deciding (before > policy),
            # each also present without a policy: the difference is the policy's.
            decide[k].append((int(stamps["policy-read"]) - int(stamps["decided"])
                              + int(stamps["policy"]) - int(stamps["before"])) / 1e6)
    p, q = statistics.median(times["plain"]), statistics.median(times["policy"])
    d = statistics.median(decide["policy"]) - statistics.median(decide["plain"])
    print(f"{label:<44} no policy {p:7.1f} ms   policy {q:7.1f} ms   ratio {q / p:5.3f}   decision {d:5.2f} ms")
    return q / p, d


def main():
    root = tempfile.mkdtemp(prefix="pkgtrail-bench-policy-")
    proc = None
    try:
        bench.SHIMS = make_shims(os.path.join(root, "shims"), bench.BIN)
        publish(os.path.join(root, "index"), "bench-pkg", [("1.0", datetime.timedelta(days=3))])
        proc, url = serve(os.path.join(root, "index"), "bench-pkg")
        venv = os.path.join(root, "venv")
        bench.make_venv(venv)
        trace = os.path.join(root, "phases.tsv")
        plain = bench.env_for(root, venv, True)
        uvbin = os.path.join(root, "uvbin")
        os.makedirs(uvbin)
        shutil.copy(os.path.join(bench.TOOLS, "venv", "bin", "uv"), uvbin)
        uvvenv = os.path.join(root, "uvvenv")
        subprocess.run([uvbin + "/uv", "venv", "-q", "--python", "python3", uvvenv], check=True)
        uv_env = {"VIRTUAL_ENV": uvvenv, "UV_CACHE_DIR": os.path.join(root, "uvcache"), "UV_PYTHON_DOWNLOADS": "never"}
        uv_plain = dict(bench.env_for(root, uvvenv, True), **uv_env)
        uv_plain["PATH"] = uv_plain["PATH"].replace(uvvenv + "/bin", uvbin)
        pip_cmd = ["pip", "install", "--no-deps", "--force-reinstall", "-i", url, "bench-pkg==1.0"]
        uv_cmd = ["uv", "pip", "install", "--reinstall", "--no-deps", "--index-url", url, "bench-pkg==1.0"]
        store = os.path.join(root, "advisories.db")
        write_zip(os.path.join(root, "mal.zip"), mal_database())
        subprocess.run([bench.BIN, "advisories", "import", "--advisories", store, os.path.join(root, "mal.zip")],
                       check=True, capture_output=True)
        results = {}
        for kind in ("advisories", "by hand"):
            config = os.path.join(policy_home(root, kind, store), ".config")
            print(f"pkgtrail bench (policy): {RUNS} interleaved runs each, medians; cooldown 48h and a deny-list of "
                  + ("deny_advisories = [\"MAL\"] over 10,050 imported advisories" if kind == "advisories"
                     else "the same 10,050 entries written by hand in policy.toml")
                  + " (50 versions as constraint lines, 10,000 projects by name)")
            results[kind] = (
                series("pip install, one wheel from a local index", pip_cmd, plain,
                       dict(plain, XDG_CONFIG_HOME=config), trace),
                series("uv pip install, one wheel from a local index", uv_cmd, uv_plain,
                       dict(uv_plain, XDG_CONFIG_HOME=config), trace))
        (r_pip, d_pip), (r_uv, d_uv) = results["advisories"]
        print()
        for name, ratio in (("pip", r_pip), ("uv", r_uv)):
            print(f"budget {name} with cooldown + 10,050 MAL advisories / without <= 1.05 .. {ratio:.3f}  "
                  f"{'ok' if ratio <= 1.05 else 'OVER'}")
        d = max(d_pip, d_uv)
        print(f"budget policy decision <= 2 ms .............. {d:.2f} ms  {'ok' if d <= 2 else 'OVER'}")
    finally:
        if proc:
            proc.terminate()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
