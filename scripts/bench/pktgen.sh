# SPDX-License-Identifier: GPL-2.0
#
# The link's rate as the kernel sees it, for the benches: the sender's
# pktgen puts frames of one size on its eth0 as fast as the NIC takes them,
# and the receiver's own interface counters say how many arrived, over a
# window measured on the receiver's clock. No user space on the path and no
# window to tune: the floor under what any protocol over this link can
# reach (Documentation/offload-bench.rst, "Against the link measured from
# the kernel"). Sourced after
# selftests/lib/host.sh (on, on_bg, on_wait).

# pktgen_rate FROM TO TO_MAC SECS SIZE PAYLOAD: FROM sends frames of SIZE
# bytes (Ethernet header included, no FCS) to TO_MAC for SECS seconds after
# a second of warm-up. Prints one JSON object: frames and bytes per second
# received, and mb_per_s, the payload rate were each frame to carry PAYLOAD
# bytes (HEXO's data per frame at that size). Returns 1 if nothing arrived.
pktgen_rate() {
	local from=$1 to=$2 mac=$3 secs=$4 size=$5 payload=$6 pg=/proc/net/pktgen r
	on "$from" "modprobe pktgen && echo rem_device_all >$pg/kpktgend_0 &&
		echo add_device eth0 >$pg/kpktgend_0 && for c in 'count 0' 'pkt_size $size' \
		'dst_mac $mac' 'dst 10.255.255.254' 'udp_dst_min 9' 'udp_dst_max 9' 'delay 0' \
		'clone_skb 0'; do echo \"\$c\" >$pg/eth0 || exit 1; done" >/dev/null || return 1
	on_bg "$from" pktgen "echo start >$pg/pgctrl" >/dev/null
	r=$(on "$to" "sleep 1; set -- \$(cat /proc/uptime); t0=\$1
		p0=\$(cat /sys/class/net/eth0/statistics/rx_packets)
		b0=\$(cat /sys/class/net/eth0/statistics/rx_bytes); sleep $secs
		p1=\$(cat /sys/class/net/eth0/statistics/rx_packets)
		b1=\$(cat /sys/class/net/eth0/statistics/rx_bytes); set -- \$(cat /proc/uptime)
		echo \$t0 \$1 \$((p1 - p0)) \$((b1 - b0))")
	on "$from" "echo stop >$pg/pgctrl; echo rem_device_all >$pg/kpktgend_0" >/dev/null
	on_wait "$from" pktgen 30 >/dev/null
	on "$from" "rmmod pktgen" >/dev/null 2>&1
	python3 -c 'import json, sys
t0, t1, p, b = map(float, sys.argv[1].split())
size, payload = int(sys.argv[2]), int(sys.argv[3])
dt = t1 - t0
if p <= 0 or dt <= 0:
    sys.exit(1)
print(json.dumps({"frames_per_s": round(p / dt), "frame_mb_per_s": round(b / dt / 1e6, 2),
                  "mb_per_s": round(p * payload / dt / 1e6, 2), "size": size,
                  "payload": payload, "secs": round(dt, 2)}))' "$r" "$size" "$payload"
}
