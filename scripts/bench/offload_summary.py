#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarizes a bench-offload run (results.jsonl): per mode and guest size,
the median and range of the rounds, against the link's rate measured in
the same run, and the targets of Documentation/offload-bench.rst."""

import statistics
import sys

FRAG = 1448     # data bytes in a HEXO frame at MTU 1500 (the benches' hexolink -s)

from summarize import load  # bench-netswap's reader: one result per JSON line

MIB = 1 << 20


def spread(vals, fmt="{:.0f}"):
    """Median [min-max] of the rounds."""
    if not vals:
        return "-"
    m = statistics.median(vals)
    if len(vals) == 1:
        return fmt.format(m)
    return f"{fmt.format(m)} [{fmt.format(min(vals))}-{fmt.format(max(vals))}]"


def derived(s):
    """One offload's numbers, in ms and MB/s."""
    page = 4096
    post_pages = s["pages"] - s["stop_pages"]
    post_ms = (s["duration_us"] - s["parking_us"] - s["downtime_us"]) / 1000
    return {
        "downtime_ms": s["downtime_us"] / 1000,
        "parking_ms": s["parking_us"] / 1000,
        "duration_ms": s["duration_us"] / 1000,
        "moved_mib": s["bytes"] / MIB,
        "stopped_mib": s["stop_pages"] * page / MIB,
        "stop_mb_s": s["stop_pages"] * page / 1e6 / (s["downtime_us"] / 1e6)
        if s["downtime_us"] else None,
        "post_mb_s": post_pages * page / 1e6 / (post_ms / 1000) if post_ms > 0 and post_pages
        else None,
        # Pre-copy: the round's pages over the time to the park (the round
        # and the wait for the migration point).
        "pre_mb_s": s.get("precopy_pages", 0) * page / 1e6 / (s["parking_us"] / 1e6)
        if s.get("precopy_pages") and s["parking_us"] else None,
        "stop_bytes": s["stop_pages"] * page,
        "demand": s["demand_pages"], "background": s["background_pages"],
        "host_busy": s.get("host_busy"),
    }


def profiles(rows):
    """BENCH_PROFILE=1: each VM's top symbols over an offload, the share of
    all its samples (the first round of each size and mode)."""
    seen = set()
    out = []
    for r in rows:
        if r["kind"] != "profile":
            continue
        p = r["result"]
        key = (p["mode"], p["size_mib"], p["vm"])
        if key in seen:
            continue
        seen.add(key)
        top = dict(p["top"])
        total = top.pop("total") or 1
        busy = total - top.get("[idle]", 0)
        syms = sorted(((n, s) for s, n in top.items() if s != "[idle]"), reverse=True)
        out.append(f"  {p['mode']} {p['size_mib']} MiB, round {p['round']}, {p['vm']}: "
                   f"{total} samples, busy {100 * busy / total:.0f}%: " +
                   ", ".join(f"{s} {100 * n / total:.1f}%" for n, s in syms[:10]))
        out.append(f"    all samples: {p['file']}")
    if out:
        print()
        print("CPU profiles from each offload's start to its last page (hexo_test_prof: "
              "every CPU sampled each millisecond):")
        print("\n".join(out))


