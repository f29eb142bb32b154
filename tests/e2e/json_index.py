"""A PEP 691 JSON simple index on 127.0.0.1 with upload times (PEP 700),
for the cooldown's tests and bench: `publish` writes one project's page
(its wheels uploaded so long ago), `serve` runs this file as the server:
ROOT/simple/NAME/index.json served as application/vnd.pypi.simple.v1+json,
everything else as files. As a program: json_index.py ROOT PORT"""
import datetime
import http.server
import io
import json
import os
import subprocess
import sys
import time
import urllib.request

from wheels import free_port, make_wheel, sha256_file


def publish(root, name, releases):
    """releases: (version, how long ago it was uploaded) pairs."""
    files = os.path.join(root, "files")
    os.makedirs(files, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    entries = []
    for version, age in releases:
        w = os.path.basename(make_wheel(files, name, version))
        entries.append({"filename": w, "url": f"../../files/{w}", "hashes": {"sha256": sha256_file(os.path.join(files, w))},
                        "upload-time": (now - age).strftime("%Y-%m-%dT%H:%M:%S.%fZ")})
    page = os.path.join(root, "simple", name)
    os.makedirs(page, exist_ok=True)
    with open(os.path.join(page, "index.json"), "w") as f:
        json.dump({"meta": {"api-version": "1.1"}, "name": name, "files": entries,
                   "versions": [v for v, _ in releases]}, f)


def serve(root, name):
    """Starts the server on a free port; returns (process, simple URL) once `name`'s page answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), str(root), str(port)])
    url = f"http://127.0.0.1:{port}/simple/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + name + "/", timeout=0.5)
            break
        except OSError:
            time.sleep(0.05)
    return proc, url


class Handler(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and os.path.exists(os.path.join(path, "index.json")):
            with open(os.path.join(path, "index.json"), "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def log_message(self, *a):
        pass


if __name__ == "__main__":
    root, port = sys.argv[1], int(sys.argv[2])
    http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                    lambda *a, **k: Handler(*a, directory=root, **k)).serve_forever()
