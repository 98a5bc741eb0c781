#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Figures of a failover benchmark run (tests/bench/failover/run.sh): per round, from the
prober's reply log, the corosync logs and had's event streams; then medians, ratios, the
libha hard-failover timeline, the footprint, and (--doc DOCS_DIR) the Failover and
Footprint sections of DOCS_DIR/benchmarks.md plus DOCS_DIR/failover-outage.png.
It measures nothing itself: it only reads what run.sh recorded.

Usage: analyze.py RESULTS_DIR [--doc DOCS_DIR]
"""
import argparse
import bisect
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

STACK_ORDER = ["libha", "pacemaker", "keepalived"]
SCENARIOS = ["hard", "switch", "monitor", "cold"]


class Probe:
    """The replies of one configuration: times (epoch s), MACs."""

    def __init__(self, path):
        self.t, self.mac = [], []
        self.interval = 0.005
        with open(path) as f:
            for line in f:
                if line.startswith("#"):
                    m = re.search(r"interval_us (\d+)", line)
                    if m:
                        self.interval = int(m.group(1)) / 1e6
                    continue
                p = line.split()
                if len(p) == 3:
                    self.t.append(float(p[0]))
                    self.mac.append(p[2])

    def first_after(self, t, pred=lambda mac: True, limit=None):
        i = bisect.bisect_right(self.t, t)
        while i < len(self.t) and (limit is None or self.t[i] <= limit):
            if pred(self.mac[i]):
                return i
            i += 1
        return None

    def last_at_or_before(self, t):
        i = bisect.bisect_right(self.t, t) - 1
        return i if i >= 0 else None

    def max_gap(self, a, b):
        """(gap s, end time) of the longest reply gap that ends in (a, b]."""
        i = max(bisect.bisect_right(self.t, a), 1)
        best = (0.0, None)
        while i < len(self.t) and self.t[i] <= b:
            g = self.t[i] - self.t[i - 1]
            if g > best[0]:
                best = (g, self.t[i])
            i += 1
        return best


def corosync_memberships(path, year):
    """Times (epoch s) of 'A new membership ... was formed' lines."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path, errors="replace") as f:
        for line in f:
            if "A new membership" not in line:
                continue
            m = re.match(r"(\w{3} +\d+ \d\d:\d\d:\d\d)\.(\d{3})", line)
            if m:
                st = time.strptime(f"{year} {m.group(1)}", "%Y %b %d %H:%M:%S")
                out.append(time.mktime(st) + int(m.group(2)) / 1000)
    return sorted(out)


def load_rounds(res):
    rounds = []
    with open(os.path.join(res, "rounds.tsv")) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 12:
                continue
            rounds.append(dict(cfg=p[0], stack=p[1], param=p[2], scenario=p[3], round=int(p[4]),
                               status=p[5], t0=float(p[6]), t1=float(p[7]), tend=float(p[8]),
                               holder=p[9], target=p[10], special=p[11]))
    return rounds


def load_macs(cfgdir):
    macs = {}
    with open(os.path.join(cfgdir, "macs")) as f:
        for line in f:
            n, m = line.split()
            macs[n] = m
    return macs


def had_events(cfgdir, k, scenario="hard"):
    """Every live node's events after round k of scenario: list of (node, event dict)."""
    out = []
    d = os.path.join(cfgdir, "events")
    if not os.path.isdir(d):
        return out
    for fn in sorted(os.listdir(d)):
        m = re.match(rf"{scenario}{k}-(\w+)\.jsonl$", fn)
        if not m:
            continue
        with open(os.path.join(d, fn)) as f:
            for line in f:
                try:
                    out.append((m.group(1), json.loads(line)))
                except ValueError:
                    pass
    return out


