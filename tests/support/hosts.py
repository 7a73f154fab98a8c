# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Disconnected SSH hosts on this machine, for fleet tests: started by the test, always torn down.

Each host is an sshd in network, mount and UTS namespaces of its own:

- network: namespace ``<prefix><slot>h<i>`` holding ``lo`` and ``eth0`` =
  ``<net>.<slot>.<4i+2>/30``; the root namespace holds ``<net>.<slot>.<4i+1>``
  on the link of the same name. No default route, so the host reaches
  nothing but that one address; where nft exists an output rule also stops
  it opening any connection (it still answers ssh). No DNS, no PyPI.
- files: the machine's filesystem, except a private ``/tmp`` and ``/srv``
  (bind mounts of ``<state>/h<i>/fs/tmp`` and ``.../srv``, which the test
  reads from the controller: ``host.files("/srv/app")``), the pip
  configuration and local package mirrors hidden (the list in
  ``tests/support/offline.py``), pip's cache an empty scratch directory, and
  ``/root/.bashrc`` hidden (pyenv's shims would shadow the host's Python).
- Python: the host's ``ansible_python_interpreter``, one of the given
  interpreters in turn, so hosts differ by Python version.
- sshd: root by key only, its own host key, strict host key checking
  against a known_hosts file of ours; Ansible's control sockets live in our
  state directory, so teardown can close them.

Several sets can run at once (pytest-xdist): each takes a free *slot*
(``<net>.<slot>.0/24``) under an flock held while it lives. A set left behind
by a killed run is removed by the next one that takes its slot.

    with OfflineHosts(3, [py39, py311, py312]) as fleet:
        run_playbook(play, inventory=fleet.inventory)
        fleet.hosts[0].files("/srv/app/current")

From the shell, for trying things by hand (Ctrl-C or end of input tears down)::

    .venv/bin/python tests/support/hosts.py 3 /root/.pyenv/versions/3.9.18/bin/python3.9 ...
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from tests.support.offline import HIDDEN, SCRATCH  # noqa: E402  pylint: disable=wrong-import-position

SSHD = "/usr/sbin/sshd"
STATE_ROOT = "/run/offline-wagon-hosts"
PREFIX = "owr"
NET = "10.214"
PRIVATE = ("/tmp", "/srv")
# The caller's interactive shell set-up: on this machine it puts pyenv's shims first on PATH.
HIDDEN_FOR_HOSTS = tuple(HIDDEN) + (os.path.expanduser("~/.bashrc"),)
MAX_SLOTS = 64
MAX_HOSTS = 63  # 4i+2 <= 254
MARKER = ".offline-wagon-hosts"

# Becomes sshd inside the host's fresh mount and UTS namespaces. $1 is the
# hostname, then "--bind SRC DST", "--hide PATH", "--scratch PATH" groups,
# then "--" and sshd's argv.
_BOOT = r"""
set -eu
hostname "$1"; shift
while [ "$1" != "--" ]; do
    case "$1" in
        --bind) mount --bind "$2" "$3"; shift 3 ;;
        --hide)
            if [ -d "$2" ]; then mount -t tmpfs -o ro,size=4k,mode=0755 offline-hidden "$2"
            elif [ -e "$2" ]; then mount --bind /dev/null "$2"
            fi
            shift 2 ;;
        --scratch)
            if [ -d "$2" ]; then mount -t tmpfs -o mode=0755 offline-scratch "$2"; fi
            shift 2 ;;
        *) echo "boot: unknown $1" >&2; exit 2 ;;
    esac
done
shift
exec "$@"
"""

_NFT_RULES = """
table inet offline_wagon_hosts {
    chain output {
        type filter hook output priority 0; policy drop;
        oifname "lo" accept
        ct state established,related accept
        meta l4proto tcp reject with tcp reset
        reject with icmpx admin-prohibited
    }
}
"""


def missing_prerequisites():
    """Why offline hosts cannot run here (a sentence), or "" when they can."""
    if os.geteuid() != 0:
        return "offline hosts need root (network and mount namespaces)"
    for command in ("ip", "unshare", "nsenter", "ssh", "ssh-keygen", "mount"):
        if not shutil.which(command):
            return "offline hosts need the command %s" % command
    if not os.access(SSHD, os.X_OK):
        return "offline hosts need %s (apt-get install openssh-server)" % SSHD
    return ""


def _run(argv, check=True, stdin=None, timeout=60):
    proc = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False, timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError("%s failed (rc=%d): %s" % (" ".join(argv), proc.returncode, proc.stderr.strip()))
    return proc


