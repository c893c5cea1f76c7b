#!/usr/bin/python3
"""hostfarm: many feeds on many loopback hosts, served fast, every request counted.

fakefeed.py runs a thread per connection and reads files; thousands of feeds
over dozens of addresses need one event loop instead. Python 3 standard
library only; exits on SIGTERM/SIGINT.

  --listen ADDR[@DELAY_MS]   a host: ADDR (127.0.0.2, ...) on a port of its own
                             choosing, answering each request DELAY_MS late;
                             repeatable, one listener per flag
  --entries N                items per feed in generation 1 (default 2)
  --ready-file PATH          written once every listener is up: JSON
                             {"control": PORT, "hosts": ["ADDR:PORT", ...]}
                             in --listen order

Every host serves /f/<name>.xml: an RSS 2.0 feed whose items (guid
"<name>/<j>") are j = 0 .. entries + generation - 2, so each generation
publishes one more item. HTTP/1.1 keep-alive; no ETag, so every request is
answered in full.

The control listener (127.0.0.1, its own port) answers:
  /stats          JSON: "hits" {"ADDR:PORT/f/x.xml": {"USER-AGENT": n}},
                  "hosts" {"ADDR:PORT": {"requests", "peak", "peak_by_agent"
                  {"UA": n}, "connections", "first_start", "last_end"}} (connections:
                  accepted; peak: most requests
                  in flight at once, counted from the request's last header
                  byte to its response's last byte; times in seconds on the
                  server's monotonic clock), "now" (that clock)
  /generation?n=G the feeds publish generation G from now on
  /reset          forgets hits and host statistics
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import time
import urllib.parse


class Farm:
    def __init__(self, entries):
        self.entries = entries
        self.generation = 1
        self.reset()

    def reset(self):
        self.hits = {}
        self.hosts = {}

    def host(self, key):
        if key not in self.hosts:
            self.hosts[key] = {"requests": 0, "connections": 0, "in_flight": 0, "peak": 0, "by_agent": {},
                               "peak_by_agent": {}, "first_start": None, "last_end": None}
        return self.hosts[key]

    def began(self, key, path, agent):
        per_path = self.hits.setdefault(key + path, {})
        per_path[agent] = per_path.get(agent, 0) + 1
        h = self.host(key)
        h["requests"] += 1
        h["in_flight"] += 1
        h["peak"] = max(h["peak"], h["in_flight"])
        now_in = h["by_agent"].get(agent, 0) + 1
        h["by_agent"][agent] = now_in
        h["peak_by_agent"][agent] = max(h["peak_by_agent"].get(agent, 0), now_in)
        if h["first_start"] is None:
            h["first_start"] = time.monotonic()

    def ended(self, key, agent):
        h = self.host(key)
        h["in_flight"] -= 1
        h["by_agent"][agent] -= 1
        h["last_end"] = time.monotonic()

    def feed(self, name):
        items = "".join(
            f"<item><guid isPermaLink=\"false\">{name}/{j}</guid><title>{name} item {j}</title>"
            f"<link>http://example.com/{name}/{j}</link><description>entry {j} of {name}</description></item>"
            for j in range(self.entries + self.generation - 1))
        return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>{name}</title>"
                f"<link>http://example.com/{name}</link>{items}</channel></rss>\n").encode()

    def stats(self):
        hosts = {k: {"requests": h["requests"], "connections": h["connections"], "peak": h["peak"],
                     "peak_by_agent": h["peak_by_agent"],
                     "first_start": h["first_start"], "last_end": h["last_end"]} for k, h in self.hosts.items()}
        return {"hits": self.hits, "hosts": hosts, "now": time.monotonic(), "generation": self.generation}


async def read_request(reader):
    """(method, target, headers) of the next request, or None at the end of the connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return parts[0], parts[1], headers


def response(status, body, content_type, keep_alive):
    head = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n")
    return head.encode("latin-1") + body


def feed_handler(farm, key, delay):
    async def handle(reader, writer):
        farm.host(key)["connections"] += 1
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                method, target, headers = request
                path = urllib.parse.urlsplit(target).path
                agent = headers.get("user-agent", "")
                keep_alive = headers.get("connection", "").lower() != "close"
                farm.began(key, path, agent)
                try:
                    if delay > 0:
                        await asyncio.sleep(delay)
                    if path.startswith("/f/") and path.endswith(".xml"):
                        body, status = farm.feed(path[3:-4]), "200 OK"
                    else:
                        body, status = b"not found\n", "404 Not Found"
                    out = response(status, b"" if method == "HEAD" else body, "application/rss+xml", keep_alive)
                    writer.write(out)
                    await writer.drain()
                finally:
                    farm.ended(key, agent)
                if not keep_alive:
                    break
        except ConnectionError:
            pass
        finally:
            writer.close()
    return handle


def control_handler(farm):
    async def handle(reader, writer):
        request = await read_request(reader)
        if request is not None:
            url = urllib.parse.urlsplit(request[1])
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/generation":
                farm.generation = int(query.get("n", "1"))
            elif url.path == "/reset":
                farm.reset()
            body = json.dumps(farm.stats()).encode() if url.path == "/stats" else b"ok\n"
            writer.write(response("200 OK", body, "application/json", False))
            try:
                await writer.drain()
            except ConnectionError:
                pass
        writer.close()
    return handle


async def serve_until_signal(listeners, control, ready_file):
    """Serves each (address, make) of listeners on a free port, make(key) giving the
    connection handler of the host "address:port", and control on 127.0.0.1; writes
    {"control": port, "hosts": [key, ...]} to ready_file; returns at SIGTERM or SIGINT.
    bench/soak/soakserver.py serves its hosts through this too."""
    servers, hosts = [], []
    for address, make in listeners:
        # The handler learns its key (the port) once the listener is up.
        key = [None]
        server = await asyncio.start_server(lambda r, w, key=key, make=make: make(key[0])(r, w), address, 0,
                                            backlog=1024)
        key[0] = f"{address}:{server.sockets[0].getsockname()[1]}"
        servers.append(server)
        hosts.append(key[0])
    control_server = await asyncio.start_server(control, "127.0.0.1", 0)
    servers.append(control_server)
    temporary = ready_file + ".tmp"
    with open(temporary, "w", encoding="ascii") as f:
        json.dump({"control": control_server.sockets[0].getsockname()[1], "hosts": hosts}, f)
    os.replace(temporary, ready_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signo in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signo, stop.set)
    await stop.wait()
    for s in servers:
        s.close()


async def serve(args):
    farm = Farm(args.entries)
    listeners = []
    for spec in args.listen:
        address, _, delay_ms = spec.partition("@")
        delay = int(delay_ms or 0) / 1000.0
        listeners.append((address, lambda key, delay=delay: feed_handler(farm, key, delay)))
    await serve_until_signal(listeners, control_handler(farm), args.ready_file)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", action="append", required=True)
    parser.add_argument("--entries", type=int, default=2)
    parser.add_argument("--ready-file", required=True)
    asyncio.run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
