#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Scheduler benchmark runner: libha (sched_bench, hactl simulate) next to
Pacemaker's crm_simulate -R on the very same generated CIBs, in one run.

Three sets of inputs (gen_bench.py): "prims", the foundation mix on 3/16/32
nodes x 100/1000/5000 primitives; "mix", the same with one anonymous and one
promotable clone per 100 and per 500 primitives; "clones", 200 clones on
3/16/32 nodes.  For each it reports
(a) in-memory scheduling time: sched_bench, median of >= 5 ha_plan_compute calls;
(b) end-to-end `hactl simulate --xml-file F` wall time (median of >= 3) and peak
RSS (GNU time's %M), and the same for `crm_simulate -R -x F` (median of 3,
or 1 run when a run takes over 20 s), then writes the "## Scheduler" section of
docs/benchmarks.md (only that section).  Generated CIBs stay in --workdir.
"""

import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_bench  # noqa: E402

SIZES = [(n, p) for n in (3, 16, 32) for p in (100, 1000, 5000)]
# (nodes, primitives, one clone + one promotable per K primitives); at 100
# primitives "per 500" would be the same single pair as "per 100".
MIX = [(n, p, k) for n in (3, 16, 32) for p in (100, 1000, 5000) for k in (100, 500)
       if not (p == 100 and k == 500)]
CLONES = [(n, 200) for n in (3, 16, 32)]
SETS = ("prims", "mix", "clones")
GOAL_MS = 50.0
GOAL_SPEEDUP = 20.0
GOAL_MEM = 5.0
SLOW_RUN_S = 20.0


GNU_TIME = "/usr/bin/time"


def ensure_gnu_time():
    """Peak RSS comes from GNU time (%M): ru_maxrss of a child forked by Python
    would include the Python parent's pages (Linux keeps the pre-exec high-water
    mark), GNU time's own footprint is about 1 MiB."""
    if not os.access(GNU_TIME, os.X_OK):
        subprocess.run(["apt-get", "install", "-y", "-q", "time"], check=True,
                       stdout=subprocess.DEVNULL)


def measure(cmd, tmp):
    """Wall seconds, peak RSS MiB and exit status of one run (stdout discarded).
    The wall time is taken around GNU time, so it includes its ~1 ms start."""
    t = time.monotonic()
    p = subprocess.run([GNU_TIME, "-f", "%x %M", "-o", tmp, "--"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - t
    with open(tmp) as f:
        last = f.read().split()
    rc, rss_kb = int(last[-2]), int(last[-1])
    return wall, rss_kb / 1024.0, rc, p.stderr.decode(errors="replace")


def runs_of(cmd, n, ok_codes, tmp, slow_cut=None):
    times, rss = [], []
    for i in range(n):
        t, m, rc, err = measure(cmd, tmp)
        if rc not in ok_codes:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), rc, err.strip()[-600:]))
        times.append(t)
        rss.append(m)
        if slow_cut and i == 0 and t > slow_cut:
            break
    return statistics.median(times), max(rss), len(times)


