#!/usr/bin/python3
"""fakeproxy: a small HTTP proxy on 127.0.0.1 for the proxy tests, standard library only.

Listens on port 0 and writes the port to --port-file once listening.

  CONNECT host:port          a tunnel (counted as "connect"), bytes relayed both ways
  GET http://host:port/path  absolute form (counted as "forward"): sent to the origin in origin
                             form with Connection: close, the answer relayed, then closed
  GET /stats                 origin form, to the proxy itself: JSON {"connect": n, "forward": n,
                             "refused": n, "targets": [...], "authorizations": [...]}

--auth USER:PASS answers 407 to any request without Proxy-Authorization: Basic of that.
--upstream HOST:PORT sends every tunnel and request there, whatever the target names (the
tests' feeds live on 127.0.0.1 while the names they fetch look public). Exits on SIGTERM.
"""

import argparse
import asyncio
import base64
import json
import os
import signal
import sys

STATS = {"connect": 0, "forward": 0, "refused": 0, "targets": [], "authorizations": []}
HEAD_LIMIT = 64 * 1024


async def relay(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            writer.close()
        except Exception:  # noqa: BLE001 - closing what already broke
            pass


def split_authority(authority, default_port):
    if authority.startswith("["):
        host, _, rest = authority[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    host, _, port = authority.partition(":")
    return host, int(port) if port else default_port


async def answer(writer, status, reason, body=b"", extra=""):
    writer.write(("HTTP/1.1 %d %s\r\nContent-Length: %d\r\nConnection: close\r\n%s\r\n"
                  % (status, reason, len(body), extra)).encode("latin-1") + body)
    await writer.drain()
    writer.close()


def headers_of(lines):
    out = []
    for line in lines:
        name, _, value = line.partition(":")
        out.append((name.strip(), value.strip()))
    return out


async def handle(reader, writer, args):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        writer.close()
        return
    lines = head.decode("latin-1").split("\r\n")[:-2]
    method, target, _version = (lines[0].split(" ") + ["", "", ""])[:3]
    headers = headers_of(lines[1:])
    if method == "GET" and target == "/stats":
        await answer(writer, 200, "OK", json.dumps(STATS).encode())
        return
    auth = [v for n, v in headers if n.lower() == "proxy-authorization"]
    STATS["authorizations"].append(auth[0] if auth else "")
    if args.auth and auth != ["Basic " + base64.b64encode(args.auth.encode()).decode()]:
        STATS["refused"] += 1
        await answer(writer, 407, "Proxy Authentication Required", extra='Proxy-Authenticate: Basic realm="t"\r\n')
        return
    STATS["targets"].append(method + " " + target)
    if method == "CONNECT":
        await tunnel(reader, writer, target, args)
    elif target.startswith("http://"):
        await forward(reader, writer, method, target, headers, args)
    else:
        await answer(writer, 400, "Bad Request")


async def open_upstream(host, port, args):
    if args.upstream:
        host, port = split_authority(args.upstream, 80)
    return await asyncio.open_connection(host, port)


async def tunnel(reader, writer, target, args):
    STATS["connect"] += 1
    host, port = split_authority(target, 443)
    try:
        up_reader, up_writer = await open_upstream(host, port, args)
    except OSError:
        await answer(writer, 502, "Bad Gateway")
        return
    writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
    await writer.drain()
    await asyncio.gather(relay(reader, up_writer), relay(up_reader, writer))


async def forward(reader, writer, method, target, headers, args):
    STATS["forward"] += 1
    rest = target[len("http://"):]
    authority, slash, path = rest.partition("/")
    host, port = split_authority(authority, 80)
    try:
        up_reader, up_writer = await open_upstream(host, port, args)
    except OSError:
        await answer(writer, 502, "Bad Gateway")
        return
    kept = [(n, v) for n, v in headers if n.lower() not in ("proxy-authorization", "connection", "proxy-connection")]
    request = "%s /%s HTTP/1.1\r\n" % (method, path if slash else "")
    request += "".join("%s: %s\r\n" % (n, v) for n, v in kept) + "Connection: close\r\n\r\n"
    up_writer.write(request.encode("latin-1"))
    await up_writer.drain()
    await relay(up_reader, writer)
    up_writer.close()


async def main_async(args):
    server = await asyncio.start_server(lambda r, w: handle(r, w, args), "127.0.0.1", 0, limit=HEAD_LIMIT)
    port = server.sockets[0].getsockname()[1]
    temporary = args.port_file + ".tmp"
    with open(temporary, "w", encoding="ascii") as f:
        f.write("%d\n" % port)
    os.replace(temporary, args.port_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signo in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signo, stop.set)
    async with server:
        await stop.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--auth", default="")
    parser.add_argument("--upstream", default="")
    asyncio.run(main_async(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
