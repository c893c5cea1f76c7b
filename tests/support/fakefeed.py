#!/usr/bin/python3
"""fakefeed: the HTTP(S) server the tests fetch from, with misbehaviours keyed by path.

Listens on --bind (default 127.0.0.1; any 127.x.y.z is another host to the client), port 0;
writes the port to --port-file once listening. --log writes one JSON line per request:
path, method, headers and t, the arrival time in seconds (CLOCK_MONOTONIC, so that tests
can compare it with their own steady clock), taken when the request's head was read.
With --tls-cert (and --tls-key) it speaks HTTPS; --tls-legacy-only offers TLS 1.0/1.1 only,
--require-sni NAME refuses a handshake that does not name NAME.
Python 3 standard library only. Exits on SIGTERM/SIGINT.

  /feeds/<relpath>       a file under --root; ETag, Last-Modified, 304 on If-None-Match /
                         If-Modified-Since; ?gzip=1 ?charset=X ?delay_ms=N ?max_age=N
                         ?etag_hex=HEX (that ETag, raw bytes, instead of a hash)
                         ?close=1 (Connection: close) ?idle_close_ms=N (close the connection
                         when no next request came within N ms)
  /feed, /rss.xml,       <root>/site/feed, ... when that file exists (the fallbacks of feed
  /atom.xml, /index.xml  discovery), else 404
  /status/<code>         that status; ?retry_after=VALUE adds Retry-After (seconds or HTTP-date);
                         ?reason_hex=HEX sends that reason phrase (raw bytes);
                         ?declared_length=N announces N body bytes but sends a few
  /redirect/<n>?to=P     a chain of n redirects ending at P; ?code=301|302|303|307|308
  /loop/a, /loop/b       redirect to each other
  /redirect-to?url=U     Location: U, whatever U is (file:///etc/passwd, another port, ...)
  /drip?bytes_per_sec=N  headers at once, then the body one byte at a time; ?bytes=TOTAL
  /hang                  accepts, reads the request, never answers
  /slow-headers          status line, then one header line a second, forever
  /empty                 200 with Content-Length: 0
  /bomb?mib=N            gzip of N MiB of zeros (default 64), Content-Encoding: gzip
  /huge?mib=N            Content-Length N MiB, zeros streamed as fast as the client takes them
  /chunked?mib=N         N MiB of zeros in 64 KiB chunks (Transfer-Encoding: chunked)
  /gzip-corrupt          Content-Encoding: gzip with a damaged stream; ?truncated=1 cuts it instead
  /encoding/<coding>     a small feed labelled with that Content-Encoding (gzip, x-gzip, deflate,
                         deflate?raw=1, "gzip, gzip" are really encoded; anything else is not)
  /barrier?n=K&name=X    answers (a small feed) only once K requests to barrier X are open at
                         the same time; after ?timeout_ms (default 5000) it answers 504 to all of
                         them and to every later one: proves requests overlap at the server
  /hits                  JSON object: path (without query) -> requests so far (excluding /hits)
  /connections           JSON number: connections that carried a request (other than to /hits
                         and /connections); HTTP/1.1 connections stay open between requests
  /headers               JSON object of the request headers
  /close-early           Content-Length: 1000, 10 bytes, close
  /close-delimited       a small feed without Content-Length or chunking, ended by closing
                         (over TLS without close_notify)
  /reset-mid-body        Content-Length of a whole feed, half of it, then a reset (RST: SO_LINGER
                         {1, 0} and close) instead of the rest (RELIABILITY N7)
  /endless               no Content-Length, no chunking, a body that never ends: ?bytes_per_sec=N
                         (default as fast as the client reads) until the client goes or MAX_WAIT
                         (RELIABILITY S16)
  /raw/<case>            a response that breaks HTTP/1.1 framing, written byte for byte, then
                         close (RELIABILITY S11, S12, S14, S15, S20, S21): length-and-chunked,
                         two-lengths, big-header, many-headers, cookie-flood, long-chunk-line,
                         huge-chunk, status-999, not-http, http09
"""

import argparse
import email.utils
import gzip
import hashlib
import http.server
import json
import os
import select
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import zlib

SMALL_FEED = (b'<?xml version="1.0" encoding="utf-8"?>\n'
              b'<rss version="2.0"><channel><title>fake</title><link>http://example.com/</link>'
              b'<item><guid>1</guid><title>one</title></item></channel></rss>\n')

# Where feed discovery looks when a page names no feed (feeds add); served
# from <root>/site/ when there, else 404.
FALLBACK_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/index.xml")

CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html",
}

MAX_WAIT = 300  # seconds any slow mode keeps a connection, so no thread outlives a test run by much