def analyze_round(r, probe, macs, cfgdir, year):
    """Adds the figures (ms) of one round to r."""
    ms = lambda s: round(s * 1000, 1)
    t0, win_end = r["t0"], r["tend"] + 1
    if r["scenario"] == "switch":
        new = probe.first_after(t0, lambda m: m == macs.get(r["target"]), win_end)
        if new is not None:
            r["cmd_ms"] = ms(probe.t[new] - t0)
            r["gap_ms"] = ms(probe.max_gap(t0 - probe.interval, probe.t[new])[0])
    elif r["scenario"] == "monitor":
        gap, end = probe.max_gap(t0 - 0.1, win_end)
        if end is not None:
            r["outage_ms"] = ms(gap)
    elif r["scenario"] == "hard":
        lost = macs.get(r["holder"])
        new = probe.first_after(t0, lambda m: m != lost, win_end)
        last = probe.last_at_or_before(t0)
        if new is not None and last is not None:
            r["outage_ms"] = ms(probe.t[new] - probe.t[last])
            r["first_reply"] = probe.t[new]
            forms = []
            for n in macs:
                if n == r["holder"]:
                    continue
                ts = corosync_memberships(os.path.join(cfgdir, n, "log", "corosync.log"), year)
                forms += [t for t in ts if t0 < t < probe.t[new]]
            if forms:
                r["membership"] = min(forms)
                r["detect_ms"] = ms(min(forms) - t0)
                r["share_ms"] = ms(probe.t[new] - min(forms))
        r["special_lost"] = bool(r["special"]) and r["special"] == r["holder"]
    elif r["scenario"] == "cold":
        new = probe.first_after(t0, limit=win_end)
        if new is not None:
            r["up_ms"] = ms(probe.t[new] - t0)


def libha_timeline(r, cfgdir):
    """The hard failover round as had saw it, ms after corosync's new membership."""
    base = r.get("membership")
    if base is None:
        return None
    ev = [(n, e) for n, e in had_events(cfgdir, r["round"]) if e.get("time", 0) / 1000 > r["t0"]]
    tl = {}

    def first(name, t):
        if name not in tl or t < tl[name]:
            tl[name] = t

    for n, e in ev:
        t = e["time"] / 1000
        if e["event"] == "membership":
            first("had membership", t)
        elif e["event"] == "quorum":
            first("quorum", t)
        elif e["event"] == "sync":
            first("sync complete", t)
        elif e["event"] == "action" and e.get("resource") == "vip" and e.get("action") == "start":
            first("agent start", t - e.get("ms", 0) / 1000)
            first("agent done", t)
    if "first_reply" in r:
        tl["first reply"] = r["first_reply"]
    return {k: round((v - base) * 1000, 1) for k, v in sorted(tl.items(), key=lambda kv: kv[1])}


def libha_switch_timeline(r, probe, macs, cfgdir):
    """A planned switchover as had saw it, ms after the command started."""
    t0 = r["t0"]
    tl = {}

    def first(name, t):
        if t0 < t < t0 + 5 and (name not in tl or t < tl[name]):
            tl[name] = t

    for n, e in had_events(cfgdir, r["round"], "switch"):
        t = e["time"] / 1000
        if e["event"] == "config":
            first("config applied", t)
        elif e["event"] == "action" and e.get("resource") == "vip" and not e.get("interval"):
            if e.get("action") in ("stop", "start"):
                first(f"{e['action']} spawned", t - e.get("ms", 0) / 1000)
                first(f"{e['action']} done", t)
    new = probe.first_after(t0, lambda m: m == macs.get(r["target"]), r["tend"] + 1)
    if new is None:
        return None
    tl["first reply"] = probe.t[new]
    i = new - 1
    while i >= 0 and probe.mac[i] != macs.get(r["holder"]):
        i -= 1
    if i >= 0 and probe.t[i] > t0:
        tl["last reply (old)"] = probe.t[i]
    return {k: round((v - t0) * 1000, 1) for k, v in sorted(tl.items(), key=lambda kv: kv[1])}


def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return dict(n=len(vals), med=statistics.median(vals), min=min(vals), max=max(vals))


def fmt(s, unit="ms"):
    if not s:
        return "–"
    f = (lambda v: f"{v / 1000:.2f} s") if s["max"] >= 2000 else (lambda v: f"{v:.0f} ms")
    if unit == "raw":
        f = lambda v: f"{v:.0f}"
    return f"{f(s['med'])} ({f(s['min'])}–{f(s['max'])})"


METRICS = [
    ("hard", "outage_ms", "hard failover: reply gap (crash to VIP back)"),
    ("hard", "detect_ms", "  corosync: crash to new membership"),
    ("hard", "share_ms", "  manager: new membership to first reply"),
    ("switch", "gap_ms", "planned switchover: reply gap"),
    ("switch", "cmd_ms", "  command to first reply on the new node"),
    ("monitor", "outage_ms", "failed monitor (address removed) to VIP back"),
    ("cold", "up_ms", "cold start: managers started (quorate) to VIP up"),
]


