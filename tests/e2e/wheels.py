"""Tiny wheels and a PEP 503 index for end-to-end tests, written with the
standard library only (zipfile, hashlib, http.server)."""
import base64
import hashlib
import os
import socket
import subprocess
import sys
import time
import zipfile


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def leave_installed(site, module, version, project=None):
    """What an installer leaves in site-packages, written by hand: the module,
    then its dist-info with RECORD last (fillers for benchmarks, changes the
    watcher sees)."""
    os.makedirs(f"{site}/{module}", exist_ok=True)
    open(f"{site}/{module}/__init__.py", "w").close()
    d = f"{site}/{module}-{version}.dist-info"
    os.makedirs(d)
    for fn, text in (("METADATA", f"Metadata-Version: 2.1\nName: {project or module}\nVersion: {version}\n\n"),
                     ("INSTALLER", "pip\n"), ("WHEEL", "Wheel-Version: 1.0\n"),
                     ("RECORD", f"{module}/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n")):
        with open(f"{d}/{fn}", "w") as f:
            f.write(text)


def make_wheel(outdir, name, version, requires=(), pth=None, script=None, extra_files=None):
    """Writes NAME-VERSION-py3-none-any.whl into outdir and returns its path.

    pth: (filename, content) of a .pth file at the top of site-packages.
    script: a console_scripts entry point name (runs NAME:main).
    """
    dist = name.replace("-", "_")
    files = {
        f"{dist}/__init__.py": f"__version__ = {version!r}\ndef main():\n    print('{name} {version}')\n".encode(),
    }
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    files[f"{dist}-{version}.dist-info/METADATA"] = ("\n".join(meta) + "\n\n").encode()
    files[f"{dist}-{version}.dist-info/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: pkgtrail-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    if pth:
        files[pth[0]] = pth[1].encode()
    if script:
        files[f"{dist}-{version}.dist-info/entry_points.txt"] = (
            f"[console_scripts]\n{script} = {dist}:main\n").encode()
    for path, data in (extra_files or {}).items():
        files[path] = data if isinstance(data, bytes) else data.encode()
    record_path = f"{dist}-{version}.dist-info/RECORD"
    record = "".join(f"{p},{_record_hash(d)},{len(d)}\n" for p, d in files.items()) + f"{record_path},,\n"
    files[record_path] = record.encode()
    path = os.path.join(outdir, f"{dist}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, d in files.items():
            z.writestr(zipfile.ZipInfo(p, date_time=(2026, 3, 24, 10, 0, 0)), d)
    return path


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def normalize(name):
    import re
    return re.sub(r"[-_.]+", "-", name).lower()


def build_index(root, wheels):
    """Moves wheels into root/files and (re)writes the PEP 503 tree for every
    wheel there: root/simple/NAME/index.html linking ../../files/X.whl#sha256=."""
    files = os.path.join(root, "files")
    os.makedirs(files, exist_ok=True)
    for w in wheels:
        os.replace(w, os.path.join(files, os.path.basename(w)))
    by_name = {}
    for base in sorted(os.listdir(files)):
        by_name.setdefault(normalize(base.split("-")[0]), []).append(base)
    simple = os.path.join(root, "simple")
    os.makedirs(simple, exist_ok=True)
    links = []
    for name, bases in sorted(by_name.items()):
        d = os.path.join(simple, name)
        os.makedirs(d, exist_ok=True)
        anchors = "".join(
            f'<a href="../../files/{b}#sha256={sha256_file(os.path.join(files, b))}">{b}</a>\n' for b in bases)
        with open(os.path.join(d, "index.html"), "w") as f:
            f.write(f"<!DOCTYPE html><html><body>\n{anchors}</body></html>\n")
        links.append(f'<a href="{name}/">{name}</a>')
    with open(os.path.join(simple, "index.html"), "w") as f:
        f.write("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")
    return files


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(root):
    """Serves root over HTTP on 127.0.0.1; returns (process, base URL)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}"


SDIST_BACKEND = '''"""A PEP 517 backend in one file, standard library only (the tests have no network for setuptools)."""
import base64, hashlib, os, zipfile

NAME, VERSION = {name!r}, {version!r}


def _hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist = NAME.replace("-", "_")
    files = {{f"{{dist}}/__init__.py": b"built = True\\n",
             f"{{dist}}-{{VERSION}}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {{NAME}}\\nVersion: {{VERSION}}\\n\\n".encode(),
             f"{{dist}}-{{VERSION}}.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}}
    record = f"{{dist}}-{{VERSION}}.dist-info/RECORD"
    filename = f"{{dist}}-{{VERSION}}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
        z.writestr(record, "".join(f"{{p}},{{_hash(d)}},{{len(d)}}\\n" for p, d in files.items()) + f"{{record}},,\\n")
    return filename
'''


def make_sdist(outdir, name, version):
    """Writes NAME-VERSION.tar.gz, an sdist whose in-tree backend builds a pure
    wheel with zipfile alone, so installers can build it without a network."""
    import io
    import tarfile
    dist = name.replace("-", "_")
    top = f"{dist}-{version}"
    members = {
        "pyproject.toml": (f'[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n\n'
                           f'[project]\nname = "{name}"\nversion = "{version}"\n'),
        "backend.py": SDIST_BACKEND.format(name=name, version=version),
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n",
    }
    path = os.path.join(outdir, top + ".tar.gz")
    with tarfile.open(path, "w:gz") as t:
        for member, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{member}")
            info.size, info.mtime = len(data), 0
            t.addfile(info, io.BytesIO(data))
    return path