class State:
    def __init__(self, root, log_path):
        self.root = os.path.realpath(root) if root else None
        self.log_path = log_path
        self.lock = threading.Lock()
        self.hits = {}
        self.bombs = {}
        self.barriers = {}
        self.connections = 0

    def record(self, path, method, headers, first_on_connection):
        arrived = time.monotonic()
        key = urllib.parse.urlsplit(path).path
        with self.lock:
            if key not in ("/hits", "/connections"):
                self.hits[key] = self.hits.get(key, 0) + 1
                self.connections += first_on_connection
            if self.log_path:
                line = json.dumps({"path": path, "method": method, "headers": headers, "t": arrived})
                with open(self.log_path, "a", encoding="utf-8") as log:
                    log.write(line + "\n")

    def barrier(self, name, parties):
        with self.lock:
            if name not in self.barriers:
                self.barriers[name] = threading.Barrier(parties)
            return self.barriers[name]

    def bomb(self, mib):
        with self.lock:
            if mib not in self.bombs:
                compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                chunk = bytes(1024 * 1024)
                parts = [compressor.compress(chunk) for _ in range(mib)]
                parts.append(compressor.flush())
                self.bombs[mib] = b"".join(parts)
            return self.bombs[mib]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60
    state = None  # set in main()

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def setup(self):
        super().setup()
        self.counted = False  # whether State.connections counts this connection yet
        # The TLS handshake happens here, on the connection's own thread, so a
        # client that never speaks TLS cannot stall accept() for the others.
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        path = urllib.parse.unquote(url.path)
        first = not self.counted and path not in ("/hits", "/connections")
        self.counted = self.counted or first
        self.state.record(self.path, method, {k: v for k, v in self.headers.items()}, first)
        routes = [
            ("/feeds/", self.serve_feed),
            ("/status/", self.serve_status),
            ("/redirect/", self.serve_redirect),
            ("/loop/", self.serve_loop),
            ("/encoding/", self.serve_encoding),
            ("/raw/", self.serve_raw),
        ]
        for prefix, handler in routes:
            if path.startswith(prefix):
                return handler(path[len(prefix):], query)
        exact = {
            "/redirect-to": self.serve_redirect_to,
            "/drip": self.serve_drip,
            "/hang": self.serve_hang,
            "/slow-headers": self.serve_slow_headers,
            "/empty": self.serve_empty,
            "/bomb": self.serve_bomb,
            "/huge": self.serve_huge,
            "/chunked": self.serve_chunked,
            "/gzip-corrupt": self.serve_gzip_corrupt,
            "/barrier": self.serve_barrier,
            "/hits": self.serve_hits,
            "/connections": self.serve_connections,
            "/headers": self.serve_headers,
            "/close-early": self.serve_close_early,
            "/close-delimited": self.serve_close_delimited,
            "/reset-mid-body": self.serve_reset_mid_body,
            "/endless": self.serve_endless,
        }
        if path in exact:
            return exact[path](query)
        if path in FALLBACK_PATHS:
            return self.serve_feed("site" + path, query)
        self.reply(404, b"not found\n", "text/plain")

    # -- helpers -------------------------------------------------------------

    def reply(self, status, body, content_type, headers=None, reason=None):
        # http.server writes the status line and headers as latin-1: a str
        # of code points below 256 goes out byte for byte.
        self.send_response(status, reason)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def peer_closed(self, wait):
        """Waits up to `wait` seconds; True when the client has gone away."""
        readable, _, _ = select.select([self.connection], [], [], wait)
        if not readable:
            return False
        try:
            if isinstance(self.connection, ssl.SSLSocket):
                return self.connection.recv(1) == b""
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    # -- modes ---------------------------------------------------------------

    def serve_feed(self, relpath, query):
        if "delay_ms" in query:
            time.sleep(int(query["delay_ms"]) / 1000)
        root = self.state.root
        full = os.path.realpath(os.path.join(root or "/nonexistent", relpath))
        if not root or not full.startswith(root + os.sep) or not os.path.isfile(full):
            return self.reply(404, b"no such feed\n", "text/plain")
        with open(full, "rb") as f:
            body = f.read()
        mtime = int(os.stat(full).st_mtime)
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        if "etag_hex" in query:
            etag = bytes.fromhex(query["etag_hex"]).decode("latin-1")
        headers = {"ETag": etag, "Last-Modified": email.utils.formatdate(mtime, usegmt=True)}
        if "max_age" in query:
            headers["Cache-Control"] = "public, max-age=" + query["max_age"]
        # RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only without it.
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            if "*" in tags or etag in tags or "W/" + etag in tags:
                return self.reply(304, b"", None, headers)
        elif ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                if mtime <= since:
                    return self.reply(304, b"", None, headers)
            except (TypeError, ValueError):
                pass
        content_type = CONTENT_TYPES.get(os.path.splitext(full)[1], "application/octet-stream")
        if "charset" in query:
            content_type += "; charset=" + query["charset"]
        if query.get("gzip") == "1":
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if query.get("close") == "1":
            headers["Connection"] = "close"  # http.server then closes after this response
        self.reply(200, body, content_type, headers)
        if "idle_close_ms" in query:
            # The wait for the next request line times out, and http.server
            # closes the connection.
            self.connection.settimeout(int(query["idle_close_ms"]) / 1000)

    def serve_status(self, code, query):
        headers = {}
        if "retry_after" in query:
            headers["Retry-After"] = query["retry_after"]
        body = b"status " + code.encode() + b"\n"
        if "declared_length" in query:
            # Announces a body far larger than what follows, then hangs up.
            self.send_response(int(code))
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", query["declared_length"])
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        reason = bytes.fromhex(query["reason_hex"]).decode("latin-1") if "reason_hex" in query else None
        self.reply(int(code), body, "text/plain", headers, reason)

    def redirect(self, location, query):
        code = int(query.get("code", "302"))
        self.reply(code, b"", None, {"Location": location})

    def serve_redirect(self, count, query):
        n = int(count)
        to = query.get("to", "/feeds/feed.xml")
        if n <= 1:
            return self.redirect(to, query)
        rest = {k: v for k, v in query.items()}
        self.redirect("/redirect/%d?%s" % (n - 1, urllib.parse.urlencode(rest)), query)

    def serve_loop(self, which, query):
        self.redirect("/loop/b" if which == "a" else "/loop/a", query)

    def serve_redirect_to(self, query):
        self.redirect(query.get("url", ""), query)

    def serve_encoding(self, coding, query):
        lowered = coding.lower()
        if lowered in ("gzip", "x-gzip"):
            body = gzip.compress(SMALL_FEED)
        elif lowered == "deflate":
            if query.get("raw") == "1":
                compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
                body = compressor.compress(SMALL_FEED) + compressor.flush()
            else:
                body = zlib.compress(SMALL_FEED)
        elif lowered.replace(" ", "") == "gzip,gzip":
            body = gzip.compress(gzip.compress(SMALL_FEED))
        else:
            body = SMALL_FEED
        self.reply(200, body, "application/rss+xml", {"Content-Encoding": coding})

    def serve_drip(self, query):
        rate = max(1, int(query.get("bytes_per_sec", "1")))
        total = int(query.get("bytes", str(1024 * 1024)))
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(total))
        self.end_headers()
        self.wfile.flush()
        deadline = time.monotonic() + MAX_WAIT
        sent = 0
        try:
            while sent < total and time.monotonic() < deadline:
                self.wfile.write(b" ")
                self.wfile.flush()
                sent += 1
                time.sleep(1 / rate)
        except OSError:
            pass
        self.close_connection = True

    def serve_hang(self, query):
        deadline = time.monotonic() + MAX_WAIT
        while time.monotonic() < deadline and not self.peer_closed(0.2):
            pass
        self.close_connection = True

    def serve_slow_headers(self, query):
        deadline = time.monotonic() + MAX_WAIT
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            n = 0
            while time.monotonic() < deadline:
                self.wfile.write(b"X-Slow-%d: 1\r\n" % n)
                self.wfile.flush()
                n += 1
                if self.peer_closed(1.0):
                    break
        except OSError:
            pass
        self.close_connection = True

    def serve_empty(self, query):
        self.reply(200, b"", "application/xml")

    def serve_bomb(self, query):
        body = self.state.bomb(int(query.get("mib", "64")))
        self.reply(200, body, "application/xml", {"Content-Encoding": "gzip"})

    def serve_huge(self, query):
        total = int(query.get("mib", "100")) * 1024 * 1024
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(total))
        self.end_headers()
        chunk = bytes(64 * 1024)
        sent = 0
        try:
            while sent < total:
                self.wfile.write(chunk[: total - sent])
                sent += len(chunk)
        except OSError:
            pass
        self.close_connection = True

    def serve_chunked(self, query):
        total = int(query.get("mib", "100")) * 1024 * 1024
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"%x\r\n" % (64 * 1024) + bytes(64 * 1024) + b"\r\n"
        try:
            for _ in range(total // (64 * 1024)):
                self.wfile.write(chunk)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
        self.close_connection = True

    def serve_gzip_corrupt(self, query):
        good = gzip.compress(SMALL_FEED * 20)
        if query.get("truncated") == "1":
            body = good[: len(good) // 2]
        else:
            damaged = bytearray(good)
            for i in range(12, len(damaged) - 8, 7):
                damaged[i] ^= 0x5A
            body = bytes(damaged)
        self.reply(200, body, "application/xml", {"Content-Encoding": "gzip"})

    def serve_barrier(self, query):
        barrier = self.state.barrier(query.get("name", ""), int(query.get("n", "2")))
        try:
            barrier.wait(int(query.get("timeout_ms", "5000")) / 1000)
        except threading.BrokenBarrierError:
            return self.reply(504, b"barrier: fewer requests at once than it waits for\n", "text/plain")
        self.reply(200, SMALL_FEED, "application/rss+xml")

    def serve_hits(self, query):
        with self.state.lock:
            body = json.dumps(self.state.hits, sort_keys=True).encode()
        self.reply(200, body, "application/json")

    def serve_connections(self, query):
        with self.state.lock:
            body = json.dumps(self.state.connections).encode()
        self.reply(200, body, "application/json")

    def serve_headers(self, query):
        body = json.dumps({k: v for k, v in self.headers.items()}).encode()
        self.reply(200, body, "application/json")

    def serve_close_delimited(self, query):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self.wfile.write(SMALL_FEED)
        self.close_connection = True

    def serve_reset_mid_body(self, query):
        feed = SMALL_FEED * 50
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(feed)))
        self.end_headers()
        self.wfile.write(feed[: len(feed) // 2])
        self.wfile.flush()
        time.sleep(0.2)  # the half arrives first, as a half-sent body would
        # Linger on with a zero timeout: close() sends RST, not FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def serve_endless(self, query):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        rate = int(query.get("bytes_per_sec", "0"))
        block = b"<!-- endless -->" * (64 if rate == 0 else 1)
        started = time.monotonic()
        try:
            self.wfile.write(b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>endless</title>')
            while time.monotonic() - started < MAX_WAIT:
                self.wfile.write(block)
                if rate:
                    time.sleep(len(block) / rate)
        except OSError:
            pass
        self.close_connection = True

    def serve_raw(self, case, query):
        ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
        feed = SMALL_FEED
        fixed = {
            "length-and-chunked": ok + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n" % len(feed) + feed + b"\r\n0\r\n\r\n",
            "two-lengths": ok + b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (len(feed), len(feed) + 1) + feed,
            "big-header": ok + b"X-Big: " + b"a" * (1024 * 1024) + b"\r\n\r\n" + feed,
            "many-headers": ok + b"".join(b"X-H%d: 1\r\n" % i for i in range(10000)) + b"\r\n" + feed,
            "cookie-flood": ok + b"".join(b"Set-Cookie: c%d=1\r\n" % i for i in range(10000)) + b"\r\n" + feed,
            "huge-chunk": ok + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n" + feed,
            "status-999": b"HTTP/1.1 999 Weird\r\nContent-Length: %d\r\n\r\n" % len(feed) + feed,
            "not-http": b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
            "http09": feed,
        }
        try:
            if case == "long-chunk-line":
                # A chunk-size line that never ends: 300 MiB at most, or
                # until the client hangs up.
                self.wfile.write(ok + b"Transfer-Encoding: chunked\r\n\r\n1;")
                block = b"a" * (1024 * 1024)
                for _ in range(300):
                    self.wfile.write(block)
            elif case in fixed:
                self.wfile.write(fixed[case])
            else:
                self.reply(404, b"no such raw case\n", "text/plain")
                return
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True

    def serve_close_early(self, query):
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"<rss>12345")
        self.wfile.flush()
        self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: a burst of connects beyond it
    # is dropped and retried by the client a second later, which looks like a
    # slow server to every timing-sensitive test.
    request_queue_size = 256

    def handle_error(self, request, client_address):
        # Clients that hang up, fail TLS verification or time out are what the
        # tests are about; a traceback per case is noise.
        pass


def require_server_name(name):
    def check(ssl_socket, server_name, context):
        if server_name != name:
            return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
        return None

    return check


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default="")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--log", default="")
    parser.add_argument("--tls-cert", default="")
    parser.add_argument("--tls-key", default="")
    # Offers only TLS 1.0 and 1.1 (RELIABILITY T1): OpenSSL 3 needs security
    # level 0 to speak them at all.
    parser.add_argument("--tls-legacy-only", action="store_true")
    # Refuses a handshake without this server name (RELIABILITY T3), as a
    # virtual host behind a shared address does.
    parser.add_argument("--require-sni", default="")
    args = parser.parse_args()

    Handler.state = State(args.root, args.log)
    server = Server((args.bind, 0), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key or None)
        if args.tls_legacy_only:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        if args.require_sni:
            context.sni_callback = require_server_name(args.require_sni)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)

    def stop(signo, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    # Written atomically, so that a reader polling for it never sees half a number.
    temporary = args.port_file + ".tmp"
    with open(temporary, "w", encoding="ascii") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(temporary, args.port_file)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
