#!/usr/bin/env python3
# NAME		cutover-delay - a DNS forwarder on loopback that answers late
# DOES		listens on 127.0.0.1:PORT (UDP and TCP), holds each question
#		DELAY ms, then asks UPSTREAM (UDP or TCP, as it came; UDP on
#		one socket under IDs of its own) and relays the answer;
#		counts each question (name, type, class, transport), the
#		questions in flight (received, not yet answered) and the
#		most seen at once; on SIGTERM or SIGINT writes them and its
#		CPU time as JSON to STATS and exits
# NEVER		listens beyond 127.0.0.1, changes a packet but for its ID on
#		the way to UPSTREAM, answers itself
# usage: cutover-delay.py PORT UPSTREAM_PORT DELAY_MS STATS [READY_FILE]
import asyncio
import json
import os
import signal
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


class Udp(asyncio.DatagramProtocol):
    """Questions in, each sent upstream DELAY_MS later on one socket
    under an ID of ours, the answer back under the client's ID."""

    def __init__(self):
        self.up = None          # the transport to UPSTREAM
        self.pending = {}       # our ID -> (client's ID, client address)
        self.next_id = 0

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        if len(data) < 12:
            return
        begin(data, "udp")
        asyncio.get_running_loop().call_later(DELAY_MS / 1000.0,
                                              self.send_up, data, addr)

    def send_up(self, data, addr):
        while self.next_id in self.pending:
            self.next_id = (self.next_id + 1) & 0xffff
        qid = self.next_id
        self.next_id = (qid + 1) & 0xffff
        self.pending[qid] = (data[:2], addr)
        self.up.sendto(struct.pack("!H", qid) + data[2:])

    def answer(self, data):
        if len(data) < 12:
            return
        got = self.pending.pop(struct.unpack("!H", data[:2])[0], None)
        if got is not None:
            self.transport.sendto(got[0] + data[2:], got[1])
            end()


class Upstream(asyncio.DatagramProtocol):
    def __init__(self, udp):
        self.udp = udp

    def datagram_received(self, data, addr):
        self.udp.answer(data)


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
        t = os.times()
        json.dump({"max_in_flight": state["max"], "packets": state["total"],
                   "cpu_s": round(t.user + t.system, 3),
                   "unparsed": state["bad"], "questions": len(counts),
                   "asked": counts}, f, indent=1, sort_keys=True)
    os.rename(STATS + ".tmp", STATS)


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or
                                stop.set_result(None))
    _, udp = await loop.create_datagram_endpoint(Udp,
                                                 local_addr=(HOST, PORT))
    udp.up, _ = await loop.create_datagram_endpoint(
        lambda: Upstream(udp), remote_addr=(HOST, UP))
    server = await asyncio.start_server(tcp_client, HOST, PORT)
    if READY:
        open(READY, "w").close()
    await stop
    server.close()
    write_stats()


asyncio.run(main())