def sched_bench(exe, path, runs):
    p = subprocess.run([exe, "-n", str(runs), path], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("sched_bench %s: exit %d: %s" % (path, p.returncode, p.stderr.strip()[-600:]))
    m = re.search(r"plan_ms median ([\d.]+) min ([\d.]+) max ([\d.]+) runs (\d+)", p.stdout)
    c = re.search(r"plan_cpu_ms median ([\d.]+)", p.stdout)
    if not m or not c:
        raise RuntimeError("sched_bench: unexpected output: %s" % p.stdout)
    return tuple(float(x) for x in m.groups()[:3]) + (int(m.group(4)), float(c.group(1)))


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for ln in f:
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return "%d CPUs (nproc), %s, %.1f GiB RAM, Linux %s" % (
        os.cpu_count(), cpu, mem_kb / 1048576.0, platform.release())


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def git_rev():
    try:
        return subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip() or "?"
    except OSError:
        return "?"


def tool_version(cmd):
    try:
        return subprocess.run(cmd + ["--version"], capture_output=True,
                              text=True).stdout.splitlines()[0].strip()
    except (OSError, IndexError):
        return "?"


def _table(out, rows, first_cols):
    """One markdown table; first_cols: [(header, function of row -> text)]."""
    out.append("| " + " | ".join(h for h, _ in first_cols) + " | CIB MB | sched in memory ms: "
               "median (min-max) | sched CPU ms: median | hactl simulate ms | hactl peak RSS "
               "MiB | crm_simulate -R ms (runs) | crm_simulate peak RSS MiB | time crm/hactl | "
               "RSS crm/hactl |")
    out.append("|" + "---:|" * (len(first_cols) + 9))
    for r in rows:
        out.append("| " + " | ".join(f(r) for _, f in first_cols)
                   + " | %.1f | %.2f (%.2f-%.2f) | %.2f | %.1f | %.1f | %.0f (%d) | %.1f | %.1fx "
                   "| %.1fx |"
                   % (r["mb"], r["med"], r["min"], r["max"], r["cpu"], r["h_t"] * 1e3, r["h_rss"],
                      r["c_t"] * 1e3, r["c_n"], r["c_rss"], r["c_t"] / r["h_t"],
                      r["c_rss"] / r["h_rss"]))
    out.append("")


def _met(ok):
    return "met" if ok else "**not met**"


def _speed(rows, what):
    sp = min(rows, key=lambda r: r["c_t"] / r["h_t"])
    return ("- %s, >= %.0fx faster than crm_simulate -R end to end at every size: smallest "
            "ratio %.1fx (%s), %s." % (what, GOAL_SPEEDUP, sp["c_t"] / sp["h_t"], sp["label"],
                                      _met(sp["c_t"] / sp["h_t"] >= GOAL_SPEEDUP)))


def render(rows, args, elapsed):
    out = ["## Scheduler", ""]
    out.append("Measured %s by `tests/bench/sched/run_bench.py` (`make -C BUILD bench-sched`), "
               "libha %s (build type %s), %s."
               % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), git_rev(), args.build_type,
                  tool_version([args.crm_simulate])))
    out.append("Machine: %s. The whole run took %.0f s; load average %s at the start, %s at "
               "the end (1/5/15 min; the machine is shared, other jobs inflate both sides' "
               "times)." % (machine(), elapsed, args.load_start, loadavg()))
    out.append("")
    out.append("Inputs: `python3 tests/bench/sched/gen_bench.py NODES PRIMITIVES F --seed %d "
               "[--clone-every K | --clones C]`: ~30%% of the primitives in groups of 2-5, "
               "location constraints on ~15%% of the nodes per resource, 0.1 colocations and "
               "0.1 orders per primitive, resource-stickiness=100 in rsc_defaults, 1%% disabled "
               "and 1%% failed (monitor rc 7, fail-count 1), 90%% running with full probe "
               "history. Clones: an anonymous clone (Dummy, default clone-max = every node, "
               "running everywhere, two primitives colocated INFINITY with it and ordered "
               "after it) and a promotable clone (Stateful, clone-max 3, one instance promoted "
               "with the highest master-* attribute, one primitive colocated INFINITY with the "
               "Promoted role and ordered after the promotion), each with locations on ~15%% "
               "of the nodes; `--clone-every K` adds one of each per K primitives, `--clones C` "
               "adds C clones, one in five promotable." % args.seed)
    out.append("")
    out.append("Commands, all on the same file F in the same run:")
    out.append("- in memory: `sched_bench -n RUNS F` (CIB loaded once, median/min/max of RUNS "
               "`ha_plan_compute()` calls, CLOCK_MONOTONIC; \"sched CPU\": the median of the "
               "same calls in CLOCK_PROCESS_CPUTIME_ID, which time slices lost to other jobs "
               "do not inflate);")
    out.append("- libha end to end: `hactl simulate --xml-file F > /dev/null` (median of "
               "%d runs; peak RSS = largest `%%M` of GNU `/usr/bin/time`);" % args.hactl_runs)
    out.append("- Pacemaker: `crm_simulate -R -x F > /dev/null` (median of %d runs, 1 run when "
               "the first takes over %.0f s; peak RSS likewise)." % (args.crm_runs, SLOW_RUN_S))
    out.append("")
    prims = [r for r in rows if r["set"] == "prims"]
    mix = [r for r in rows if r["set"] == "mix"]
    clones = [r for r in rows if r["set"] == "clones"]
    if prims:
        out.append("Primitives and groups:")
        out.append("")
        _table(out, prims, [("nodes", lambda r: "%d" % r["nodes"]),
                            ("primitives", lambda r: "%d" % r["prims"])])
    if mix:
        out.append("With clones: one anonymous and one promotable clone per K primitives "
                   "(instances: an anonymous clone has one per node, a promotable clone 3):")
        out.append("")
        _table(out, mix, [("nodes", lambda r: "%d" % r["nodes"]),
                          ("primitives", lambda r: "%d" % r["prims"]),
                          ("K", lambda r: "%d" % r["k"]),
                          ("clones", lambda r: "%d" % r["nclones"]),
                          ("clone instances", lambda r: "%d" % r["instances"])])
    if clones:
        out.append("Clones only (four in five anonymous, one in five promotable):")
        out.append("")
        _table(out, clones, [("nodes", lambda r: "%d" % r["nodes"]),
                             ("clones", lambda r: "%d" % r["nclones"]),
                             ("clone instances", lambda r: "%d" % r["instances"])])
    big = [r for r in prims if r["nodes"] == 32 and r["prims"] == 5000]
    if big:
        b = big[0]
        out.append("- Goal (a), 5000 primitives on 32 nodes in < %.0f ms in memory: %.1f ms "
                   "(CPU %.1f ms), %s." % (GOAL_MS, b["med"], b["cpu"], _met(b["med"] < GOAL_MS)))
    if prims:
        out.append(_speed(prims, "Goal (b)"))
        me = min(prims, key=lambda r: r["c_rss"] / r["h_rss"])
        out.append("- Goal (b), peak memory <= 1/%.0f of crm_simulate's: smallest ratio %.1fx "
                   "(%s), %s." % (GOAL_MEM, me["c_rss"] / me["h_rss"], me["label"],
                                  _met(me["c_rss"] / me["h_rss"] >= GOAL_MEM)))
    if mix or clones:
        out.append(_speed(mix + clones, "Clone goal"))
        for b in [r for r in mix if r["nodes"] == 32 and r["prims"] == 5000]:
            out.append("- Clone goal, 5000 resources on 32 nodes in < %.0f ms in memory (%s): "
                       "%.1f ms (CPU %.1f ms), %s." % (GOAL_MS, b["label"], b["med"], b["cpu"],
                                                       _met(b["med"] < GOAL_MS)))
    out.append("")
    return "\n".join(out) + "\n"


