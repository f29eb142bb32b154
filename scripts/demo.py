#!/usr/bin/env python3
"""make demo: a small incident, recorded for real and answered from the log.

A sandbox gets a venv (the machine's python3 -m venv, offline), a local
PEP 503 index on 127.0.0.1, and the pkgtrail shims first on PATH. Then:
clean installs; `agentkit` pulls in `llmlib 1.1`, a compromised release
whose .pth file runs at every Python start; `llmlib 1.2` is published and
the team upgrades away. Finally the log answers who, when, what, from
where, which artifact, and proves it is intact; then it is pushed to a
central PostgreSQL (a cluster of its own on 127.0.0.1, as the tests run
it), which verifies it on arrival and answers the same question for the
whole fleet.
Usage: demo.py PKGTRAIL_BINARY"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from layout import make_shims  # noqa: E402
from postgres import Server  # noqa: E402
from wheels import build_index, make_wheel, serve  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
TOOLS = os.environ.get("PKGTRAIL_TOOLS", os.path.join(REPO, ".tools"))


def banner(text):
    # Bold only on a terminal, and never with NO_COLOR set (as pkgtrail itself).
    bold = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    print(f"\n\033[1m== {text}\033[0m" if bold else f"\n== {text}", flush=True)


def main():
    root = tempfile.mkdtemp(prefix="pkgtrail-demo-")
    server = central = None
    try:
        staging = os.path.join(root, "staging")
        os.makedirs(staging)
        wheels = [make_wheel(staging, "demo-lib", "1.0"), make_wheel(staging, "demo-lib", "1.1"),
                  make_wheel(staging, "demo-app", "1.0", requires=["demo-lib>=1.0"], script="demo-app"),
                  make_wheel(staging, "llmlib", "1.0"),
                  make_wheel(staging, "llmlib", "1.1",
                             pth=("llmlib_init.pth", "import os; os.environ.setdefault('LLMLIB_STOLEN', '1')\n")),
                  make_wheel(staging, "agentkit", "1.0", requires=["llmlib>=1.0"])]
        index_root = os.path.join(root, "index")
        build_index(index_root, wheels)
        server, url = serve(index_root)
        venv = os.path.join(root, "app-venv")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PKGTRAIL_", "VIRTUAL_ENV"))}
        env.update(HOME=root, PIP_CONFIG_FILE="/dev/null", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1",
                   PKGTRAIL_DB=os.path.join(root, "trail.db"))
        subprocess.run(["python3", "-m", "venv", venv], check=True, env=env)
        # uv alone in a directory (beside the toolchain's python it would take that venv for the target).
        uv_dir = os.path.join(root, "uv-bin")
        os.makedirs(uv_dir)
        shutil.copy(os.path.join(TOOLS, "venv", "bin", "uv"), uv_dir)
        env.update(UV_CACHE_DIR=os.path.join(root, "uv-cache"), UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1",
                   XDG_CONFIG_HOME=os.path.join(root, "config"))
        shims = make_shims(os.path.join(root, "shims"), BIN)  # as `make install` links them
        env["PATH"] = ":".join([shims, venv + "/bin", uv_dir, os.path.dirname(BIN), "/usr/bin:/bin"])

        def sh(cmd):
            print(f"$ {cmd}", flush=True)
            subprocess.run(cmd, shell=True, env=env, cwd=root)

        banner(f"a sandbox in {root}: venv, local index at {url}, shims first on PATH")
        sh("command -v pip")
        sh(f"pip install -q -i {url}/simple/ demo-app")
        banner("Tuesday 10:40 — someone adds agentkit; it pulls in llmlib 1.1 (compromised: ships a .pth hook)")
        sh(f"pip install -i {url}/simple/ agentkit")
        banner("llmlib 1.2 is published; the team upgrades away")
        build_index(index_root, [make_wheel(staging, "llmlib", "1.2")])
        sh(f"pip install -q -i {url}/simple/ -U llmlib")
        sh("pip uninstall -y demo-app")
        banner("In a shell with pkgtrail's functions (`pkgtrail init bash`), an activated venv and python -m pip are recorded too")
        print(f"$ . app-venv/bin/activate; pkgtrail doctor | tail -1; python -m pip install -q -i {url}/simple/ demo-app", flush=True)
        subprocess.run(["bash", "-c", f'eval "$(pkgtrail init bash)"; . app-venv/bin/activate; pkgtrail doctor | tail -1; '
                        f'python -m pip install -q -i {url}/simple/ demo-app'], env=env, cwd=root)
        banner("Another team's environment, managed with uv (recorded through the uv shim)")
        sh("uv venv -q --python python3 worker-env")
        sh(f"uv pip install -q --python worker-env/bin/python -i {url}/simple/ agentkit 'llmlib==1.1'")
        banner("Someone runs the venv's python by its path: no function or shim sees that; pkgtrail scan records it as drift")
        sh(f"app-venv/bin/python -m pip install -q -i {url}/simple/ demo-lib==1.0")
        sh("pkgtrail scan")
        banner("With `pkgtrail watch` running, the same kind of bypass is recorded a second after it happens")
        print("$ pkgtrail watch &", flush=True)
        watcher = subprocess.Popen(["pkgtrail", "watch"], env=env, cwd=root, stdout=subprocess.PIPE, text=True)
        print(watcher.stdout.readline(), end="", flush=True)  # "watching N environments…"
        sh(f"app-venv/bin/python -m pip install -q -i {url}/simple/ demo-lib==1.1")
        deadline = time.time() + 60
        while time.time() < deadline and not any(
                (e["drift"] or {}).get("observer") == "watch" for e in json.loads(subprocess.run(
                    ["pkgtrail", "log", "--json"], env=env, cwd=root, capture_output=True).stdout or b"[]")):
            time.sleep(0.2)
        print("$ kill %1", flush=True)
        watcher.terminate()
        print(watcher.communicate(timeout=60)[0], end="", flush=True)

        banner("What happened, newest last (pkgtrail log)")
        sh("pkgtrail log")
        banner("Who installed llmlib 1.1, when, how, from which index, which artifact? (pkgtrail who)")
        sh("pkgtrail who 'llmlib==1.1'")
        banner("The newest change to llmlib only, in this environment (a popular name's history narrows the same way)")
        sh("pkgtrail who llmlib --env app-venv --limit 1")
        banner("Where were we exposed, and for how long? (pkgtrail exposure, exit 1 = exposed)")
        sh("pkgtrail exposure 'llmlib>=1.1,<1.2'; echo \"exit status $?\"")
        with open(os.path.join(root, "MAL-2026-0042.json"), "w") as f:
            json.dump({"id": "MAL-2026-0042", "summary": "llmlib 1.1 runs a credential stealer from a .pth file",
                       "affected": [{"package": {"ecosystem": "PyPI", "name": "llmlib"}, "versions": ["1.1"]}]}, f)
        banner("The same from an OSV advisory, as a gate for scripts (exit 1 = exposed)")
        sh("pkgtrail exposure --osv MAL-2026-0042.json --json | python3 -c "
           "'import json,sys; [print(w[\"host\"], w[\"environment\"], w[\"version\"], w[\"from\"], \"->\", w[\"until\"] or \"still present\") "
           "for w in json.load(sys.stdin)]'")
        arrived = next(r["finished"] for r in json.loads(subprocess.run(
            ["pkgtrail", "who", "--json", "llmlib==1.1"], env=env, cwd=root, capture_output=True, check=True).stdout))
        banner(f"What did the environment hold right after the compromised install? (pkgtrail state --at {arrived})")
        sh(f"pkgtrail state --env app-venv --at {arrived}")
        banner("And what changed since then? (pkgtrail diff)")
        sh(f"pkgtrail diff --env app-venv {arrived}")
        banner("Is the record complete and unaltered? (pkgtrail verify, then ten lines of Python)")
        sh("pkgtrail verify")
        sh(f"python3 {REPO}/scripts/verify_log.py trail.db")
        banner("For the auditors: a timeline they can check without pkgtrail, and an HTML page that shows the "
               "windows (llmlib 1.1 in red) above the table")
        sh("pkgtrail export --format ndjson -o timeline.ndjson && "
           "pkgtrail export --format html --highlight llmlib==1.1 -o timeline.html && grep -c '<rect class=\"flagged' "
           "timeline.html")
        sh(f"python3 {REPO}/scripts/verify_log.py timeline.ndjson")
        banner("A signed checkpoint, kept elsewhere, later proves the log was not rewritten")
        sh("pkgtrail key init >/dev/null && pkgtrail checkpoint -o checkpoint.note && cat checkpoint.note")
        sh("pkgtrail verify --checkpoint checkpoint.note")

        banner("The fleet: a central PostgreSQL verifies each host's log on arrival and answers for every host")
        central = Server()
        env["PGPASSFILE"] = central.passfile  # passwords only from the password file, as libpq reads them
        sh(f"pkgtrail central init --db {central.url()} | head -1")
        central.add_role("laptop", "pkgtrail_host", "laptop-demo-secret")  # hosts may only push
        central.add_role("responder", "pkgtrail_reader", "responder-demo-secret")  # responders may only read
        sh(f"pkgtrail push --central {central.url('laptop')} --host laptop-7")
        sh(f"pkgtrail exposure 'llmlib==1.1' --central {central.url('responder')}")
        sh(f"pkgtrail central status --central {central.url('responder')}")
        sh(f"pkgtrail central verify --central {central.url('responder')}")
        print(f"\nThe log is {root}/trail.db; the sandbox is removed now (PKGTRAIL_DEMO_KEEP=1 keeps it).")
    finally:
        if server:
            server.terminate()
        if central:
            central.stop()
        if not os.environ.get("PKGTRAIL_DEMO_KEEP"):
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
