#!/usr/bin/env bash
# The slow path on fp-dpdk (doc/routing.md "The slow path"), with real
# clients: the overlay of lib.sh (vxlan over IPv4), then on hva:
#   - without a dhcp entry, a1's udhcpc gets no answer and nothing is
#     punted (the DISCOVER goes its way as before);
#   - with `fpctl add dhcp` for a1's port, a1 (its address flushed) gets
#     10.100.0.1/24, router, DNS, MTU and lease from udhcpc (busybox's,
#     package udhcpc), the punt counter moves, and a1 pings a2 from the
#     leased address;
#   - with `fpctl add ra` for VNI 100, a router solicitation from a1
#     (scapy) is answered by an RA from the router's MAC with the prefix;
#     a1's kernel, soliciting on its own, configures its SLAAC address;
#   - with `fpctl add dhcp6`, a DHCPv6 Solicit (scapy) gets an Advertise
#     with the port's address;
#   - fpctl dump shows the entries.
#
# TAP-style "ok - ..."/"not ok - ..." lines, then "N passed, M failed".
# Exit 0 if all passed, 1 if not, 77 (skip) without root, namespaces,
# udhcpc or scapy.
set -uo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
RTR_MAC=02:00:00:ee:00:01
GW_A=10.100.0.254

fp_need_tools udhcpc
$PY -c 'import scapy' 2>/dev/null || {
	echo "# skip: no scapy for $PY"
	exit 77
}
fp_init_or_exit
fp_install_traps
echo "# fp-dpdk $FP_DPDK, fpctl $FP_FPCTL, run directory $FP_TMP"

if ! fp_topo_create || ! fp_start_all || ! fp_program_all vxlan 4; then
	not_ok "set up two hypervisors with vxlan over IPv4: $FP_ERR"
	finish
fi
ok "set up two hypervisors with vxlan over IPv4"

# udhcpc's script: the options it got into $FP_TMP/lease, the address on
# eth0 when bound.
cat >"$FP_TMP/udhcpc.sh" <<EOF
#!/bin/sh
case "\$1" in
bound|renew)
	env | grep -E '^(ip|subnet|router|dns|mtu|lease|serverid|staticroutes)=' | sort >"$FP_TMP/lease"
	ip addr add "\$ip/\$subnet" dev "\$interface"
	;;
esac
exit 0
EOF
chmod +x "$FP_TMP/udhcpc.sh"

# dhcp_client: one udhcpc run in a1 (3 DISCOVERs, 1 s apart), quitting
# after the lease or the tries.
dhcp_client() {
	rm -f "$FP_TMP/lease"
	fp_vm a1 timeout 20 udhcpc -i eth0 -f -q -n -t 3 -T 1 -A 1 -O mtu -O staticroutes \
		-s "$FP_TMP/udhcpc.sh" >"$FP_TMP/udhcpc.out" 2>&1
}

ip -n "$(fp_ns a1)" addr flush dev eth0 scope global
ip -n "$(fp_ns a1)" -6 addr add "${FP_VM_IP6[a1]}/64" dev eth0 nodad

# Without an entry: nothing answers, nothing is punted.
before=$(fp_stat hva punt)
if dhcp_client; then
	not_ok "without a dhcp entry, udhcpc gets no lease (it got one)"
else
	ok "without a dhcp entry, udhcpc gets no lease"
fi
after=$(fp_stat hva punt)
[ "$after" = "$before" ] && ok "and nothing is punted (punt $before -> $after)" ||
	not_ok "and nothing is punted (punt $before -> $after)"

A1=${FP_VM_PORT[a1]}
if fp_ctl_v hva add neigh 100 $GW_A mac $RTR_MAC vni 100 local-only on &&
	fp_ctl_v hva add dhcp "$A1" mac "${FP_MAC[a1]}" addr "${FP_VM_IP4[a1]}/24" server $GW_A \
		router $GW_A dns 10.100.0.53 lease 600 mtu 1450 route 172.16.0.0/12,$GW_A; then
	ok "fpctl add dhcp $A1 (a1's port): server $GW_A"
else
	not_ok "fpctl add dhcp: $FP_ERR"
fi
dump=$(fp_ctl hva dump dhcp 2>&1)
printf '%s\n' "$dump" | sed 's/^/#   /'
echo "$dump" | grep -q "^dhcp $A1 mac ${FP_MAC[a1]} addr ${FP_VM_IP4[a1]}/24 server $GW_A router $GW_A lease 600 mtu 1450 dns 10.100.0.53 route 172.16.0.0/12,$GW_A$" &&
	ok "fpctl dump dhcp shows it" || not_ok "fpctl dump dhcp shows it"

