#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install every Debian 12 package libha builds, tests and demos with (as root).
# Idempotent: does nothing when everything is already installed.
set -eu
PKGS="cmake make gcc pkg-config libcorosync-common-dev libcpg-dev libquorum-dev libcmap-dev
libvotequorum-dev libqb-dev libxml2-dev libglib2.0-dev libcmocka-dev corosync iproute2
iputils-ping iputils-arping kmod psmisc libxml2-utils resource-agents pacemaker-cli-utils
pacemaker pacemaker-resource-agents mariadb-server mariadb-client e2fsprogs clang
libclang-rt-14-dev shellcheck gnuplot keepalived python3 dash time util-linux procps"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all packages installed"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing; run this as root to install them" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# Daemons from these packages must not start on install (no systemd here anyway).
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
