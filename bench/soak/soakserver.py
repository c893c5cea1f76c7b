#!/usr/bin/python3
"""soakserver: the feeds of the soak run, on many loopback hosts, misbehaving on a schedule.

One asyncio process (thousands of feeds over dozens of addresses; fakefeed.py's
thread per connection would not do). Python 3 standard library only; exits on
SIGTERM/SIGINT.

  --listen ADDR      a host (127.0.x.y) on a port of its own choosing; repeatable
  --ready-file PATH  written once every listener is up: {"control": PORT, "hosts": [...]}
  --period S         length of one fault cycle, seconds
  --active S         how long of each cycle a faulty feed misbehaves
  --publish S        base publishing period: a publishing feed adds an entry every
                     S to 4*S seconds (it depends on the feed)
  --hang S           how long a "timeout" answer waits before closing (above fetch.timeout)
  --retry-after S    the Retry-After of a 429
  --move-by S        moved feeds start answering 301 at a time of their own before S
  --fault-log PATH   one JSON line per fault answered: t (Unix time), feed, kind

Feeds are /f/<kind><index>.xml, RSS 2.0, guids "soak/<kind><index>/<j>", the
newest 20 entries of the ones published so far (10 at the start). kind:
  n  well behaved               t  times out (no answer for --hang s, then closed)
  r  connection reset (RST)     e  500, 502 or 503 (no Retry-After)
  q  429 with Retry-After       m  moved: from its move time on, 301 to /moved/<name>.xml
Faulty feeds (t, r, e) misbehave for --active seconds of every --period, at a
phase of their own; the q feeds of a host all at once, at the host's phase.
Half the feeds (chosen by a hash of the name) publish new entries over time.
ETag / If-None-Match give 304 when nothing changed.

The control listener (127.0.0.1) answers /stats: JSON "faults" {kind: answers},
"faults_on_reused_connections" (the same, counting only answers on a kept-alive
connection that had served a request before), "moved" (feeds that answered 301),
"answers" {"200", "304", "301"}, "published" {name: [j, ...] every entry index
sent in a complete 200 answer}, "started" (Unix time).
"""

import argparse
import asyncio
import json
import os
import socket
import struct
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "support"))
from hostfarm import read_request, serve_until_signal  # noqa: E402
import zlib

WINDOW = 20
INITIAL = 10
FAULT_KIND = {"t": "timeout", "r": "reset", "e": "5xx", "q": "429"}


def spread(name, salt):
    """A fraction in [0, 1) fixed by the feed's name: phases and rates without a random source."""
    return (zlib.crc32(f"{salt}:{name}".encode()) % 10007) / 10007.0


class Soak:
    def __init__(self, args):
        self.args = args
        self.started = time.time()
        self.t0 = time.monotonic()
        self.faults = {k: 0 for k in FAULT_KIND.values()}
        self.faults_on_reused = {k: 0 for k in FAULT_KIND.values()}
        self.answers = {"200": 0, "304": 0, "301": 0}
        self.published = {}
        self.moved = set()
        self.fault_log = open(args.fault_log, "a", encoding="ascii") if args.fault_log else None

    def now(self):
        return time.monotonic() - self.t0

    def newest(self, name):
        """Index of the newest entry published by now."""
        if spread(name, "publishes") < 0.5:
            return INITIAL - 1
        every = self.args.publish * (1 + 3 * spread(name, "rate"))
        return INITIAL - 1 + int((self.now() + every * spread(name, "phase")) // every)

    def faulty_now(self, name, host):
        if name[0] not in FAULT_KIND:
            return False
        # A 429 says the host is busy: every feed of it answers 429 in the
        # host's window (a Retry-After pauses the whole host anyway).
        phase = spread(host if name[0] == "q" else name, "fault") * self.args.period
        return (self.now() + phase) % self.args.period < self.args.active

    def moved_now(self, name):
        return name[0] == "m" and self.now() >= spread(name, "move") * self.args.move_by

    def document(self, name, newest):
        items = "".join(
            f"<item><guid isPermaLink=\"false\">soak/{name}/{j}</guid><title>{name} entry {j}</title>"
            f"<link>http://example.com/{name}/{j}</link><description>entry {j} of {name}</description></item>"
            for j in range(newest, max(-1, newest - WINDOW), -1))
        return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>{name}</title>"
                f"<link>http://example.com/{name}</link>{items}</channel></rss>\n").encode()

    def record_fault(self, name, kind, reused):
        self.faults[kind] += 1
        if reused:
            self.faults_on_reused[kind] += 1
        if self.fault_log:
            line = {"t": round(time.time(), 3), "feed": name, "kind": kind, "reused": reused}
            self.fault_log.write(json.dumps(line) + "\n")
            self.fault_log.flush()


