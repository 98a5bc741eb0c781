# SPDX-License-Identifier: LGPL-2.1-or-later
"""Random CIB generator for the differential tests against crm_simulate.

Generates small Pacemaker 2.1.5 CIBs (primitives and groups, location /
colocation / order constraints, stickiness, standby and offline nodes,
failures, target-role, asymmetric clusters) with a realistic status section.
Deterministic: the same (family, seed) always gives the same bytes.  It does
not decide whether a case is tie-free; pcmk.py checks that with crm_simulate.
"""

import hashlib
import random
import xml.etree.ElementTree as ET

FAMILIES = ("location", "group", "coloc", "order", "standby", "failure",
            "asym", "mixed")

INF = "INFINITY"
# One fixed "DC" UUID so the transition keys look like a real cluster's.
UUID = "2f1c6a3e-5d7b-4e8a-9c0d-1b2a3c4d5e6f"
FEATURE_SET = "3.16.1"
# Base for last-rc-change stamps (no failure-timeout is ever set, so the value only
# has to be plausible and in the past).
T0 = 1700000000
MON_TIMEOUT_MS = 20000


def _digest(params):
    """Pacemaker's op-digest: md5 of the canonical <parameters> element.

    crm_simulate recomputes it; a mismatch would schedule a restart, so the
    generated history carries the digest Pacemaker 2.1.5 expects (checked by
    run.py --selftest: a running, sticky resource gets no action)."""
    attrs = "".join(' %s="%s"' % kv for kv in sorted(params.items()))
    return hashlib.md5((" <parameters%s/>\n" % attrs).encode()).hexdigest()


DIGEST_PLAIN = _digest({})
DIGEST_MON = _digest({"CRM_meta_timeout": str(MON_TIMEOUT_MS)})

# Family knobs.  Each is a probability or a range; "mixed" turns everything on.
_BASE = dict(groups=0.0, loc_frac=(0.5, 1.0), coloc=0.0, order=0.0,
             stopped=0.03, standby=0.0, offline=0.0, fail=0.0, asym=False,
             running=0.6, inf_loc=0.08, member_loc=0.0, prop_stick=0.5)
KNOBS = {
    "location": dict(),
    "group": dict(groups=0.6, member_loc=0.4, stopped=0.08),
    "coloc": dict(groups=0.25, coloc=0.6, loc_frac=(0.3, 1.0)),
    "order": dict(groups=0.25, order=0.7, stopped=0.25, inf_loc=0.15),
    "standby": dict(groups=0.2, standby=0.25, offline=0.25, running=0.75),
    "failure": dict(groups=0.2, fail=0.45, running=0.8),
    "asym": dict(groups=0.2, asym=True, loc_frac=(0.2, 0.8), coloc=0.2),
    "mixed": dict(groups=0.3, coloc=0.3, order=0.3, stopped=0.08,
                  standby=0.12, offline=0.12, fail=0.2, member_loc=0.2),
}

NODE_POOL = ["n%d" % i for i in range(1, 13)] + ["alpha", "bravo", "node-a",
                                                  "node-b", "zulu", "Zed"]


class _Ids:
    """Unique element ids within one CIB."""

    def __init__(self):
        self.used = set()

    def get(self, base):
        i, cand = 1, base
        while cand in self.used:
            i += 1
            cand = "%s-%d" % (base, i)
        self.used.add(cand)
        return cand


