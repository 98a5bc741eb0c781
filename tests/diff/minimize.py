#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shrink a disagreeing case before pinning it by hand.

  minimize.py CASE.xml --hactl H [--key RSC] [--out OUT.xml]

Greedily removes parts of the CIB (nodes with their status and constraints,
top-level resources with their constraints, history and attributes, single
constraints, rule expressions, meta and transient attributes except
"promotable", a resource's history on one node) as long as the case stays tie-free for crm_simulate
(pcmk.check_case, the same checks as generated cases) and hactl still
disagrees about RSC (default: the first disagreeing resource).  Cluster
options are never touched.  The result is a starting point: pinned cases are
then written by hand with a comment stating the rule.
"""

import argparse
import copy
import json
import os
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pcmk  # noqa: E402
from run import run_hactl  # noqa: E402

MAX_ROUNDS = 20


def _parent_map(root):
    return {c: p for p in root.iter() for c in p}


def _ids_under(el):
    return {e.get("id") for e in el.iter() if e.tag in ("primitive", "group", "clone", "master")}


def _remove_resource(root, el):
    """A top-level resource and everything that names it or its children."""
    ids = _ids_under(el)
    prims = {e.get("id") for e in el.iter("primitive")}
    root.find("configuration/resources").remove(el)
    cons = root.find("configuration/constraints")
    for c in list(cons if cons is not None else []):
        if {c.get("rsc"), c.get("with-rsc"), c.get("first"), c.get("then")} & ids:
            cons.remove(c)
    for lr in root.iter("lrm_resources"):
        for r in list(lr):
            if pcmk.base_id(r.get("id")) in prims:
                lr.remove(r)
    for ia in root.iter("instance_attributes"):
        for nv in list(ia):
            name = nv.get("name", "")
            if any(name == "master-" + p or name.startswith(("fail-count-%s#" % p,
                                                             "last-failure-%s#" % p))
                   for p in prims):
                ia.remove(nv)


def _remove_node(root, el):
    name = el.get("uname")
    root.find("configuration/nodes").remove(el)
    st = root.find("status")
    for ns in list(st):
        if ns.get("uname") == name:
            st.remove(ns)
    cons = root.find("configuration/constraints")
    for c in list(cons if cons is not None else []):
        if c.get("node") == name:
            cons.remove(c)


def candidates(root):
    """(description, function that applies the removal to a copy's root)."""
    out = []
    for i, n in enumerate(root.find("configuration/nodes")):
        out.append(("node %s" % n.get("uname"),
                    lambda r, i=i: _remove_node(r, list(r.find("configuration/nodes"))[i])))
    for i, rs in enumerate(root.find("configuration/resources")):
        out.append(("resource %s" % rs.get("id"),
                    lambda r, i=i: _remove_resource(r, list(r.find("configuration/resources"))[i])))
    cons = root.find("configuration/constraints")
    for i, c in enumerate(cons if cons is not None else []):
        out.append(("constraint %s" % c.get("id"),
                    lambda r, i=i: r.find("configuration/constraints").remove(
                        list(r.find("configuration/constraints"))[i])))
    # Smaller parts, addressed by position in document order.
    pm = _parent_map(root)
    flat = list(root.iter())
    for k, el in enumerate(flat):
        par = pm.get(el)
        if par is None:
            continue
        if el.tag == "expression" and len(par.findall("expression")) > 1:
            what = "expression %s" % el.get("id")
        elif el.tag == "nvpair" and par.tag in ("meta_attributes", "instance_attributes") \
                and pm.get(par) is not None and pm[par].tag != "cluster_property_set" \
                and el.get("name") != "promotable":
            what = "attribute %s=%s" % (el.get("name"), el.get("value"))
        elif el.tag == "lrm_resource":
            what = "history of %s on %s" % (el.get("id"), pm[pm[pm[par]]].get("uname"))
        elif el.tag in ("primitive",) and par.tag == "group" and len(par.findall("primitive")) > 1:
            what = "group member %s" % el.get("id")
        else:
            continue

        def rm(r, k=k):
            f = list(r.iter())
            m = _parent_map(r)
            m[f[k]].remove(f[k])
        out.append((what, rm))
    return out


def disagrees(xml_text, hactl, key, tmp):
    verdict, detail, res = pcmk.check_case(xml_text, "min")
    if verdict != "ok":
        return False, verdict
    path = os.path.join(tmp, "min.xml")
    with open(path, "w") as f:
        f.write(xml_text)
    got, err = run_hactl(hactl, path)
    if err:
        return False, "hactl error"
    if key is None:
        return got != res.placement, "differs" if got != res.placement else "agrees"
    return got.get(key) != res.placement.get(key), "key"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case")
    ap.add_argument("--hactl", required=True)
    ap.add_argument("--key")
    ap.add_argument("--out")
    args = ap.parse_args()
    with open(args.case) as f:
        text = f.read()
    with tempfile.TemporaryDirectory(prefix="hadiff-min-") as tmp:
        ok, why = disagrees(text, args.hactl, args.key, tmp)
        if not ok:
            print("the case does not disagree (%s)" % why)
            return 1
        root = ET.fromstring(text)
        if args.key is None:
            res = pcmk.simulate(os.path.join(tmp, "min.xml"), tmp)
            got, _ = run_hactl(args.hactl, os.path.join(tmp, "min.xml"))
            args.key = sorted(k for k in set(got) | set(res.placement)
                              if got.get(k) != res.placement.get(k))[0]
        print("minimizing for %s" % args.key)
        for _ in range(MAX_ROUNDS):
            changed = False
            for what, fn in reversed(candidates(root)):
                trial = copy.deepcopy(root)
                try:
                    fn(trial)
                except (IndexError, KeyError, ValueError, AttributeError):
                    continue
                if args.key not in {e.get("id") for e in trial.iter()}:
                    continue
                ok, _ = disagrees(ET.tostring(trial, encoding="unicode"), args.hactl,
                                  args.key, tmp)
                if ok:
                    # Candidates are visited from the end of the document, so a
                    # removal shifts only positions already visited this round.
                    print("  removed %s" % what, flush=True)
                    root = trial
                    changed = True
            if not changed:
                break
        out = ET.tostring(root, encoding="unicode")
        path = args.out or args.case[:-4] + ".min.xml"
        with open(path, "w") as f:
            f.write(out + "\n")
        res = pcmk.simulate(path, tmp)
        got, _ = run_hactl(args.hactl, path)
        print("wrote %s\n  pacemaker %s\n  hactl     %s" % (
            path, json.dumps(res.placement.get(args.key)), json.dumps(got.get(args.key))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
