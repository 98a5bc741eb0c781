#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential tests: libha's `hactl simulate` against Pacemaker's crm_simulate.

  run.py --check --hactl H [--corpus DIR] [--pcmk all|sample|none]
      ctest mode: compare hactl with every committed expectation, and (when
      crm_simulate is installed) confirm the expectations with crm_simulate.
  run.py --gen N --seed S --hactl H [--family F] [--keep DIR]
      generate N fresh cases, keep the tie-free ones, compare, print each
      disagreement with both JSONs and the crm_simulate score lines.
  run.py --make-corpus --per-family K --seed S [--corpus DIR] [--family F ...]
      (re)write the generated part of the committed corpus (001-799); with
      --family, only those families, numbered after the remaining ones.
  run.py --pin FILE [--name NAME]
      add a hand-minimized case to the corpus as 9NN-pinned (after the same
      tie-freedom checks; the expectation comes from crm_simulate).
  run.py --selftest
      check the Pacemaker placement extraction on hand-made cases.

Exit status: 0 all agree, 1 some disagreement or error, 2 usage error,
77 (--selftest only) crm_simulate is not installed.
"""

import argparse
import concurrent.futures as cf
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cibgen  # noqa: E402
import pcmk    # noqa: E402

CORPUS = os.path.join(HERE, "corpus")
SELFTEST = os.path.join(HERE, "selftest")
CASE_RE = re.compile(r"^(\d+)-([a-z]+)\.xml$")


def jdump(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ": "))


def run_hactl(hactl, path, timeout=60):
    """Returns (resources dict or None, error text)."""
    cmd = [hactl, "simulate", "--xml-file", path, "--output", "json"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "hactl timed out after %d s" % timeout
    if p.returncode not in (0, 1):
        return None, "hactl exit %d: %s" % (p.returncode, (p.stderr or p.stdout).strip()[-800:])
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        return None, "hactl exit %d, output is not JSON (%s): %s" % (
            p.returncode, e, p.stdout.strip()[:300])
    if not isinstance(doc, dict) or not isinstance(doc.get("resources"), dict):
        return None, "hactl JSON has no \"resources\" object"
    return doc["resources"], None


def hactl_score_lines(hactl, path, rids):
    try:
        p = subprocess.run([hactl, "simulate", "--xml-file", path, "--scores"],
                           capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return ["(hactl --scores timed out)"]
    pat = re.compile(r"(^|[^\w-])(%s)([^\w-]|$)" % "|".join(re.escape(r) for r in rids))
    lines = [ln for ln in p.stdout.splitlines() if pat.search(ln)]
    return lines or ["(no hactl --scores line names %s; exit %d)" % (", ".join(rids), p.returncode)]


def diff_keys(want, got):
    return sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))


def report_disagreement(out, name, path, want, got, hactl, pcmk_lines):
    keys = diff_keys(want, got)
    # A clone's scores are its instances' ("r1:0") and its primitives' lines.
    clones = pcmk.clone_layout(ET.parse(path).getroot())
    prims = [p for k in keys if k in clones for p in clones[k]["prims"]]
    out.append("DISAGREE %s (%s)" % (name, path))
    for k in keys:
        out.append("  %-10s pacemaker %s" % (k, jdump(want.get(k, "(absent)"))))
        out.append("  %-10s hactl     %s" % ("", jdump(got.get(k, "(absent)"))))
    out.append("  pacemaker resources: %s" % jdump(want))
    out.append("  hactl resources:     %s" % jdump(got))
    for k in keys:
        for ln in pcmk_lines.get(k, []):
            out.append("  crm_simulate: " + ln)
    for rid in sorted(pcmk_lines):
        if rid not in keys and pcmk.base_id(rid) in prims:
            for ln in pcmk_lines[rid]:
                out.append("  crm_simulate: " + ln)
    for ln in hactl_score_lines(hactl, path, keys + prims):
        out.append("  hactl --scores: " + ln)
    for k in keys[:3]:
        try:
            p = subprocess.run([hactl, "simulate", "--xml-file", path, "--explain", k],
                               capture_output=True, text=True, timeout=60)
            text = (p.stdout or p.stderr).rstrip()
        except subprocess.TimeoutExpired:
            text = "(timed out)"
        for ln in text.splitlines()[:40]:
            out.append("  hactl --explain %s: %s" % (k, ln))


# ---- ctest mode -----------------------------------------------------------------------

def check_one(args, path, tmp):
    """Returns (family, hactl_ok, pcmk_state, messages)."""
    name = os.path.basename(path)[:-4]
    fam = CASE_RE.match(os.path.basename(path)).group(2)
    with open(path[:-4] + ".expected.json") as f:
        want = json.load(f)["resources"]
    msgs = []
    pstate, plines = "skipped", {}
    if args.pcmk_run(name):
        try:
            res = pcmk.simulate(path, tmp)
            plines = res.score_lines
            if res.placement == want:
                pstate = "confirmed"
            else:
                pstate = "stale"
                msgs.append("STALE %s: crm_simulate now says %s" % (name, jdump(res.placement)))
                for k in diff_keys(want, res.placement):
                    msgs.append("  %s: stored %s, crm_simulate %s" % (
                        k, jdump(want.get(k)), jdump(res.placement.get(k))))
        except (pcmk.PcmkError, subprocess.TimeoutExpired) as e:
            pstate = "stale"
            msgs.append("STALE %s: crm_simulate failed: %s" % (name, e))
    got, err = run_hactl(args.hactl, path)
    if err:
        msgs.append("ERROR %s (%s): %s" % (name, path, err))
        return fam, False, pstate, msgs
    if got != want:
        if not plines and pcmk.available():
            try:  # not in the re-checked sample: fetch the scores for the report
                plines = pcmk.simulate(path, tmp).score_lines
            except (pcmk.PcmkError, subprocess.TimeoutExpired) as e:
                plines = {k: ["(crm_simulate failed: %s)" % e] for k in diff_keys(want, got)}
        report_disagreement(msgs, name, path, want, got, args.hactl, plines)
        return fam, False, pstate, msgs
    return fam, True, pstate, msgs


def cmd_check(args):
    cases = sorted(p for p in glob.glob(os.path.join(args.corpus, "*.xml"))
                   if CASE_RE.match(os.path.basename(p)))
    if not cases:
        print("diff: no cases in %s" % args.corpus)
        return 1
    have_pcmk = pcmk.available() and args.pcmk != "none"
    if args.pcmk == "sample":
        step = max(1, len(cases) // max(1, args.sample))
        chosen = set(os.path.basename(p)[:-4] for p in cases[::step])
    else:
        chosen = None
    args.pcmk_run = lambda n: have_pcmk and (chosen is None or n in chosen)
    fam_tot, fam_ok, pst = {}, {}, {"confirmed": 0, "stale": 0, "skipped": 0}
    results = {}
    with tempfile.TemporaryDirectory(prefix="hadiff-") as tmp, \
            cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for path, (fam, ok, ps, msgs) in zip(cases, ex.map(lambda p: check_one(args, p, tmp), cases)):
            results[os.path.basename(path)[:-4]] = ok
            fam_tot[fam] = fam_tot.get(fam, 0) + 1
            fam_ok[fam] = fam_ok.get(fam, 0) + (1 if ok else 0)
            pst[ps] += 1
            for m in msgs:
                print(m)
    for fam in sorted(fam_tot, key=lambda f: (cibgen.FAMILIES + (f,)).index(f)):
        print("  %-10s %d/%d agree" % (fam, fam_ok[fam], fam_tot[fam]))
    if have_pcmk:
        print("pacemaker: %d/%d stored expectations confirmed by %s"
              % (pst["confirmed"], pst["confirmed"] + pst["stale"], pcmk.CRM_SIMULATE))
    else:
        print("pacemaker: expectations not re-checked (%s)" % (
            "--pcmk none" if args.pcmk == "none" else pcmk.CRM_SIMULATE + " not installed"))
    a, t = sum(fam_ok.values()), sum(fam_tot.values())
    print("diff: %d/%d agree (%.1f%%)" % (a, t, 100.0 * a / t))
    # Known divergences: cases libha does not match yet, each listed with its reason in
    # known-divergent.txt. They are still run and counted above (the agreement figure
    # includes them); they alone do not fail the check, but one that starts agreeing
    # does, so that the list stays true.
    known = load_known(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "known-divergent.txt"))
    failed = sorted(n for n, ok in results.items() if not ok)
    unexpected = [n for n in failed if n not in known]
    fixed = sorted(n for n in known if results.get(n))
    if known:
        print("known divergences: %d listed, %d still disagree%s" % (
            len(known), len([n for n in failed if n in known]),
            "" if not fixed else "; now agreeing (remove them from known-divergent.txt): "
            + " ".join(fixed)))
    return 0 if not unexpected and not fixed and pst["stale"] == 0 else 1


def load_known(path):
    known = set()
    try:
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    known.add(line.split()[0])
    except FileNotFoundError:
        pass
    return known


# ---- generation -----------------------------------------------------------------------

def candidates(families, seed):
    """Endless (family, seed) stream, families interleaved."""
    s = seed
    while True:
        for fam in families:
            yield fam, s
        s += 1


def vet(fam, seed):
    xml = cibgen.generate(fam, seed)
    verdict, detail, res = pcmk.check_case(xml, "%s-%d" % (fam, seed))
    return fam, seed, xml, verdict, detail, res


def cmd_gen(args):
    if not pcmk.available():
        print("%s is not installed" % pcmk.CRM_SIMULATE)
        return 2
    fams = tuple(args.family) if args.family else cibgen.FAMILIES
    stream = candidates(fams, args.seed)
    counts = {"ok": 0, "tie": 0, "unstable": 0, "defect": 0, "error": 0}
    agree = disagree = errors = 0
    out_dir = args.keep or tempfile.mkdtemp(prefix="hadiff-gen-")
    os.makedirs(out_dir, exist_ok=True)
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        batch = [next(stream) for _ in range(args.gen)]
        for fam, seed, xml, verdict, detail, res in ex.map(lambda c: vet(*c), batch):
            counts[verdict] += 1
            if verdict in ("error", "defect"):
                print("pacemaker %s %s/%d: %s" % (verdict, fam, seed, detail))
            if verdict != "ok":
                if args.verbose:
                    print("skip %s/%d: %s: %s" % (fam, seed, verdict, detail))
                continue
            path = os.path.join(out_dir, "%s-%d.xml" % (fam, seed))
            with open(path, "w") as f:
                f.write(xml)
            if not args.hactl:
                continue
            got, err = run_hactl(args.hactl, path)
            msgs = []
            if err:
                errors += 1
                msgs.append("ERROR %s/%d (%s): %s" % (fam, seed, path, err))
            elif got != res.placement:
                disagree += 1
                report_disagreement(msgs, "%s/%d" % (fam, seed), path, res.placement, got,
                                    args.hactl, res.score_lines)
            else:
                agree += 1
            for m in msgs:
                print(m)
    print("generated %d: %d tie-free, %d tie-dependent, %d unstable, %d Pacemaker defects, "
          "%d crm_simulate errors" % (args.gen, counts["ok"], counts["tie"], counts["unstable"],
                                      counts["defect"], counts["error"]))
    print("cases written to %s" % out_dir)
    if args.hactl:
        t = agree + disagree + errors
        print("diff: %d/%d agree (%.1f%%)%s" % (agree, t, 100.0 * agree / max(t, 1),
                                                ", %d hactl errors" % errors if errors else ""))
        return 0 if agree == t else 1
    return 0


def cmd_make_corpus(args):
    if not pcmk.available():
        print("%s is not installed" % pcmk.CRM_SIMULATE)
        return 2
    os.makedirs(args.corpus, exist_ok=True)
    # With --family only those families are (re)written, numbered after the
    # generated cases that stay; without it every generated case is rewritten.
    fams = tuple(args.family) if args.family else cibgen.FAMILIES
    num = 0
    for old in glob.glob(os.path.join(args.corpus, "*")):
        m = CASE_RE.match(os.path.basename(old).replace(".expected.json", ".xml"))
        if m and m.group(2) in fams:
            os.unlink(old)   # pinned cases (9NN-pinned) stay
        elif m and m.group(2) in cibgen.FAMILIES:
            num = max(num, int(m.group(1)))
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for fam in fams:
            got, seed, tried = [], args.seed, 0
            # Bounded: a family that yields under 10% tie-free cases is a generator bug.
            while len(got) < args.per_family and tried < args.per_family * 10:
                batch = [(fam, s) for s in range(seed, seed + args.jobs * 4)]
                seed += len(batch)
                tried += len(batch)
                for r in ex.map(lambda c: vet(*c), batch):
                    if r[3] == "ok" and len(got) < args.per_family:
                        got.append(r)
            if len(got) < args.per_family:
                print("family %s: only %d tie-free cases in %d tries" % (fam, len(got), tried))
                return 1
            for fam_, s, xml, _, _, res in got:
                num += 1
                base = os.path.join(args.corpus, "%03d-%s" % (num, fam_))
                with open(base + ".xml", "w") as f:
                    f.write(xml)
                with open(base + ".expected.json", "w") as f:
                    json.dump({"resources": res.placement}, f, sort_keys=True, indent=1)
                    f.write("\n")
            print("family %-10s %d cases (%d generated)" % (fam, len(got), tried))
    print("corpus: %d cases in %s" % (num, args.corpus))
    return 0


def cmd_pin(args):
    """Pinned cases: small hand-made CIBs for one rule each, found by analysing
    disagreements; held to the same tie-freedom checks as generated ones."""
    if not pcmk.available():
        print("%s is not installed" % pcmk.CRM_SIMULATE)
        return 2
    with open(args.pin) as f:
        xml = f.read()
    verdict, detail, res = pcmk.check_case(xml, "pin")
    if verdict != "ok":
        print("not pinned: %s: %s" % (verdict, detail))
        return 1
    nums = [int(CASE_RE.match(os.path.basename(p)).group(1))
            for p in glob.glob(os.path.join(args.corpus, "9*-pinned.xml"))]
    base = os.path.join(args.corpus, "%03d-pinned" % (max(nums, default=900) + 1))
    with open(base + ".xml", "w") as f:
        f.write(xml)
    with open(base + ".expected.json", "w") as f:
        json.dump({"resources": res.placement}, f, sort_keys=True, indent=1)
        f.write("\n")
    print("pinned %s.xml: %s" % (base, jdump(res.placement)))
    return 0


def cmd_selftest(args):
    """Hand-made CIBs with hand-derived placements (see each file's comment)."""
    if not pcmk.available():
        print("%s is not installed: extraction self-test skipped" % pcmk.CRM_SIMULATE)
        return 77
    bad = 0
    cases = sorted(glob.glob(os.path.join(SELFTEST, "*.xml")))
    with tempfile.TemporaryDirectory(prefix="hadiff-self-") as tmp:
        for path in cases:
            with open(path[:-4] + ".expected.json") as f:
                want = json.load(f)["resources"]
            try:
                got = pcmk.simulate(path, tmp).placement
            except pcmk.PcmkError as e:
                got = {"error": str(e)}
            ok = got == want
            bad += not ok
            print("%-4s %s" % ("ok" if ok else "FAIL", os.path.basename(path)))
            if not ok:
                print("  want %s\n  got  %s" % (jdump(want), jdump(got)))
        # The tie-freedom and oracle checks: each file's comment starts with the
        # expected verdict ("expect: tie. ...").
        verdicts = sorted(glob.glob(os.path.join(SELFTEST, "verdicts", "*.xml")))
        for path in verdicts:
            with open(path) as f:
                text = f.read()
            want = re.search(r"expect: (\w+)", text).group(1)
            got, detail, _ = pcmk.check_case(text, "v", keep_dir=tmp)
            ok = got == want
            bad += not ok
            print("%-4s verdicts/%s: %s%s" % ("ok" if ok else "FAIL", os.path.basename(path), got,
                                            "" if ok else " (want %s; %s)" % (want, detail)))
        cases += verdicts
        # The extractor must refuse an ambiguous end state rather than guess.
        amb = os.path.join(SELFTEST, "ambiguous", "failed-start-blocked.xml")
        try:
            pcmk.simulate(amb, tmp)
            print("FAIL ambiguous/failed-start-blocked.xml: accepted")
            bad += 1
        except pcmk.PcmkError as e:
            print("ok   ambiguous/failed-start-blocked.xml rejected (%s)" % e)
    print("selftest: %d/%d ok" % (len(cases) + 1 - bad, len(cases) + 1))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--gen", type=int, metavar="N")
    mode.add_argument("--make-corpus", action="store_true")
    mode.add_argument("--selftest", action="store_true")
    mode.add_argument("--pin", metavar="FILE")
    ap.add_argument("--hactl")
    ap.add_argument("--corpus", default=CORPUS)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--family", action="append", choices=cibgen.FAMILIES)
    ap.add_argument("--per-family", type=int, default=40)
    ap.add_argument("--pcmk", choices=("all", "sample", "none"), default="all")
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--keep", metavar="DIR")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.check:
        if not args.hactl:
            ap.error("--check needs --hactl")
        return cmd_check(args)
    if args.gen is not None:
        return cmd_gen(args)
    if args.make_corpus:
        return cmd_make_corpus(args)
    if args.pin:
        return cmd_pin(args)
    return cmd_selftest(args)


if __name__ == "__main__":
    sys.exit(main())
