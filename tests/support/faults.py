# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the fault tests need to make faults happen, and happen at a chosen moment.

- DRIVER: a script that runs install_wagon once (arguments as one JSON object),
  optionally held at a file barrier first, and optionally paused on its first
  ``python -m venv`` (a runner hook), printing ``{changed, plan}`` or ``{error}``.
- mounted: a mount for the duration of a ``with`` block (tmpfs, a read-only bind).
- OpenSwapper: a fanotify permission hook that, on the first open of a file by
  another process, renames another file over it *before* that open returns.
- kill_tree, wait_for: stop a driver and everything it started; poll a condition.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import select
import signal
import struct
import subprocess
import threading
import time

from tests.support.ansible import COLLECTIONS
from tests.support.pythons import ROOT

# argv[1]: {"src", "venv", install_wagon options..., "barrier": a file to wait
# for, "pause": a path P (on the first "-m venv" command: touch P.reached, wait
# for P.go)}. A WagonError is the module's failure: printed as {"error"}; any
# other exception is a crash (a traceback, rc 1).
DRIVER = r"""
import json, os, sys, time
sys.path[:0] = [%(root)r, %(collections)r]
from ansible_collections.offline.wagon.plugins.module_utils._errors import WagonError
from ansible_collections.offline.wagon.plugins.module_utils._install import install_wagon
from tests.support.pythons import run
args = json.loads(sys.argv[1])
barrier, pause = args.pop("barrier", None), args.pop("pause", None)
runner = run
if pause:
    def runner(argv, **kwargs):
        if list(argv[1:3]) == ["-m", "venv"] and not os.path.exists(pause + ".reached"):
            open(pause + ".reached", "w").close()
            while not os.path.exists(pause + ".go"):
                time.sleep(0.01)
        return run(argv, **kwargs)
if barrier:
    open(barrier + ".%%d" %% os.getpid(), "w").close()
    while not os.path.exists(barrier):
        time.sleep(0.002)
try:
    result = install_wagon(args.pop("src"), args.pop("venv"), runner, **args)
    out = {"changed": result.plan.changed, "plan": result.plan.to_dict()}
except WagonError as error:
    out = {"error": str(error)}
print(json.dumps(out))
""" % {"root": ROOT, "collections": COLLECTIONS}


def wait_for(predicate, timeout=60.0):
    """Poll ``predicate`` (its docstring says what it waits for) every millisecond."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s" % predicate.__doc__)
        time.sleep(0.001)


def _descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as stream:
                    children.setdefault(int(stream.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                continue
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def kill_tree(proc):
    """SIGKILL ``proc`` and everything below it, in whatever process groups (Ansible's workers make groups of their own)."""
    pids = _descendants(proc.pid)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGSTOP)  # freeze first, so nothing starts a child while we kill
        except OSError:
            pass
    for pid in _descendants(proc.pid) + pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    proc.wait()


def process_state(pid):
    """The one-letter state of ``pid`` (``T`` when stopped), or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as stream:
            return stream.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def has_open(pid, path):
    """True when the process ``pid`` holds a descriptor on ``path`` (e.g. a venv directory it waits to lock)."""
    directory = "/proc/%d/fd" % pid
    try:
        names = os.listdir(directory)
    except OSError:
        return False
    for name in names:
        try:
            if os.readlink(os.path.join(directory, name)) == path:
                return True
        except OSError:
            continue
    return False


@contextlib.contextmanager
def mounted(argv_mount, target):
    """Run ``mount ARGV`` (it mounts on ``target``) for the block, then unmount; raise OSError when it cannot mount."""
    proc = subprocess.run(["mount"] + list(argv_mount), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    if proc.returncode != 0:
        raise OSError(errno.EPERM, "mount %s: %s" % (" ".join(argv_mount), proc.stdout.strip()))
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", target], check=False)


@contextlib.contextmanager
def read_only(path):
    """``path`` bind-mounted read-only over itself for the block."""
    with mounted(["--bind", path, path], path):
        proc = subprocess.run(["mount", "-o", "remount,ro,bind", path], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, check=False)
        if proc.returncode != 0:
            raise OSError(errno.EPERM, "remount read-only %s: %s" % (path, proc.stdout.strip()))
        yield path


# fanotify (linux/fanotify.h)
_FAN_CLOEXEC, _FAN_CLASS_CONTENT, _FAN_MARK_ADD, _FAN_OPEN_PERM, _FAN_ALLOW = 0x1, 0x4, 0x1, 0x10000, 0x1
_EVENT = struct.Struct("=IBBHQii")  # event_len, vers, reserved, metadata_len, mask, fd, pid


class OpenSwapper(object):
    """On the first open of ``path`` by another process, rename ``replacement`` over ``path``, then let the open go on.

    A fanotify permission event holds the opener inside open(2) until it is
    answered. The path was already resolved to the original file, so that open
    gets the original bytes, and every later open of the path gets the
    replacement: the swap lands deterministically right after the first open.
    ``openers`` lists the command lines of the processes whose opens it saw.
    Raise OSError when fanotify is not available (not root, no CAP_SYS_ADMIN).
    """

    def __init__(self, path, replacement):
        self.path, self.replacement = path, replacement
        self.openers, self.swapped = [], False
        libc = ctypes.CDLL(None, use_errno=True)
        libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int, ctypes.c_char_p]
        self._fd = libc.fanotify_init(_FAN_CLOEXEC | _FAN_CLASS_CONTENT, os.O_RDONLY)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "fanotify_init: %s" % os.strerror(ctypes.get_errno()))
        if libc.fanotify_mark(self._fd, _FAN_MARK_ADD, _FAN_OPEN_PERM, -100, os.fsencode(path)) < 0:
            code = ctypes.get_errno()
            os.close(self._fd)
            raise OSError(code, "fanotify_mark %s: %s" % (path, os.strerror(code)))
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop:
            if not select.select([self._fd], [], [], 0.05)[0]:
                continue
            data = os.read(self._fd, 4096)
            for offset in range(0, len(data), _EVENT.size):
                _length, _version, _reserved, _size, _mask, fd, pid = _EVENT.unpack_from(data, offset)
                try:
                    if pid != os.getpid():
                        self.openers.append(_cmdline(pid))
                        if not self.swapped:
                            os.rename(self.replacement, self.path)
                            self.swapped = True
                finally:
                    os.write(self._fd, struct.pack("=iI", fd, _FAN_ALLOW))
                    os.close(fd)

    def close(self):
        """Stop watching (closing the group lets any open still waiting go on)."""
        self._stop = True
        self._thread.join(5)
        os.close(self._fd)


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as stream:
            return stream.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()[:200]
    except OSError:
        return "pid %d" % pid