def summarize(rounds):
    cfgs = []
    for r in rounds:
        if r["cfg"] not in [c[0] for c in cfgs]:
            cfgs.append((r["cfg"], r["stack"], r["param"]))
    table = {}
    for cfg, _, _ in cfgs:
        for sc, key, _ in METRICS:
            table[(cfg, key, sc)] = stats([r.get(key) for r in rounds
                                          if r["cfg"] == cfg and r["scenario"] == sc and r["status"] == "ok"])
    return cfgs, table


def param_label(stack, param):
    return f"advert_int {param}" if stack == "keepalived" else f"token {param}"


def ratio(a, b):
    if not a or not b or not b["med"]:
        return "–"
    x = a["med"] / b["med"]
    return f"{x:.3f}" if x < 0.1 else f"{x:.2f}"


def markdown_failover(res, rounds, cfgs, table, meta):
    L = []
    L.append("## Failover\n")
    L.append("How long the virtual IP is gone, measured from a client: libha (had + "
             "ocf:ha:IPaddr2), Pacemaker 2.1.5 (ocf:heartbeat:IPaddr2) and keepalived "
             "2.2.7 (VRRP) on the same 3-node namespace cluster, one after another in one "
             "run (`tests/bench/failover/`). Each node is a network + mount + pid + UTS "
             "namespace on a bridge without uplink (tests/integration/lib.sh), with corosync "
             "3 (knet, token 1000 ms or 300 ms; 3 nodes make the runtime token 1650 / 950 ms); "
             "libha and Pacemaker both with stonith-enabled=false, no-quorum-policy=stop, "
             "resource-stickiness=100 and a 1 s monitor; keepalived with VRRPv3, "
             "advert_int 1 and 0.01 (the smallest value it accepts; 0.009 is refused), "
             "preemption on, stickiness emulated with a tracked file (+50 for the holder).\n")
    L.append("The client is a fourth namespace on the bridge running `fb_probe` (our own "
             "prober, not ping: an ICMP echo every 5 ms from a timerfd, each reply stamped by "
             "the kernel (SO_TIMESTAMPNS) with the MAC address that sent it, so a reply is "
             "attributed to a node). Outage = time between the last reply before and the "
             "first reply after the event. Scenarios: **hard** = the VIP holder loses power "
             "(its switch port down + SIGKILL of its pid-namespace init: every process at "
             "once), rounds alternating between losing the special node (Pacemaker's DC, "
             "libha's lowest node id) and another; **switch** = `hactl move`, "
             "`crm_resource --move` (then `--clear`), keepalived +100 priority on the target; "
             "**monitor** = the address deleted behind the manager's back (`ip addr del`); "
             "**cold** = all nodes power-cycled, corosync quorate, then the managers started "
             "on every node at once. Corosync's share of a hard failover (crash to "
             "'A new membership' in the survivors' corosync logs) is shown apart from the "
             "manager's (that membership to the first reply).\n")
    L.append("Pacemaker without systemd, inside the node namespaces (stacks.sh): the node's "
             "private /run gives /run/crm, a per-node directory owned by hacluster:haclient "
             "is bind-mounted on /var/lib/pacemaker (cib, pengine, blackbox, cores), "
             "`pacemakerd -f` runs with PCMK_logfile=<node>/log/pacemaker.log and "
             "PCMK_logfacility=none (else every node logs to the host's syslog), and "
             "corosync.conf gets `uidgid { gid: haclient }` so the daemons running as "
             "hacluster may use corosync's IPC. The CLI tools need a bound: `crmadmin -D` "
             "spins at 60 % CPU for ever while there is no DC, so every call runs under "
             "`timeout` (and `crmadmin -t`).\n")
    L.append("```")
    L += [l.rstrip() for l in meta]
    L.append(f"$ sudo tests/bench/failover/run.sh --build build --doc   # results: {res}")
    L.append("```\n")
    by_param = {}
    for cfg, stack, param in cfgs:
        by_param.setdefault(stack, []).append((cfg, param))
    L.append("Median (min–max) over the rounds:\n")
    header = "| scenario |" + "".join(f" {st} {param_label(st, p)} |" for st in STACK_ORDER
                                       for c, p in by_param.get(st, []))
    L.append(header)
    L.append("|---|" + "---|" * (header.count("|") - 2))
    for sc, key, label in METRICS:
        row = f"| {label.strip()} |"
        if label.startswith("  "):
            row = f"| &nbsp;&nbsp;{label.strip()} |"
        for st in STACK_ORDER:
            for c, p in by_param.get(st, []):
                s = table.get((c, key, sc))
                row += f" {fmt(s)} |"
        L.append(row)
    nrounds = {}
    for r in rounds:
        nrounds.setdefault((r["cfg"], r["scenario"]), [0, 0])
        nrounds[(r["cfg"], r["scenario"])][0 if r["status"] == "ok" else 1] += 1
    bad = [f"{c} {s}: {v[1]} of {v[0] + v[1]}" for (c, s), v in nrounds.items() if v[1]]
    L.append("")
    L.append("Rounds per cell: " + ", ".join(sorted({f"{v[0] + v[1]}" for v in nrounds.values()}))
             + (". Failed rounds (not in the medians): " + "; ".join(bad) if bad else
                ". No round failed."))
    L.append("")
    # Ratios libha / others, per corosync token (keepalived: advert 1 with token 1000, 0.01 with 300).
    L.append("Ratios of the medians (below 1: libha is faster):\n")
    L.append("| scenario | token | libha / Pacemaker | libha / keepalived (advert_int) |")
    L.append("|---|---|---|---|")
    lib = dict((p, c) for c, p in by_param.get("libha", []))
    pcm = dict((p, c) for c, p in by_param.get("pacemaker", []))
    ka = dict((p, c) for c, p in by_param.get("keepalived", []))
    ka_for = {"1000": "1", "300": "0.01"}
    for sc, key, label in METRICS:
        if key == "detect_ms":
            continue
        for tok in sorted(lib, key=lambda x: -int(x)):
            a = table.get((lib[tok], key, sc))
            b = table.get((pcm.get(tok), key, sc)) if tok in pcm else None
            kk = ka.get(ka_for.get(tok, ""))
            k = table.get((kk, key, sc)) if kk and key != "share_ms" else None
            L.append(f"| {label.strip()} | {tok} | {ratio(a, b)} | "
                     f"{ratio(a, k)}{' (' + ka_for[tok] + ')' if k else ''} |")
    L.append("")
    return L


