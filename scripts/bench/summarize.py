#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarizes a bench-netswap run (results.jsonl): the table, the ratios
against the link and the peers per queue depth, and the targets of issue 12
(and of issue 13 for a mirrored device, netswap-mirror, and its failover).
Every failed setup, failed or unverified I/O and missing measurement is an
ERROR line, and the exit status is then 1.

  summarize.py RESULTS.jsonl            the table
  summarize.py --best-nbd RESULTS.jsonl the nbd-client -C count best at most
                                        block measurements (the application
                                        phase's), or nothing
"""

import json
import os
import statistics
import sys

PAGE = 4096
COLS = [(op, qd) for op in ("randread", "randwrite") for qd in (1, 16, 32)]
# The peers Netswap is judged against; zram is local memory, a reference.
PEER_FAMILIES = ("aoe", "nbd", "nvmet-tcp")
# memstress's exit statuses that are a result, not a failure of the bench:
# killed for memory (the device cannot hold the workload) or timed out
# (busybox's timeout: SIGTERM, 143; GNU's: 124).
NOT_COMPLETED = {137: "killed: out of memory", 143: "timed out", 124: "timed out"}


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    rows.append({"kind": "error", "dev": "?", "result": line})
    return rows


def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, float):
        v = round(v)
    return f"{v}{unit}"


def fmt1(v):
    """A number of seconds as recorded (to a tenth), or "-"."""
    return "-" if v is None else f"{v}"


def family(dev):
    """nbd-C2 is NBD with two connections: family nbd."""
    return "nbd" if dev.startswith("nbd-C") else dev


def is_peer(dev):
    return family(dev) in PEER_FAMILIES


def opname(op):
    return op[4:]


def pages(n):
    return f"{n} page{'s' if n != 1 else ''}"


def spread(vals, f="{:.0f}"):
    return f"{f.format(min(vals))}-{f.format(max(vals))}" if vals else "-"


def log_of(r):
    """The first line a tool said besides its result (blkbench's reason)."""
    log = (r.get("log") or r.get("output") or "").strip()
    return f" ({log.splitlines()[0][:160]})" if log else ""


def run_error(b, has_result):
    """Why a blkbench run is an ERROR, or None: no result, failed I/O (it
    measured failures, not the device), or data read back wrong."""
    if not has_result:
        return f"no result{log_of(b)}"
    if b.get("errors"):
        return f"{b['errors']} I/O errors{log_of(b)}"
    if b.get("mismatches"):
        return f"{pages(b['mismatches'])} read back wrong{log_of(b)}"
    return None


def aggregate(bs):
    """The runs of one measurement: their median, with the range and count."""
    pps = [b["pages_per_s"] for b in bs]
    return {"pages_per_s": statistics.median(pps), "min": min(pps), "max": max(pps),
            "n": len(bs), "depth": bs[0]["depth"], "op": bs[0]["op"],
            "median_us": statistics.median(b["median_us"] for b in bs),
            "p99_us": statistics.median(b["p99_us"] for b in bs),
            "by_round": {b.get("round"): b["pages_per_s"] for b in bs}}


class Run:
    """One results file, checked: what was planned, what was measured, and
    every failure as an ERROR line."""

    def __init__(self, rows):
        self.rows = rows
        self.setup = next((r["result"] for r in rows if r["kind"] == "setup"), {})
        self.errors = []
        for r in self.of("error"):
            res = r["result"]
            what = res.get("what", res) if isinstance(res, dict) else res
            self.errors.append(f"{r['dev']}: {what}")
        self.rounds = self.setup.get("rounds")
        self.block = self._block()
        self._block_errors()
        self._plan_errors()
        self._sched()
        self.app = self._app()
        self.link = self._link()
        self.kecho = self._kecho()
        self.failover = self._failover()
        self.keyed = self._keyed()
        self.profile = self._profile()
        self.stages = self._stages()

    def of(self, kind):
        return [r for r in self.rows if r["kind"] == kind]

    # ---------------------------------------------------------------- stages
    def _stages(self):
        """Netswap's timed QD1 reads, a dict per round: the reads timed, the
        mean us of each stage in the driver, and the reader's mean and median.
        A round whose counters or reader are missing is an ERROR."""
        def stats(o):
            if isinstance(o, dict):
                if "timed_reads" in o:
                    return o
                for v in o.values():
                    s = stats(v)
                    if s:
                        return s
            elif isinstance(o, list):
                for v in o:
                    s = stats(v)
                    if s:
                        return s
            return None
        out = []
        for r in self.of("stages"):
            res = r["result"]
            a, z, rd = stats(res.get("before")), stats(res.get("after")), res.get("reader")
            n = z["timed_reads"] - a["timed_reads"] if a and z else 0
            if not n or not rd or rd.get("errors") or rd.get("mismatches"):
                self.errors.append(f"netswap: round {res.get('round')}: the timed QD1 reads "
                                   f"(time_reads) gave no stages or failed")
                continue
            st = {k: (z[f"timed_{k}_ns"] - a[f"timed_{k}_ns"]) / 1e3 / n
                  for k in ("queue", "wire", "end")}
            out.append({"round": res.get("round"), "n": n, **st,
                        "reader_mean": rd.get("mean_us"), "reader_median": rd.get("median_us"),
                        "pages": rd.get("pages")})
        return out

    # ---------------------------------------------------------------- link
    def _kecho(self):
        """hexo_link's in-kernel echoes, by what was sent ("size 0", "page").
        One not all answered, or with a damaged answer, is an ERROR."""
        out = {}
        for r in self.of("link_kecho"):
            e = r["result"] or {}
            if e.get("missing") or "rtt_median_ns" not in e or e.get("bad") or \
                    e.get("answered") != e.get("sent"):
                self.errors.append(f"link echo ({r['dev']}): {e.get('answered')} of "
                                   f"{e.get('sent')} answered, {e.get('bad')} bad"
                                   f"{': ' + e['log'] if e.get('log') else ''}")
                continue
            out[r["dev"]] = e
        return out

    # ---------------------------------------------------------------- profile
    def _profile(self):
        """The profile phase: per (device, op), the profiled run's rate and
        each VM's top symbols. A failed run or a VM without samples is an
        ERROR."""
        out = {}
        for r in self.of("profile_block"):
            b = r["result"] or {}
            err = run_error(b, "pages_per_s" in b)
            if err:
                self.errors.append(f"{r['dev']} profile {opname(b.get('op', 'ra?'))}: {err}")
            else:
                self.verified += b.get("verified", 0)
                out.setdefault((r["dev"], b["op"]), {})["rate"] = b["pages_per_s"]
        for r in self.of("profile"):
            p = r["result"] or {}
            top = p.get("top") or {}
            if not top.get("total"):
                self.errors.append(f"{r['dev']} profile {opname(p.get('op', 'ra?'))}: "
                                   f"no samples from {p.get('vm')} (see {p.get('file')})")
                continue
            out.setdefault((r["dev"], p["op"]), {}).setdefault("vms", {})[p["vm"]] = p
        return out

    # ---------------------------------------------------------------- keyed
    def _keyed(self):
        """The keyed phase: per (op, depth), the slices' ratios keyed /
        unkeyed (the two ran back to back) and each device's rates. A slice
        that failed or read back wrong data is an ERROR."""
        got = {}
        for r in self.of("keyed_slice"):
            b = r["result"] or {}
            err = run_error(b, "pages_per_s" in b)
            if err:
                self.errors.append(f"{r['dev']} keyed phase {opname(b.get('op', 'ra?'))} "
                                   f"QD{b.get('depth')} slice {b.get('slice')}: {err}")
                continue
            self.verified += b.get("verified", 0)
            got.setdefault((b["op"], b["depth"]), {}).setdefault(r["dev"], {})[b["slice"]] = \
                b["pages_per_s"]
        out = {}
        for key, devs in got.items():
            n, k = devs.get("netswap", {}), devs.get("netswap-keyed", {})
            both = [i for i in n if i in k and n[i]]
            if both:
                out[key] = {"ratios": [k[i] / n[i] for i in both],
                            "unkeyed": [n[i] for i in both], "keyed": [k[i] for i in both]}
        want = self.setup.get("keyed_slices")
        if "keyed" in self.setup.get("phases", []) and want:
            for op, qd in COLS:
                have = len(out.get((op, qd), {}).get("ratios", []))
                if have < want:
                    self.errors.append(f"keyed phase {opname(op)} QD{qd}: {have} of {want} "
                                       "slices measured on both devices")
        return out

    # ---------------------------------------------------------------- block
    def _block(self):
        """Every valid block run per (device, op, depth), aggregated. A run
        that failed, read back wrong data or gave nothing is an ERROR."""
        runs = {}
        self.verified = 0
        self.unverified_reads = False
        for r in self.of("block"):
            b = r["result"] or {}
            where = (f"{r['dev']} {opname(b.get('op', 'ra?'))} QD{b.get('depth')} "
                     f"round {b.get('round')}")
            err = run_error(b, "pages_per_s" in b)
            if err:
                self.errors.append(f"{where}: {err}")
            else:
                if b["op"] == "randread" and "verified" not in b:
                    self.unverified_reads = True
                self.verified += b.get("verified", 0)
                runs.setdefault((r["dev"], b["op"], b["depth"]), []).append(b)
        return {k: aggregate(v) for k, v in runs.items()}

    def _block_errors(self):
        """The prefill (pattern written, a 1 s verified read) and the check of
        the whole span after the writes, per device and round."""
        for kind, what in (("prefill", "writing the pattern"),
                           ("verify", "the span's check after the writes")):
            for r in self.of(kind):
                b = r["result"] or {}
                where = f"{r['dev']} round {b.get('round')}: {what}"
                err = run_error(b, "pages" in b and not b.get("missing"))
                if err:
                    self.errors.append(f"{where}: {err}")
                else:
                    self.verified += b.get("verified", 0)

    def devices(self):
        """The block phase's devices: as planned, or as found."""
        devs = list(self.setup.get("devices") or [])
        for r in self.rows:
            if r["kind"] in ("block", "app") and r["dev"] not in devs:
                devs.append(r["dev"])
        return devs

    def _plan_errors(self):
        """Every planned block measurement has its rounds."""
        if not self.rounds or "block" not in self.setup.get("phases", ["block"]):
            return
        for d in self.setup.get("devices") or []:
            short = [(op, qd, self.block[(d, op, qd)]["n"] if (d, op, qd) in self.block else 0)
                     for op, qd in COLS]
            short = [s for s in short if s[2] < self.rounds]
            if not short:
                continue
            if len({n for _, _, n in short}) == 1 and len(short) == len(COLS):
                self.errors.append(f"{d}: {short[0][2]} of {self.rounds} rounds measured "
                                   "at every depth")
            else:
                for op, qd, n in short:
                    self.errors.append(f"{d} {opname(op)} QD{qd}: {n} of {self.rounds} "
                                       "runs measured")

    def _sched(self):
        """The I/O scheduler every device ran with, as its queues said."""
        self.sched = {}
        want = self.setup.get("scheduler", "none")
        for r in self.of("sched"):
            res = r["result"] or {}
            lines = [ln for ln in (res.get("queues") or "").splitlines() if ln.strip()]
            self.sched.setdefault(r["dev"], set())
            if not lines:
                self.errors.append(f"{r['dev']}: its I/O scheduler could not be read")
            for ln in lines:
                path, _, val = ln.rpartition(": ")
                cur = val.split("[")[1].split("]")[0] if "[" in val else val.strip()
                self.sched[r["dev"]].add(cur)
                if cur != want:
                    self.errors.append(f"{r['dev']} ({phase_of(res)}): I/O scheduler {cur}, "
                                       f"not {want} ({path})")

    # ----------------------------------------------------------------- app
    def _app(self):
        app = {}
        for r in self.of("app"):
            a = r["result"] or {}
            app.setdefault(r["dev"], []).append(a)
            where = f"{r['dev']} application round {a.get('round', 1)}"
            if a.get("status") == "setup failed":
                self.errors.append(f"{where}: setup failed")
            elif a.get("bad_words"):
                self.errors.append(f"{where}: memstress read back {a['bad_words']} wrong words")
            elif a.get("status") == 135:
                self.errors.append(f"{where}: SIGBUS (a swap-in failed: I/O error)")
            elif not a.get("ok") and a.get("status") not in NOT_COMPLETED:
                self.errors.append(f"{where}: memstress ended with status {a.get('status')}")
        for r in self.of("readahead"):
            a = r["result"] or {}
            where = f"readahead page-cluster {a.get('page_cluster')}"
            if a.get("status") == "setup failed":
                self.errors.append(f"{where}: setup failed")
            elif a.get("bad_words"):
                self.errors.append(f"{where}: memstress read back {a['bad_words']} wrong words")
        return app

    # ------------------------------------------------------------ failover
    def _failover(self):
        """A mirrored device losing a replica (the failover phase)."""
        failover = [r["result"] for r in self.of("failover") if r["result"]]
        for f in failover:
            if not isinstance(f.get("write"), dict) or "pages_per_s" not in f["write"]:
                self.errors.append("netswap-mirror failover: the QD1 write run gave no result")
        return failover

    # ---------------------------------------------------------------- link
    def _link(self):
        """Per direction: the kernel's rate (pktgen), hexolink's bulk rate by
        window and where it stopped growing, and the rate that counts."""
        link = {}
        for r in self.of("link_bulk"):
            b = r["result"] or {}
            d = link.setdefault(r["dev"].replace("raw-", ""), {"windows": []})
            if "mb_per_s" in b:
                d["windows"].append(b)
            else:
                self.errors.append(f"link bulk {r['dev']} window {b.get('window')}: no result"
                                   f"{log_of(b)}")
        for r in self.of("link_window"):
            link.setdefault(r["dev"].replace("raw-", ""), {"windows": []})["scan"] = r["result"]
        for r in self.of("link_kernel"):
            d = link.setdefault(r["dev"].replace("pktgen-", ""), {"windows": []})
            d["kernel"] = r["result"]
        for d in link.values():
            user = max(d["windows"], key=lambda b: b["mb_per_s"], default=None)
            d["user"] = user
            kern = (d.get("kernel") or {}).get("mb_per_s")
            cand = [(kern, "pktgen, in the kernel")] if kern else []
            cand += [(user["mb_per_s"], "hexolink's user-space bulk")] if user else []
            d["counts"] = max(cand) if cand else (None, None)
        return link


def phase_of(res):
    return ("application" if res.get("phase") == "app" else
            "failover" if res.get("phase") == "failover" else f"round {res.get('round')}")


# -------------------------------------------------------------------- output
def header(run):
    s = run.setup
    print(f"Netswap benchmark: x86_64 server VM and arm64 board VM (QEMU TCG), MTU "
          f"{s.get('mtu')}, {s.get('seconds')} s per block run over {s.get('span_pages')} "
          f"pages; board RAM {s.get('board_ram_mib')} MiB; {s.get('rounds', '?')} rounds")
    if s.get("rounds") is not None and s["rounds"] < 3:
        print(f"NOTE: {s['rounds']} round(s): fewer than the 3 the comparison needs")
    want = s.get("scheduler", "none")
    used = set().union(*run.sched.values()) if run.sched else set()
    if not used:
        print("I/O scheduler: not recorded (an older run: each device on its default)")
    else:
        said = f"every queue said {want}" if used == {want} else "see the ERROR lines"
        print(f"I/O scheduler: {want} on every device under test, set before its runs and "
              f"read back ({said})")
    if run.unverified_reads:
        print("Data: NOT verified (reads without a pattern: an older blkbench)")
    elif run.verified:
        print(f"Data: each round writes a pattern (page index and the round's seed) over the "
              f"span; every page read was verified ({run.verified} pages), and the span "
              "checked whole after the writes")
    if s.get("size_mib"):
        print(f"Devices: {s['size_mib']} MiB each, every remote one RAM-backed on the server")
    tuned, devs = [], run.devices()
    if "netswap-mirror" in devs:
        print("netswap-mirror: mirrored on the server and a second x86_64 server VM, "
              "on the same segment")
    if s.get("nbd_conns") and any(family(d) == "nbd" for d in devs):
        tuned.append(f"NBD nbd-client -C {', '.join(map(str, s['nbd_conns']))} (a row each)")
    if s.get("aoe_bufs") and "aoe" in devs:
        nf = {r["result"].get("aoe_nframes") for r in run.of("peer")
              if family(r["dev"]) == "aoe"} - {None}
        tuned.append(f"AoE vblade -b {s['aoe_bufs']}, aoe_maxout {s['aoe_bufs']} (frames "
                     f"outstanding in effect: {', '.join(map(str, sorted(nf))) or '?'})")
    q = {(r["result"].get("queue_count"), r["result"].get("sqsize")) for r in run.of("peer")
         if r["dev"] == "nvmet-tcp"} - {(None, None)}
    if "nvmet-tcp" in devs:
        tuned.append("NVMe/TCP nvmet-tcp on a brd RAM disk, nvme_tcp's defaults" +
                     "".join(f" ({c} queues, admin included, of {int(z) + 1})" for c, z in q
                             if c is not None and z is not None))
    if tuned:
        print("Peers: " + "; ".join(tuned))
    print()


def errors(run):
    for e in run.errors:
        print(f"ERROR: {e}")
    if run.errors:
        if run.setup.get("logs"):
            print(f"The VMs' console logs of this run: {run.setup['logs']}")
        print()


def link_section(run):
    rtt = [r["result"] for r in run.of("link_rtt")]
    if not rtt and not run.link and not run.kecho:
        return
    print("The link:")
    for r in rtt:
        print(f"  echo round trip (hexolink, user space), {r.get('size')} data bytes: median "
              f"{fmt(r.get('median_us'))} us, p99 {fmt(r.get('p99_us'))} us "
              f"({r.get('received')}/{r.get('sent')} answered)")
    for what, r in run.kecho.items():
        if what == "page":
            sent = f"a header, a page in answer ({fmt(r.get('frag'))} data bytes a frame)"
        else:
            sent = f"{fmt(r.get('size'))} data bytes each way"
        print(f"  echo round trip (hexo_link, in the kernel), {sent}: median "
              f"{fmt(r['rtt_median_ns'] / 1000)} us, p99 {fmt(r['rtt_p99_ns'] / 1000)} us "
              f"({r.get('answered')}/{r.get('sent')} answered)")
    for k, d in run.link.items():
        name = k.replace("-to-", " -> ")
        kern = d.get("kernel")
        if kern:
            print(f"  {name}: pktgen (kernel) {fmt(kern.get('frames_per_s'))} frames/s of "
                  f"{kern.get('size')} bytes, {kern.get('mb_per_s', 0):.2f} MB/s at "
                  f"{kern.get('payload')} data bytes a frame")
        u, scan = d.get("user"), d.get("scan") or {}
        if u:
            stop = (f"it stops growing past window {scan.get('knee_window')} (the next two "
                    f"doublings added less than {scan.get('gain', 0.05):.0%} each)"
                    if scan.get("saturated") else
                    f"still growing at the largest window tried ({scan.get('largest_window')})"
                    if scan else "windows tried: " + ", ".join(str(b.get("window"))
                                                               for b in d["windows"]))
            print(f"  {name}: hexolink bulk (user space) {fmt(u.get('frames_per_s'))} frames/s, "
                  f"{u['mb_per_s']:.2f} MB/s best, at window {u.get('window')}; {stop}")
        rate, what = d["counts"]
        if rate:
            print(f"  {name}: the link's rate counted: {rate:.2f} MB/s ({what}, the faster)")
    print()


def stages_section(run):
    if not run.stages:
        return
    print("Where a QD1 read's time goes (netswap, a run of its own with time_reads on; "
          "mean us of each round's reads):")
    print("  round  reads  queue  round-trip   end   in the driver  reader mean (median)  "
          "outside the driver")
    for s in run.stages:
        inside = s["queue"] + s["wire"] + s["end"]
        print(f"  {s['round']:>5}  {s['n']:>5}  {s['queue']:>5.1f}  {s['wire']:>10.1f}  "
              f"{s['end']:>5.1f}  {inside:>13.1f}  {s['reader_mean']:>11.1f} "
              f"({s['reader_median']})  {s['reader_mean'] - inside:>18.1f}")
    page = run.kecho.get("page")
    if page:
        print(f"  the in-kernel page echo (hexo_link, no swap device): median "
              f"{fmt(page['rtt_median_ns'] / 1000)} us")
    print("  queue: blk-mq handed the request over -> its frame being sent; round-trip: -> its "
          "answer received and checked; end: -> the request ended to the block layer; outside "
          "the driver: the reader's wait less these (system call, block layer, wake-up)")
    print()


def block_devs(run):
    """The devices the block phase measured something of, in their order."""
    return [d for d in run.devices() if any((d, op, qd) in run.block for op, qd in COLS)]


def block_section(run):
    devs = block_devs(run)
    if not devs:
        return
    nruns = max((b["n"] for b in run.block.values()), default=0)
    print(f"Block I/O, 4 KiB random, pages/s, median of {nruns} runs, then their range "
          "(QD1: median / p99 latency in us):")
    # The device column fits the longest name (netswap-mirror), 13 at least.
    w = max([13] + [len(d) for d in devs])
    print(f"  {'device':{w}}" + "".join(f"{opname(op) + ' qd' + str(qd):>13}" for op, qd in COLS))
    fewer = False
    for d in devs:
        line, span = f"  {d:{w}}", f"  {'':{w}}"
        for op, qd in COLS:
            b = run.block.get((d, op, qd))
            line += f"{fmt(b and b['pages_per_s']):>13}"
            r = "-"
            if b:
                r = fmt(b["min"]) + "-" + fmt(b["max"]) + ("*" if b["n"] < nruns else "")
                fewer |= b["n"] < nruns
            span += f"{r:>13}"
        print(line)
        print(span)
        lat = [run.block.get((d, op, 1)) for op in ("randread", "randwrite")]
        print(f"  {'':{w}}  QD1 latency: read {fmt(lat[0] and lat[0]['median_us'])}/"
              f"{fmt(lat[0] and lat[0]['p99_us'])}, write {fmt(lat[1] and lat[1]['median_us'])}/"
              f"{fmt(lat[1] and lat[1]['p99_us'])}")
    nbd = [d for d in devs if family(d) == "nbd"]
    if len(nbd) > 1:
        best = [f"{opname(op)} QD{qd} -C {best_of(run, nbd, op, qd)[0][5:]}"
                for op, qd in COLS if best_of(run, nbd, op, qd)]
        print(f"  NBD, the best connection count per measurement: {', '.join(best)}; "
              f"best at most: -C {best_nbd(run)}")
    if fewer:
        print(f"  * fewer than {nruns} runs: see the ERROR lines")
    print()


def best_of(run, devs, op, qd):
    """(device, aggregate) with the highest median pages/s, or None."""
    cands = [(d, run.block[(d, op, qd)]) for d in devs if (d, op, qd) in run.block]
    return max(cands, key=lambda c: c[1]["pages_per_s"]) if cands else None


def best_nbd(run):
    """The connection count best at most block measurements (ties: the larger
    sum of medians): the one the application phase runs with."""
    nbd = [d for d in run.devices() if family(d) == "nbd"]
    score = {d: [0, 0.0] for d in nbd}
    for op, qd in COLS:
        b = best_of(run, nbd, op, qd)
        if b:
            score[b[0]][0] += 1
        for d in nbd:
            score[d][1] += run.block.get((d, op, qd), {}).get("pages_per_s", 0)
    best = max(score.items(), key=lambda kv: tuple(kv[1]), default=None)
    return best[0][5:] if best and best[1][0] else None


def phases(a):
    return (f"fill {fmt(a.get('fill_s'))} s, random {fmt(a.get('random_s'))} s, "
            f"check {fmt(a.get('check_s'))} s")


def not_completed(a):
    st = a.get("status")
    return f"status {st}: {NOT_COMPLETED[st]}" if st in NOT_COMPLETED else f"status {st}"


def app_section(run):
    if not run.app:
        return
    print("Application: memstress over 3x the board's RAM, swapping (seconds to complete; "
          "median and range of the runs that completed):")
    for d, runs in run.app.items():
        done = [a for a in runs if a.get("ok")]
        label = f"{d} (-C {d[5:]})" if family(d) == "nbd" else d
        if done:
            secs = [a["seconds"] for a in done]
            med = sorted(done, key=lambda a: a["seconds"])[(len(done) - 1) // 2]
            span = f", range {spread(secs, '{:.1f}')}" if len(done) > 1 else ""
            print(f"  {label:16} {statistics.median(secs):8.1f} s  ({phases(med)}){span}; "
                  f"{len(done)} of {len(runs)} runs completed")
        for a in runs:
            if not a.get("ok"):
                print(f"  {label:16} did not complete (round {a.get('round', 1)}, "
                      f"{not_completed(a)})")
    print()


def readahead_section(run):
    ra = [r["result"] for r in run.of("readahead") if r["result"]]
    if not ra:
        return
    print("Swap readahead on netswap (the same workload per vm.page-cluster):")
    for a in ra:
        pc = a.get("page_cluster")
        label = f"page-cluster {pc} ({2 ** pc if isinstance(pc, int) else '?'} pages)"
        if a.get("ok"):
            print(f"  {label:26} {a['seconds']:8.1f} s  ({phases(a)})")
        else:
            print(f"  {label:26} did not complete ({not_completed(a)})")
    print()


def counters_section(run):
    """Recovery per netswap round: a slow round with retransmits measured loss."""
    recov = ("retransmits", "timeouts", "early", "spurious", "csum_errors", "dups", "busy", "errors")

    def leaves(o, keys, acc):
        if isinstance(o, dict):
            for k, v in o.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool) and keys(k):
                    acc[k] = acc.get(k, 0) + v
                else:
                    leaves(v, keys, acc)
        elif isinstance(o, list):
            for v in o:
                leaves(v, keys, acc)
        return acc

    def line(label, res):
        c = leaves(res.get("board"), lambda k: k in recov, {})
        for end in ("board", "server", "server2"):
            c.update({f"{end} {k}": v for k, v in leaves(
                res.get("link_" + end),
                lambda k: k.startswith("rx_") and k not in
                ("rx_frames", "rx_bytes", "rx_pfmemalloc"), {}).items()})
        nz = ", ".join(f"{k} {v}" for k, v in c.items() if v) or "none"
        print(f"  {label}: {nz}")

    counters = [r for r in run.of("counters") if r["result"]]
    if counters:
        print("Recovery and drops after each netswap round (block runs; nonzero only):")
        for r in counters:
            line(f"{r['dev']:14} round {r['result'].get('round')}", r["result"])
        print()
    # The application's runs on netswap, each on a device of its own.
    apps = [r for k in ("app", "readahead") for r in run.of(k)
            if r["result"] and isinstance(r["result"].get("counters"), dict)]
    if apps:
        print("Recovery and drops in each application run on netswap (nonzero only):")
        for r in apps:
            a = r["result"]
            what = (f"page-cluster {a.get('page_cluster')}" if r["kind"] == "readahead"
                    else f"round {a.get('round')}")
            line(f"{r['dev']:14} {r['kind']} {what}", a["counters"])
        print()


def failover_section(run):
    if not run.failover:
        return
    print("Failover and resync (netswap-mirror: the server's link down under QD1 writes):")
    for f in run.failover:
        wr = f.get("write") if isinstance(f.get("write"), dict) else {}
        copied, secs = f.get("copied_pages"), f.get("resync_s")
        rate = copied / secs if copied is not None and secs else None
        print(f"  link down {fmt1(f.get('down_s'))} s, degraded after "
              f"{fmt1(f.get('degraded_s'))} s; "
              f"QD1 writes: longest {fmt(wr.get('max_us'))} us (the failover stall), "
              f"median {fmt(wr.get('median_us'))} us, p99 {fmt(wr.get('p99_us'))} us, "
              f"{fmt(wr.get('errors'))} I/O errors")
        print(f"  resync: {fmt(copied)} pages copied ({fmt(f.get('missing_pages'))} "
              f"missing when the link came back), healthy after {fmt1(secs)} s: "
              f"{fmt(rate)} pages/s")
    print()


def profile_section(run):
    if not run.profile:
        return
    print("CPU profiles (hexo_test_prof: every CPU sampled each millisecond; QD32, the share "
          "of all samples):")
    for (dev, op), p in sorted(run.profile.items()):
        print(f"  {dev} {opname(op)} QD32: {fmt(p.get('rate'))} pages/s")
        for vm, v in sorted(p.get("vms", {}).items()):
            top = dict(v["top"])
            total = top.pop("total")
            busy = total - top.get("[idle]", 0)
            syms = sorted(((n, s) for s, n in top.items() if s != "[idle]"), reverse=True)
            print(f"    {vm}: {total} samples, busy {100 * busy / total:.0f}%: " +
                  ", ".join(f"{s} {100 * n / total:.1f}%" for n, s in syms[:10]))
            print(f"      all samples: {v.get('file')}")
    print()


def keyed_section(run):
    if not run.keyed:
        return
    s = run.setup
    print(f"Keyed against unkeyed, side by side (two VLANs of eth0, MTU 1500; "
          f"{s.get('keyed_slices')} slices of {s.get('keyed_seconds')} s per op and depth, "
          "the two devices in turn):")
    print(f"  {'op':6} {'depth':>5}  {'unkeyed pages/s':>18}  {'keyed pages/s':>18}  "
          f"{'keyed / unkeyed: median (range)':>32}")
    for op, qd in COLS:
        k = run.keyed.get((op, qd))
        if not k:
            continue
        rs = k["ratios"]
        print(f"  {opname(op):6} {qd:>5}  {statistics.median(k['unkeyed']):>7.0f} "
              f"({spread(k['unkeyed']):>9})  {statistics.median(k['keyed']):>7.0f} "
              f"({spread(k['keyed']):>9})  {statistics.median(rs):>14.2f} "
              f"({spread(rs, '{:.2f}')})")
    print()


def round_ratios(a, b):
    """a / b within each round both measured (they ran back to back)."""
    return [a["by_round"][i] / b["by_round"][i] for i in a["by_round"]
            if b["by_round"].get(i)]


def rng(rs):
    return f"rounds {min(rs):.2f}-{max(rs):.2f}" if rs else "no common round"


def targets(run):
    """Issue 12's targets, each depth on its own (never the better of QD16
    and QD32). A check is [x] met, [ ] missed, [-] not judged (said why)."""
    checks = []

    def ns(op, qd):
        return run.block.get(("netswap", op, qd))

    mtu = run.setup.get("mtu") or 1500
    link_target = 0.90 if mtu <= 1500 else 0.85

    page = run.kecho.get("page")
    if ns("randread", 1) and page:
        r = ns("randread", 1)["median_us"] / (page["rtt_median_ns"] / 1000)
        checks.append((f"QD1 read median latency / the in-kernel round trip of a page's frames "
                       f"(hexo_link's echo) = {r:.2f}", r <= 1.2, "<= 1.2"))
    elif ns("randread", 1):
        why = "see the ERROR lines" if "link" in run.setup.get("phases", ["link"]) else \
            "the link phase did not run"
        checks.append(("QD1 read median latency against the in-kernel round trip of a page's "
                       f"frames: no in-kernel echo measured ({why})", None, "<= 1.2"))

    linked = run.link or "link" in run.setup.get("phases", ["link"])
    if not linked and any(ns(op, qd) for op, qd in COLS):
        checks.append(("QD16 and QD32: netswap MB/s against the link: the link phase did not run",
                       None, f">= {link_target:.2f}"))
    for op, dirn in (("randread", "server-to-board"), ("randwrite", "board-to-server")):
        rate, what = run.link.get(dirn, {}).get("counts", (None, None))
        for qd in (16, 32) if linked else ():
            n = ns(op, qd)
            if not n:
                continue
            if not rate:
                checks.append((f"QD{qd} {opname(op)}: netswap MB/s / the link "
                               f"{dirn.replace('-to-', '->')}: the link was not measured",
                               None, f">= {link_target:.2f}"))
                continue
            r, lo, hi = (p * PAGE / 1e6 / rate for p in (n["pages_per_s"], n["min"], n["max"]))
            checks.append((f"QD{qd} {opname(op)}: netswap MB/s / the link "
                           f"{dirn.replace('-to-', '->')} ({what}) = {r:.2f} "
                           f"(rounds {lo:.2f}-{hi:.2f})", r >= link_target,
                           f">= {link_target:.2f}"))

    planned = [d for d in run.devices() if is_peer(d)]
    for op, qd in COLS:
        n = ns(op, qd)
        if not n or not planned:
            continue
        want = 1.5 if qd == 1 else 2.0
        short = [d for d in planned if (d, op, qd) not in run.block
                 or (run.rounds and run.block[(d, op, qd)]["n"] < run.rounds)]
        best = best_of(run, planned, op, qd)
        if not best:
            checks.append((f"QD{qd} {opname(op)}: no peer measured", None, f">= {want}"))
            continue
        d, b = best
        r = n["pages_per_s"] / b["pages_per_s"]
        each = ", ".join(f"{p} {n['pages_per_s'] / run.block[(p, op, qd)]['pages_per_s']:.2f}"
                         for p in planned if (p, op, qd) in run.block)
        text = (f"QD{qd} {opname(op)}: netswap / the best peer ({d}) = {r:.2f} "
                f"({rng(round_ratios(n, b))}); each: {each}")
        if short:
            checks.append((text + f"; not judged: {', '.join(short)} not fully measured",
                           None, f">= {want}"))
        else:
            checks.append((text, r >= want, f">= {want}"))

    app_targets(run, checks)

    # Variants of netswap against plain netswap, per depth: the ratio within
    # each round (the two ran back to back), median and range. Keyed
    # sessions (a MAC per frame); mirrored devices (every page on two
    # servers; issue #13's targets: reads 0.95, writes 0.5).
    variants = (("netswap-keyed", "keyed / unkeyed", {"randread": 0.85, "randwrite": 0.85}),
                ("netswap-mirror", "mirrored / unmirrored",
                 {"randread": 0.95, "randwrite": 0.50}))
    for dev, what, target in variants:
        for op, qd in COLS:
            n, k = ns(op, qd), run.block.get((dev, op, qd))
            if n and k:
                rs = round_ratios(k, n)
                if rs:
                    r = statistics.median(rs)
                    checks.append((f"QD{qd} {opname(op)} pages/s {what} netswap = {r:.2f} "
                                   f"(range {min(rs):.2f}-{max(rs):.2f}, {len(rs)} rounds)",
                                   r >= target[op], f">= {target[op]:.2f}"))
    # The keyed phase: the median of the slices' ratios, per depth.
    for op, qd in COLS:
        k = run.keyed.get((op, qd))
        if k:
            r = statistics.median(k["ratios"])
            checks.append((f"QD{qd} {opname(op)} pages/s keyed / unkeyed netswap, side by side "
                           f"= {r:.2f} (slices {spread(k['ratios'], '{:.2f}')}, "
                           f"{len(k['ratios'])} slices)", r >= 0.85, ">= 0.85"))
    # Issue #13: no I/O error, and the worst single stall under 1 s.
    for f in run.failover:
        wr = f.get("write") if isinstance(f.get("write"), dict) else {}
        if "max_us" in wr:
            checks.append((f"failover stall (longest QD1 write while the server's link went "
                           f"down) = {wr['max_us'] / 1000:.0f} ms, {wr.get('errors')} I/O errors",
                           wr["max_us"] < 1000000 and not wr.get("errors"),
                           "< 1000 ms, no error"))
    if checks:
        print("Targets, per depth ([x] met, [ ] missed, [-] not judged):")
        for text, ok, target in checks:
            print(f"  [{'-' if ok is None else 'x' if ok else ' '}] {text}  ({target})")


def app_targets(run, checks):
    """Netswap against the fastest peer that completed the workload; a peer
    that did not complete it is said so and is no win."""
    nruns = run.app.get("netswap")
    if not nruns:
        return
    done = [a["seconds"] for a in nruns if a.get("ok")]
    checks.append((f"3x-RAM workload: netswap completed {len(done)} of {len(nruns)} runs",
                   None if len(nruns) < 5 and len(done) == len(nruns) else
                   len(done) == len(nruns) >= 5,
                   "5 of 5" + ("; BENCH_APP_ROUNDS=5 to judge" if len(nruns) < 5 else "")))
    peers, failed = {}, []
    for d, runs in run.app.items():
        if not is_peer(d):
            continue
        ok = [a["seconds"] for a in runs if a.get("ok")]
        if ok:
            peers[d] = statistics.median(ok)
        else:
            failed.append(f"{d} ({not_completed(runs[0])})")
    note = f"; did not complete, not counted: {', '.join(failed)}" if failed else ""
    if not done:
        checks.append(("3x-RAM workload: netswap did not complete" + note, False, ">= 1.5"))
    elif not peers:
        checks.append(("3x-RAM workload: no peer completed it: nothing to compare" + note,
                       None, ">= 1.5"))
    else:
        d = min(peers, key=peers.get)
        r = peers[d] / statistics.median(done)
        checks.append((f"3x-RAM workload: the fastest peer's time ({d}) / netswap's = {r:.2f}"
                       + note, r >= 1.5, ">= 1.5"))


def plot(run, out):
    """The block phase's pages/s against queue depth per device, reads and
    writes side by side (median, and the rounds' range as error bars): the
    data files and the gnuplot script that draws OUT/block.png. Returns the
    script's path, or None when the block phase has nothing to plot."""
    devs = block_devs(run)
    if not devs:
        return None
    depths = sorted({qd for _, qd in COLS})
    for d in devs:
        with open(os.path.join(out, f"plot-{d}.dat"), "w") as f:
            f.write("# depth read_med read_min read_max write_med write_min write_max\n")
            for qd in depths:
                vals = []
                for op in ("randread", "randwrite"):
                    b = run.block.get((d, op, qd))
                    vals += [b["pages_per_s"], b["min"], b["max"]] if b else ["NaN"] * 3
                f.write(f"{qd} " + " ".join(str(v) for v in vals) + "\n")
    mtu = run.setup.get("mtu") or 1500
    gp = os.path.join(out, "block.gp")
    with open(gp, "w") as f:
        f.write(f'set terminal pngcairo size 1400,520 noenhanced\n'
                f'set output "{os.path.join(out, "block.png")}"\n'
                f'set multiplot layout 1,2 title "Netswap and its peers: 4 KiB random I/O, '
                f'MTU {mtu}, median and range of {run.rounds} rounds"\n'
                f'set xlabel "queue depth"\nset ylabel "pages/s (log scale)"\n'
                f'set key outside right top\nset grid ytics mytics\n'
                f'set logscale x 2\nset logscale y 10\nset xrange [0.8:40]\n'
                f'set xtics ({", ".join(str(q) for q in depths)})\n')
        for title, col in (("random reads", 2), ("random writes", 5)):
            f.write(f'set title "{title}"\nplot ' + ", ".join(
                f'"{os.path.join(out, f"plot-{d}.dat")}" using 1:{col}:{col + 1}:{col + 2} '
                f'with yerrorlines title "{d}"' for d in devs) + "\n")
        f.write("unset multiplot\n")
    return gp


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--plot":
        gp = plot(Run(load(sys.argv[2])), sys.argv[3])
        if gp:
            print(gp)
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--best-nbd":
        n = best_nbd(Run(load(sys.argv[2])))
        if n:
            print(n)
        return
    run = Run(load(sys.argv[1]))
    header(run)
    errors(run)
    link_section(run)
    block_section(run)
    stages_section(run)
    app_section(run)
    readahead_section(run)
    counters_section(run)
    failover_section(run)
    keyed_section(run)
    profile_section(run)
    targets(run)
    if run.errors:
        print(f"\n{len(run.errors)} ERROR(s): the run is incomplete; see the ERROR lines above")
        sys.exit(1)


if __name__ == "__main__":
    main()
