#!/usr/bin/env python3
"""Records the uv cache layout that Tests/PkgtrailCaptureTests/Fixtures/uv-cache
holds, from real uv runs (uv 0.13.9 from the test toolchain): the default
index (PyPI itself, so it needs the network once), a second index and
find-links served on 127.0.0.1, a direct URL, and an sdist uv builds from an
index. Only the small `.http` entries are kept (uv's own files, verbatim),
with manifest.json naming each one's package, version and the sha256 that
the index published, so the unit tests check pkgtrail's reading of real
entries against an independent answer.
Usage: scripts/record_uv_cache_fixture.py [OUT_DIR]"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
from wheels import build_index, make_sdist, make_wheel, serve  # noqa: E402

UV = os.path.join(REPO, ".tools", "venv", "bin", "uv")
OUT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "Tests", "PkgtrailCaptureTests", "Fixtures", "uv-cache"))


def pypi_sha256(name, filename):
    """What PyPI's JSON simple API (PEP 691) publishes for the file."""
    req = urllib.request.Request(f"https://pypi.org/simple/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        for f in json.load(r)["files"]:
            if f["filename"] == filename:
                return f["hashes"]["sha256"]
    raise SystemExit(f"{filename} is not on PyPI")


def main():
    root = tempfile.mkdtemp(prefix="uv-fixture-")
    cache = root + "/cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))}
    env.update(UV_CACHE_DIR=cache, UV_PYTHON_DOWNLOADS="never", VIRTUAL_ENV=root + "/v", UV_NO_PROGRESS="1")
    subprocess.run([UV, "venv", "-q", "--python", "python3", root + "/v"], check=True, env=env)
    staging = root + "/staging"
    os.makedirs(staging)
    built = [make_wheel(staging, "demo-lib", "1.0"), make_wheel(staging, "llmlib", "1.0"),
             make_wheel(staging, "agentkit", "1.0"), make_sdist(staging, "sdpkg", "0.3")]
    files = build_index(root + "/index", built)
    server, url = serve(root + "/index")
    manifest = []

    def local(name, version, filename, how):
        with open(os.path.join(files, filename), "rb") as f:
            manifest.append({"name": name, "version": version, "sha256": hashlib.sha256(f.read()).hexdigest(),
                             "filename": filename, "source": how})
    try:
        def uv(*args):
            subprocess.run([UV, "pip", "install", "-q", *args], check=True, env=env)
        uv("six==1.16.0")  # the default index: PyPI
        manifest.append({"name": "six", "version": "1.16.0", "filename": "six-1.16.0-py2.py3-none-any.whl",
                         "sha256": pypi_sha256("six", "six-1.16.0-py2.py3-none-any.whl"), "source": "pypi"})
        uv("--index-url", url + "/simple/", "demo-lib==1.0")
        local("demo-lib", "1.0", "demo_lib-1.0-py3-none-any.whl", "index")
        uv("--no-index", "--find-links", url + "/files/", "llmlib==1.0")
        local("llmlib", "1.0", "llmlib-1.0-py3-none-any.whl", "find-links")
        uv(f"agentkit @ {url}/files/agentkit-1.0-py3-none-any.whl")
        local("agentkit", "1.0", "agentkit-1.0-py3-none-any.whl", "url")
        uv("--index-url", url + "/simple/", "sdpkg==0.3")
        local("sdpkg", "0.3", "sdpkg-0.3.tar.gz", "index-sdist")
    finally:
        server.terminate()
    shutil.rmtree(OUT, ignore_errors=True)
    for dirpath, _, names in os.walk(cache):
        for n in names:
            rel = os.path.relpath(os.path.join(dirpath, n), cache)
            if n.endswith(".http") and rel.split("/")[0] in ("wheels-v8", "sdists-v11"):
                os.makedirs(os.path.dirname(os.path.join(OUT, rel)), exist_ok=True)
                shutil.copy(os.path.join(dirpath, n), os.path.join(OUT, rel))
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"uv": subprocess.run([UV, "--version"], capture_output=True, text=True).stdout.strip(),
                   "port": int(url.rsplit(":", 1)[1]), "entries": manifest}, f, indent=1, sort_keys=True)
        f.write("\n")
    shutil.rmtree(root)
    print(f"recorded {len(manifest)} entries into {OUT}")


if __name__ == "__main__":
    main()
