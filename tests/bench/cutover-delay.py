#!/usr/bin/env python3
# NAME		cutover-delay - a DNS forwarder on loopback that answers late
# DOES		listens on 127.0.0.1:PORT (UDP and TCP), holds each question
#		DELAY ms, then asks UPSTREAM (UDP or TCP, as it came) and
#		relays the answer; counts each question (name, type, class,
#		transport), the questions in flight (received, not yet
#		answered) and the most seen at once; on SIGTERM or SIGINT
#		writes them as JSON to STATS and exits
# NEVER		listens beyond 127.0.0.1, changes a packet, answers itself
# usage: cutover-delay.py PORT UPSTREAM_PORT DELAY_MS STATS [READY_FILE]
import asyncio
import json
import os
import signal
import socket
import struct
import sys

PORT, UP, DELAY_MS, STATS = (int(sys.argv[1]), int(sys.argv[2]),
                             float(sys.argv[3]), sys.argv[4])
READY = sys.argv[5] if len(sys.argv) > 5 else None
HOST = "127.0.0.1"

counts = {}             # "name TYPE CLASS udp|tcp" -> times asked
state = {"inflight": 0, "max": 0, "total": 0, "bad": 0}


def question(pkt):
    """The question of a query as 'name type class', or None."""
    try:
        if len(pkt) < 12 or struct.unpack("!H", pkt[4:6])[0] != 1:
            return None
        pos, labels = 12, []
        while True:
            n = pkt[pos]
            if n == 0:
                pos += 1
                break
            if n > 63:
                return None
            labels.append(pkt[pos + 1:pos + 1 + n].decode("latin-1").lower())
            pos += 1 + n
        qtype, qclass = struct.unpack("!HH", pkt[pos:pos + 4])
        return "%s %d %d" % (".".join(labels) or ".", qtype, qclass)
    except (IndexError, struct.error):
        return None


def begin(pkt, transport):
    q = question(pkt)
    if q is None:
        state["bad"] += 1
    else:
        key = q + " " + transport
        counts[key] = counts.get(key, 0) + 1
    state["total"] += 1
    state["inflight"] += 1
    state["max"] = max(state["max"], state["inflight"])


def end():
    state["inflight"] -= 1


async def upstream_udp(loop, pkt):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    try:
        await loop.sock_connect(s, (HOST, UP))
        await loop.sock_sendall(s, pkt)
        return await asyncio.wait_for(loop.sock_recv(s, 65535), 5)
    except (OSError, asyncio.TimeoutError):
        return None
    finally:
        s.close()


class Udp(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        begin(data, "udp")
        asyncio.ensure_future(self.answer(data, addr))

    async def answer(self, data, addr):
        try:
            await asyncio.sleep(DELAY_MS / 1000.0)
            reply = await upstream_udp(asyncio.get_running_loop(), data)
            if reply is not None:
                self.transport.sendto(reply, addr)
        finally:
            end()


async def tcp_client(reader, writer):
    try:
        while True:
            head = await reader.readexactly(2)
            pkt = await reader.readexactly(struct.unpack("!H", head)[0])
            begin(pkt, "tcp")
            try:
                await asyncio.sleep(DELAY_MS / 1000.0)
                ur, uw = await asyncio.open_connection(HOST, UP)
                uw.write(head + pkt)
                await uw.drain()
                uhead = await ur.readexactly(2)
                reply = await ur.readexactly(struct.unpack("!H", uhead)[0])
                uw.close()
                writer.write(uhead + reply)
                await writer.drain()
            finally:
                end()
    except (asyncio.IncompleteReadError, OSError):
        pass
    finally:
        writer.close()


def write_stats():
    with open(STATS + ".tmp", "w") as f:
        json.dump({"max_in_flight": state["max"], "packets": state["total"],
                   "unparsed": state["bad"], "questions": len(counts),
                   "asked": counts}, f, indent=1, sort_keys=True)
    os.rename(STATS + ".tmp", STATS)


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or
                                stop.set_result(None))
    await loop.create_datagram_endpoint(Udp, local_addr=(HOST, PORT))
    server = await asyncio.start_server(tcp_client, HOST, PORT)
    if READY:
        open(READY, "w").close()
    await stop
    server.close()
    write_stats()


asyncio.run(main())
