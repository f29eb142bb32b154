"""A real PostgreSQL server for the fleet tests: Debian's binaries
(scripts/postgres.sh installs them when missing), a cluster made by initdb
in a temporary directory, run by pg_ctl as an unprivileged user on
127.0.0.1, stopped afterwards. Passwords are SCRAM over TCP, read by the
clients from a password file, as in real use."""
import glob
import os
import shutil
import subprocess
import tempfile

from wheels import free_port

ADMIN = "pkgtrail_admin"


def bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(os.path.realpath(initdb))
    raise RuntimeError("PostgreSQL is missing: run `sh scripts/postgres.sh` (make test does)")


class Server:
    def __init__(self, settings=None):
        # Tests run with fsync off (nothing here must survive a power cut);
        # the benchmark passes the settings of a real server.
        self.settings = settings or {"fsync": "off"}
        self.bin = bindir()
        self.root = tempfile.mkdtemp(prefix="pkgtrail-pg-")
        os.chmod(self.root, 0o755)
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        self.passwords = {ADMIN: "admin-secret-1"}
        self.passfile = os.path.join(self.root, "pgpass")
        # initdb and postgres refuse to run as root: an unprivileged user owns the cluster.
        self.as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        pwfile = os.path.join(self.root, "pw")
        with open(pwfile, "w") as f:
            f.write(self.passwords[ADMIN] + "\n")
        os.makedirs(self.data)
        if os.geteuid() == 0:
            shutil.chown(self.data, "nobody", "nogroup")
            shutil.chown(pwfile, "nobody", "nogroup")
        self.run([f"{self.bin}/initdb", "-D", self.data, "-U", ADMIN, "--pwfile", pwfile,
                  "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions"])
        os.remove(pwfile)
        self.start()
        self.write_passfile()
        self.psql("CREATE DATABASE fleet")

    def run(self, cmd):
        r = subprocess.run(self.as_user + cmd, capture_output=True, text=True, cwd="/")
        if r.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {r.stdout}{r.stderr}")

    def write_passfile(self):
        # Replaced whole (a client reading it meanwhile sees the old file or the new, never half).
        tmp = self.passfile + ".tmp"
        with open(tmp, "w") as f:
            for user, password in self.passwords.items():
                f.write(f"127.0.0.1:{self.port}:*:{user}:{password}\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.passfile)

    def add_role(self, name, member_of, password):
        self.passwords[name] = password
        self.write_passfile()
        self.psql(f"CREATE ROLE {name} LOGIN IN ROLE {member_of} PASSWORD '{password}'", db="fleet")

    def client_env(self):
        """What a pkgtrail client needs to reach this server: its password file."""
        return {"PATH": os.environ["PATH"], "HOME": self.root, "PGPASSFILE": self.passfile, "LC_ALL": "C.UTF-8"}

    def url(self, user=ADMIN, db="fleet"):
        return f"postgresql://{user}@127.0.0.1:{self.port}/{db}?sslmode=disable"

    def psql(self, sql, user=ADMIN, db="postgres", check=True):
        """Runs SQL through the real psql client over TCP; (returncode, stdout, stderr)."""
        env = {"PATH": os.environ["PATH"], "PGPASSFILE": self.passfile, "PGCONNECT_TIMEOUT": "10", "LC_ALL": "C.UTF-8"}
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                            "-p", str(self.port), "-U", user, "-d", db, "-f", "-"],
                           input=sql, capture_output=True, text=True, env=env, timeout=120)
        if check and r.returncode != 0:
            raise RuntimeError(f"psql failed: {r.stderr}")
        return r.returncode, r.stdout, r.stderr

    def start(self):
        self.run([f"{self.bin}/pg_ctl", "-D", self.data, "-l", os.path.join(self.data, "server.log"), "-w", "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.data} "
                  + " ".join(f"-c {k}={v}" for k, v in self.settings.items()), "start"])

    def kill(self):
        """The server dies (immediate shutdown: no goodbye to clients, crash recovery at the next start)."""
        self.run([f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"])

    def stop(self):
        subprocess.run(self.as_user + [f"{self.bin}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"],
                       capture_output=True, cwd="/")
        shutil.rmtree(self.root, ignore_errors=True)
