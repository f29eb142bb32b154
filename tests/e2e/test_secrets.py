"""A canary secret in every channel a secret can travel to an install
(docs/SPEC.md §2): environment variables of every common name, index URLs on the
command line, in PIP_*/UV_* variables, in pip.conf and uv.toml, in a
requirements file, .netrc, build-option assignments, a CI job token, and a
package whose .pth prints the whole environment at every interpreter start.
After real pip and uv installs through the shims (one of them spooled), the
canary must not be in the database, its WAL, the spool, any export, or any
output of any pkgtrail command; redaction keeps the host of every index."""
import glob
import json
import os
import shutil
import subprocess

from conftest import BIN, Sandbox, UvBox
from wheels import build_index, make_wheel, serve

CANARY = "CANARYsecret5eed"  # no well-known token prefix: only structural redaction can catch it


def leak(blob):
    return CANARY.encode() in blob


def secret_env(host):
    return {
        "OPENAI_API_KEY": "sk-" + CANARY, "ANTHROPIC_API_KEY": CANARY, "HF_TOKEN": "hf_" + CANARY,
        "GITHUB_TOKEN": "ghp_" + CANARY, "NPM_TOKEN": CANARY, "AWS_ACCESS_KEY_ID": "AKIA" + CANARY,
        "AWS_SECRET_ACCESS_KEY": CANARY, "AWS_SESSION_TOKEN": CANARY, "TWINE_PASSWORD": CANARY,
        "DATABASE_URL": f"postgres://app:{CANARY}@db.internal/app", "MY_SERVICE_SECRET": CANARY,
        "GITLAB_CI": "true", "CI_PROJECT_PATH": "team/app", "CI_PIPELINE_ID": "77", "CI_JOB_NAME": "build",
        "CI_JOB_TOKEN": CANARY, "CI_REPOSITORY_URL": f"https://gitlab-ci-token:{CANARY}@gitlab.example/team/app.git",
        "PIP_INDEX_URL": f"http://__token__:{CANARY}@{host}/simple/",
        "PIP_EXTRA_INDEX_URL": f"http://{CANARY}@{host}/simple/",
        "UV_INDEX_URL": f"http://uvuser:{CANARY}@{host}/simple/",
        "UV_EXTRA_INDEX_URL": f"http://{host}/simple/?token={CANARY}",
        "UV_INDEX": f"private=http://named:{CANARY}@{host}/simple/",
        "UV_INDEX_PRIVATE_USERNAME": "named", "UV_INDEX_PRIVATE_PASSWORD": CANARY,
    }


