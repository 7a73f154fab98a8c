# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wagon_install with a URL src, through real ``ansible -m``, offline except for one artifact server.

The artifact server (tests/support/artifact_server.py, HTTP and HTTPS with a
test CA made by the openssl CLI) and every Ansible run share one network
namespace whose only interface is loopback, with the machine's package
mirrors and pip configuration hidden: the server is the only thing the host
can reach. Its request log tells whether a run downloaded anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from ansible_collections.offline.wagon.plugins.module_utils._wheel import file_sha256
from tests.support import offline
from tests.support.ansible import run_module
from tests.support.fixtures import make_wheel, serve_directory
from tests.support.trees import tree_state

pytestmark = [pytest.mark.offline]

SERVER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support", "artifact_server.py")
USER, PASSWORD = "deploy", "s3cret-Pw"


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_test_ca(directory):
    """A CA and a server certificate for 127.0.0.1 signed by it; return ``(ca.pem, server.pem, server.key)``."""
    directory = str(directory)
    with open(os.path.join(directory, "san.cnf"), "w") as stream:
        stream.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=offline.wagon test CA", cwd=directory)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1", cwd=directory)
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.cnf", cwd=directory)
    return tuple(os.path.join(directory, name) for name in ("ca.pem", "server.pem", "server.key"))


