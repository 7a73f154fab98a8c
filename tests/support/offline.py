# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command the way a disconnected host would: no network at all.

A network namespace alone is not enough on this machine: pip's configuration
and the PIP_* variables name package mirrors on the local disk (/opt/pypi,
/opt/pypi-more, /opt/wheels). So the command also gets a private mount
namespace where those mirrors and every pip configuration file are hidden,
and pip's cache is an empty scratch directory. Only loopback is up, so a
test can still serve files on 127.0.0.1. Nothing needs tearing down: both
namespaces die with the command.

    argv = offline_prefix() + ["pip", "download", "six"]
    subprocess.run(argv, env=offline_environment())

Also usable from the shell: ``python tests/support/offline.py CMD ARG...``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import sys

HOME = os.path.expanduser("~")

# Hidden under an empty read-only tmpfs (directories) or /dev/null (files).
HIDDEN = (
    "/opt/pypi",
    "/opt/pypi-more",
    "/opt/wheels",
    "/etc/pip.conf",
    "/etc/xdg/pip",
    os.path.join(HOME, ".config", "pip"),
    os.path.join(HOME, ".pip"),
    os.path.join(HOME, ".pydistutils.cfg"),
)

# Replaced by an empty writable tmpfs: a disconnected host has its own cache.
SCRATCH = (os.path.join(HOME, ".cache", "pip"),)

# $1... are "hide" paths up to "--scratch", then scratch paths up to "--",
# then the command. Paths that do not exist are left alone.
_SCRIPT = r"""
set -e
while [ "$1" != "--scratch" ]; do
    if [ -d "$1" ]; then mount -t tmpfs -o ro,size=4k,mode=0755 offline-hidden "$1"
    elif [ -e "$1" ]; then mount --bind /dev/null "$1"
    fi
    shift
done
shift
while [ "$1" != "--" ]; do
    if [ -d "$1" ]; then mount -t tmpfs -o mode=0755 offline-scratch "$1"; fi
    shift
done
shift
ip link set lo up
exec "$@"
"""

_available = None
_counter = itertools.count()


def available():
    """Whether this machine can run commands offline: unshare and ip exist and namespaces work (root)."""
    global _available  # pylint: disable=global-statement
    if _available is None:
        _available = bool(shutil.which("unshare") and shutil.which("ip"))
        if _available:
            probe = subprocess.run(offline_prefix() + ["true"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   stdin=subprocess.DEVNULL, check=False)
            _available = probe.returncode == 0
    return _available


def offline_prefix():
    """The argv prefix that runs the argv after it with no network and no package mirror or pip config."""
    return (["unshare", "--net", "--mount", "--propagation", "private", "sh", "-c", _SCRIPT, "offline"]
            + list(HIDDEN) + ["--scratch"] + list(SCRATCH) + ["--"])


def namespace_prefix(name):
    """Like :func:`offline_prefix`, but in the existing network namespace ``name`` (see :func:`network_namespace`).

    Processes run with this prefix share that namespace's loopback, so a test
    can start a server in it and then run Ansible next to it: the server is
    the only thing Ansible can reach.
    """
    return (["ip", "netns", "exec", name, "unshare", "--mount", "--propagation", "private", "sh", "-c", _SCRIPT,
             "offline"] + list(HIDDEN) + ["--scratch"] + list(SCRATCH) + ["--"])


@contextlib.contextmanager
def network_namespace(prefix="ow-test"):
    """A fresh network namespace with only loopback (up) while in the block; yield its name.

    On exit, the processes left in it are killed (they can only be the
    caller's: the name is unique to this process) and it is deleted.
    """
    name = "%s-%d-%d" % (prefix, os.getpid(), next(_counter))
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        yield name
    finally:
        pids = subprocess.run(["ip", "netns", "pids", name], stdout=subprocess.PIPE, universal_newlines=True,
                              check=False).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        subprocess.run(["ip", "netns", "del", name], check=False)


def offline_environment(base=None):
    """``base`` (default os.environ) without the PIP_* variables that point pip at mirrors or config."""
    base = os.environ if base is None else base
    return {key: value for key, value in base.items() if not key.startswith("PIP_")}


if __name__ == "__main__":
    os.execvpe("unshare", offline_prefix() + sys.argv[1:], offline_environment())