before=$(fp_stat hva punt)
t0=$(date +%s%N)
if dhcp_client; then
	ok "udhcpc in a1 gets a lease ($((($(date +%s%N) - t0) / 1000000)) ms)"
else
	not_ok "udhcpc in a1 gets a lease"
	sed 's/^/#   /' "$FP_TMP/udhcpc.out"
fi
after=$(fp_stat hva punt)
sed 's/^/#   /' "$FP_TMP/lease" 2>/dev/null
check "the lease: 10.100.0.1, /24, router $GW_A, DNS, MTU 1450, 600 s" \
	grep -qzE "dns=10.100.0.53.*ip=10.100.0.1.*lease=600.*mtu=1450.*router=$GW_A.*serverid=$GW_A.*staticroutes=.*172.16.0.0/12 $GW_A.*subnet=255.255.255.0" \
	"$FP_TMP/lease"
[ "$after" -ge $((before + 2)) ] 2>/dev/null &&
	ok "DISCOVER and REQUEST were punted (punt $before -> $after)" ||
	not_ok "DISCOVER and REQUEST were punted (punt $before -> $after)"
check "a1 pings a2 from its leased address" fp_vm_ping a1 "${FP_VM_IP4[a2]}" 2
out=$(fp_ctl hva trace in-port "$A1" eth "${FP_MAC[a1]}>ff:ff:ff:ff:ff:ff" \
	ipv4 "0.0.0.0>255.255.255.255" udp "68>67" 2>&1)
printf '%s\n' "$out" | sed 's/^/#   /'
echo "$out" | grep -q "dhcp: port $A1 has a dhcp entry: slow path" &&
	echo "$out" | grep -q "punted to the slow path" &&
	ok "fpctl trace: a DHCP broadcast from a1's port is punted to the slow path" ||
	not_ok "fpctl trace: a DHCP broadcast from a1's port is punted to the slow path"

# Router advertisements.
if fp_ctl_v hva add ra 100 mac $RTR_MAC mode slaac prefix fd00:100::/64 mtu 1450 \
	dns fd00:100::53 interval 30-100; then
	ok "fpctl add ra 100 (slaac, fd00:100::/64)"
else
	not_ok "fpctl add ra: $FP_ERR"
fi
fp_ctl hva dump ra 2>&1 | sed 's/^/#   /'
before=$(fp_stat hva punt)
out=$(fp_vm a1 $PY - "${FP_MAC[a1]}" <<'EOF' 2>&1
import sys
import time
from scapy.all import Ether, IPv6, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr, AsyncSniffer, sendp, conf
from scapy.layers.inet6 import ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, ICMPv6NDOptMTU
from scapy.utils6 import in6_mactoifaceid
conf.verb = 0
mac = sys.argv[1]
ll = "fe80::" + in6_mactoifaceid(mac)
rs = (Ether(src=mac, dst="33:33:00:00:00:02") / IPv6(src=ll, dst="ff02::2", hlim=255) /
      ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=mac))
sn = AsyncSniffer(iface="eth0", count=1, timeout=3, lfilter=lambda p: ICMPv6ND_RA in p)
sn.start()
time.sleep(0.3)
sendp(rs, iface="eth0")
sn.join()
ra = sn.results[0] if sn.results else None
if ra is None:
    print("no RA")
    sys.exit(1)
pi = ra[ICMPv6NDOptPrefixInfo]
print("RA from", ra[Ether].src, ra[IPv6].src, "to", ra[IPv6].dst, "prefix",
      "%s/%d" % (pi.prefix, pi.prefixlen), "A" if pi.A else "-", "mtu", ra[ICMPv6NDOptMTU].mtu,
      "lifetime", ra[ICMPv6ND_RA].routerlifetime)
EOF
)
printf '%s\n' "$out" | sed 's/^/#   /'
echo "$out" | grep -q "^RA from $RTR_MAC fe80::ff:feee:1 to fe80::ff:fea1:1 prefix fd00:100::/64 A mtu 1450 lifetime 300$" &&
	ok "a1's router solicitation is answered: RA from $RTR_MAC, prefix fd00:100::/64" ||
	not_ok "a1's router solicitation is answered: RA from $RTR_MAC, prefix fd00:100::/64"
after=$(fp_stat hva punt)
[ "$after" -gt "$before" ] 2>/dev/null && ok "the RS was punted (punt $before -> $after)" ||
	not_ok "the RS was punted (punt $before -> $after)"

# SLAAC: a1's kernel solicits when eth0 comes up and takes the prefix.
ip netns exec "$(fp_ns a1)" sysctl -qw net.ipv6.conf.eth0.accept_ra=1 \
	net.ipv6.conf.eth0.router_solicitations=3 net.ipv6.conf.eth0.router_solicitation_interval=1
