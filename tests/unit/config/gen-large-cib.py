#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write a large Pacemaker-style CIB (configuration + full status) to stdout.

Used to measure the CIB parser's load time and peak memory (docs/configuration.md,
"Performance"): every primitive has instance/meta attributes and three operations;
every node has a probe result for every resource, plus start + monitor results for
the resources it runs, in the exact attribute layout crm_simulate writes.
"""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nodes", type=int, default=32)
    ap.add_argument("--resources", type=int, default=5000)
    a = ap.parse_args()
    w = sys.stdout.write
    fs = "3.16.1"
    w('<cib crm_feature_set="%s" validate-with="pacemaker-3.9" epoch="42" num_updates="7" '
      'admin_epoch="0" have-quorum="1" dc-uuid="1">\n' % fs)
    w('  <configuration>\n    <crm_config>\n'
      '      <cluster_property_set id="cib-bootstrap-options">\n'
      '        <nvpair id="opt-stonith-enabled" name="stonith-enabled" value="false"/>\n'
      '        <nvpair id="opt-cluster-name" name="cluster-name" value="big"/>\n'
      '      </cluster_property_set>\n    </crm_config>\n    <nodes>\n')
    for n in range(1, a.nodes + 1):
        w('      <node id="%d" uname="node%02d"/>\n' % (n, n))
    w('    </nodes>\n    <resources>\n')
    for r in range(a.resources):
        rid = "rsc%05d" % r
        w('      <primitive id="%s" class="ocf" provider="heartbeat" type="Dummy">\n'
          '        <instance_attributes id="%s-instance_attributes">\n'
          '          <nvpair id="%s-instance_attributes-state" name="state" value="/run/%s.state"/>\n'
          '        </instance_attributes>\n'
          '        <meta_attributes id="%s-meta_attributes">\n'
          '          <nvpair id="%s-meta_attributes-target-role" name="target-role" value="Started"/>\n'
          '        </meta_attributes>\n'
          '        <operations>\n'
          '          <op id="%s-monitor-interval-10s" name="monitor" interval="10s" timeout="20s"/>\n'
          '          <op id="%s-start-interval-0s" name="start" interval="0s" timeout="20s"/>\n'
          '          <op id="%s-stop-interval-0s" name="stop" interval="0s" timeout="20s"/>\n'
          '        </operations>\n'
          '      </primitive>\n' % ((rid,) * 9))
    w('    </resources>\n    <constraints>\n')
    for r in range(0, a.resources, 10):
        w('      <rsc_location id="loc-rsc%05d" rsc="rsc%05d" node="node%02d" score="100"/>\n'
          % (r, r, r % a.nodes + 1))
    w('    </constraints>\n    <rsc_defaults>\n      <meta_attributes id="rsc-options">\n'
      '        <nvpair id="rsc-options-resource-stickiness" name="resource-stickiness" value="1"/>\n'
      '      </meta_attributes>\n    </rsc_defaults>\n  </configuration>\n  <status>\n')
    uuid = "4b5e9ac1-0a7f-4a52-8c7c-1f2e3d4c5b6a"
    call = 10
    for n in range(1, a.nodes + 1):
        w('    <node_state id="%d" uname="node%02d" in_ccm="true" crmd="online" join="member" '
          'expected="member" crm-debug-origin="do_update_resource">\n' % (n, n))
        w('      <transient_attributes id="%d">\n        <instance_attributes id="status-%d">\n'
          '          <nvpair id="status-%d-pingd" name="pingd" value="100"/>\n'
          '        </instance_attributes>\n      </transient_attributes>\n' % (n, n, n))
        w('      <lrm id="%d">\n        <lrm_resources>\n' % n)
        for r in range(a.resources):
            rid = "rsc%05d" % r
            runs = (r % a.nodes) + 1 == n
            w('          <lrm_resource id="%s" class="ocf" provider="heartbeat" type="Dummy">\n' % rid)
            ops = [("last_0", "start" if runs else "monitor", 0, 0 if runs else 7)]
            if runs:
                ops.append(("monitor_10000", "monitor", 10000, 0))
            for i, (suffix, op, interval, rc) in enumerate(ops):
                call += 1
                key = "%d:%d:%d:%s" % (i + 3, n, rc, uuid)
                w('            <lrm_rsc_op id="%s_%s" operation_key="%s_%s_%d" operation="%s" '
                  'crm-debug-origin="do_update_resource" crm_feature_set="%s" '
                  'transition-key="%s" transition-magic="0:%d;%s" exit-reason="" '
                  'on_node="node%02d" call-id="%d" rc-code="%d" op-status="0" interval="%d" '
                  'last-rc-change="1700000000" exec-time="%d" queue-time="0" '
                  'op-digest="f2317cad3d54cec5d7d7aa7d0bf35cf8"/>\n'
                  % (rid, suffix, rid, op, interval, op, fs, key, rc, key, n, call, rc,
                     interval, 10 + r % 50))
            w('          </lrm_resource>\n')
        w('        </lrm_resources>\n      </lrm>\n    </node_state>\n')
    w('  </status>\n</cib>\n')


if __name__ == "__main__":
    main()
