#!/usr/bin/python3
"""pg_cut_proxy: a PostgreSQL proxy that loses the answer to COMMIT (RELIABILITY D4).

Listens on LISTEN_DIR/.s.PGSQL.5432 (a Unix socket, so that a libpq conninfo
"host=LISTEN_DIR port=5432" reaches it) and forwards every connection to the
server socket UPSTREAM. In a transaction that parsed a statement containing
--marker, the first --cuts COMMITs are forwarded, the server's answer is
awaited (so the commit has happened) and then both links are closed instead
of passing it on: the client cannot know whether its transaction committed.
Every cut is one line "cut N" on stdout. Python 3 standard library only;
exits on SIGTERM/SIGINT.

Only the extended query protocol is followed (libpq's PQsendQueryParams:
Parse, Bind, Describe, Execute, Sync per statement); a Unix-socket client
sends no SSL or GSS request before its startup message.
"""

import argparse
import os
import signal
import socket
import struct
import sys
import threading


class Budget:
    def __init__(self, cuts):
        self.left = cuts
        self.done = 0
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True

    def record(self):
        with self.lock:
            self.done += 1
            print(f"cut {self.done}", flush=True)


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def close(*socks):
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


class Link:
    """One client connection and its upstream connection."""

    def __init__(self, client, upstream_path, marker, budget):
        self.client = client
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.connect(upstream_path)
        self.marker = marker
        self.budget = budget
        self.awaiting_commit_reply = threading.Event()
        self.closed = threading.Event()

    def run(self):
        threading.Thread(target=self.server_to_client, daemon=True).start()
        try:
            self.client_to_server()
        except OSError:
            pass
        finally:
            self.closed.set()
            close(self.client, self.server)

    def client_to_server(self):
        length = read_exact(self.client, 4)
        if length is None:
            return
        (n,) = struct.unpack("!I", length)
        startup = read_exact(self.client, n - 4)
        if startup is None:
            return
        self.server.sendall(length + startup)
        marked = False  # the open transaction parsed a statement with the marker
        cut_at_sync = False
        while not self.closed.is_set():
            header = read_exact(self.client, 5)
            if header is None:
                return
            kind = header[:1]
            (n,) = struct.unpack("!I", header[1:])
            body = read_exact(self.client, n - 4)
            if body is None:
                return
            if kind == b"P":
                query = body.split(b"\0", 2)[1]
                if self.marker in query:
                    marked = True
                if query.strip().upper() == b"COMMIT":
                    cut_at_sync = marked and self.budget.take()
                    marked = False
                if query.strip().upper() in (b"BEGIN", b"ROLLBACK"):
                    marked = False
            if kind == b"S" and cut_at_sync:
                # Everything before this Sync has been answered already (libpq
                # waits for each statement's results), so the next bytes from
                # the server answer COMMIT: it has committed by then.
                self.awaiting_commit_reply.set()
            self.server.sendall(header + body)
            if kind == b"X":
                return

    def server_to_client(self):
        try:
            while True:
                data = self.server.recv(65536)
                if not data:
                    break
                if self.awaiting_commit_reply.is_set():
                    self.budget.record()
                    break
                self.client.sendall(data)
        except OSError:
            pass
        self.closed.set()
        close(self.client, self.server)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("listen_dir")
    parser.add_argument("upstream")
    parser.add_argument("--cuts", type=int, default=1)
    parser.add_argument("--marker", default="")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    budget = Budget(args.cuts)
    path = os.path.join(args.listen_dir, ".s.PGSQL.5432")
    tmp = path + ".tmp"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(tmp)
    listener.listen(64)
    # Appears whole: a client never finds a socket nobody listens on.
    os.rename(tmp, path)
    marker = args.marker.encode()
    while True:
        client, _ = listener.accept()
        try:
            link = Link(client, args.upstream, marker, budget)
        except OSError as e:
            print(f"upstream: {e}", file=sys.stderr, flush=True)
            client.close()
            continue
        threading.Thread(target=link.run, daemon=True).start()


if __name__ == "__main__":
    main()