def test_a_canary_secret_reaches_no_record_and_no_output(tmp_path, index, uv_dir):
    host = index["url"].split("//")[1]
    # A package that dumps the environment from a .pth at every interpreter
    # start: pkgtrail must never start the target's Python (it would run this).
    root = str(tmp_path / "leaky-index")
    os.makedirs(root + "/staging")
    wheel = make_wheel(root + "/staging", "envdump", "1.0", pth=(
        "envdump.pth", "import os, sys; sys.stderr.write('ENVDUMP ' + repr(dict(os.environ)) + '\\n')\n"))
    shutil.copytree(index["files"], root + "/files")
    build_index(root, [wheel])
    proc, leaky_url = serve(root)
    leaky_host = leaky_url.split("//")[1]
    try:
        box = Sandbox(tmp_path / "pip", "current", twin=False)
        env = secret_env(host)
        home = box.home
        with open(home + "/.netrc", "w") as f:
            f.write(f"machine 127.0.0.1 login netrcuser password {CANARY}\n")
        os.chmod(home + "/.netrc", 0o600)
        with open(home + "/pip.conf", "w") as f:
            f.write(f"[global]\nindex-url = http://cfg:{CANARY}@{host}/simple/\n"
                    f"extra-index-url = http://cfg2:{CANARY}@{leaky_host}/simple/\n")
        with open(home + "/ca.pem", "w") as f:
            f.write("not used: the index is plain http\n")
        with open(box.root + "/requirements.txt", "w") as f:
            f.write(f"--index-url http://req:{CANARY}@{host}/simple/\n"
                    f"--extra-index-url http://{leaky_host}/simple/?token={CANARY}\n"
                    "agentkit==1.0\n"
                    f"demo-lib @ http://wheel:{CANARY}@{host}/files/demo_lib-1.0-py3-none-any.whl\n")

        def pip(*args, extra=None, drop=()):
            r = box.pip(*args, extra={k: v for k, v in {**env, **(extra or {})}.items() if k not in drop})
            assert r.returncode == 0, r
            ours = [l for l in r.stderr.splitlines() if l.startswith(b"pkgtrail:")]
            assert not any(leak(l) for l in ours), ours
            return r

        pip("install", "demo-lib==1.1")  # PIP_INDEX_URL
        pip("install", "-i", f"http://user:{CANARY}@{host}/simple/", f"--extra-index-url=http://{CANARY}@{leaky_host}/simple/",
            "--trusted-host", "127.0.0.1", "--cert", home + "/ca.pem", "--keyring-provider", "disabled", "-C", f"token={CANARY}",
            "envdump==1.0")
        pip("install", "-r", "requirements.txt")
        pip("install", "--upgrade", "demo-lib", extra={"PIP_CONFIG_FILE": home + "/pip.conf"},
            drop=("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"))
        # The log unwritable for one install: the event waits in the spool, which is checked before it is replayed.
        real = box.db + ".real"
        os.rename(box.db, real)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(box.db + suffix):
                os.rename(box.db + suffix, real + suffix)
        with open(box.db, "wb") as f:
            f.write(b"garbage, not a database" * 64)
        r = pip("uninstall", "-y", "envdump")
        assert b"pkgtrail: warning:" in r.stderr
        with open(box.db + ".spool", "rb") as f:
            spooled = f.read()
        assert b'"envdump"' in spooled and not leak(spooled)
        os.remove(box.db)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(real + suffix):
                os.rename(real + suffix, box.db + suffix)

        uvbox = UvBox(tmp_path / "uv", uv_dir)
        uvenv = {**uvbox.env(), **env}
        with open(uvbox.root + "/uv.toml", "w") as f:
            f.write(f'[[index]]\nname = "cfg"\nurl = "http://cfg:{CANARY}@{host}/simple/"\ndefault = true\n')
        for args in (["pip", "install", "llmlib==1.0"],
                     ["pip", "install", "--index-url", f"http://u:{CANARY}@{host}/simple/", "demo-lib==1.0"],
                     ["pip", "install", "--config-file", uvbox.root + "/uv.toml", "llmlib==1.2"]):
            config = "--config-file" in args
            run_env = {k: v for k, v in uvenv.items() if not (config and k.startswith("UV_INDEX") or k == "UV_EXTRA_INDEX_URL")}
            r = subprocess.run(["uv", *args], env=run_env, capture_output=True, cwd=uvbox.root, timeout=120)
            assert r.returncode == 0, r
            assert not any(leak(l) for l in r.stderr.splitlines() if l.startswith(b"pkgtrail:"))

        records = []
        assert subprocess.run([BIN, "key", "init"], env=box.env(), capture_output=True).returncode == 0
        for db in (box.db, uvbox.db):
            def trail(*args, ok=(0,)):
                r = subprocess.run([BIN, *args, "--db", db], capture_output=True, env={**box.env(), **env}, timeout=120)
                assert r.returncode in ok, r
                return r.stdout + r.stderr
            events = trail("log", "--json")
            records.append(events)
            outputs = [events, trail("log"), trail("log", "--local"), trail("verify"), trail("checkpoint"),
                       trail("exposure", "demo-lib", "llmlib", "envdump", ok=(0, 1)), trail("who", "demo-lib"),
                       trail("who", "--json", "llmlib")]
            for n in range(1, 9):
                outputs += [trail("show", str(n), ok=(0, 2)), trail("show", str(n), "--json", ok=(0, 2))]
            for fmt in ("ndjson", "json", "csv", "html"):
                out = str(tmp_path / f"export.{fmt}")
                outputs.append(trail("export", "--format", fmt, "-o", out))
                with open(out, "rb") as f:
                    outputs.append(f.read())
            venv = box.venv if db == box.db else uvbox.venv
            outputs += [trail("state", "--env", venv), trail("state", "--env", venv, "--json"),
                        trail("state", "--env", venv, "--freeze"), trail("diff", "--env", venv, "2000-01-01", "2100-01-01"),
                        trail("scan", venv, ok=(0, 1))]
            state = glob.glob(str(tmp_path) + "/*/home/.local/state/**", recursive=True) + \
                glob.glob(str(tmp_path) + "/uv/.local/state/**", recursive=True)
            for path in glob.glob(db + "*") + state:
                if os.path.isfile(path):
                    with open(path, "rb") as f:
                        outputs.append(f.read())
            for blob in outputs:
                assert not leak(blob), blob[:2000]
        # Redaction keeps the host, so every index stays identifiable.
        pip_events = json.loads(records[0])
        kept = {(src["origin"], src["url"]) for e in pip_events for src in e["sources"]}
        for origin in ("env:PIP_INDEX_URL", "argv", "config:" + home + "/pip.conf"):
            assert (origin, f"http://***@{host}/simple/") in kept, (origin, kept)
        argv = [a for e in pip_events if e["command"] for a in e["command"]["argv"]]
        assert "token=***" in argv and "--trusted-host" in argv and home + "/ca.pem" in argv and "disabled" in argv
        uv_sources = {src["url"] for e in json.loads(records[1]) for src in e["sources"]}
        assert f"http://***@{host}/simple/" in uv_sources, uv_sources
    finally:
        proc.terminate()
        proc.wait()