def markdown_goals(rounds, cfgs, table, foot):
    """The issue's goals against this run."""
    L = []
    lib = [c for c, st, _ in cfgs if st == "libha"]
    pcm = {p: c for c, st, p in cfgs if st == "pacemaker"}
    L.append("Against the goals (libha; every round, not the median, where the goal says so):\n")
    for c in lib:
        tok = c.split("-", 1)[1]
        share = [r.get("share_ms") for r in rounds if r["cfg"] == c and r["scenario"] == "hard"
                 and r["status"] == "ok"]
        share = [v for v in share if v is not None]
        ph = [r for r in rounds if r["cfg"] == pcm.get(tok) and r["scenario"] == "hard"
              and r.get("share_ms") is not None and r["status"] == "ok"]
        best = min((r["share_ms"] for r in ph), default=None)
        worst = max((r["share_ms"] for r in ph), default=None)
        if share:
            L.append(f"- token {tok}, hard failover, membership to first reply: max "
                     f"{max(share):.0f} ms over {len(share)} rounds (goal ≤ 50 ms)"
                     + (f"; Pacemaker best {best:.0f} ms, worst {worst:.0f} ms: "
                        f"{best / max(share):.1f}× and {worst / max(share):.1f}× above libha's "
                        "worst round" if best else "") + ".")
        cold = table.get((c, "up_ms", "cold"))
        if cold:
            L.append(f"- token {tok}, cold start: VIP up {cold['max']:.0f} ms after the managers "
                     f"started on a quorate corosync in the worst round (goal ≤ 1000 ms).")
        sw = table.get((c, "gap_ms", "switch"))
        cm = table.get((c, "cmd_ms", "switch"))
        if sw and cm:
            L.append(f"- token {tok}, switchover: reply gap median {sw['med']:.0f} ms (max "
                     f"{sw['max']:.0f}; goal < 30 ms), command to first reply median "
                     f"{cm['med']:.0f} ms (max {cm['max']:.0f}; goal < 100 ms).")
    for c in pcm.values():
        ph = [r for r in rounds if r["cfg"] == c and r["scenario"] == "hard"
              and r.get("share_ms") is not None and r["status"] == "ok"]
        slow = [r for r in ph if r["share_ms"] >= 500]
        fast = [r for r in ph if r["share_ms"] < 500]
        if slow and fast:
            L.append(f"- Pacemaker {c.split('-', 1)[1]}: its share is bimodal: {len(fast)} rounds "
                     f"{min(r['share_ms'] for r in fast):.0f}–{max(r['share_ms'] for r in fast):.0f} ms, "
                     f"{len(slow)} rounds {min(r['share_ms'] for r in slow):.0f}–"
                     f"{max(r['share_ms'] for r in slow):.0f} ms (the DC's scheduler answers ~1 s "
                     "after the node-loss abort); the slow rounds lost the DC in "
                     f"{sum(1 for r in slow if r['special_lost'])} of {len(slow)} cases, the fast ones "
                     f"in {sum(1 for r in fast if r['special_lost'])} of {len(fast)}.")
    if foot:
        L.append("- footprint: see below (goal: had RSS < 8 MB, idle CPU ≤ Pacemaker's).")
    L.append("")
    return L


