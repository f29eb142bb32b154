"""`pkgtrail init --ci`: later steps of a CI job are recorded. GitHub runs
every step as a new non-interactive `bash --noprofile --norc -eo pipefail`
with PATH from $GITHUB_PATH and variables from $GITHUB_ENV; GitLab and
others run the job's lines in one shell that evals what init prints."""
import json
import os
import subprocess

from conftest import BASE_PATH, BIN, isolated_env, make_venv
from shells import install_layout

GITHUB = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "org/app", "GITHUB_RUN_ID": "77", "GITHUB_JOB": "test"}


def events(db, env):
    r = subprocess.run([BIN, "log", "--json", "--db", db], capture_output=True, env=env)
    assert r.returncode == 0, r
    return [e for e in json.loads(r.stdout) if e["kind"] == "install"]


def github_step(env, script, shell="bash"):
    """What the runner does for `run:` (PATH: $GITHUB_PATH lines first, newest first; $GITHUB_ENV set)."""
    step = dict(env)
    with open(env["GITHUB_PATH"]) as f:
        step["PATH"] = ":".join(reversed(f.read().split())) + ":" + env["PATH"]
    with open(env["GITHUB_ENV"]) as f:
        step.update(line.split("=", 1) for line in f.read().splitlines())
    argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script] if shell == "bash" else ["sh", "-e", "-c", script]
    return subprocess.run(argv, env=step, capture_output=True, cwd=env["HOME"], timeout=300)


def installed(tmp_path, index, ci):
    """A CI machine with pkgtrail installed in ~/.local and a venv; its environment."""
    home = str(tmp_path / "home")
    os.makedirs(home)
    install_layout(home)
    make_venv(str(tmp_path / "v"), "current")
    env = isolated_env(home, str(tmp_path / "trail.db"), {"PATH": BASE_PATH, "PIP_INDEX_URL": index["simple"], **ci})
    return home, env["PKGTRAIL_DB"], env


def test_github_later_steps_are_recorded(tmp_path, index):
    home, db, env = installed(tmp_path, index, dict(GITHUB, GITHUB_PATH=str(tmp_path / "path"),
                                                    GITHUB_ENV=str(tmp_path / "env")))
    for f in ("path", "env"):
        (tmp_path / f).write_text("")
    r = subprocess.run([home + "/.local/bin/pkgtrail", "init", "--ci", "github"], capture_output=True, env=env)
    assert r.returncode == 0, r
    assert b"later steps of this job are recorded" in r.stdout
    # A bash step that activates a venv: the exported functions win over its bin/.
    r = github_step(env, f"source {tmp_path}/v/bin/activate\npip install demo-lib==1.0\npython -m pip install llmlib==1.0\n")
    assert r.returncode == 0, r
    # An sh step without a venv: the shims on PATH.
    r = github_step(env, f"pip install --target {tmp_path}/t demo-lib==1.1", shell="sh")
    assert r.returncode == 0, r
    got = events(db, env)
    assert [(e["command"]["argv"], e["environment"]["prefix"]) for e in got] == [
        (["pip", "install", "demo-lib==1.0"], str(tmp_path / "v")),
        (["python", "-m", "pip", "install", "llmlib==1.0"], str(tmp_path / "v")),
        (["pip", "install", "--target", str(tmp_path / "t"), "demo-lib==1.1"], str(tmp_path / "t")),
    ]
    for e in got:
        assert e["actor"]["ci"] == {"provider": "github-actions", "repository": "org/app", "run_id": "77", "job": "test"}


def test_github_outside_actions_says_what_to_do(tmp_path):
    env = isolated_env(str(tmp_path), str(tmp_path / "trail.db"))
    r = subprocess.run([BIN, "init", "--ci", "github"], capture_output=True, env=env)
    assert r.returncode == 2 and b"GITHUB_PATH and GITHUB_ENV are not set" in r.stderr
    r = subprocess.run([BIN, "init", "--ci", "jenkins"], capture_output=True, env=env)
    assert r.returncode == 64 and b"unknown CI jenkins" in r.stderr


def test_generic_eval_covers_the_job_and_its_bash_scripts(tmp_path, index):
    home, db, env = installed(tmp_path, index, {"GITLAB_CI": "true", "CI_PROJECT_PATH": "org/app",
                                                "CI_PIPELINE_ID": "9", "CI_JOB_NAME": "build"})
    with open(tmp_path / "deploy.sh", "w") as f:
        f.write(f"source {tmp_path}/v/bin/activate\npip install llmlib==1.0\n")
    job = (f'eval "$({home}/.local/bin/pkgtrail init --ci gitlab)"\n'
           f"source {tmp_path}/v/bin/activate\npip install demo-lib==1.0\nbash {tmp_path}/deploy.sh\n")
    r = subprocess.run(["bash", "-e", "-c", job], env=env, capture_output=True, cwd=home, timeout=300)
    assert r.returncode == 0, r
    got = events(db, env)
    assert [e["command"]["argv"] for e in got] == [["pip", "install", "demo-lib==1.0"], ["pip", "install", "llmlib==1.0"]]
    assert {e["environment"]["prefix"] for e in got} == {str(tmp_path / "v")}
    assert got[0]["actor"]["ci"]["provider"] == "gitlab-ci"
    # A POSIX sh job evals the same text: PATH shims and BASH_ENV, no functions.
    r = subprocess.run(["sh", "-e", "-c", f'eval "$({home}/.local/bin/pkgtrail init --ci generic)"\n'
                        f"pip install --target {tmp_path}/t demo-lib==1.1\n"], env=env, capture_output=True, timeout=300)
    assert r.returncode == 0, r
    assert events(db, env)[-1]["environment"]["prefix"] == str(tmp_path / "t")