class ArtifactServer(object):
    def __init__(self, namespace, root, log, ports, ca):
        self.namespace, self.root, self.log, self.ports, self.ca = namespace, root, log, ports, ca

    def url(self, path, tls=False, credentials=None):
        scheme = "https" if tls else "http"
        userinfo = "%s:%s@" % credentials if credentials else ""
        return "%s://%s127.0.0.1:%d/%s" % (scheme, userinfo, self.ports[scheme], path)

    def requests(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as stream:
            return [json.loads(line) for line in stream if line.strip()]

    def gets(self, path):
        return [r for r in self.requests() if r["method"] == "GET" and r["path"].endswith(path)]


@pytest.fixture(scope="module")
def wagons(tmp_path_factory):
    """Two wagons of demo-app (1.0 and 2.0, each with helper-lib), built once; ``{version: path}``."""
    if not offline.available():
        pytest.skip("offline: needs unshare and ip, and the right to create namespaces (root)")
    work = tmp_path_factory.mktemp("url-wagons")
    links = work / "links"
    links.mkdir()
    make_wheel(links, "helper-lib", "2.0")
    built = {}
    for version in ("1.0", "2.0"):
        make_wheel(links, "demo-app", version, requires=["helper-lib"])
        result = run_module("wagon_build", {
            "source": "demo-app==%s" % version, "dest": str(work / "wagons"), "find_links": [str(links)],
            "no_index": True,
        })
        assert result["changed"], result
        built[version] = result["archive"]
    return built


@pytest.fixture(scope="module")
def server(tmp_path_factory, wagons):
    """The artifact server, running in a fresh namespace with only loopback; Ansible runs there too."""
    work = tmp_path_factory.mktemp("artifacts")
    root = work / "root"
    root.mkdir()
    for path in wagons.values():
        shutil.copy(path, str(root))
    ca, cert, key = make_test_ca(work)
    log, ready = str(work / "requests.jsonl"), str(work / "ready.json")
    with offline.network_namespace("ow-url") as namespace:
        proc = subprocess.Popen(
            ["ip", "netns", "exec", namespace, sys.executable, SERVER, str(root), log, ready,
             "--cert", cert, "--key", key, "--user", USER, "--password", PASSWORD],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        try:
            deadline = time.time() + 20
            while not os.path.exists(ready):
                if proc.poll() is not None or time.time() > deadline:
                    raise AssertionError("artifact server did not start: %s" % proc.stderr.read().decode())
                time.sleep(0.05)
            with open(ready) as stream:
                ports = json.load(stream)
            yield ArtifactServer(namespace, str(root), log, ports, ca)
        finally:
            proc.kill()
            proc.wait()


def install(server, args, tmp, check=False):
    """Run wagon_install in the server's namespace; Ansible's remote temporary files go under ``tmp``."""
    return run_module("wagon_install", args, check=check, wrap=offline.namespace_prefix(server.namespace),
                      env={"ANSIBLE_REMOTE_TMP": str(tmp)})


def leftovers(directory):
    """Files (not directories) left under ``directory``."""
    return sorted(os.path.join(root, name) for root, _dirs, files in os.walk(str(directory)) for name in files)


def test_download_install_then_no_download_with_checksum(tmp_path, server, wagons, pythons):
    name = os.path.basename(wagons["1.0"])
    sha256 = file_sha256(wagons["1.0"])
    venv, remote_tmp = str(tmp_path / "venv"), tmp_path / "remote-tmp"
    args = {"src": server.url(name), "venv": venv, "venv_python": pythons["3.12"], "checksum": "sha256:" + sha256}

    # Check mode downloads (reading only) to report the exact plan, and creates nothing.
    predicted = install(server, args, remote_tmp, check=True)
    assert predicted["changed"] and predicted["downloaded"], predicted
    assert predicted["plan"]["add"] == ["demo-app==1.0", "helper-lib==2.0"] and not os.path.exists(venv)

    first = install(server, args, remote_tmp)
    assert first["changed"] and first["downloaded"] and not first.get("failed"), first
    assert first["plan"] == predicted["plan"] and first["archive_sha256"] == sha256
    assert first["installed"] == ["demo-app==1.0", "helper-lib==2.0"]
    with open(os.path.join(venv, ".offline-wagon", "demo-app.json")) as stream:
        assert json.load(stream)["archive"] == server.url(name)
    assert len(server.gets(name)) == 2 and leftovers(remote_tmp) == []

    # Installed, and the checksum names that archive: no download at all, in check mode or not.
    for check in (True, False):
        again = install(server, args, remote_tmp, check=check)
        assert not again["changed"] and not again["downloaded"] and not again.get("failed"), again
        assert again["installed"] == ["demo-app==1.0", "helper-lib==2.0"]
        assert again["wagon"]["name"] == "demo-app" and again["wagon"]["version"] == "1.0"
    assert len(server.gets(name)) == 2

    # Without a checksum the module cannot know it is the same archive: it downloads, and changes nothing.
    unsure = install(server, dict(args, checksum=None), remote_tmp)
    assert not unsure["changed"] and unsure["downloaded"], unsure
    assert len(server.gets(name)) == 3 and leftovers(remote_tmp) == []


def test_wrong_checksum_changes_nothing_and_leaves_no_file(tmp_path, server, wagons, pythons):
    venv, remote_tmp = str(tmp_path / "venv"), tmp_path / "remote-tmp"
    base = {"venv": venv, "venv_python": pythons["3.12"]}
    assert install(server, dict(base, src=server.url(os.path.basename(wagons["1.0"]))), remote_tmp)["changed"]
    before = tree_state(venv)
    wrong = "sha256:" + "0" * 64
    result = install(server, dict(base, src=server.url(os.path.basename(wagons["2.0"])), checksum=wrong), remote_tmp)
    assert result["failed"], result
    assert "checksum says %s" % ("0" * 64) in result["msg"] and file_sha256(wagons["2.0"]) in result["msg"], result
    assert "\n" not in result["msg"].strip()
    assert tree_state(venv) == before
    assert leftovers(remote_tmp) == []
    malformed = install(server, dict(base, src=server.url("x.wgn"), checksum="md5:abc"), remote_tmp)
    assert malformed["failed"] and "sha256" in malformed["msg"] and "md5" in malformed["msg"], malformed


def test_http_errors_are_one_line_with_the_url_and_no_credentials(tmp_path, server, pythons):
    venv, remote_tmp = str(tmp_path / "venv"), tmp_path / "remote-tmp"
    base = {"venv": venv, "venv_python": pythons["3.12"]}
    missing = install(server, dict(base, src=server.url("nope.wgn", credentials=("someone", "hunter22"))), remote_tmp)
    assert missing["failed"] and "HTTP 404" in missing["msg"], missing
    assert "127.0.0.1:%d/nope.wgn" % server.ports["http"] in missing["msg"]
    assert "hunter22" not in missing["msg"] and "someone" not in missing["msg"]
    assert "\n" not in missing["msg"].strip() and not os.path.exists(venv)

    started = time.time()
    stalled = install(server, dict(base, src=server.url("stall/x.wgn"), timeout=2), remote_tmp)
    assert stalled["failed"] and "timed out after 2 seconds" in stalled["msg"], stalled
    assert time.time() - started < 60
    assert leftovers(remote_tmp) == [] and not os.path.exists(venv)


def test_basic_auth(tmp_path, server, wagons, pythons):
    remote_tmp = tmp_path / "remote-tmp"
    url = server.url("private/" + os.path.basename(wagons["1.0"]))
    args = {"src": url, "venv": str(tmp_path / "venv"), "venv_python": pythons["3.12"]}
    anonymous = install(server, args, remote_tmp)
    assert anonymous["failed"] and "HTTP 401" in anonymous["msg"] and "url_username" in anonymous["msg"], anonymous
    bad = install(server, dict(args, url_username=USER, url_password="wrong"), remote_tmp)
    assert bad["failed"] and "HTTP 401" in bad["msg"], bad
    good = install(server, dict(args, url_username=USER, url_password=PASSWORD), remote_tmp, check=True)
    assert good["changed"] and good["downloaded"] and not good.get("failed"), good
    assert PASSWORD not in good["_stdout"] + good["_stderr"]
    assert server.gets("private/" + os.path.basename(wagons["1.0"]))[-1]["auth"]


def test_https_with_a_test_ca(tmp_path, server, wagons, pythons):
    remote_tmp = tmp_path / "remote-tmp"
    args = {"src": server.url(os.path.basename(wagons["1.0"]), tls=True), "venv": str(tmp_path / "venv"),
            "venv_python": pythons["3.12"]}
    untrusted = install(server, args, remote_tmp, check=True)
    assert untrusted["failed"] and "certificate verify failed" in untrusted["msg"].lower(), untrusted
    assert "ca_path" in untrusted["msg"]
    trusted = install(server, dict(args, ca_path=server.ca), remote_tmp, check=True)
    assert trusted["changed"] and trusted["downloaded"] and not trusted.get("failed"), trusted
    unchecked = install(server, dict(args, validate_certs=False), remote_tmp)
    assert unchecked["changed"] and unchecked["downloaded"] and not unchecked.get("failed"), unchecked
    assert unchecked["installed"] == ["demo-app==1.0", "helper-lib==2.0"]
    assert leftovers(remote_tmp) == []


def test_only_the_artifact_server_is_reachable(tmp_path, server, wagons):
    # A server on the machine's own loopback is another namespace's: unreachable from where Ansible runs.
    with serve_directory(os.path.dirname(wagons["1.0"])) as outside:
        result = install(server, {"src": "%s/%s" % (outside, os.path.basename(wagons["1.0"])),
                                  "venv": str(tmp_path / "venv")}, tmp_path / "remote-tmp")
    assert result["failed"] and "refused" in result["msg"].lower(), result