class OfflineHost(object):
    """One host: its names, addresses, Python and where its private files are seen from the controller."""

    def __init__(self, fleet, index, python):
        self.fleet = fleet
        self.index = index
        self.name = "%s%dh%d" % (fleet.prefix, fleet.slot, index)  # namespace, link and hostname
        self.address = "%s.%d.%d" % (fleet.net, fleet.slot, 4 * index + 2)
        self.gateway = "%s.%d.%d" % (fleet.net, fleet.slot, 4 * index + 1)
        self.python = python
        self.dir = os.path.join(fleet.state, "h%d" % index)

    def files(self, path):
        """The controller's path of ``path`` (under /tmp or /srv) inside this host."""
        for private in PRIVATE:
            if path == private or path.startswith(private + "/"):
                return os.path.join(self.dir, "fs") + path
        raise ValueError("%s is not private to a host (only %s are)" % (path, ", ".join(PRIVATE)))

    def sshd_pid(self):
        with open(os.path.join(self.dir, "sshd.pid")) as stream:
            return int(stream.read().strip())

    def run(self, argv, check=False, timeout=60):
        """Run ``argv`` inside the host (its network, mount and UTS namespaces), no shell; return the CompletedProcess."""
        prefix = ["nsenter", "--target", str(self.sshd_pid()), "--net", "--mount", "--uts", "--"]
        return _run(prefix + list(argv), check=check, timeout=timeout)

    def pids(self):
        """Every process in the host's network namespace: sshd, sessions and what they run."""
        proc = _run(["ip", "netns", "pids", self.name], check=False)
        return [int(pid) for pid in proc.stdout.split()]

    def bytes_received(self):
        """Bytes the controller has sent to this host so far (the root end's tx counter)."""
        with open("/sys/class/net/%s/statistics/tx_bytes" % self.name) as stream:
            return int(stream.read())


