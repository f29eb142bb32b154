"""A PEP 691 JSON simple index on 127.0.0.1: ROOT/simple/NAME/index.json is
served as application/vnd.pypi.simple.v1+json (upload-time per file where
the test says, PEP 700), everything else as files. Usage: json_index.py ROOT PORT"""
import http.server
import io
import os
import sys

ROOT, PORT = sys.argv[1], int(sys.argv[2])


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=ROOT, **k)

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


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
