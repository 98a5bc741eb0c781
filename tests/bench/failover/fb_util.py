#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Footprint sampler for the failover benchmark: the processes of a cluster manager in
each node's pid namespace, their RSS and PSS, and the CPU time they (and the agents they
reaped) used over an idle interval. Read from /proc in the host; it starts nothing.

Usage: fb_util.py footprint --seconds S --procs "had ..." NODE:INITPID:ROLE... > out.json
"""
import argparse
import json
import os
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def ns_of(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def sample(pid):
    """(comm, utime+stime s, cutime+cstime s, rss kB, pss kB) or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            st = f.read()
        comm = st[st.index("(") + 1:st.rindex(")")]
        fields = st[st.rindex(")") + 2:].split()
        own = (int(fields[11]) + int(fields[12])) / HZ
        children = (int(fields[13]) + int(fields[14])) / HZ
        rss = pss = 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
        return comm, own, children, rss, pss
    except (OSError, ValueError):
        return None


def procs_in(ns, names):
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and ns_of(d) == ns:
            s = sample(d)
            # comm is cut at 15 characters (pacemaker-schedulerd -> pacemaker-sched)
            if s and any(n[:15] == s[0] for n in names):
                out[d] = s
    return out


def footprint(args):
    names = args.procs.split() + ["corosync"]
    nodes = []
    for spec in args.nodes:
        name, init, role = spec.split(":")
        nodes.append((name, ns_of(init), role))
    before = {n: procs_in(ns, names) for n, ns, _ in nodes}
    t0 = time.monotonic()
    time.sleep(args.seconds)
    dt = time.monotonic() - t0
    result = {"seconds": round(dt, 2), "nodes": []}
    for n, ns, role in nodes:
        after = procs_in(ns, names)
        mgr = {"rss_kb": 0, "pss_kb": 0, "cpu_s": 0.0, "cpu_children_s": 0.0, "procs": {}}
        coro = {}
        for pid, (comm, own, ch, rss, pss) in after.items():
            b = before[n].get(pid)
            d_own = own - b[1] if b else own
            d_ch = ch - b[2] if b else ch
            entry = {"rss_kb": rss, "pss_kb": pss, "cpu_s": round(d_own, 3),
                     "cpu_children_s": round(d_ch, 3), "restarted": b is None}
            if comm == "corosync":
                coro = entry
                continue
            mgr["procs"][f"{comm}[{pid}]"] = entry
            mgr["rss_kb"] += rss
            mgr["pss_kb"] += pss
            mgr["cpu_s"] += d_own
            mgr["cpu_children_s"] += d_ch
        mgr["cpu_s"] = round(mgr["cpu_s"], 3)
        mgr["cpu_children_s"] = round(mgr["cpu_children_s"], 3)
        result["nodes"].append({"node": n, "role": role, "manager": mgr, "corosync": coro})
    json.dump(result, sys.stdout, indent=1)
    print()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("footprint")
    f.add_argument("--seconds", type=float, default=60)
    f.add_argument("--procs", required=True)
    f.add_argument("nodes", nargs="+")
    a = ap.parse_args()
    if a.cmd == "footprint":
        footprint(a)


if __name__ == "__main__":
    main()