def response(status, body, headers=()):
    head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    return (head + "\r\n").encode("latin-1") + body


def reset(writer):
    """Closes with a RST: SO_LINGER on, zero seconds."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def answer_fault(soak, name, writer, reused):
    """Sends the feed's fault; False when the connection is to be dropped."""
    kind = FAULT_KIND[name[0]]
    soak.record_fault(name, kind, reused)
    if kind == "timeout":
        await asyncio.sleep(soak.args.hang)
        writer.transport.abort()
        return False
    if kind == "reset":
        reset(writer)
        return False
    if kind == "5xx":
        status = ("500 Internal Server Error", "502 Bad Gateway", "503 Service Unavailable")[soak.faults[kind] % 3]
        writer.write(response(status, b"soak fault\n"))
    else:
        writer.write(response("429 Too Many Requests", b"slow down\n", [("Retry-After", str(soak.args.retry_after))]))
    await writer.drain()
    return True


async def answer_feed(soak, name, headers, writer, host):
    newest = soak.newest(name)
    etag = f"\"{name}-{newest}\""
    if headers.get("if-none-match") == etag:
        writer.write(response("304 Not Modified", b"", [("ETag", etag)]))
        await writer.drain()
        soak.answers["304"] += 1
        return
    writer.write(response("200 OK", soak.document(name, newest),
                          [("Content-Type", "application/rss+xml"), ("ETag", etag)]))
    await writer.drain()
    # Published: the whole answer went out (the kernel has it).
    soak.answers["200"] += 1
    soak.published.setdefault(name, set()).update(range(max(0, newest - WINDOW + 1), newest + 1))


def feed_handler(soak, host):
    async def handle(reader, writer):
        served = 0  # requests answered on this connection before this one
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                _, target, headers = request
                path = urllib.parse.urlsplit(target).path
                name = path.rsplit("/", 1)[-1][:-4] if path.endswith(".xml") else ""
                if path.startswith("/f/") and name and soak.moved_now(name):
                    soak.answers["301"] += 1
                    soak.moved.add(name)
                    writer.write(response("301 Moved Permanently", b"",
                                          [("Location", f"http://{host}/moved/{name}.xml")]))
                    await writer.drain()
                elif path.startswith("/f/") and name and soak.faulty_now(name, host):
                    if not await answer_fault(soak, name, writer, served > 0):
                        return
                elif (path.startswith("/f/") or path.startswith("/moved/")) and name:
                    await answer_feed(soak, name, headers, writer, host)
                else:
                    writer.write(response("404 Not Found", b"not found\n"))
                    await writer.drain()
                served += 1
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
    return handle


def control_handler(soak):
    async def handle(reader, writer):
        request = await read_request(reader)
        if request is not None:
            body = json.dumps({"faults": soak.faults, "faults_on_reused_connections": soak.faults_on_reused,
                               "answers": soak.answers, "started": soak.started, "moved": sorted(soak.moved),
                               "published": {k: sorted(v) for k, v in soak.published.items()}}).encode()
            writer.write(response("200 OK", body, [("Content-Type", "application/json"), ("Connection", "close")]))
            try:
                await writer.drain()
            except ConnectionError:
                pass
        writer.close()
    return handle


async def serve(args):
    soak = Soak(args)
    listeners = [(address, lambda key: feed_handler(soak, key)) for address in args.listen]
    await serve_until_signal(listeners, control_handler(soak), args.ready_file)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", action="append", required=True)
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--period", type=float, default=600)
    parser.add_argument("--active", type=float, default=120)
    parser.add_argument("--publish", type=float, default=240)
    parser.add_argument("--hang", type=float, default=15)
    parser.add_argument("--retry-after", type=int, default=60)
    parser.add_argument("--move-by", type=float, default=1800)
    parser.add_argument("--fault-log")
    asyncio.run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