class Case:
    """The abstract case; to_xml() renders it."""

    def __init__(self, family, seed):
        self.family = family
        self.seed = seed
        self.rng = random.Random("%s/%d" % (family, seed))
        k = dict(_BASE)
        k.update(KNOBS[family])
        self.k = k
        self.ids = _Ids()
        self.nodes = []      # dicts: name, id, state (online standby crashed down)
        self.top = []        # dicts: kind prim|group, id, members (prims), meta
        self.prims = []      # every primitive dict, CIB order
        self.locs = []       # (rsc, node, score str, role or None)
        self.colocs = []     # (rsc, with_rsc, score str)
        self.orders = []     # (first, then, kind, symmetrical or None)
        self.options = {"stonith-enabled": "false"}
        self.rsc_defaults = {}
        # status: node name -> rsc id -> list of op dicts; node -> attrs dict
        self.history = {}
        self.attrs = {}
        self.running = {}    # prim id -> node name (where it is active)

    # ---- scores ---------------------------------------------------------------

    def _score(self, lo=-400, hi=1000):
        r = self.rng
        x = r.random()
        if x < self.k["inf_loc"] / 2:
            return INF
        if x < self.k["inf_loc"]:
            return "-" + INF
        v = 0
        while v == 0:
            v = r.randint(lo, hi)
        return str(v)

    # ---- configuration --------------------------------------------------------

    def gen_nodes(self):
        r = self.rng
        n = r.randint(3, 6)
        names = r.sample(NODE_POOL, n)
        for i, name in enumerate(names):
            self.nodes.append({"name": name, "id": str(i + 1), "state": "online"})
        # Standby and offline nodes, keeping at least one usable node.
        for nd in self.nodes:
            x = r.random()
            if x < self.k["standby"]:
                nd["state"] = "standby"
            elif x < self.k["standby"] + self.k["offline"]:
                nd["state"] = r.choice(["crashed", "down"])
        if all(nd["state"] != "online" for nd in self.nodes):
            r.choice(self.nodes)["state"] = "online"

    def gen_resources(self):
        r = self.rng
        total = r.randint(3, 12)
        made, gi = 0, 0
        while made < total:
            left = total - made
            if left >= 2 and r.random() < self.k["groups"]:
                gi += 1
                g = {"kind": "group", "id": self.ids.get("g%d" % gi),
                     "members": [], "meta": {}}
                for _ in range(r.randint(2, min(4, left))):
                    p = self._prim(g)
                    g["members"].append(p)
                    made += 1
                self.top.append(g)
            else:
                p = self._prim(None)
                self.top.append({"kind": "prim", "id": p["id"], "members": [p],
                                 "meta": p["meta"], "prim": p})
                made += 1

    def _prim(self, group):
        r = self.rng
        p = {"id": self.ids.get("r%d" % (len(self.prims) + 1)),
             "provider": r.choice(["pacemaker", "heartbeat"]),
             "interval": r.choice(["10s", "10000ms", "15", "30s"]),
             "meta": {}, "group": group}
        self.prims.append(p)
        return p

    def gen_meta(self):
        r = self.rng
        if r.random() < 0.75:
            self.rsc_defaults["resource-stickiness"] = str(r.choice(
                [0, r.randint(1, 400), r.randint(1, 400)]))
        for t in self.top:
            if r.random() < self.k["stopped"]:
                t["meta"]["target-role"] = "Stopped"
            elif r.random() < 0.1:
                t["meta"]["target-role"] = "Started"
            if r.random() < self.k["prop_stick"] * 0.4:
                t["meta"]["resource-stickiness"] = str(r.randint(0, 500))
            if t["kind"] == "group":
                for p in t["members"]:
                    if r.random() < 0.15:
                        p["meta"]["resource-stickiness"] = str(r.randint(0, 300))
                    if r.random() < self.k["stopped"] / 2:
                        p["meta"]["target-role"] = "Stopped"

    def gen_locations(self):
        r = self.rng
        lo, hi = self.k["loc_frac"]
        names = [nd["name"] for nd in self.nodes]
        for t in self.top:
            k = max(1, round(len(names) * r.uniform(lo, hi)))
            have_inf = False
            for n in r.sample(names, k):
                if self.k["asym"] and r.random() < 0.25:
                    score = r.choice(["0", str(r.randint(1, 900))])
                else:
                    score = self._score()
                    # Two +INFINITY nodes always tie: keep at most one.
                    while score == INF and have_inf:
                        score = self._score()
                    have_inf = have_inf or score == INF
                self.locs.append((t["id"], n, score, None))
            if t["kind"] == "group":
                for p in t["members"]:
                    if r.random() < self.k["member_loc"]:
                        self.locs.append((p["id"], r.choice(names),
                                          self._score(-300, 600), None))
        # A second constraint on the same node now and then (they add up).
        if self.locs and r.random() < 0.2:
            rsc, n, _, _ = r.choice(self.locs)
            self.locs.append((rsc, n, str(r.randint(-200, 300) or 7), None))
        if self.k["asym"]:
            self.options["symmetric-cluster"] = "false"
        elif r.random() < 0.1:
            self.options["symmetric-cluster"] = "true"

    def _dag_pairs(self, frac):
        """Random (dependent, primary) pairs among top-level resources without
        cycles: the dependent always comes later in a random permutation."""
        r = self.rng
        perm = list(self.top)
        r.shuffle(perm)
        pairs, seen = [], set()
        want = round(len(self.top) * frac)
        for _ in range(want * 4):
            if len(pairs) >= want or len(perm) < 2:
                break
            i, j = sorted(r.sample(range(len(perm)), 2))
            a, b = perm[j], perm[i]   # a depends on b
            if (a["id"], b["id"]) in seen or (b["id"], a["id"]) in seen:
                continue
            seen.add((a["id"], b["id"]))
            pairs.append((a, b))
        return pairs

    def gen_colocations(self):
        r = self.rng
        if r.random() >= self.k["coloc"] * 1.4:
            return
        for a, b in self._dag_pairs(self.k["coloc"]):
            x = r.random()
            if x < 0.3:
                s = INF
            elif x < 0.5:
                s = "-" + INF
            else:
                s = str(r.choice([-1, 1]) * r.randint(1, 1200))
            self.colocs.append((a["id"], b["id"], s))

    def gen_orders(self):
        r = self.rng
        if r.random() >= self.k["order"] * 1.4:
            return
        for a, b in self._dag_pairs(self.k["order"]):
            kind = "Mandatory" if r.random() < 0.65 else "Optional"
            sym = r.choice([None, "true", "false"])
            self.orders.append((b["id"], a["id"], kind, sym))

    # ---- status ---------------------------------------------------------------

    def gen_running(self):
        """Where each resource is active now.  Group members run together; a
        running group is a prefix of its members (later ones may be stopped)."""
        r = self.rng
        hosts = [nd for nd in self.nodes if nd["state"] in ("online", "standby", "crashed")]
        for t in self.top:
            if not hosts or r.random() >= self.k["running"]:
                continue
            nd = r.choice(hosts)["name"]
            m = t["members"]
            cnt = len(m) if r.random() < 0.8 else r.randint(1, len(m))
            for p in m[:cnt]:
                self.running[p["id"]] = nd

    def gen_history(self):
        r = self.rng
        for nd in self.nodes:
            self.history[nd["name"]] = {}
            self.attrs[nd["name"]] = {}
        call = {nd["name"]: r.randint(2, 40) for nd in self.nodes}
        trans = [r.randint(1, 30)]

        def op(node, p, kind, rc, status=0, interval_ms=0, target=0, key=None,
               opid=None):
            call[node] += r.randint(1, 3)
            trans[0] += r.randint(0, 1)
            task = kind
            interval = interval_ms
            okey = key or "%s_%s_%d" % (p["id"], task, interval)
            tkey = "%d:%d:%d:%s" % (r.randint(1, 60), trans[0], target, UUID)
            return {"id": opid or "%s_last_0" % p["id"], "operation_key": okey,
                    "operation": task, "crm-debug-origin": "do_update_resource",
                    "crm_feature_set": FEATURE_SET, "transition-key": tkey,
                    "transition-magic": "%d:%d;%s" % (status, rc, tkey),
                    "exit-reason": "", "on_node": node, "call-id": str(call[node]),
                    "rc-code": str(rc), "op-status": str(status),
                    "interval": str(interval), "last-rc-change": str(T0 + call[node]),
                    "exec-time": str(r.randint(5, 60)), "queue-time": "0",
                    "op-digest": DIGEST_MON if interval else DIGEST_PLAIN}

        def mon_ms(p):
            s = p["interval"]
            if s.endswith("ms"):
                return int(s[:-2])
            return int(s.rstrip("s")) * 1000

        for nd in self.nodes:
            name = nd["name"]
            if nd["state"] == "down" and r.random() < 0.5:
                continue  # never joined since its history was erased
            hist = self.history[name]
            order = list(self.prims)
            r.shuffle(order)
            # Probes first (every node probes every resource when it joins).
            for p in order:
                if r.random() < 0.08 and self.running.get(p["id"]) != name:
                    continue  # resource added since: not probed yet
                found = self.running.get(p["id"]) == name and r.random() < 0.3
                hist[p["id"]] = [op(name, p, "monitor", 0 if found else 7,
                                    target=7)]
            for p in order:
                if self.running.get(p["id"]) != name:
                    continue
                ops = hist[p["id"]]
                if ops[0]["rc-code"] != "0":
                    ops[0] = op(name, p, "start", 0)
                ms = mon_ms(p)
                ops.append(op(name, p, "monitor", 0, interval_ms=ms,
                              opid="%s_monitor_%d" % (p["id"], ms)))
        self.gen_failures(op, mon_ms)

    def gen_failures(self, op, mon_ms):
        r = self.rng
        if self.k["fail"] <= 0:
            return
        online = [nd["name"] for nd in self.nodes if nd["state"] == "online"]
        if r.random() < 0.6:
            self.rsc_defaults["migration-threshold"] = str(r.choice([1, 2, 3, 5]))
        for p in self.prims:
            if r.random() < 0.3:
                p["meta"]["migration-threshold"] = str(r.choice([0, 1, 2, 3, 4]))
        for p in self.prims:
            pid = p["id"]
            node = self.running.get(pid)
            x = r.random()
            if node in online and x < self.k["fail"]:
                ms = mon_ms(p)
                ops = self.history[node][pid]
                fails = r.randint(1, 4)
                attr = "%s#monitor_%d" % (pid, ms)
                self.attrs[node]["fail-count-" + attr] = str(fails)
                self.attrs[node]["last-failure-" + attr] = str(T0 + 5000)
                if r.random() < 0.6:
                    # The failure is current: the monitor reported "not running".
                    mon = op(node, p, "monitor", 7, interval_ms=ms,
                             opid="%s_monitor_%d" % (pid, ms))
                    ops[-1] = mon
                    lf = dict(mon)
                    lf["id"] = "%s_last_failure_0" % pid
                    ops.append(lf)
                else:
                    # An old failure, already recovered in place.
                    lf = op(node, p, "monitor", 7, interval_ms=ms,
                            opid="%s_last_failure_0" % pid)
                    ops[0] = op(node, p, "start", 0)
                    ops[1] = op(node, p, "monitor", 0, interval_ms=ms,
                                opid="%s_monitor_%d" % (pid, ms))
                    ops.append(lf)
            elif x < self.k["fail"] * 1.5 and online:
                # A failed start on a node where it is not active: fatal by default.
                cand = [n for n in online if n != node]
                if not cand:
                    continue
                n = r.choice(cand)
                st = r.choice([0, 4])
                bad = op(n, p, "start", 1, status=st)
                lf = dict(bad)
                lf["id"] = "%s_last_failure_0" % pid
                lf["exit-reason"] = "simulated failure"
                bad["exit-reason"] = "simulated failure"
                if node is None and r.random() < 0.5:
                    ops = [bad, lf]   # not yet cleaned up: needs a stop there
                else:
                    ops = [op(n, p, "stop", 0), lf]   # stopped after the failure
                self.history[n][pid] = ops
                self.attrs[n]["fail-count-%s#start_0" % pid] = "INFINITY"
                self.attrs[n]["last-failure-%s#start_0" % pid] = str(T0 + 6000)

    # ---- rendering ------------------------------------------------------------

    def to_xml(self):
        cib = ET.Element("cib", {
            "validate-with": "pacemaker-3.9", "crm_feature_set": FEATURE_SET,
            "admin_epoch": "0", "epoch": str(self.rng.randint(1, 200)),
            "num_updates": str(self.rng.randint(0, 50)), "have-quorum": "1",
            "dc-uuid": next((nd["id"] for nd in self.nodes if nd["state"] == "online"), "1"),
        })
        conf = ET.SubElement(cib, "configuration")
        crm = ET.SubElement(conf, "crm_config")
        cps = ET.SubElement(crm, "cluster_property_set", id="cib-bootstrap-options")
        for k, v in self.options.items():
            ET.SubElement(cps, "nvpair", id="cib-bootstrap-options-" + k, name=k, value=v)
        nodes = ET.SubElement(conf, "nodes")
        for nd in self.nodes:
            ne = ET.SubElement(nodes, "node", id=nd["id"], uname=nd["name"])
            if nd["state"] == "standby":
                ia = ET.SubElement(ne, "instance_attributes", id="nodes-" + nd["id"])
                ET.SubElement(ia, "nvpair", id="nodes-%s-standby" % nd["id"],
                              name="standby", value="on")
        res = ET.SubElement(conf, "resources")
        for t in self.top:
            if t["kind"] == "prim":
                self._prim_xml(res, t["prim"])
            else:
                ge = ET.SubElement(res, "group", id=t["id"])
                self._meta_xml(ge, t["id"], t["meta"])
                for p in t["members"]:
                    self._prim_xml(ge, p)
        cons = ET.SubElement(conf, "constraints")
        for i, (rsc, n, s, role) in enumerate(self.locs):
            a = {"id": "loc-%d-%s-%s" % (i + 1, rsc, n), "rsc": rsc, "node": n, "score": s}
            if role:
                a["role"] = role
            ET.SubElement(cons, "rsc_location", a)
        for i, (a_, b_, s) in enumerate(self.colocs):
            ET.SubElement(cons, "rsc_colocation", {
                "id": "col-%d-%s-%s" % (i + 1, a_, b_), "rsc": a_, "with-rsc": b_, "score": s})
        for i, (f, t_, kind, sym) in enumerate(self.orders):
            a = {"id": "ord-%d-%s-%s" % (i + 1, f, t_), "first": f, "then": t_, "kind": kind}
            if sym:
                a["symmetrical"] = sym
            ET.SubElement(cons, "rsc_order", a)
        if self.rsc_defaults:
            rd = ET.SubElement(conf, "rsc_defaults")
            ma = ET.SubElement(rd, "meta_attributes", id="rsc-options")
            for k, v in self.rsc_defaults.items():
                ET.SubElement(ma, "nvpair", id="rsc-options-" + k, name=k, value=v)
        self._status_xml(ET.SubElement(cib, "status"))
        ET.indent(cib, "  ")
        return ("<!-- generated by tests/diff/cibgen.py: family=%s seed=%d -->\n"
                % (self.family, self.seed)) + ET.tostring(cib, encoding="unicode") + "\n"

    def _meta_xml(self, parent, rid, meta):
        if not meta:
            return
        ma = ET.SubElement(parent, "meta_attributes", id=rid + "-meta_attributes")
        for k, v in meta.items():
            ET.SubElement(ma, "nvpair", id="%s-meta_attributes-%s" % (rid, k), name=k, value=v)

    def _prim_xml(self, parent, p):
        pe = ET.SubElement(parent, "primitive", {"id": p["id"], "class": "ocf",
                                                 "provider": p["provider"], "type": "Dummy"})
        self._meta_xml(pe, p["id"], p["meta"])
        ops = ET.SubElement(pe, "operations")
        ET.SubElement(ops, "op", id=p["id"] + "-monitor-interval", name="monitor",
                      interval=p["interval"], timeout="%ds" % (MON_TIMEOUT_MS // 1000))

    def _status_xml(self, status):
        for nd in self.nodes:
            name = nd["name"]
            if nd["state"] in ("online", "standby"):
                st = dict(in_ccm="true", crmd="online", join="member", expected="member")
            elif nd["state"] == "crashed":
                st = dict(in_ccm="false", crmd="offline", join="down", expected="member")
            else:
                st = dict(in_ccm="false", crmd="offline", join="down", expected="down")
            hist = self.history.get(name, {})
            if nd["state"] == "down" and not hist:
                continue   # never seen: no node_state at all
            ns = ET.SubElement(status, "node_state", dict(
                id=nd["id"], uname=name, **st, **{"crm-debug-origin": "do_update_resource"}))
            attrs = self.attrs.get(name)
            if attrs:
                ta = ET.SubElement(ns, "transient_attributes", id=nd["id"])
                ia = ET.SubElement(ta, "instance_attributes", id="status-" + nd["id"])
                for k, v in attrs.items():
                    ET.SubElement(ia, "nvpair", id="status-%s-%s" % (nd["id"], k),
                                  name=k, value=v)
            lrm = ET.SubElement(ns, "lrm", id=nd["id"])
            lr = ET.SubElement(lrm, "lrm_resources")
            for p in self.prims:
                ops = hist.get(p["id"])
                if not ops:
                    continue
                le = ET.SubElement(lr, "lrm_resource", {"id": p["id"], "type": "Dummy",
                                                        "class": "ocf",
                                                        "provider": p["provider"]})
                for o in ops:
                    ET.SubElement(le, "lrm_rsc_op", o)


def generate(family, seed):
    """XML text of case (family, seed)."""
    if family not in KNOBS:
        raise ValueError("unknown family %r (one of %s)" % (family, ", ".join(FAMILIES)))
    c = Case(family, seed)
    c.gen_nodes()
    c.gen_resources()
    c.gen_meta()
    c.gen_locations()
    c.gen_colocations()
    c.gen_orders()
    c.gen_running()
    c.gen_history()
    return c.to_xml()


if __name__ == "__main__":
    import sys
    sys.stdout.write(generate(sys.argv[1], int(sys.argv[2])))
