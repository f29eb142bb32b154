#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/corpus (one valid example per target, as
the real tools write them); libFuzzer mutates from there. Run once; the
corpus that fuzzing grows is committed beside these seeds."""
import hashlib
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")

EVENT = {
    "actor": {"ci": None, "host": "build-7", "sudo_user": "alice", "uid": 0, "user": "root"},
    "changes": [{"action": "upgrade", "artifact": {"filename": "litellm-1.82.8-py3-none-any.whl", "hash_source": "pip-report",
                                                   "sha256": "a" * 64, "url": "https://***@pypi.example/simple/x.whl"},
                 "from_version": "1.82.6", "installer": "pip", "name": "litellm", "record_sha256": "b" * 64,
                 "required_by": ["agentkit"], "requested": False,
                 "startup_hooks": [{"executes": True, "path": "litellm_init.pth", "sha256": "c" * 64}],
                 "to_version": "1.82.8"}],
    "command": {"argv": ["pip", "install", "-U", "agentkit"], "cwd": "/srv/app", "exit_status": 0, "outcome": "ok",
                "tool": "pip", "tool_version": "26.3"},
    "drift": None, "environment": {"is_venv": True, "platform": "linux-x86_64", "prefix": "/srv/app/.venv",
                                   "python": "/srv/app/.venv/bin/python", "python_version": "3.11.7",
                                   "site_dirs": ["/srv/app/.venv/lib/python3.11/site-packages"]},
    "finished": "2026-03-24T10:45:03.669Z", "id": "0195c3a0-0000-7000-8000-000000000001", "kind": "install",
    "lockfile": None, "notes": [], "prev_hash": "", "seq": 0, "sources": [{"kind": "index", "origin": "argv",
                                                                           "url": "https://***@pypi.example/simple/"}],
    "started": "2026-03-24T10:45:03.262Z", "startup_after": "d" * 64, "startup_before": "e" * 64,
    "startup_hooks": [], "state_after": "f" * 64, "state_before": "0" * 64, "tool": None,
}
BODY = json.dumps(EVENT, sort_keys=True, separators=(",", ":")).encode()

SEEDS = {
    "json": b'{"a":[1,-2,"\\u001f\\n",true,null],"b":{"c":1.5e3,"d":"\\ud83d\\ude00"}}',
    "event": BODY,
    "spool": hashlib.sha256(BODY).hexdigest().encode() + b" " + BODY + b"\n",
    "metadata": b"Metadata-Version: 2.1\nName: litellm\nVersion: 1.82.8\nRequires-Dist: agentkit>=1.0\n\nlong description\n",
    "record": b'litellm/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,12\n"odd,name.py",,\n'
              b'litellm_init.pth,sha256=abc,34\nlitellm-1.82.8.dist-info/RECORD,,\n',
    "pip-report": json.dumps({"version": "1", "pip_version": "26.3", "install": [{
        "download_info": {"url": "https://pypi.example/x/litellm-1.82.8-py3-none-any.whl",
                          "archive_info": {"hashes": {"sha256": "a" * 64}}},
        "is_direct": False, "requested": True, "metadata": {"name": "litellm", "version": "1.82.8"}}],
        "environment": {}}).encode(),
    "uv-lock": b'version = 1\nrevision = 5\nrequires-python = ">=3.11"\n\n[[package]]\nname = "demo-app"\nversion = "1.0"\n'
               b'source = { registry = "https://idx/simple/" }\ndependencies = [{ name = "demo-lib" }]\n'
               b'sdist = { url = "https://idx/files/demo_app-1.0.tar.gz", hash = "sha256:' + b"c" * 64 + b'", size = 9 }\n'
               b'wheels = [\n    { url = "https://idx/files/demo_app-1.0-py3-none-any.whl", hash = "sha256:' + b"a" * 64
               + b'", size = 1 },\n]\n',
    "uv-receipt": b'[tool]\nrequirements = [{ name = "ruff" }]\nentrypoints = [\n    { name = "ruff", install-path = '
                  b'"/root/.local/bin/ruff" },\n]\n\n[tool.options]\nindex-url = ["https://idx/simple/"]\n',
    "osv": json.dumps([{"id": "PYSEC-2026-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "litellm"},
                                                            "versions": ["1.82.7", "1.82.8"],
                                                            "ranges": [{"type": "ECOSYSTEM", "events": [
                                                                {"introduced": "1.82.7"}, {"fixed": "1.82.9"}]}]}]}]).encode(),
    "specifier": b"litellm[proxy]>=1.0,!=1.82.*,<2!3.0rc1.post2.dev3+local.7,~=1.2,===odd",
    "direct-url": b'{"url":"file:///src/x","vcs_info":{"vcs":"git","commit_id":"e6b8ec12794e8659e9e582177c02d0fee538dc9a"}}',
    "policy": b'# cooldown\nmin_release_age = "48h"\non_unsupported = \'block\'\n[t]\nlist = [\n  "a", # c\n  1_000, true,\n]\n'
              b'k = "\\u00e9\\t"\n',
    "wheel-tags": b"Wheel-Version: 1.0\nGenerator: maturin (1.7.4)\nRoot-Is-Purelib: false\n"
                  b"Tag: py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64\nTag: py2.py3-none-any\n",
}
# uv's cache entries: the real ones the unit tests read (a wheel's and an sdist's).
FIXTURE = os.path.join(os.path.dirname(ROOT), "..", "Tests", "PkgtrailCaptureTests", "Fixtures", "uv-cache")
for sub, name in (("wheels-v8/pypi/six", "1.16.0-py2.py3-none-any.http"),):
    with open(os.path.join(FIXTURE, sub, name), "rb") as f:
        SEEDS["uv-cache"] = f.read()

for target, data in SEEDS.items():
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    with open(os.path.join(ROOT, target, "seed"), "wb") as f:
        f.write(data)