ip -n "$(fp_ns a1)" link set eth0 down
ip -n "$(fp_ns a1)" link set eth0 up
slaac=""
for _ in $(seq 1 50); do
	slaac=$(ip -n "$(fp_ns a1)" -6 addr show dev eth0 | grep -o "fd00:100::ff:fea1:1/64")
	[ -n "$slaac" ] && break
	sleep 0.1
done
ip -n "$(fp_ns a1)" -6 addr show dev eth0 | sed 's/^/#   /'
[ -n "$slaac" ] && ok "a1's kernel configures its SLAAC address fd00:100::ff:fea1:1 from our RA" ||
	not_ok "a1's kernel configures its SLAAC address fd00:100::ff:fea1:1 from our RA"
ip -n "$(fp_ns a1)" -6 route show default | grep -q "via fe80::ff:feee:1" &&
	ok "and a default route via the router's link-local address" ||
	not_ok "and a default route via the router's link-local address"

# DHCPv6.
if fp_ctl_v hva add dhcp6 "$A1" mac "${FP_MAC[a1]}" server-mac $RTR_MAC addr fd00:100::1 \
	dns fd00:100::53; then
	ok "fpctl add dhcp6 $A1: fd00:100::1"
else
	not_ok "fpctl add dhcp6: $FP_ERR"
fi
out=$(fp_vm a1 $PY - "${FP_MAC[a1]}" <<'EOF' 2>&1
import sys
import time
from scapy.all import Ether, IPv6, UDP, AsyncSniffer, sendp, conf
from scapy.layers.dhcp6 import (DHCP6_Solicit, DHCP6_Advertise, DHCP6OptClientId,
                                DHCP6OptIA_NA, DHCP6OptIAAddress, DUID_LL)
from scapy.utils6 import in6_mactoifaceid
conf.verb = 0
mac = sys.argv[1]
ll = "fe80::" + in6_mactoifaceid(mac)
sol = (Ether(src=mac, dst="33:33:00:01:00:02") / IPv6(src=ll, dst="ff02::1:2") /
       UDP(sport=546, dport=547) / DHCP6_Solicit(trid=0x1234) /
       DHCP6OptClientId(duid=DUID_LL(lladdr=mac)) / DHCP6OptIA_NA(iaid=7))
sn = AsyncSniffer(iface="eth0", count=1, timeout=3, lfilter=lambda p: DHCP6_Advertise in p)
sn.start()
time.sleep(0.3)
sendp(sol, iface="eth0")
sn.join()
adv = sn.results[0] if sn.results else None
if adv is None:
    print("no Advertise")
    sys.exit(1)
print("Advertise from", adv[Ether].src, "trid", hex(adv[DHCP6_Advertise].trid), "addr",
      adv[DHCP6OptIAAddress].addr)
EOF
)
printf '%s\n' "$out" | sed 's/^/#   /'
echo "$out" | grep -q "^Advertise from $RTR_MAC trid 0x1234 addr fd00:100::1$" &&
	ok "a DHCPv6 Solicit from a1 gets an Advertise of fd00:100::1" ||
	not_ok "a DHCPv6 Solicit from a1 gets an Advertise of fd00:100::1"

# The slow path's counters.
out=$(fp_ctl hva show slowpath 2>&1)
printf '%s\n' "$out" | sed 's/^/#   /'
echo "$out" | grep -q " dhcp4 offer 1 ack 1 nak 0 " && echo "$out" | grep -q " dhcp6 advertise 1 " &&
	echo "$out" | grep -qE " ra advertise [1-9]" &&
	ok "fpctl show slowpath: dhcp4 offer 1 ack 1, dhcp6 advertise 1, ra advertise" ||
	not_ok "fpctl show slowpath: dhcp4 offer 1 ack 1, dhcp6 advertise 1, ra advertise"
fp_ctl hva --json show slowpath | jq -e '.queue == 1024 and .pps == 200 and .queued == 0 and
	.dhcp4.offer == 1 and .sent >= 4' >/dev/null &&
	ok "fpctl --json show slowpath: queue 1024, pps 200, nothing queued, answers sent" ||
	not_ok "fpctl --json show slowpath: queue 1024, pps 200, nothing queued, answers sent"

# The entries go: the DISCOVER goes its way again.
fp_ctl_v hva del dhcp "$A1" && fp_ctl_v hva del ra 100 && fp_ctl_v hva del dhcp6 "$A1" &&
	ok "fpctl del dhcp, ra, dhcp6" || not_ok "fpctl del dhcp, ra, dhcp6: $FP_ERR"
ip -n "$(fp_ns a1)" addr flush dev eth0 scope global
if dhcp_client; then
	not_ok "after del dhcp, udhcpc gets no lease (it got one)"
else
	ok "after del dhcp, udhcpc gets no lease"
fi
finish
