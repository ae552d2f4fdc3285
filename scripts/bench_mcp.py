#!/usr/bin/env python3
"""Latency of `quarry mcp` tool calls, warm: one server process, many calls.

    scripts/bench_mcp.py QUARRY_BIN INDEX_DIR [CALLS]

Starts `QUARRY_BIN --index INDEX_DIR mcp`, initialises, makes one untimed call per mode (the
engine opens, the model loads), then CALLS `search` calls per mode (lexical, hybrid) with
varied queries and prints the round-trip time per call (median, p90, min, max) as measured
by the client: write the request line, read the reply line. Raw JSON-RPC, no SDK, so the
client adds microseconds.
"""

import json
import statistics
import subprocess
import sys
import time

QUERIES = [
    "gpu capacity", "checkpoint stalls", "storage pricing", "power constraints",
    "renewal timeline", "metadata performance", "action items for the pilot",
    "who is leaving", "budget freeze", "benchmark results", "network fabric",
    "object storage migration", "inference cluster", "data pipeline", "security review",
]


def main() -> None:
    quarry, index = sys.argv[1], sys.argv[2]
    calls = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    proc = subprocess.Popen(
        [quarry, "--no-config", "--index", index, "mcp"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
    )
    next_id = [0]

    def request(method, params):
        next_id[0] += 1
        proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params}) + "\n")
        proc.stdin.flush()
        reply = json.loads(proc.stdout.readline())
        assert reply.get("id") == next_id[0], reply
        return reply

    request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                           "clientInfo": {"name": "bench", "version": "1"}})
    proc.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    for mode in ["lexical", "hybrid"]:
        first = time.perf_counter()
        r = request("tools/call", {"name": "search", "arguments": {"query": "warm up", "mode": mode}})
        assert not r["result"].get("isError"), r
        cold = (time.perf_counter() - first) * 1000
        times = []
        for i in range(calls):
            q = QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" {i}")
            t = time.perf_counter()
            r = request("tools/call", {"name": "search", "arguments": {"query": q, "mode": mode}})
            times.append((time.perf_counter() - t) * 1000)
            assert not r["result"].get("isError"), r
        times.sort()
        p90 = times[int(len(times) * 0.9) - 1]
        print(f"{mode}: first call {cold:.1f} ms; warm over {calls} calls: median {statistics.median(times):.1f} ms, "
              f"p90 {p90:.1f} ms, min {times[0]:.1f} ms, max {times[-1]:.1f} ms")
    proc.stdin.close()
    proc.wait(timeout=60)


if __name__ == "__main__":
    main()
