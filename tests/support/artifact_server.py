# Copyright: (c) 2026, offline.wagon contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small artifact server for tests: plain HTTP and HTTPS on 127.0.0.1, run as its own process.

    python artifact_server.py DIRECTORY LOG READY [--cert CERT --key KEY] [--user U --password P]

Serves the files of DIRECTORY. Paths under ``/private/`` need HTTP basic
authentication (``--user``/``--password``; a 401 with a challenge
otherwise); paths under ``/stall/`` are accepted and never answered (the
connection stays open until the server stops). Every request is appended to
LOG as one JSON line (``{"port", "method", "path", "auth"}``), so a test can
tell whether anything was downloaded. When both listeners are up, READY gets
``{"http": PORT, "https": PORT}`` (https only with a certificate).

It runs in whatever network namespace it is started in, so a test can run it
next to Ansible in a namespace whose only network is loopback.
"""

from __future__ import annotations

import argparse
import base64
import functools
import http.server
import json
import os
import ssl
import threading
import time


class Handler(http.server.SimpleHTTPRequestHandler):
    options = None
    lock = threading.Lock()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _log(self):
        entry = {"port": self.server.server_address[1], "method": self.command, "path": self.path,
                 "auth": bool(self.headers.get("Authorization"))}
        with self.lock, open(self.options.log, "a") as stream:
            stream.write(json.dumps(entry) + "\n")

    def do_GET(self):
        self._log()
        if self.path.startswith("/stall/"):
            # Accept, read the request, say nothing: the client must time out.
            while True:
                time.sleep(3600)
        if self.path.startswith("/private/"):
            expected = "Basic " + base64.b64encode(
                ("%s:%s" % (self.options.user, self.options.password)).encode("utf-8")).decode("ascii")
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="artifacts"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.path = self.path[len("/private"):]
        super().do_GET()

    do_HEAD = do_GET


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("log")
    parser.add_argument("ready")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user", default="deploy")
    parser.add_argument("--password", default="s3cret")
    options = parser.parse_args()
    Handler.options = options
    handler = functools.partial(Handler, directory=options.directory)
    servers = {"http": Server(("127.0.0.1", 0), handler)}
    if options.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.cert, options.key)
        https = Server(("127.0.0.1", 0), handler)
        https.socket = context.wrap_socket(https.socket, server_side=True)
        servers["https"] = https
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports = {name: server.server_address[1] for name, server in servers.items()}
    temporary = options.ready + ".tmp"
    with open(temporary, "w") as stream:
        json.dump(ports, stream)
    os.rename(temporary, options.ready)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
