# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pacemaker's side of the differential tests: run crm_simulate on a CIB and
extract the resulting placement in hactl's JSON shape, plus the allocation
scores; decide whether a case is tie-free (placement invariant under
perturbations, no equal top scores).

The placement is read twice, from crm_simulate's revised cluster status and
from the status section of the CIB it saves (last operation per resource and
node by call-id); a case where the two disagree is rejected, not guessed at.
This module does not know about hactl.
"""

import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

CRM_SIMULATE = os.environ.get("CRM_SIMULATE", "/usr/sbin/crm_simulate")
NEG_INF = -1000000
POS_INF = 1000000


class PcmkError(Exception):
    pass


def available():
    return os.access(CRM_SIMULATE, os.X_OK)


def parse_score(s):
    s = s.strip()
    if s in ("INFINITY", "+INFINITY"):
        return POS_INF
    if s == "-INFINITY":
        return NEG_INF
    return max(NEG_INF, min(POS_INF, int(s)))


def _role(r):
    return {"Master": "Promoted", "Slave": "Unpromoted"}.get(r, r)


def _prim_entry(role, nodes):
    nodes = sorted(nodes)
    if not nodes:
        return {"node": None, "role": "Stopped"}
    return {"node": nodes[0] if len(nodes) == 1 else nodes, "role": _role(role)}


def _instance_end(cid, inst):
    """(role, node) of one clone instance element, or None when it is not
    active.  An instance that is a group counts only when every member runs,
    all on the same node (hactl's rule, docs/json.md); it is Promoted when a
    member is."""
    members = [inst] if inst.tag == "resource" else inst.findall("resource")
    if inst.tag not in ("resource", "group") or not members:
        raise PcmkError("clone %s: unexpected instance element <%s>" % (cid, inst.tag))
    nodes, roles = set(), set()
    for m in members:
        ns = [n.get("name") for n in m.findall("node")]
        if len(ns) > 1:
            raise PcmkError("clone %s: instance %s active on %s" % (cid, m.get("id"), ns))
        if not ns:
            return None
        nodes.add(ns[0])
        roles.add(_role(m.get("role")))
    if len(nodes) != 1:
        return None
    role = "Promoted" if "Promoted" in roles else roles.pop() if len(roles) == 1 else None
    if role is None:
        raise PcmkError("clone %s: group instance in roles %s" % (cid, sorted(roles)))
    return role, nodes.pop()


def placement_from_status_xml(res_el):
    """Placement from a <resources> element of crm_simulate's XML output
    (cluster_status or revised_cluster_status).  Group members are listed under
    their own ids; a clone under its id with sorted node lists per role, one
    entry per active instance (so clone-node-max > 1 repeats a node)."""
    out = {}
    for el in res_el:
        if el.tag == "resource":
            out[el.get("id")] = _prim_entry(el.get("role"),
                                            [n.get("name") for n in el.findall("node")])
        elif el.tag == "group":
            out.update(placement_from_status_xml(el))
        elif el.tag == "clone":
            promotable = el.get("multi_state") == "true"
            roles = {"Promoted": [], "Unpromoted": []} if promotable else {"Started": []}
            for inst in el:
                end = _instance_end(el.get("id"), inst)
                if end is None:
                    continue
                role, node = end
                if role not in roles:
                    raise PcmkError("clone %s: instance in role %s" % (el.get("id"), role))
                roles[role].append(node)
            out[el.get("id")] = {k: sorted(v) for k, v in roles.items()}
        elif el.tag == "bundle":
            raise PcmkError("bundles are outside the tested subset")
    return out


def clone_layout(root):
    """{clone id: {"prims": [primitive ids], "group": bool, "promotable": bool,
    "node_max": int, "promoted_max": int}} from a CIB's configuration."""
    out = {}
    res = root.find("configuration/resources")
    for el in (res if res is not None else []):
        if el.tag not in ("clone", "master"):
            continue
        meta = {}
        for ma in el.findall("meta_attributes"):
            for nv in ma.findall("nvpair"):
                meta[nv.get("name")] = nv.get("value")
        child = next((c for c in el if c.tag in ("primitive", "group")), None)
        if child is None:
            continue
        prims = [child.get("id")] if child.tag == "primitive" else \
            [p.get("id") for p in child.findall("primitive")]
        out[el.get("id")] = {
            "prims": prims, "group": child.tag == "group",
            "promotable": el.tag == "master" or
            meta.get("promotable", "false").lower() in ("true", "yes", "1", "on"),
            # Pacemaker 2.1.5 runs at most one instance of an anonymous clone per
            # node, whatever clone-node-max says (it logs "Ignoring promoted-max
            # ... anonymous clones support only one instance per node").
            "node_max": int(meta.get("clone-node-max", "1"))
            if meta.get("globally-unique", "false").lower() in ("true", "yes", "1", "on") else 1,
            "promoted_max": int(meta.get("promoted-max", meta.get("master-max", "1"))),
        }
    return out


_INSTANCE_RE = re.compile(r":\d+$")


def base_id(rid):
    """Primitive id of a clone instance id ("d1:2" -> "d1")."""
    return _INSTANCE_RE.sub("", rid)


def _node_online(ns):
    return ns.get("in_ccm") == "true" and ns.get("crmd") == "online"


def active_from_saved_cib(root):
    """{rsc id: {node: role}} from a CIB's status section: the last operation per
    resource and node by call-id decides.  start/promote/demote/monitor with rc 0
    or 8 mean active (8: promoted); stop, or rc 7, mean not active.  Only online
    nodes count (an offline node's history is stale).  Anything else (a failed
    start that was never stopped) raises: the end state would be ambiguous."""
    act = {}
    for ns in root.iter("node_state"):
        if not _node_online(ns):
            continue
        node = ns.get("uname")
        for lr in ns.iter("lrm_resource"):
            ops = [o for o in lr.findall("lrm_rsc_op") if int(o.get("call-id", "-1")) >= 0]
            if not ops:
                continue
            last = max(ops, key=lambda o: int(o.get("call-id")))
            task, rc = last.get("operation"), int(last.get("rc-code"))
            if task == "stop" and rc == 0:
                continue
            if rc == 7 and task == "monitor":
                continue
            if task in ("start", "monitor", "promote", "demote", "migrate_from") and rc in (0, 8):
                promoted = rc == 8 or task == "promote"
                act.setdefault(lr.get("id"), {})[node] = "Promoted" if promoted else "Started"
                continue
            raise PcmkError("%s on %s: last op %s rc=%d: end state unknown"
                            % (lr.get("id"), node, task, rc))
    return act


def _check_consistent(placement, active, clones):
    """Primitives' node sets, and clones' node sets per role, must agree between
    the two readings.  The saved CIB names anonymous instances with or without
    an instance number, so clones are compared as node sets."""
    byprim = {}
    for rid, nodes in active.items():
        for n, role in nodes.items():
            byprim.setdefault(base_id(rid), {}).setdefault(n, set()).add(role)
    for cid, lay in clones.items():
        ent = placement.get(cid)
        if ent is None:
            raise PcmkError("clone %s missing from crm_simulate's revised status" % cid)
        per = [byprim.get(p, {}) for p in lay["prims"]]
        on = set.intersection(*[set(x) for x in per]) if per else set()
        got_prom = {n for n in on if any("Promoted" in x.get(n, ()) for x in per)}
        want_all = {n for v in ent.values() for n in v}
        want_prom = set(ent.get("Promoted", []))
        if want_all != on or want_prom != got_prom:
            raise PcmkError("extraction mismatch for clone %s: revised status %s, saved CIB "
                            "active on %s (promoted on %s)"
                            % (cid, ent, sorted(on), sorted(got_prom)))
    for rid, ent in placement.items():
        if "role" not in ent:
            continue
        want = ent["node"]
        want = [] if want is None else ([want] if isinstance(want, str) else want)
        got = sorted(active.get(rid, {}))
        if sorted(want) != got:
            raise PcmkError("extraction mismatch for %s: revised status %s, saved CIB %s"
                            % (rid, want, got))


class Result:
    """One crm_simulate run: placement, scores and node usability."""

    def __init__(self):
        self.placement = {}
        self.scores = {}      # rsc -> {node: int}: pcmk__primitive_assign lines
        self.score_lines = {}  # rsc -> [text lines], every allocation line
        self.promotion = {}   # rsc -> {node: int}
        self.clones = {}      # clone_layout() of the input
        self.colocations = []  # _infinity_colocations() of the input
        self.usable = set()   # online, not standby, not in maintenance
        self.saved = None     # path of the saved CIB (in the work dir)


def simulate(path, workdir, timeout=60):
    """Run crm_simulate -S on path; returns a Result.  Raises PcmkError."""
    out_cib = os.path.join(workdir, os.path.basename(path) + ".out.xml")
    cmd = [CRM_SIMULATE, "-x", path, "-S", "-s", "--output-as=xml", "--save-output", out_cib]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise PcmkError("crm_simulate exit %d: %s" % (p.returncode, p.stderr.strip()[-500:]))
    try:
        root = ET.fromstring(p.stdout)
    except ET.ParseError as e:
        raise PcmkError("crm_simulate output is not XML: %s" % e)
    res = Result()
    res.saved = out_cib
    revised = root.find("revised_cluster_status")
    if revised is None:
        raise PcmkError("no revised_cluster_status in crm_simulate output")
    for n in revised.find("nodes"):
        if (n.get("online") == "true" and n.get("standby") == "false"
                and n.get("maintenance") == "false"):
            res.usable.add(n.get("name"))
    res.placement = placement_from_status_xml(revised.find("resources"))
    for rel in revised.find("resources").iter():
        if rel.tag == "resource" and (rel.get("failed") == "true" or rel.get("blocked") == "true"
                                      or rel.get("managed") == "false"):
            raise PcmkError("%s is failed/blocked/unmanaged after the transition" % rel.get("id"))
    alloc = root.find("allocations")
    for w in (alloc if alloc is not None else []):
        rid, node = w.get("id"), w.get("node")
        if w.tag == "node_weight":
            fn = w.get("function")
            res.score_lines.setdefault(rid, []).append(
                "%s: %s allocation score on %s: %s" % (fn, rid, node, w.get("score")))
            if fn == "pcmk__primitive_assign":
                res.scores.setdefault(rid, {})[node] = parse_score(w.get("score"))
        elif w.tag == "promotion_score":
            res.promotion.setdefault(rid, {})[node] = parse_score(w.get("score"))
            res.score_lines.setdefault(rid, []).append(
                "%s promotion score on %s: %s" % (rid, node, w.get("score")))
    inp = ET.parse(path).getroot()
    res.clones = clone_layout(inp)
    res.colocations = _infinity_colocations(inp)
    _check_consistent(res.placement, active_from_saved_cib(ET.parse(out_cib).getroot()),
                      res.clones)
    return res


def find_ties(res):
    """Resources whose best usable score (>= 0) is shared by two usable nodes,
    and promotable clones whose promotion decision rests on equal values.

    A clone instance's tie does not count when every tied node ends up holding
    clone-node-max instances of that clone: which instance went where is not
    compared, only the node sets.  For promotion, the promoted-max-th and the
    next instance must not share a value >= 0."""
    ties = []
    owner = {p: cid for cid, lay in res.clones.items() for p in lay["prims"]}
    for rid, sc in sorted(res.scores.items()):
        vals = [v for n, v in sc.items() if n in res.usable]
        if not vals:
            continue
        top = max(vals)
        if top < 0 or vals.count(top) < 2:
            continue
        cid = owner.get(base_id(rid))
        if cid is not None and cid in res.placement:
            tied = [n for n, v in sc.items() if n in res.usable and v == top]
            held = [n for v in res.placement[cid].values() for n in v]
            if all(held.count(n) >= res.clones[cid]["node_max"] for n in tied):
                continue
        ties.append("%s: %d usable nodes share the top score %d" % (rid, vals.count(top), top))
    for cid, lay in sorted(res.clones.items()):
        if not lay["promotable"]:
            continue
        vals = sorted((v for rid, sc in res.promotion.items()
                       if base_id(rid) in lay["prims"] for v in sc.values()), reverse=True)
        k = lay["promoted_max"]
        if 0 < k < len(vals) and vals[k] >= 0 and vals[k - 1] == vals[k]:
            ties.append("%s: promotion values %s tie at promoted-max %d" % (cid, vals, k))
    return ties


def _infinity_colocations(root):
    """(dependent, primary) ids of score=INFINITY colocations without roles
    between primitives or groups (a group stands for its members)."""
    kinds = {}
    for el in root.iter():
        if el.tag == "primitive":
            kinds[el.get("id")] = [el.get("id")]
        elif el.tag == "group":
            kinds[el.get("id")] = [p.get("id") for p in el.findall("primitive")]
    out = []
    for c in root.iter("rsc_colocation"):
        if (c.get("score") not in ("INFINITY", "+INFINITY") or c.get("rsc-role")
                or c.get("with-rsc-role") or c.get("node-attribute")):
            continue
        dep, prim = kinds.get(c.get("rsc")), kinds.get(c.get("with-rsc"))
        if dep and prim:
            out.append((c.get("id"), dep, prim))
    return out


def _nodes_of(placement, rid):
    ent = placement.get(rid, {})
    n = ent.get("node")
    return set() if n is None else {n} if isinstance(n, str) else set(n)


def find_defects(res):
    """Cases where crm_simulate's own result is not a usable oracle.

    Pacemaker 2.1.5 can assign two instances of a clone of a group to the same
    node although an anonymous clone runs at most one instance per node: each
    instance's pcmk__primitive_assign scores then have the same single best
    node (e.g. three instances all at 773 on n2, "Move r1:0 (n6 -> n2)", "Move
    r1:1 (n1 -> n2)", "Start r1:2 (n2)").  The end state silently merges them
    into one running copy, which no correct scheduler reproduces."""
    out = []
    # An INFINITY colocation broken by the end state: Pacemaker 2.1.5 still starts
    # r5 (with group g1, INFINITY) on the node g1 was given when g1's start is
    # blocked by a mandatory order whose first cannot run ("Start r5 (n1)",
    # g1 stopped); with primitives the same input makes crm_simulate report "An
    # invalid transition was produced".
    for cid, dep, prim in res.colocations:
        need = set.intersection(*[_nodes_of(res.placement, p) for p in prim])
        for d in dep:
            bad = _nodes_of(res.placement, d) - need
            if bad:
                out.append("%s: %s runs on %s without %s" % (cid, d, ", ".join(sorted(bad)),
                                                            "/".join(prim)))
    for cid, lay in sorted(res.clones.items()):
        if lay["node_max"] != 1:
            continue
        where = {}   # instance number -> node it was assigned to
        for rid, sc in res.scores.items():
            if base_id(rid) not in lay["prims"] or rid == base_id(rid):
                continue
            vals = {n: v for n, v in sc.items() if n in res.usable}
            if not vals:
                continue
            top = max(vals.values())
            best = [n for n, v in vals.items() if v == top]
            if top >= 0 and len(best) == 1:
                where[rid.rsplit(":", 1)[1]] = best[0]
        seen = {}
        for inst, node in sorted(where.items()):
            if node in seen:
                out.append("%s: instances %s and %s both assigned to %s"
                           % (cid, seen[node], inst, node))
            seen[node] = inst
    return out


# ---- perturbations -----------------------------------------------------------------

def _reverse_children(parent, tag):
    kids = [c for c in parent if c.tag == tag]
    if not kids:
        return
    first = list(parent).index(kids[0])
    for c in kids:
        parent.remove(c)
    for i, c in enumerate(reversed(kids)):
        parent.insert(first + i, c)


def perturb_nodes_reversed(root):
    _reverse_children(root.find("configuration/nodes"), "node")
    _reverse_children(root.find("status"), "node_state")
    return {}


def perturb_resources_reversed(root):
    res = root.find("configuration/resources")
    kids = list(res)
    for c in kids:
        res.remove(c)
    for c in reversed(kids):
        res.append(c)
    return {}


def perturb_constraints_reversed(root):
    cons = root.find("configuration/constraints")
    if cons is not None:
        kids = list(cons)
        for c in kids:
            cons.remove(c)
        for c in reversed(kids):
            cons.append(c)
    return {}


def perturb_names_reversed(root):
    """Rename nodes so that their byte order is reversed (strcmp tie-breaks flip).
    Returns new name -> old name."""
    names = sorted(n.get("uname") for n in root.iter("node"))
    k = len(names)
    ren = {old: "x%02d" % (k - i) for i, old in enumerate(names)}
    for el in root.iter():
        if el.tag in ("node", "node_state") and el.get("uname") in ren:
            el.set("uname", ren[el.get("uname")])
        elif el.tag == "rsc_location" and el.get("node") in ren:
            el.set("node", ren[el.get("node")])
        elif el.tag == "lrm_rsc_op" and el.get("on_node") in ren:
            el.set("on_node", ren[el.get("on_node")])
        elif (el.tag == "expression" and el.get("attribute") == "#uname"
              and el.get("value") in ren):
            el.set("value", ren[el.get("value")])
    return {v: k_ for k_, v in ren.items()}


PERTURBATIONS = (
    ("nodes-reversed", perturb_nodes_reversed),
    ("resources-reversed", perturb_resources_reversed),
    ("constraints-reversed", perturb_constraints_reversed),
    ("names-reversed", perturb_names_reversed),
)


def rename_placement(pl, back):
    """Map node names in a placement through `back` (new -> old)."""
    def m(v):
        if v is None:
            return None
        if isinstance(v, str):
            return back.get(v, v)
        return sorted(back.get(x, x) for x in v)
    out = {}
    for rid, ent in pl.items():
        out[rid] = {k: (m(v) if k != "role" else v) for k, v in ent.items()}
    return out


def check_case(xml_text, name="case", keep_dir=None):
    """Run crm_simulate on a case and its perturbations.

    Returns (verdict, detail, result): verdict "ok" (tie-free, usable as a
    test case), "tie" (placement depends on tie-breaking or CIB order),
    "unstable" (scheduling Pacemaker's end state again moves something),
    "defect" (crm_simulate breaks its own clone limits, see find_defects) or
    "error" (crm_simulate failed, ambiguous end state)."""
    tmp = keep_dir or tempfile.mkdtemp(prefix="hadiff-")
    try:
        path = os.path.join(tmp, name + ".xml")
        with open(path, "w") as f:
            f.write(xml_text)
        try:
            base = simulate(path, tmp)
        except (PcmkError, subprocess.TimeoutExpired) as e:
            return "error", str(e), None
        defects = find_defects(base)
        if defects:
            return "defect", "; ".join(defects), base
        ties = find_ties(base)
        if ties:
            return "tie", "; ".join(ties), base
        # The end state must be a fixpoint: scheduling it again changes nothing.
        try:
            again = simulate(base.saved, tmp)
        except (PcmkError, subprocess.TimeoutExpired) as e:
            return "error", "re-run: %s" % e, base
        if again.placement != base.placement:
            return "unstable", "placement not stable when scheduled again", base
        for pname, fn in PERTURBATIONS:
            root = ET.fromstring(xml_text)
            back = fn(root)
            ppath = os.path.join(tmp, "%s.%s.xml" % (name, pname))
            ET.ElementTree(root).write(ppath, encoding="unicode")
            try:
                pr = simulate(ppath, tmp)
            except (PcmkError, subprocess.TimeoutExpired) as e:
                return "error", "%s: %s" % (pname, e), base
            pl = rename_placement(pr.placement, back) if back else pr.placement
            if pl != base.placement:
                diff = sorted(k for k in set(pl) | set(base.placement)
                              if pl.get(k) != base.placement.get(k))
                return "tie", "%s changes placement of %s" % (pname, ", ".join(diff)), base
            if find_ties(pr):
                return "tie", "%s: %s" % (pname, "; ".join(find_ties(pr))), base
        return "ok", "", base
    finally:
        if keep_dir is None:
            shutil.rmtree(tmp, ignore_errors=True)
