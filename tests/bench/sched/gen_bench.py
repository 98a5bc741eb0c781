#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Large CIB generator for the scheduler benchmark (not a test).

  gen_bench.py NODES PRIMITIVES OUT.xml [--seed S] [--clone-every K] [--clones C]

A cluster at work: about 30% of the primitives in groups of 2-5, location
constraints on ~15% of the nodes per resource, 0.1 colocations and 0.1 orders
per primitive, rsc_defaults stickiness, a few disabled and failed resources,
90% running with full probe history (every node probed every resource; the
running node has start + recurring monitor).  Deterministic from the seed;
streamed to the file, so 32 nodes x 5000 primitives (~94 MB) needs little memory.
It makes no claim about Pacemaker's result; it only has to be valid input.

Clones (added on top of the primitives: the primitives' configuration is the
same with or without them, only the dependents' current nodes change): --clone-every K adds one anonymous clone and one
promotable clone per K primitives; --clones C adds C clones, one in five
promotable.  An anonymous clone (a Dummy, like ping or dlm) has the default
clone-max (every node) and runs everywhere it is allowed; two primitives depend
on it (colocation INFINITY, mandatory order).  A promotable clone (a Stateful,
like a replicated database) has clone-max 3, runs on 3 nodes, one of them
promoted with the highest master-<rsc> attribute; one primitive (its "VIP")
is colocated with the Promoted role and ordered after the promotion.  Both get
location constraints on ~15% of the nodes.
"""

import argparse
import hashlib
import random

UUID = "7d0c3b52-9a41-4e6f-8b17-3c5e2a9f0d84"
FEATURE_SET = "3.16.1"
T0 = 1700000000
# op-digest Pacemaker 2.1.5 computes for a parameterless Dummy (start/stop/probe)
# and for a monitor with timeout=20s: with these, crm_simulate sees no parameter
# change and schedules no restarts, exactly as on a real cluster at rest.
DIGEST_PLAIN = hashlib.md5(b" <parameters/>\n").hexdigest()
DIGEST_MON = hashlib.md5(b' <parameters CRM_meta_timeout="20000"/>\n').hexdigest()


def plan(nodes, prims, seed):
    r = random.Random("bench/%d/%d/%d" % (nodes, prims, seed))
    names = ["node%d" % (i + 1) for i in range(nodes)]
    top, all_p, n = [], [], 0
    # Groups take ~30% of the primitives.
    grouped = round(prims * 0.3)
    while n < grouped:
        k = min(r.randint(2, 5), prims - n)
        if k < 2:
            break
        g = {"id": "grp%d" % (len(top) + 1), "members": []}
        for _ in range(k):
            n += 1
            g["members"].append("rsc%d" % n)
        top.append(g)
    while n < prims:
        n += 1
        top.append({"id": "rsc%d" % n, "members": ["rsc%d" % n]})
    r.shuffle(top)
    for t in top:
        all_p.extend(t["members"])
        t["locs"] = []
        for nd in names:
            if r.random() < 0.15:
                x = r.random()
                s = ("-INFINITY" if x < 0.03 else "INFINITY" if x < 0.04
                     else str(r.randint(-500, 1000) or 1))
                t["locs"].append((nd, s))
        x = r.random()
        t["meta"] = {"target-role": "Stopped"} if x < 0.01 else {}
        # Where it runs now: its best located node when it has one (a settled
        # cluster), else anywhere not banned; 10% are not running.
        banned = {nd for nd, s in t["locs"] if s == "-INFINITY"}
        ok = [nd for nd in names if nd not in banned]
        best = max((p for p in t["locs"] if p[1] != "-INFINITY"),
                   key=lambda p: 10**7 if p[1] == "INFINITY" else int(p[1]), default=None)
        if r.random() < 0.9 and ok and not t["meta"]:
            t["node"] = best[0] if best and r.random() < 0.7 else r.choice(ok)
        else:
            t["node"] = None
    # Colocations and orders between top-level resources, acyclic (by position).
    idx = list(range(len(top)))
    colocs, orders = [], []
    for lst, count in ((colocs, round(prims * 0.1)), (orders, round(prims * 0.1))):
        seen = set()
        for _ in range(count * 3):
            if len(lst) >= count or len(top) < 2:
                break
            i, j = sorted(r.sample(idx, 2))
            if (i, j) in seen:
                continue
            seen.add((i, j))
            lst.append((top[j]["id"], top[i]["id"]))
    failed = set(r.sample(all_p, max(1, prims // 100))) if all_p else set()
    return names, top, all_p, colocs, orders, failed, r


def plan_clones(names, top, count_anon, count_prom, seed):
    """Clones and their dependents, from a random stream of their own (the
    primitives' part of the file does not change)."""
    r = random.Random("bench-clones/%d/%d/%d/%d" % (len(names), count_anon, count_prom, seed))
    singles = [t for t in top if len(t["members"]) == 1 and not t["meta"]]
    clones, colocs, orders = [], [], []
    for i in range(count_anon + count_prom):
        prom = i >= count_anon
        cid = "%s%d" % ("ms" if prom else "cl", i + 1)
        c = {"id": cid, "prim": cid + "-rsc", "promotable": prom, "locs": []}
        for nd in names:
            if r.random() < 0.15:
                c["locs"].append((nd, str(r.randint(1, 1000))))
        ok = list(names)
        if prom:
            best = sorted(c["locs"], key=lambda p: -int(p[1]))
            on = [nd for nd, _ in best[:3]]
            on += r.sample([nd for nd in names if nd not in on], max(0, min(3, len(names)) - len(on)))
            c["on"] = {nd: ("Promoted" if k == 0 else "Unpromoted") for k, nd in enumerate(on)}
        else:
            c["on"] = {nd: "Started" for nd in ok}
        deps = r.sample(singles, min(len(singles), 1 if prom else 2))
        for d in deps:
            singles.remove(d)
            colocs.append((d["id"], cid, "INFINITY", "Promoted" if prom else None))
            orders.append((cid, d["id"], "promote" if prom else None))
            # A settled cluster: the dependent runs with (a promoted instance of) the clone.
            d["node"] = next(nd for nd, role in c["on"].items()
                             if not prom or role == "Promoted")
        clones.append(c)
    return clones, colocs, orders


def write(nodes, prims, out, seed, clone_every=0, nclones=0):
    names, top, all_p, colocs, orders, failed, r = plan(nodes, prims, seed)
    if clone_every:
        n_anon = n_prom = max(1, prims // clone_every)
    else:
        n_prom = nclones // 5
        n_anon = nclones - n_prom
    clones, c_colocs, c_orders = plan_clones(names, top, n_anon, n_prom, seed)
    run_on = {}
    for t in top:
        for m in t["members"]:
            run_on[m] = t["node"]
    w = open(out, "w", buffering=1 << 20)
    w.write('<cib validate-with="pacemaker-3.9" crm_feature_set="%s" admin_epoch="0" '
            'epoch="%d" num_updates="0" have-quorum="1" dc-uuid="1">\n' % (FEATURE_SET, prims))
    w.write('  <configuration>\n    <crm_config>\n'
            '      <cluster_property_set id="cib-bootstrap-options">\n'
            '        <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="false"/>\n'
            '        <nvpair id="opt-no-quorum-policy" name="no-quorum-policy" value="stop"/>\n'
            '      </cluster_property_set>\n    </crm_config>\n    <nodes>\n')
    for i, nd in enumerate(names):
        w.write('      <node id="%d" uname="%s"/>\n' % (i + 1, nd))
    w.write('    </nodes>\n    <resources>\n')

    def prim(rid, ind, meta):
        w.write('%s<primitive id="%s" class="ocf" provider="heartbeat" type="Dummy">\n' % (ind, rid))
        if meta:
            w.write('%s  <meta_attributes id="%s-meta">\n' % (ind, rid))
            for k, v in meta.items():
                w.write('%s    <nvpair id="%s-meta-%s" name="%s" value="%s"/>\n' % (ind, rid, k, k, v))
            w.write('%s  </meta_attributes>\n' % ind)
        w.write('%s  <operations>\n%s    <op id="%s-monitor-10s" name="monitor" interval="10s" '
                'timeout="20s"/>\n%s  </operations>\n%s</primitive>\n' % (ind, ind, rid, ind, ind))

    for t in top:
        if len(t["members"]) == 1 and t["id"] == t["members"][0]:
            prim(t["id"], "      ", t["meta"])
        else:
            w.write('      <group id="%s">\n' % t["id"])
            if t["meta"]:
                w.write('        <meta_attributes id="%s-meta">\n' % t["id"])
                for k, v in t["meta"].items():
                    w.write('          <nvpair id="%s-meta-%s" name="%s" value="%s"/>\n'
                            % (t["id"], k, k, v))
                w.write('        </meta_attributes>\n')
            for m in t["members"]:
                prim(m, "        ", {})
            w.write('      </group>\n')
    for c in clones:
        w.write('      <clone id="%s">\n        <meta_attributes id="%s-meta">\n' % (c["id"], c["id"]))
        if c["promotable"]:
            w.write('          <nvpair id="%s-meta-promotable" name="promotable" value="true"/>\n'
                    '          <nvpair id="%s-meta-clone-max" name="clone-max" value="3"/>\n'
                    % (c["id"], c["id"]))
        w.write('          <nvpair id="%s-meta-interleave" name="interleave" value="true"/>\n'
                '        </meta_attributes>\n' % c["id"])
        if c["promotable"]:
            w.write('        <primitive id="%s" class="ocf" provider="pacemaker" type="Stateful">\n'
                    '          <operations>\n'
                    '            <op id="%s-mon-p" name="monitor" interval="10s" role="Promoted" timeout="20s"/>\n'
                    '            <op id="%s-mon-u" name="monitor" interval="11s" role="Unpromoted" timeout="20s"/>\n'
                    '          </operations>\n        </primitive>\n' % (c["prim"], c["prim"], c["prim"]))
        else:
            prim(c["prim"], "        ", {})
        w.write('      </clone>\n')
    w.write('    </resources>\n    <constraints>\n')
    for t in top:
        for nd, s in t["locs"]:
            w.write('      <rsc_location id="loc-%s-%s" rsc="%s" node="%s" score="%s"/>\n'
                    % (t["id"], nd, t["id"], nd, s))
    for c in clones:
        for nd, sc in c["locs"]:
            w.write('      <rsc_location id="loc-%s-%s" rsc="%s" node="%s" score="%s"/>\n'
                    % (c["id"], nd, c["id"], nd, sc))
    for i, (a, b, sc, role) in enumerate(c_colocs):
        w.write('      <rsc_colocation id="ccol-%d" rsc="%s" with-rsc="%s" score="%s"%s/>\n'
                % (i + 1, a, b, sc, ' with-rsc-role="%s"' % role if role else ""))
    for i, (first, then, act) in enumerate(c_orders):
        w.write('      <rsc_order id="cord-%d" first="%s" then="%s" kind="Mandatory"%s/>\n'
                % (i + 1, first, then,
                   ' first-action="%s" then-action="start"' % act if act else ""))
    for i, (a, b) in enumerate(colocs):
        s = r.choice(["INFINITY", "INFINITY", "-INFINITY", str(r.randint(-1000, 1000) or 1)])
        w.write('      <rsc_colocation id="col-%d" rsc="%s" with-rsc="%s" score="%s"/>\n'
                % (i + 1, a, b, s))
    for i, (then, first) in enumerate(orders):
        kind = "Mandatory" if r.random() < 0.7 else "Optional"
        w.write('      <rsc_order id="ord-%d" first="%s" then="%s" kind="%s"/>\n'
                % (i + 1, first, then, kind))
    w.write('    </constraints>\n    <rsc_defaults>\n      <meta_attributes id="rsc-options">\n'
            '        <nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="100"/>\n'
            '        <nvpair id="rsc-options-migration-threshold" name="migration-threshold" value="3"/>\n'
            '      </meta_attributes>\n    </rsc_defaults>\n  </configuration>\n  <status>\n')

    def op(rid, nd, opid, task, interval, call, rc, target, trans):
        key = "%d:%d:%d:%s" % (call, trans, target, UUID)
        w.write('            <lrm_rsc_op id="%s" operation_key="%s_%s_%d" operation="%s" '
                'crm-debug-origin="do_update_resource" crm_feature_set="%s" '
                'transition-key="%s" transition-magic="0:%d;%s" exit-reason="" on_node="%s" '
                'call-id="%d" rc-code="%d" op-status="0" interval="%d" last-rc-change="%d" '
                'exec-time="%d" queue-time="0" op-digest="%s"/>\n'
                % (opid, rid, task, interval, task, FEATURE_SET, key, rc, key, nd, call, rc,
                   interval, T0 + call, 5 + call % 40, DIGEST_MON if interval else DIGEST_PLAIN))

    for i, nd in enumerate(names):
        nid = i + 1
        w.write('    <node_state id="%d" uname="%s" in_ccm="true" crmd="online" join="member" '
                'expected="member" crm-debug-origin="do_update_resource">\n' % (nid, nd))
        fails = [p for p in all_p if p in failed and run_on[p] == nd]
        masters = [c for c in clones if c["promotable"] and nd in c["on"]]
        if fails or masters:
            w.write('      <transient_attributes id="%d">\n        <instance_attributes id="status-%d">\n'
                    % (nid, nid))
            for p in fails:
                w.write('          <nvpair id="status-%d-fc-%s" name="fail-count-%s#monitor_10000" value="1"/>\n'
                        '          <nvpair id="status-%d-lf-%s" name="last-failure-%s#monitor_10000" value="%d"/>\n'
                        % (nid, p, p, nid, p, p, T0 + 9000))
            for c in masters:
                # What the agent set with crm_master: the promoted copy is ahead.
                v = 1000 if c["on"][nd] == "Promoted" else 10 + (nid * 7) % 50
                w.write('          <nvpair id="status-%d-master-%s" name="master-%s" value="%d"/>\n'
                        % (nid, c["prim"], c["prim"], v))
            w.write('        </instance_attributes>\n      </transient_attributes>\n')
        w.write('      <lrm id="%d">\n        <lrm_resources>\n' % nid)
        call = 1
        for p in all_p:
            w.write('          <lrm_resource id="%s" class="ocf" provider="heartbeat" type="Dummy">\n' % p)
            if run_on[p] == nd:
                op(p, nd, p + "_last_0", "start", 0, call, 0, 0, 2)
                mrc = 7 if p in failed else 0
                op(p, nd, "%s_monitor_10000" % p, "monitor", 10000, call + 1, mrc, 0, 2)
                if mrc:
                    op(p, nd, "%s_last_failure_0" % p, "monitor", 10000, call + 1, mrc, 0, 2)
                call += 2
            else:
                op(p, nd, p + "_last_0", "monitor", 0, call, 7, 7, 1)
                call += 1
            w.write('          </lrm_resource>\n')
        for c in clones:
            p, role = c["prim"], c["on"].get(nd)
            w.write('          <lrm_resource id="%s" class="ocf" provider="%s" type="%s">\n'
                    % (p, "pacemaker" if c["promotable"] else "heartbeat",
                       "Stateful" if c["promotable"] else "Dummy"))
            if role == "Promoted":
                op(p, nd, p + "_last_0", "promote", 0, call, 0, 0, 2)
                op(p, nd, "%s_monitor_10000" % p, "monitor", 10000, call + 1, 8, 8, 2)
                call += 2
            elif role:
                op(p, nd, p + "_last_0", "start", 0, call, 0, 0, 2)
                iv = 11000 if c["promotable"] else 10000
                op(p, nd, "%s_monitor_%d" % (p, iv), "monitor", iv, call + 1, 0, 0, 2)
                call += 2
            else:
                op(p, nd, p + "_last_0", "monitor", 0, call, 7, 7, 1)
                call += 1
            w.write('          </lrm_resource>\n')
        w.write('        </lrm_resources>\n      </lrm>\n    </node_state>\n')
    w.write('  </status>\n</cib>\n')
    w.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("nodes", type=int)
    ap.add_argument("primitives", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--clone-every", type=int, default=0, metavar="K",
                    help="one clone and one promotable clone per K primitives")
    ap.add_argument("--clones", type=int, default=0, metavar="C",
                    help="C clones, one in five promotable")
    a = ap.parse_args()
    write(a.nodes, a.primitives, a.out, a.seed, a.clone_every, a.clones)


if __name__ == "__main__":
    main()
