#!/usr/bin/env python3
"""`quarry watch` on a real vault: save-to-searchable latency, and memory over many edits.

    scripts/bench_watch.py QUARRY_BIN INDEX_DIR VAULT_DIR [EDITS] [RSS_EDITS] [BURST]

The index must already hold the vault (`quarry index`). Starts `quarry watch` on it, then:

1. latency: EDITS times, appends a bullet with a fresh made-up word to a random note and
   polls `quarry search WORD --files --mode lexical` until the note comes back; prints
   p50/p95/max of save-to-searchable;
2. memory: RSS_EDITS more edit events (appends to random notes, BURST per burst (default
   10), a burst as soon as the previous one is searchable), printing the watcher's RSS every
   1,000 edits and its peak (VmHWM) at the end.

The notes are changed in place: run it on a copy of a generated vault.
"""

import os
import random
import signal
import statistics
import subprocess
import sys
import time


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main() -> None:
    quarry, index, vault = sys.argv[1], sys.argv[2], sys.argv[3]
    edits = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    rss_edits = int(sys.argv[5]) if len(sys.argv) > 5 else 10000
    burst_size = int(sys.argv[6]) if len(sys.argv) > 6 else 10
    notes = [os.path.join(d, f) for d, _, fs in os.walk(vault) for f in fs if f.endswith(".md")]
    rng = random.Random(7)
    watcher = subprocess.Popen([quarry, "--no-config", "--index", index, "watch", vault, "-v"],
                               stderr=subprocess.PIPE, text=True)
    # Ready when the start-up pass is reported.
    for line in watcher.stderr:
        if "watching for changes" in line:
            break
    import threading
    threading.Thread(target=lambda: [None for _ in watcher.stderr], daemon=True).start()

    def searchable(word):
        out = subprocess.run([quarry, "--no-config", "--index", index, "search", word, "--files",
                              "--mode", "lexical"], capture_output=True, text=True)
        return out.returncode == 0

    def edit(word):
        path = rng.choice(notes)
        with open(path, "a") as f:
            f.write(f"\n- Follow-up: the {word} item came up again.\n")

    lat = []
    for i in range(edits):
        word = f"zqx{i}benchword"
        t = time.perf_counter()
        edit(word)
        while not searchable(word):
            pass
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    if lat:
        print(f"save to searchable over {edits} edits: p50 {statistics.median(lat):.0f} ms, "
              f"p95 {lat[int(len(lat) * 0.95) - 1]:.0f} ms, max {lat[-1]:.0f} ms")
    print(f"RSS after the latency run: {rss_kib(watcher.pid) / 1024:.0f} MiB")
    done = 0
    while done < rss_edits:
        burst = min(burst_size, rss_edits - done)
        word = f"zqy{done}benchword"
        for _ in range(burst - 1):
            edit(f"filler{done}")
        edit(word)
        done += burst
        while not searchable(word):
            time.sleep(0.01)
        if done % 1000 == 0:
            print(f"{done} edits: RSS {rss_kib(watcher.pid) / 1024:.0f} MiB", flush=True)
    print(f"peak RSS (VmHWM) {rss_kib(watcher.pid, 'VmHWM') / 1024:.0f} MiB")
    watcher.send_signal(signal.SIGTERM)
    print(f"watcher exit status {watcher.wait(timeout=120)}")


if __name__ == "__main__":
    main()
