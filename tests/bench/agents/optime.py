#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Times agent operations side by side: each cycle runs the same action list with the
# heartbeat agent and with ours (alternating, so drift hits both), checks every exit
# code, and prints one line per action with both medians and the ratio.
"""usage: optime.py RUNS ACTIONS HEARTBEAT_AGENT HA_AGENT [LABEL]

ACTIONS is a comma-separated list such as start,monitor,stop; each action must
succeed (monitor: 0 or 8). The environment (OCF_RESKEY_*, OCF_CHECK_LEVEL) is the
caller's; OCF_ROOT is set for the heartbeat agent.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run(agent, action, env):
    # stderr to a file, not a pipe: the time ends when the agent exits, even if a
    # daemon it started still holds the descriptor (as an executor waits).
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter_ns()
        p = subprocess.run([agent, action], env=env, stdout=subprocess.DEVNULL,
                           stderr=err, check=False)
        ms = (time.perf_counter_ns() - t0) / 1e6
        ok = p.returncode in ((0, 8) if action == "monitor" else (0,))
        if not ok:
            err.seek(0)
            sys.exit(f"{agent} {action}: rc {p.returncode}: {err.read().decode(errors='replace')}")
    return ms


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    actions = sys.argv[2].split(",")
    agents = {"heartbeat": sys.argv[3], "ha": sys.argv[4]}
    label = sys.argv[5] if len(sys.argv) > 5 else os.path.basename(sys.argv[4])
    env = dict(os.environ)
    env.setdefault("OCF_ROOT", "/usr/lib/ocf")
    times = {(a, k): [] for a in actions for k in agents}
    for _ in range(runs):
        for kind, agent in agents.items():
            for action in actions:
                times[(action, kind)].append(run(agent, action, env))
    for action in actions:
        hb = statistics.median(times[(action, "heartbeat")])
        ha = statistics.median(times[(action, "ha")])
        print(f"| {label} | {action} | {runs} | {hb:.1f} | {ha:.1f} | {hb / ha:.1f}x |",
              flush=True)


if __name__ == "__main__":
    main()
