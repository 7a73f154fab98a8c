# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command the way a disconnected host would: no network at all.

A network namespace alone is not enough on this machine: pip's configuration
names local package mirrors on disk. So the command also gets a mount
namespace where those mirrors and every pip configuration file are hidden.
Nothing needs tearing down: the namespaces die with the command.

Also usable from the shell: ``python tests/support/offline.py CMD ARG...``.
"""

from __future__ import annotations

import os
import shutil
import sys

# Directories hidden under an empty read-only tmpfs, files under /dev/null.
HIDDEN = (
    "/opt/pypi", "/opt/pypi-more", "/opt/wheels", "/etc/xdg/pip", "/etc/pip.conf",
    os.path.expanduser("~/.config/pip"), os.path.expanduser("~/.pip"), os.path.expanduser("~/.pydistutils.cfg"),
)

_SCRIPT = r"""
set -e
while [ "$1" != "--" ]; do
    if [ -d "$1" ]; then mount -t tmpfs -o ro,size=4k,mode=0755 offline-hidden "$1"
    elif [ -e "$1" ]; then mount --bind /dev/null "$1"
    fi
    shift
done
shift
ip link set lo up 2>/dev/null || true
exec "$@"
"""


def available():
    """Whether this machine can run commands offline (root, unshare, ip)."""
    return os.geteuid() == 0 and bool(shutil.which("unshare")) and bool(shutil.which("ip"))


def offline_prefix():
    """The argv prefix that runs the rest of an argv with no network and no package mirror."""
    return ["unshare", "--net", "--mount", "--propagation", "private", "sh", "-c", _SCRIPT, "offline"] + list(
        HIDDEN
    ) + ["--"]


def offline_environment(base=None):
    """``base`` (default os.environ) without the PIP_* variables that point pip at mirrors."""
    base = os.environ if base is None else base
    return {k: v for k, v in base.items() if not k.startswith("PIP_")}


if __name__ == "__main__":
    os.execvpe("unshare", offline_prefix() + sys.argv[1:], offline_environment())
