"""Real interactive shells on a pseudo-terminal, for the coverage tests:
bash -i, zsh -i and fish -i read a fresh HOME whose startup file holds the
README's lines verbatim, and lines are typed into them one at a time."""
import fcntl
import os
import pty
import re
import select
import shutil
import subprocess
import signal
import struct
import termios
import time

from conftest import BIN, REPO
from layout import make_shims

RC_FILE = {"bash": ".bashrc", "zsh": ".zshrc", "fish": ".config/fish/config.fish"}
STATUS = {"bash": "$?", "zsh": "$?", "fish": "$status"}
ACTIVATE = {"bash": ". v/bin/activate", "zsh": ". v/bin/activate", "fish": "source v/bin/activate.fish"}


def readme_init_line(shell):
    """The line the README tells users to put in their shell's startup file."""
    with open(os.path.join(REPO, "README.md")) as f:
        for line in f:
            if f"pkgtrail init {shell}" in line and "~/.local/bin/pkgtrail" in line:
                return line.split("  #")[0].strip()
    raise AssertionError(f"README.md has no init line for {shell}")


def install_layout(home):
    """What `make install PREFIX=~/.local` lays out: the binary (here a link
    to the test build) and a shims directory of links to it."""
    os.makedirs(home + "/.local/bin", exist_ok=True)
    os.symlink(BIN, home + "/.local/bin/pkgtrail")
    for shell, path in (("bash", "bash-completion/completions/pkgtrail"), ("zsh", "zsh/site-functions/_pkgtrail"),
                        ("fish", "fish/vendor_completions.d/pkgtrail.fish")):
        path = f"{home}/.local/share/{path}"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(subprocess.run([BIN, "--generate-completion-script", shell], capture_output=True,
                                   check=True).stdout)
    return make_shims(home + "/.local/share/pkgtrail/shims", "../../../bin/pkgtrail")


def install_uv_like_its_installer(home, uv_dir):
    """uv and uvx in ~/.local/bin plus the env files uv's installer writes
    (and asks users to source below whatever they already have)."""
    os.makedirs(home + "/.local/bin", exist_ok=True)
    for t in ("uv", "uvx"):
        shutil.copy(f"{uv_dir}/{t}", f"{home}/.local/bin/{t}")
    with open(home + "/.local/bin/env", "w") as f:
        f.write('#!/bin/sh\ncase ":${PATH}:" in\n    *:"$HOME/.local/bin":*) ;;\n'
                '    *) export PATH="$HOME/.local/bin:$PATH" ;;\nesac\n')
    with open(home + "/.local/bin/env.fish", "w") as f:
        f.write('if not contains "$HOME/.local/bin" $PATH\n    set -x PATH "$HOME/.local/bin" $PATH\nend\n')


def pyenv_like_shims(root, venv):
    """A directory of bash launchers, as pyenv's shims are, leading to venv's tools."""
    d = root + "/pyenv/shims"
    os.makedirs(d, exist_ok=True)
    for name in ("pip", "pip3", "python", "python3"):
        with open(f"{d}/{name}", "w") as f:
            f.write(f'#!/usr/bin/env bash\nset -e\nexec "{venv}/bin/{name}" "$@"\n')
        os.chmod(f"{d}/{name}", 0o755)
    return d


def write_rc(home, shell, root, covered):
    """The README's line, and lines that prepend a real pip (pyenv-style) and
    uv's env file: after ours in bash and fish (the order that beats PATH
    shims), before ours in zsh."""
    if shell == "fish":
        lines = [f"set -gx PATH {root}/pyenv/shims $PATH", 'source "$HOME/.local/bin/env.fish"',
                 "function fish_greeting; end", "function fish_prompt; echo '$ '; end"]
    else:
        lines = [f'export PATH="{root}/pyenv/shims:$PATH"', '. "$HOME/.local/bin/env"', "PS1='$ '"]
    if covered:
        lines.insert(len(lines) if shell == "zsh" else 0, readme_init_line(shell))
    path = os.path.join(home, RC_FILE[shell])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class Session:
    """One interactive shell on a pseudo-terminal, driven a line at a time."""

    def __init__(self, shell, env, cwd):
        self.shell = shell
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(cwd)
            os.execve(shutil.which(shell), [shell, "-i"], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
        self.transcript = b""
        self.n = 0
        assert self.run("true") == 0, self.transcript

    def read_until(self, pattern, timeout):
        deadline = time.time() + timeout
        while True:
            m = re.search(pattern, self.transcript)
            if m:
                self.transcript = self.transcript[m.end():]
                return m
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError(f"{self.shell}: no {pattern!r} in {self.transcript[-3000:]!r}")
            r, _, _ = select.select([self.fd], [], [], min(left, 1))
            if r:
                try:
                    self.transcript += os.read(self.fd, 65536)
                except OSError:
                    raise AssertionError(f"{self.shell} ended: {self.transcript[-3000:]!r}")

    def send(self, text):
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def run(self, line, timeout=180):
        """Types line and a marker after it; returns line's exit status. The
        typed marker is spelled so that only its output matches."""
        self.n += 1
        self.send(f'{line}; echo "@@"DONE{self.n}:{STATUS[self.shell]}\n')
        return int(self.read_until(rb"@@DONE%d:(\d+)" % self.n, timeout).group(1))

    def close(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)
