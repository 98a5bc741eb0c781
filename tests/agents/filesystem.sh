#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# ocf:ha:Filesystem on real mounts: an ext4 image file (loop), the same image as a
# block device and by label, tmpfs, a read-only bind mount. ocf-tester for each, then
# stop with processes holding the mount (cwd, open files, TERM ignored, mmap, a
# sub-mount), force_unmount=false failing rather than lying, monitor depths 0/10/20.

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
t_need_root

T=$(mktemp -d /tmp/ha-ra-fs.XXXXXX)
HOLDERS=
LOOP=

cleanup() {
	trap "" PIPE # output may go to a closed pipe: cleaning up comes first
	for _p in $HOLDERS; do kill -9 "$_p" 2>/dev/null; done
	# Unmount whatever is still mounted below $T, deepest first.
	for _i in 1 2 3; do
		_m=$(awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r)
		[ -z "$_m" ] && break
		for _x in $_m; do umount -l "$_x" 2>/dev/null; done
	done
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	for _l in $(losetup -j "$T/img" -O NAME -n 2>/dev/null); do losetup -d "$_l"; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE

truncate -s 48M "$T/img" && mkfs.ext4 -q -F -L "hara$$" "$T/img" || exit 1
mkdir -p "$T/mnt" "$T/tmp fs" "$T/src" "$T/run" && echo data >"$T/src/file" || exit 1
export HA_RSCTMP="$T/run" OCF_RESOURCE_INSTANCE=fs
mounted() { awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; }

t_log "ocf-tester"
ocf_tester fsimg Filesystem -o device="$T/img" -o directory="$T/mnt" -o fstype=ext4
# The kernel detaches an auto-clear loop device asynchronously after the unmount.
loop_free() { [ -z "$(losetup -j "$T/img")" ]; }
t_check "the image's loop device was released" wait_until 50 loop_free
ocf_tester fstmp Filesystem -o device=tmpfs -o directory="$T/tmp fs" -o fstype=tmpfs -o options=size=8m
ocf_tester fsbind Filesystem -o device="$T/src" -o directory="$T/mnt/" -o fstype=none -o options=bind,ro
LOOP=$(losetup -f --show "$T/img") || exit 1
ocf_tester fsblk Filesystem -o device="$LOOP" -o directory="$T/mnt" -o fstype=ext4 -o run_fsck=force
ocf_tester fslabel Filesystem -o device="-L hara$$" -o directory="$T/mnt" -o fstype=ext4
UUID=$(blkid -s UUID -o value "$LOOP")
ocf_tester fsuuid Filesystem -o device="-U $UUID" -o directory="$T/mnt" -o fstype=ext4
ocf_tester fsuuid2 Filesystem -o device="UUID=$UUID" -o directory="$T/mnt" -o fstype=ext4
losetup -d "$LOOP" && LOOP=

t_log "configuration"
IMG="OCF_RESKEY_device=$T/img OCF_RESKEY_directory=$T/mnt OCF_RESKEY_fstype=ext4"
expect 6 "device missing" Filesystem validate-all OCF_RESKEY_directory="$T/mnt" OCF_RESKEY_fstype=ext4
expect 6 "the root directory is refused" Filesystem validate-all OCF_RESKEY_device="$T/img" OCF_RESKEY_directory=/ OCF_RESKEY_fstype=ext4
expect 6 "relative directory" Filesystem validate-all OCF_RESKEY_device="$T/img" OCF_RESKEY_directory=mnt OCF_RESKEY_fstype=ext4
expect 6 "bad run_fsck" Filesystem validate-all $IMG OCF_RESKEY_run_fsck=sometimes
expect 6 "ext4 as a clone" Filesystem start $IMG OCF_RESKEY_CRM_meta_clone_max=2
expect_reason "not cluster-aware"
expect 5 "block device that does not exist here" Filesystem start OCF_RESKEY_device=/dev/nonexistent-ha OCF_RESKEY_directory="$T/mnt" OCF_RESKEY_fstype=ext4
expect 7 "probe of it" Filesystem monitor OCF_RESKEY_device=/dev/nonexistent-ha OCF_RESKEY_directory="$T/mnt" OCF_RESKEY_fstype=ext4
expect 6 "unknown monitor depth" Filesystem monitor $IMG OCF_CHECK_LEVEL=30

t_log "monitor depths"
# shellcheck disable=SC2086 # IMG is a list of assignments
expect 0 "start" Filesystem start $IMG
t_check "mounted" mounted "$T/mnt"
for _l in 0 10 20; do
	# shellcheck disable=SC2086
	expect 0 "monitor depth $_l" Filesystem monitor $IMG OCF_CHECK_LEVEL=$_l
done
t_check "depth 20 wrote a hidden status file" [ -s "$T/mnt/.Filesystem_status/fs_$(cat /proc/sys/kernel/hostname)" ]
mount -o remount,ro "$T/mnt"
# shellcheck disable=SC2086
expect 0 "depth 10 on a read-only mount" Filesystem monitor $IMG OCF_CHECK_LEVEL=10
# shellcheck disable=SC2086
expect 1 "depth 20 on a read-only mount fails" Filesystem monitor $IMG OCF_CHECK_LEVEL=20
expect_reason "cannot write"
mount -o remount,rw "$T/mnt"

t_log "stop with holders"
# A working directory, a file open for writing, a process that ignores TERM, a
# memory-mapped file (the mapping outlives the descriptor), and a sub-mount.
(cd "$T/mnt" && exec sleep 600) &
HOLDERS="$HOLDERS $!"
sh -c "exec 3>'$T/mnt/open'; exec sleep 600" &
HOLDERS="$HOLDERS $!"
sh -c "trap '' TERM; exec 3<'$T/mnt/lost+found'; sleep 600" &
HOLDERS="$HOLDERS $!"
head -c 65536 /dev/zero >"$T/mnt/mapped"
python3 -c "
import mmap, os, time
fd = os.open('$T/mnt/mapped', os.O_RDONLY)
m = mmap.mmap(fd, 0, prot=mmap.PROT_READ)
os.close(fd)
time.sleep(600)" &
HOLDERS="$HOLDERS $!"
mkdir -p "$T/mnt/sub" && mount -t tmpfs -o size=1m hasub "$T/mnt/sub"
(cd "$T/mnt/sub" && exec sleep 600) &
HOLDERS="$HOLDERS $!"
# A process using the bind source outside the mount point must survive (path
# based, unlike fuser -m which would take the whole underlying file system).
(cd "$T/src" && exec sleep 600) &
BYSTANDER=$!
sleep 0.5
t0=$(now_ms)
# shellcheck disable=SC2086
expect 0 "stop (fast_stop, 10 s timeout)" Filesystem stop $IMG OCF_RESKEY_fast_stop=true OCF_RESKEY_CRM_meta_timeout=10000
t1=$(now_ms)
t_check "stop took $((t1 - t0)) ms (TERM, one second, then KILL)" [ $((t1 - t0)) -lt 8000 ]
t_check "not mounted" eval "! mounted '$T/mnt'"
t_check "sub-mount unmounted too" eval "! mounted '$T/mnt/sub'"
_left=
for _p in $HOLDERS; do alive "$_p" && _left="$_left $_p"; done
t_check "all holders gone (left:${_left:- none})" [ -z "$_left" ]
t_check "bystander outside the mount untouched" alive "$BYSTANDER"
kill "$BYSTANDER"
t_check "loop device released" wait_until 50 loop_free
# shellcheck disable=SC2086
expect 7 "monitor after stop" Filesystem monitor $IMG

t_log "force_unmount=false never reports a stop while mounted"
# shellcheck disable=SC2086
expect 0 "start" Filesystem start $IMG
(cd "$T/mnt" && exec sleep 600) &
H=$!
HOLDERS="$HOLDERS $H"
sleep 0.2
t0=$(now_ms)
# shellcheck disable=SC2086
expect 1 "stop with a holder and force_unmount=false" Filesystem stop $IMG OCF_RESKEY_force_unmount=false OCF_RESKEY_CRM_meta_timeout=5000
t1=$(now_ms)
expect_reason "cannot unmount"
t_check "it gave up within the timeout ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt 5000 ]
t_check "still mounted" mounted "$T/mnt"
t_check "holder not killed" alive "$H"
# shellcheck disable=SC2086
expect 0 "monitor says it is still running" Filesystem monitor $IMG
kill "$H"
wait "$H" 2>/dev/null
# shellcheck disable=SC2086
expect 0 "stop once the holder is gone" Filesystem stop $IMG OCF_RESKEY_force_unmount=false
t_check "unmounted" eval "! mounted '$T/mnt'"

t_log "tmpfs and bind"
TMPFS="OCF_RESKEY_device=tmpfs OCF_RESKEY_directory=$T/tmpfs2 OCF_RESKEY_fstype=tmpfs OCF_RESKEY_options=size=4m"
# shellcheck disable=SC2086
expect 0 "start tmpfs (creates the mount point)" Filesystem start $TMPFS
for _l in 0 10 20; do
	# shellcheck disable=SC2086
	expect 0 "tmpfs monitor depth $_l" Filesystem monitor $TMPFS OCF_CHECK_LEVEL=$_l
done
# shellcheck disable=SC2086
expect 0 "stop tmpfs" Filesystem stop $TMPFS
BIND="OCF_RESKEY_device=$T/src OCF_RESKEY_directory=$T/mnt OCF_RESKEY_fstype=none OCF_RESKEY_options=bind,ro"
# shellcheck disable=SC2086
expect 0 "start read-only bind" Filesystem start $BIND
t_check "bind shows the source" [ "$(cat "$T/mnt/file" 2>/dev/null)" = data ]
t_check "bind is read-only" sh -c "! touch '$T/mnt/x' 2>/dev/null"
# shellcheck disable=SC2086
expect 0 "stop bind" Filesystem stop $BIND
t_check "source untouched" [ -f "$T/src/file" ]

t_done