def write_section(path, text):
    """Replace (or append) the "## Scheduler" section, leaving the rest alone."""
    old = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    if not old.strip():
        old = "# Benchmarks\n\n"
    m = re.search(r"^## Scheduler[ \t]*\n", old, re.M)
    if m:
        nxt = re.search(r"^## ", old[m.end():], re.M)
        end = m.end() + nxt.start() if nxt else len(old)
        new = old[:m.start()] + text + ("\n" if nxt else "") + old[end:]
    else:
        new = old.rstrip("\n") + "\n\n" + text
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(new)
    os.replace(tmp, path)


def cases(args):
    """Every input of the selected sets: dicts with set, nodes, prims, k, nclones,
    instances, label and the generator arguments."""
    out = []
    for n, p in SIZES:
        if "prims" in args.sets and (not args.sizes or (n, p) in args.sizes):
            out.append({"set": "prims", "nodes": n, "prims": p, "k": 0, "nclones": 0,
                        "instances": 0, "label": "%d x %d" % (n, p)})
    for n, p, k in MIX:
        if "mix" in args.sets and (not args.sizes or (n, p) in args.sizes):
            c = max(1, p // k)
            out.append({"set": "mix", "nodes": n, "prims": p, "k": k, "nclones": 2 * c,
                        "instances": c * n + c * min(3, n),
                        "label": "%d x %d, clones per %d" % (n, p, k)})
    for n, c in CLONES:
        if "clones" in args.sets and (not args.sizes or (n, 0) in args.sizes):
            prom = c // 5
            out.append({"set": "clones", "nodes": n, "prims": 0, "k": 0, "nclones": c,
                        "instances": (c - prom) * n + prom * min(3, n),
                        "label": "%d x %d clones" % (n, c)})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hactl", required=True)
    ap.add_argument("--sched-bench", required=True)
    ap.add_argument("--crm-simulate", default="/usr/sbin/crm_simulate")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--out", help="docs/benchmarks.md to update (omit: print only)")
    ap.add_argument("--sets", default=",".join(SETS),
                    help="comma-separated subset of %s" % ", ".join(SETS))
    ap.add_argument("--sizes", help="subset, e.g. 3x100,32x5000 (32x0: the clones set)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sched-runs", type=int, default=11)
    ap.add_argument("--hactl-runs", type=int, default=3)
    ap.add_argument("--crm-runs", type=int, default=3)
    ap.add_argument("--build-type", default=os.environ.get("HA_BUILD_TYPE", "?"))
    args = ap.parse_args()
    if args.sched_runs < 5 or args.hactl_runs < 3:
        ap.error("at least 5 sched_bench runs and 3 hactl runs")
    args.sets = args.sets.split(",")
    if any(x not in SETS for x in args.sets):
        ap.error("--sets: one or more of %s" % ", ".join(SETS))
    if args.sizes:
        args.sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
    os.makedirs(args.workdir, exist_ok=True)
    ensure_gnu_time()
    tmp = os.path.join(args.workdir, "time.out")
    start = time.monotonic()
    args.load_start = loadavg()
    rows = []
    for r in cases(args):
        n, p = r["nodes"], r["prims"]
        if r["set"] == "prims":
            name, extra = "sched-%dx%d-s%d.xml" % (n, p, args.seed), {}
        elif r["set"] == "mix":
            name = "sched-%dx%d-k%d-s%d.xml" % (n, p, r["k"], args.seed)
            extra = {"clone_every": r["k"]}
        else:
            name = "sched-%dx%dclones-s%d.xml" % (n, r["nclones"], args.seed)
            extra = {"nclones": r["nclones"]}
        path = os.path.join(args.workdir, name)
        if not os.path.exists(path):
            gen_bench.write(n, p, path + ".part", args.seed, **extra)
            os.replace(path + ".part", path)
        r["mb"] = os.path.getsize(path) / 1e6
        try:
            r["med"], r["min"], r["max"], _, r["cpu"] = sched_bench(args.sched_bench, path,
                                                                     args.sched_runs)
            # Exit 1 = "simulation ran, something cannot complete": still a full run.
            r["h_t"], r["h_rss"], _ = runs_of([args.hactl, "simulate", "--xml-file", path],
                                              args.hactl_runs, (0, 1), tmp)
            r["c_t"], r["c_rss"], r["c_n"] = runs_of([args.crm_simulate, "-R", "-x", path],
                                                     args.crm_runs, (0,), tmp, SLOW_RUN_S)
        except RuntimeError as e:
            print("run_bench: %s" % e, file=sys.stderr)
            return 1
        rows.append(r)
        print("%-28s (%5.1f MB): sched %.2f ms (CPU %.2f); hactl %.3f s %.1f MiB; "
              "crm_simulate %.3f s (%d) %.1f MiB; %.1fx time, %.1fx RSS"
              % (r["label"], r["mb"], r["med"], r["cpu"], r["h_t"], r["h_rss"], r["c_t"], r["c_n"],
                 r["c_rss"], r["c_t"] / r["h_t"], r["c_rss"] / r["h_rss"]), flush=True)
    text = render(rows, args, time.monotonic() - start)
    if args.out:
        write_section(args.out, text)
    print()
    print(text)
    if args.out:
        print("updated %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
