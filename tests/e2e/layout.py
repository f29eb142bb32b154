"""The shims directory as `make install` lays it out: pip, pip3, uv and uvx
as symbolic links to the pkgtrail binary (called by one of those names, the
binary is that shim). Shared by the tests, the demo and the benchmark."""
import os

SHIM_NAMES = ("pip", "pip3", "uv", "uvx")


def make_shims(directory, binary, names=SHIM_NAMES):
    """Links each name to `binary`; replaces a link already there atomically,
    so that concurrent test workers can share one directory."""
    os.makedirs(directory, exist_ok=True)
    for name in names:
        tmp = os.path.join(directory, f".{name}.{os.getpid()}")
        os.symlink(binary, tmp)
        os.replace(tmp, os.path.join(directory, name))
    return directory