def main():
    rows = load(sys.argv[1])
    setup = next((r["result"] for r in rows if r["kind"] == "setup"), {})
    user = max((r["result"].get("mb_per_s", 0) for r in rows if r["kind"] == "link_bulk"),
               default=0)
    kern = max((r["result"].get("mb_per_s", 0) for r in rows if r["kind"] == "link_kernel"),
               default=0)
    # The link is the faster of the two: a target against the slower would
    # flatter the pull.
    link = max(user, kern)
    errors = [r["result"].get("what", r["result"]) if isinstance(r["result"], dict)
              else r["result"] for r in rows if r["kind"] == "error"]
    runs = {}
    for r in rows:
        if r["kind"] == "offload":
            s = r["result"]
            runs.setdefault((s["mode"], s["size_mib"]), []).append(derived(s))

    print(f"bench-offload: ra offloaded server (x86_64) -> board (arm64, "
          f"{setup.get('board_ram_mib', '?')} MiB RAM, Netswap attached); "
          f"{setup.get('rounds', '?')} rounds: median [min-max]")
    print(f"link, server -> board: hexolink bulk (best window) {user:.1f} MB/s, "
          f"pktgen {kern:.1f} MB/s (at {FRAG} data bytes a frame): {link:.1f} MB/s counts"
          if link else "link: NOT MEASURED")
    print()
    hdr = (f"{'mode':<9} {'MiB':>4}  {'downtime ms':<22} {'parking ms':<16} "
           f"{'duration ms':<22} {'moved MiB':<10} {'stopped MiB':<12} "
           f"{'rate MB/s':<18} {'of link':<8} {'host busy':<14}")
    print(hdr)
    print("-" * len(hdr))
    verdicts = []
    order = {"postcopy": 0, "precopy": 1}
    for (mode, size) in sorted(runs, key=lambda k: (order.get(k[0], 2), k[0], k[1])):
        ds = runs[(mode, size)]
        rate_key = {"postcopy": "post_mb_s", "precopy": "pre_mb_s"}.get(mode, "stop_mb_s")
        rates = [d[rate_key] for d in ds if d[rate_key]]
        of_link = f"{statistics.median(rates) / link:.0%}" if rates and link else "-"
        print(f"{mode:<9} {size:>4}  {spread([d['downtime_ms'] for d in ds]):<22} "
              f"{spread([d['parking_ms'] for d in ds]):<16} "
              f"{spread([d['duration_ms'] for d in ds]):<22} "
              f"{spread([d['moved_mib'] for d in ds], '{:.1f}'):<10} "
              f"{spread([d['stopped_mib'] for d in ds], '{:.2f}'):<12} "
              f"{spread(rates, '{:.1f}'):<18} {of_link:<8} "
              f"{spread([100 * d['host_busy'] for d in ds if d['host_busy'] is not None]):<14}")
        if mode != "postcopy" or not link:
            continue
        # Targets: downtime within 2 x (control state / link rate) + 100 ms,
        # the background pull at 80% of the link or more.
        bound = [2 * d["stop_bytes"] / (link * 1e6) * 1000 + 100 for d in ds]
        down = statistics.median(d["downtime_ms"] for d in ds)
        verdicts.append(f"post-copy {size} MiB: downtime {down:.0f} ms, bound "
                        f"{statistics.median(bound):.0f} ms: "
                        f"{'met' if down <= statistics.median(bound) else 'MISSED'}")
        if rates:
            ok = statistics.median(rates) >= 0.8 * link
            verdicts.append(f"post-copy {size} MiB: background pull "
                            f"{statistics.median(rates):.1f} MB/s, {of_link} of the link "
                            f"(target 80%): {'met' if ok else 'MISSED'}")
    print()
    print("rate: post-copy, the pages pulled after the hand-off over the time from the")
    print("hand-off to the last page; pre-copy, the pages of its round over the time to")
    print("the park; stop-and-copy, the pages moved while stopped over the downtime.")
    print("Downtime: parked until the board took the VM; after a pre-copy, what the")
    print("guest wrote during the round crosses then (stopped MiB). Host busy: % of the")
    print("build machine's CPUs busy from the offload's start to its last page.")
    print()
    if any(r["kind"] == "profile" for r in rows):
        print("A profiled run (BENCH_PROFILE=1): the profiler's own work, a sample each")
        print("millisecond on every CPU, is in these numbers; judge the targets on a run")
        print("without it.")
    for v in verdicts:
        print(v)
    profiles(rows)
    for e in errors:
        print(f"ERROR: {e}")
    return 1 if errors or not runs else 0


if __name__ == "__main__":
    sys.exit(main())