def markdown_timeline(rounds, res):
    L = []
    rows = [r for r in rounds if r["stack"] == "libha" and r["scenario"] == "hard"
            and r.get("timeline")]
    if not rows:
        return L
    L.append("libha hard-failover timeline, per round, ms after corosync's new membership "
             "(corosync log of the survivors; had events of every survivor, `hactl events`): "
             "had's membership event, quorum, sync round complete (scheduling may start), "
             "the VIP agent's start (spawn, after its claim was delivered) and end, the first "
             "reply at the client. `lost` says whether the crashed node was the lowest "
             "node id.\n")
    keys = ["had membership", "quorum", "sync complete", "agent start", "agent done", "first reply"]
    L.append("| token | round | lost | crash→membership | " + " | ".join(keys) + " |")
    L.append("|---|---|---|---|" + "---|" * len(keys))
    for r in rows:
        tl = r["timeline"]
        L.append(f"| {r['param']} | {r['round']} | {r['holder']}{' (lowest)' if r['special_lost'] else ''} "
                 f"| {r.get('detect_ms', 0):.0f} | "
                 + " | ".join(f"{tl[k]:.0f}" if k in tl else "–" for k in keys) + " |")
    L.append("")
    return L


def markdown_switch_timeline(rounds):
    rows = [r for r in rounds if r["stack"] == "libha" and r["scenario"] == "switch"
            and r.get("timeline") and r["status"] == "ok"]
    if not rows:
        return []
    keys = ["config applied", "stop spawned", "last reply (old)", "stop done", "start spawned",
            "start done", "first reply"]
    L = ["libha planned switchover, median (min–max) ms after `hactl move` started, over "
         f"{len(rows)} rounds: the new configuration applied (first node; `hactl` start-up, "
         "three IPC connections, the change multicast and delivered), the VIP agent's stop on "
         "the old node (spawned, done), its result delivered and the new node's claim "
         "delivered (start spawned), start done, and the replies seen by the client.\n"]
    L.append("| token | " + " | ".join(keys) + " |")
    L.append("|---|" + "---|" * len(keys))
    for tok in sorted({r["param"] for r in rows}, key=lambda x: -int(x)):
        cells = []
        for k in keys:
            s = stats([r["timeline"].get(k) for r in rows if r["param"] == tok])
            cells.append(f"{s['med']:.0f} ({s['min']:.0f}–{s['max']:.0f})" if s else "–")
        L.append(f"| {tok} | " + " | ".join(cells) + " |")
    L.append("")
    return L