class OfflineHosts(object):
    """N offline hosts and an inventory for them; a context manager that always tears down."""

    def __init__(self, count, pythons, prefix=PREFIX, net=NET, state_root=STATE_ROOT, group="offline"):
        if not 1 <= count <= MAX_HOSTS:
            raise ValueError("count must be 1 to %d" % MAX_HOSTS)
        if not pythons:
            raise ValueError("give at least one Python for the hosts")
        self.count, self.pythons = count, list(pythons)
        self.prefix, self.net, self.state_root, self.group = prefix, net, state_root, group
        self.slot = None
        self.state = None
        self.hosts = []
        self.inventory = None
        self._lock = None

    # Life cycle ---------------------------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        """Start every host and write the inventory; undo everything when any step fails or is interrupted."""
        reason = missing_prerequisites()
        if reason:
            raise RuntimeError(reason)
        # While the hosts live, TERM and HUP (a CI timeout, a closed terminal) become
        # KeyboardInterrupt, so that stop() still runs through finally blocks and
        # fixture teardown; Python's default would end the process on the spot.
        self._handle_signals()
        try:
            self._take_slot()
            self._prepare_state()
            self.hosts = [OfflineHost(self, i, self.pythons[(i - 1) % len(self.pythons)]) for i in range(1, self.count + 1)]
            for host in self.hosts:
                self._start_host(host)
            for host in self.hosts:
                self._wait_for_sshd(host)
            self._write_inventory()
        except BaseException:
            self.stop()
            raise

    def _handle_signals(self):
        self._previous_handlers = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGHUP):
                self._previous_handlers[sig] = signal.signal(sig, _raise_interrupt)

    def _restore_signals(self):
        for sig, handler in getattr(self, "_previous_handlers", {}).items():
            signal.signal(sig, handler)
        self._previous_handlers = {}

    def stop(self):
        """Remove every trace: control masters, processes, namespaces, links, state; release the slot."""
        if self.slot is None:
            self._restore_signals()
            return
        # A second TERM must not cut the teardown short.
        for sig in getattr(self, "_previous_handlers", {}):
            signal.signal(sig, signal.SIG_IGN)
        problems = []
        try:
            self._close_control_masters()
            for name in self._our_namespaces() | {host.name for host in self.hosts}:
                if not _remove_namespace(name):
                    problems.append(name)
            if self.state and os.path.exists(os.path.join(self.state, MARKER)):
                shutil.rmtree(self.state, ignore_errors=True)
        finally:
            self.hosts = []
            self.inventory = None
            self._release_slot()
            self._restore_signals()
        if problems:
            raise RuntimeError("offline hosts: could not remove %s" % ", ".join(problems))

    # Slots ----------------------------------------------------------------------------------

    def _take_slot(self):
        os.makedirs(self.state_root, mode=0o700, exist_ok=True)
        for slot in range(MAX_SLOTS):
            fd = os.open(os.path.join(self.state_root, "slot%d.lock" % slot), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                os.close(fd)
                if error.errno in (errno.EAGAIN, errno.EACCES):
                    continue
                raise
            if _run(["ip", "-4", "route", "show", "root", "%s.%d.0/24" % (self.net, slot)], check=False).stdout.strip() \
                    and not self._namespaces_of(slot):
                # Routed by something that is not ours: leave that range alone.
                os.close(fd)
                continue
            self.slot, self._lock = slot, fd
            self.state = os.path.join(self.state_root, "slot%d" % slot)
            return
        raise RuntimeError("offline hosts: no free slot under %s" % self.state_root)

    def _release_slot(self):
        if self._lock is not None:
            os.close(self._lock)  # closing drops the flock
        self._lock = None
        self.slot = None

    def _namespaces_of(self, slot):
        pattern = "%s%dh" % (self.prefix, slot)
        proc = _run(["ip", "netns", "list"], check=False)
        names = set()
        for line in proc.stdout.splitlines():
            name = line.split()[0] if line.split() else ""
            if name.startswith(pattern) and name[len(pattern):].isdigit():
                names.add(name)
        return names

    def _our_namespaces(self):
        return self._namespaces_of(self.slot)

    def _prepare_state(self):
        # The slot is ours (flock): whatever a killed run left in it goes first.
        for name in self._our_namespaces():
            _remove_namespace(name)
        if os.path.exists(self.state):
            shutil.rmtree(self.state)
        os.makedirs(os.path.join(self.state, "cp"), mode=0o700)
        with open(os.path.join(self.state, MARKER), "w") as stream:
            stream.write("offline.wagon test hosts, slot %d, pid %d\n" % (self.slot, os.getpid()))
        for path in PRIVATE + HIDDEN_FOR_HOSTS + SCRATCH:
            # sshd reads its keys and configuration here from inside the hosts.
            if self.state.startswith(path + "/"):
                raise RuntimeError("state directory %s lies under %s, which hosts do not see" % (self.state, path))
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "offline-wagon-tests", "-f", self._key])
        shutil.copy(self._key + ".pub", os.path.join(self.state, "authorized_keys"))
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation directory

    @property
    def _key(self):
        return os.path.join(self.state, "client_key")

    # One host ------------------------------------------------------------------------------------

    def _start_host(self, host):
        os.makedirs(host.dir)
        name = host.name
        _run(["ip", "netns", "add", name])
        _run(["ip", "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", name])
        _run(["ip", "addr", "add", host.gateway + "/30", "dev", name])
        _run(["ip", "link", "set", name, "up"])
        _run(["ip", "-n", name, "link", "set", "lo", "up"])
        _run(["ip", "-n", name, "addr", "add", host.address + "/30", "dev", "eth0"])
        _run(["ip", "-n", name, "link", "set", "eth0", "up"])
        if _run(["ip", "-n", name, "route", "show", "default"]).stdout.strip():
            raise RuntimeError("%s has a default route; refusing to go on" % name)
        if shutil.which("nft"):
            _run(["ip", "netns", "exec", name, "nft", "-f", "-"], stdin=_NFT_RULES)
        for path in PRIVATE:
            backing = host.files(path)
            os.makedirs(backing)
            shutil.copymode(path, backing)  # /tmp keeps its sticky, world-writable mode
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", os.path.join(host.dir, "host_key")])
        config = os.path.join(host.dir, "sshd_config")
        with open(config, "w") as stream:
            stream.write(self._sshd_config(host))
        _run([SSHD, "-t", "-f", config])
        boot = ["sh", "-c", _BOOT, "boot", name]
        for path in PRIVATE:
            boot += ["--bind", host.files(path), path]
        for path in HIDDEN_FOR_HOSTS:
            boot += ["--hide", path]
        for path in SCRATCH:
            boot += ["--scratch", path]
        boot += ["--", SSHD, "-f", config, "-E", os.path.join(host.dir, "sshd.log")]
        # ip netns exec gives a mount namespace of its own; unshare adds a private
        # one the boot script changes freely, and a UTS one for the hostname.
        # sshd daemonizes and stays in them, and so does every session it forks.
        _run(["ip", "netns", "exec", name, "unshare", "--mount", "--uts", "--propagation", "private"] + boot)

    def _sshd_config(self, host):
        return "\n".join([
            "# sshd of offline test host %s (tests/support/hosts.py)" % host.name,
            "ListenAddress %s" % host.address,
            "Port 22",
            "HostKey %s" % os.path.join(host.dir, "host_key"),
            "PidFile %s" % os.path.join(host.dir, "sshd.pid"),
            "AuthorizedKeysFile %s" % os.path.join(self.state, "authorized_keys"),
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            # No PAM: nothing here needs accounts or limits, and PAM would read the machine's config.
            "UsePAM no",
            # The key files live in a directory root made; StrictModes would also check its parents.
            "StrictModes no",
            # Ansible opens several sessions per connection (forks, control master).
            "MaxSessions 50",
            "MaxStartups 50:30:100",
            "Subsystem sftp internal-sftp",
            "LogLevel VERBOSE",
            "",
        ])

    def _wait_for_sshd(self, host, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                with socket.create_connection((host.address, 22), timeout=1):
                    return
            time.sleep(0.05)
        log = os.path.join(host.dir, "sshd.log")
        tail = open(log).read()[-2000:] if os.path.exists(log) else "(no log)"
        raise RuntimeError("sshd of %s does not answer on %s:22: %s" % (host.name, host.address, tail))

    def _write_inventory(self):
        known = os.path.join(self.state, "known_hosts")
        with open(known, "w") as stream:
            for host in self.hosts:
                with open(os.path.join(host.dir, "host_key.pub")) as key:
                    stream.write("%s %s\n" % (host.address, " ".join(key.read().split()[:2])))
        ssh_args = "-o UserKnownHostsFile=%s -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes" % known
        lines = ["# offline.wagon test hosts (tests/support/hosts.py), slot %d" % self.slot, "[%s]" % self.group]
        for host in self.hosts:
            lines.append(" ".join([
                host.name, "ansible_host=%s" % host.address,
                "ansible_python_interpreter=%s" % host.python,
                "offline_netns=%s" % host.name, "offline_host_files=%s" % os.path.join(host.dir, "fs"),
            ]))
        lines += [
            "", "[%s:vars]" % self.group,
            "ansible_connection=ssh",
            "ansible_user=root",
            "ansible_port=22",
            "ansible_ssh_private_key_file=%s" % self._key,
            "ansible_ssh_common_args=%s" % shlex.quote(ssh_args),
            # Control sockets of ours, so teardown can close the masters Ansible leaves behind.
            "ansible_control_path_dir=%s" % os.path.join(self.state, "cp"),
            # Ansible's remote temporary files go to the host's private /tmp, where a test can look.
            "ansible_remote_tmp=/tmp/.ansible/tmp",
            "",
        ]
        self.inventory = os.path.join(self.state, "inventory.ini")
        with open(self.inventory, "w") as stream:
            stream.write("\n".join(lines))

    # Teardown -------------------------------------------------------------------------------

    def _close_control_masters(self):
        control_dir = os.path.join(self.state or "", "cp")
        if not self.state or not os.path.isdir(control_dir):
            return
        for name in os.listdir(control_dir):
            _run(["ssh", "-O", "exit", "-o", "ControlPath=%s" % os.path.join(control_dir, name), "offline-host"],
                 check=False, timeout=10)
        # A master that did not answer: the only processes naming our control directory are ssh masters we caused.
        for pid in _pids_naming(control_dir):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _raise_interrupt(signum, _frame):
    raise KeyboardInterrupt("signal %d" % signum)


def _pids_naming(text):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as stream:
                cmdline = stream.read().decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline and cmdline.startswith("ssh"):
            found.append(int(entry))
    return found


def _remove_namespace(name):
    """Kill what runs in namespace ``name``, delete it and its link; return whether both are gone."""
    def pids():
        return [int(p) for p in _run(["ip", "netns", "pids", name], check=False).stdout.split()]

    def exists():
        return any(line.split()[0] == name for line in _run(["ip", "netns", "list"], check=False).stdout.splitlines()
                   if line.split())

    if exists():
        # Every process in the namespace is ours: sshd, the sessions it forked and their children.
        for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
            running = pids()
            for pid in running:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + wait
            while running and time.monotonic() < deadline:
                time.sleep(0.05)
                running = pids()
            if not running:
                break
        _run(["ip", "netns", "del", name], check=False)
    # The kernel removes the veth pair a moment after the namespace; remove it ourselves if it stays.
    deadline = time.monotonic() + 2.0
    while _link_exists(name) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _link_exists(name):
        _run(["ip", "link", "del", name], check=False)
    return not exists() and not _link_exists(name)


def _link_exists(name):
    return os.path.exists("/sys/class/net/%s" % name)


@contextlib.contextmanager
def offline_hosts(count, pythons, **options):
    """``with offline_hosts(3, [py39, py311, py312]) as fleet:`` -- an OfflineHosts, torn down on leaving."""
    fleet = OfflineHosts(count, pythons, **options)
    fleet.start()
    try:
        yield fleet
    finally:
        fleet.stop()


def main(argv):
    """``hosts.py N PYTHON...``: start N hosts, print the inventory, tear down on Ctrl-C, TERM or end of input."""
    if len(argv) < 2 or not argv[0].isdigit():
        sys.stderr.write("usage: hosts.py N PYTHON [PYTHON...]\n")
        return 2
    with offline_hosts(int(argv[0]), argv[1:]) as fleet:
        print("inventory: %s" % fleet.inventory)
        for host in fleet.hosts:
            print("%s %s %s files: %s" % (host.name, host.address, host.python, host.files("/srv")))
        print("press Ctrl-D or Ctrl-C to tear down")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