def markdown_footprint(res, cfgs):
    L = []
    rows = []
    for cfg, stack, param in cfgs:
        p = os.path.join(res, cfg, "footprint.json")
        if not os.path.exists(p):
            continue
        try:
            with open(p) as f:
                fp = json.load(f)
        except ValueError:
            continue
        rows.append((cfg, stack, param, fp))
    if not rows:
        return L, None
    L.append("## Footprint\n")
    L.append("Memory and idle CPU of each manager on the same idle cluster (after the "
             "switchover, monitor and hard-failover rounds of the token 1000 / advert_int 1 "
             "configuration, VIP up with its 1 s monitor), sampled from /proc on every node "
             "at once over the same interval: RSS (VmRSS) and PSS (smaps_rollup: shared "
             "pages split between the processes sharing them) summed over the manager's "
             "processes (libha: had; Pacemaker: pacemakerd and its six daemons; keepalived: "
             "its two processes); CPU = utime+stime over the interval, and the same for the "
             "agents they ran and reaped (monitors: cutime+cstime). corosync, the same for "
             "libha and Pacemaker, is listed apart.\n")
    L.append("```")
    L.append(f"$ sudo tests/bench/failover/run.sh --build build --doc   # results: {res}")
    L.append("```\n")
    L.append("| stack | node | RSS | PSS | idle CPU (daemons) | idle CPU (agents) | corosync RSS / CPU |")
    L.append("|---|---|---|---|---|---|---|")
    summary = {}
    for cfg, stack, param, fp in rows:
        sec = fp["seconds"]
        for nd in fp["nodes"]:
            m, c = nd["manager"], nd["corosync"]
            L.append(f"| {stack} | {nd['node']} ({'VIP' if nd['role'] == 'vip' else 'no VIP'}) "
                     f"| {m['rss_kb'] / 1024:.1f} MB | {m['pss_kb'] / 1024:.1f} MB "
                     f"| {100 * m['cpu_s'] / sec:.2f} % | {100 * m['cpu_children_s'] / sec:.2f} % "
                     f"| {c.get('rss_kb', 0) / 1024:.1f} MB / {100 * c.get('cpu_s', 0) / sec:.2f} % |")
            summary.setdefault(stack, []).append((nd["role"], m, sec))
    L.append("")
    L.append(f"Interval {rows[0][3]['seconds']:.0f} s; CPU in % of one core. Per process:\n")
    for cfg, stack, param, fp in rows:
        nd = next((n for n in fp["nodes"] if n["role"] == "vip"), fp["nodes"][0])
        parts = [f"{k.split('[')[0]} {v['rss_kb'] / 1024:.1f}" for k, v in sorted(nd["manager"]["procs"].items())]
        L.append(f"- {stack} ({nd['node']}, MB RSS): " + ", ".join(parts))
    L.append("")
    # Ratios on the VIP node (the busier one) and on an idle node.
    def pick(stack, role):
        return next((m for r, m, s in summary.get(stack, []) if r == role), None), \
            next((s for r, m, s in summary.get(stack, []) if r == role), 1)
    L.append("| ratio (node) | RSS | PSS | idle CPU daemons | idle CPU daemons + agents |")
    L.append("|---|---|---|---|---|")
    for other in ("pacemaker", "keepalived"):
        for role in ("vip", "idle"):
            a, sa = pick("libha", role)
            b, sb = pick(other, role)
            if not a or not b:
                continue
            rr = lambda x, y: f"{x / y:.3f}" if y else "–"
            L.append(f"| libha / {other} ({'VIP' if role == 'vip' else 'no VIP'}) "
                     f"| {rr(a['rss_kb'], b['rss_kb'])} | {rr(a['pss_kb'], b['pss_kb'])} "
                     f"| {rr(a['cpu_s'] / sa, b['cpu_s'] / sb)} "
                     f"| {rr((a['cpu_s'] + a['cpu_children_s']) / sa, (b['cpu_s'] + b['cpu_children_s']) / sb)} |")
    L.append("")
    return L, summary


def plot(res, rounds, cfgs, docs):
    """One panel per scenario: every round's outage per configuration (log scale)."""
    if not shutil.which("gnuplot"):
        print("gnuplot not found: no plot", file=sys.stderr)
        return None
    order = [c for st in STACK_ORDER for c, s, p in cfgs if s == st]
    dat = os.path.join(res, "plot.dat")
    panels = [("hard", "outage_ms", "hard failover: crash to VIP back"),
              ("hard", "share_ms", "hard failover: corosync membership to VIP back"),
              ("switch", "gap_ms", "planned switchover: reply gap"),
              ("switch", "cmd_ms", "planned switchover: command to first reply"),
              ("monitor", "outage_ms", "failed monitor (address removed) to VIP back"),
              ("cold", "up_ms", "cold start: managers started to VIP up")]
    have = set()
    with open(dat, "w") as f:
        for i, (sc, key, _) in enumerate(panels):
            f.write(f"# {sc}\n")
            for x, c in enumerate(order):
                vals = sorted(r[key] for r in rounds if r["cfg"] == c and r["scenario"] == sc
                              and r.get(key) is not None and r["status"] == "ok")
                if vals:
                    have.add(i)
                for j, v in enumerate(vals):
                    jitter = (j / max(len(vals) - 1, 1) - 0.5) * 0.3
                    f.write(f"{x + jitter:.3f} {max(v, 1):.1f} {x}\n")
                if not vals:
                    f.write(f"{x} NaN {x}\n")
            f.write("\n\n")
    labels = ", ".join(f'"{c.replace("-", " ")}" {x}' for x, c in enumerate(order))
    out = os.path.join(docs or res, "failover-outage.png")
    gp = [f'set terminal pngcairo size 1200,1300 font ",10"', f'set output "{out}"',
          "set multiplot layout 3,2 title \"libha vs Pacemaker vs keepalived: outage per round "
          "(each dot one round; log scale)\"",
          "set logscale y", "set ylabel \"ms\"", f"set xtics ({labels}) rotate by -20",
          f"set xrange [-0.6:{len(order) - 0.4}]", "set grid ytics", "unset key"]
    for i, (sc, key, title) in enumerate(panels):
        gp.append(f'set title "{title}"')
        if i in have:
            gp.append(f'plot "{dat}" index {i} using 1:2:3 with points pt 7 ps 0.8 lc variable')
        else:  # gnuplot refuses a plot without a single point
            gp += ["set label 1 \"not measured\" at graph 0.4, 0.5", "set yrange [1:10]",
                   "plot 1 lc rgb \"white\"", "unset label 1", "set yrange [*:*]"]
    gp.append("unset multiplot")
    with open(os.path.join(res, "plot.gp"), "w") as f:
        f.write("\n".join(gp) + "\n")
    subprocess.run(["gnuplot", os.path.join(res, "plot.gp")], check=True)
    return out


def replace_sections(path, new_sections):
    """Replace (or append) the '## Failover' and '## Footprint' sections in path."""
    with open(path) as f:
        lines = f.read().split("\n")
    for title, body in new_sections:
        start = next((i for i, l in enumerate(lines) if l.strip() == title), None)
        if start is None:
            if lines and lines[-1] == "":
                lines.pop()
            lines += [""] + body
            continue
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
        lines[start:end] = body
    with open(path, "w") as f:
        f.write("\n".join(lines).rstrip("\n") + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--doc", metavar="DOCS_DIR")
    a = ap.parse_args()
    res = os.path.abspath(a.results)
    rounds = load_rounds(res)
    year = time.localtime(rounds[0]["t0"]).tm_year if rounds else time.localtime().tm_year
    probes, macs = {}, {}
    for r in rounds:
        cfgdir = os.path.join(res, r["cfg"])
        if r["cfg"] not in probes:
            probes[r["cfg"]] = Probe(os.path.join(cfgdir, "probe.log"))
            macs[r["cfg"]] = load_macs(cfgdir)
        analyze_round(r, probes[r["cfg"]], macs[r["cfg"]], cfgdir, year)
        if r["stack"] == "libha" and r["scenario"] == "hard":
            r["timeline"] = libha_timeline(r, cfgdir)
        if r["stack"] == "libha" and r["scenario"] == "switch":
            r["timeline"] = libha_switch_timeline(r, probes[r["cfg"]], macs[r["cfg"]], cfgdir)
    with open(os.path.join(res, "results.tsv"), "w") as f:
        keys = ["cfg", "scenario", "round", "status", "holder", "target", "special",
                "outage_ms", "detect_ms", "share_ms", "gap_ms", "cmd_ms", "up_ms"]
        f.write("\t".join(keys) + "\n")
        for r in rounds:
            f.write("\t".join(str(r.get(k, "")) for k in keys) + "\n")
    cfgs, table = summarize(rounds)
    with open(os.path.join(res, "meta.txt")) as f:
        meta = f.readlines()
    fail = markdown_failover(res, rounds, cfgs, table, meta)
    foot, fsum = markdown_footprint(res, cfgs)
    goals = markdown_goals(rounds, cfgs, table, fsum)
    tl = markdown_timeline(rounds, res) + markdown_switch_timeline(rounds)
    png = plot(res, rounds, cfgs, a.doc)
    if png:
        fail.append(f"![outage per round]({os.path.basename(png)})\n")
    text = fail + goals + tl
    with open(os.path.join(res, "summary.md"), "w") as f:
        f.write("\n".join(text + foot) + "\n")
    print("\n".join(text + foot))
    if a.doc:
        replace_sections(os.path.join(a.doc, "benchmarks.md"),
                         [("## Failover", text), ("## Footprint", foot)])


if __name__ == "__main__":
    main()
