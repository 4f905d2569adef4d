#!/usr/bin/env bash
# fp-control's Nova metadata proxy (doc/routing.md, "Metadata"), end to
# end but for the dataplane's half (not built yet): the lib.sh topology
# (fp-dpdk on two hypervisors, tenants A and B with the same addresses),
# hva's fp-control with fp_control.metadata listening on
# 169.254.169.254:80, and two namespaces joined to hva:
#
#   ns <P>mdvm  eth0 ── md0  ns <P>hva (fp-control)  nv0 ── eth0  ns <P>nova
#   169.254.1.0 (port 0: a1)   169.254.169.254/32         192.0.2.2:8775, a fake
#   169.254.1.1 (port 1: b1)   169.254.0.0/17 -> md0      Nova metadata API
#   169.254.1.63 (no port)                               (/usr/bin/python3)
#   10.9.9.9 (no link address)
#
# <P>mdvm stands for what the dataplane will hand the kernel: a VM's
# connection with its source replaced by its engine port's link address
# (lib/md_link.h).  The fake Nova checks X-Instance-ID, X-Tenant-ID,
# X-Forwarded-For and X-Instance-ID-Signature (HMAC-SHA256 of the shared
# secret) as Nova does and answers 403 when the signature is wrong.
# Checks:
#   - GET /v1/metadata: enabled, not delivered ("answering 503"); each
#     IPv4 subnet with a VM port on hva has a problem "metadata not
#     served"; a request gets 503 (not_delivered), Nova is not asked: the
#     source address alone proves nothing;
#   - then fp-control restarts with test_assume_delivered = true (a
#     config key for tests only) and the proxy serves:
#   - curl from port 0's link address gets a1's instance document (tenant
#     A), from port 1's b1's (tenant B: the same fixed IP 10.100.0.1);
#   - an unknown port's link address and a non-link address get 404;
#   - a client sending half a request does not hold up another, and is
#     closed (408) after request_ms; a request Nova does not answer gets
#     504 after timeout_ms while others are answered;
#   - the counters say so; 100 requests in a row from one port: the
#     burst (40) and what the rate refills answered, the rest 429, while
#     another port is served; a wrong shared secret gets 403 from Nova.
#
# TAP-style lines, "N passed, M failed"; exit 77 (skip) without root.
set -uo pipefail

FP_PREFIX=${FP_PREFIX:-fpm-}
. "$(dirname "$0")/lib.sh"

SECRET=metadata-secret-of-this-cloud
MD=169.254.169.254
NOVA=192.0.2.2
URL=http://$MD/openstack/latest/meta_data.json

fp_config_extra() {
	if [ "$1" = hva ]; then
		fp_control_config "$1" "metadata = { listen = \"$MD:80\";" \
			"nova_url = \"http://$NOVA:8775\"; shared_secret_file = \"$FP_TMP/md-secret\";" \
			"max_conns = 8; request_ms = 2000; timeout_ms = 3000; rate = 50; burst = 40; };"
	else
		fp_control_config "$1"
	fi
}

# The fake Nova: Nova's checks of a proxied request (nova/api/metadata/
# handler.py: the signature, else 403), then the instance's document.
nova_script() {
	cat <<'PY'
import hashlib, hmac, json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

secret = open(sys.argv[1]).read().strip().encode()
projects = {"vm-a1": "p-net-a", "vm-b1": "p-net-b"}

class H(BaseHTTPRequestHandler):
    def answer(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        iid = self.headers.get("X-Instance-ID", "")
        tid = self.headers.get("X-Tenant-ID", "")
        sig = self.headers.get("X-Instance-ID-Signature", "")
        xff = self.headers.get("X-Forwarded-For", "")
        want = hmac.new(secret, iid.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(sig, want) or projects.get(iid) != tid:
            return self.answer(403, {"error": "bad signature or tenant"})
        if self.path.startswith("/slow"):
            time.sleep(6)
        self.answer(200, {"uuid": iid, "project_id": tid, "xff": xff, "path": self.path})

    def log_message(self, fmt, *args):
        sys.stderr.write("nova: " + fmt % args + "\n")

ThreadingHTTPServer(("192.0.2.2", 8775), H).serve_forever()
PY
}

# md_topo: the two namespaces of the picture above, and the fake Nova.
md_topo() {
	local hv vm nv
	hv=$(fp_ns hva) vm=$(fp_ns mdvm) nv=$(fp_ns nova)
	ip netns add "$vm" && ip netns add "$nv" || return 1
	fp_ns_prepare "$vm" vm && fp_ns_prepare "$nv" vm || return 1
	ip link add eth0 netns "$vm" type veth peer name md0 netns "$hv" || return 1
	ip link add eth0 netns "$nv" type veth peer name nv0 netns "$hv" || return 1
	ip -n "$hv" addr add "$MD/32" dev md0 && ip -n "$hv" link set md0 up &&
		ip -n "$hv" route add 169.254.0.0/17 dev md0 &&
		ip -n "$hv" route add 10.9.9.9/32 dev md0 || return 1
	ip -n "$hv" addr add 192.0.2.1/24 dev nv0 && ip -n "$hv" link set nv0 up || return 1
	for a in 169.254.1.0 169.254.1.1 169.254.1.63; do
		ip -n "$vm" addr add "$a/17" dev eth0 || return 1
	done
	ip -n "$vm" addr add 10.9.9.9/32 dev eth0 && ip -n "$vm" link set eth0 up &&
		ip -n "$vm" route add "$MD/32" dev eth0 || return 1
	ip -n "$nv" addr add "$NOVA/24" dev eth0 && ip -n "$nv" link set eth0 up || return 1
	nova_script >"$FP_TMP/nova.py"
	ip netns exec "$nv" /usr/bin/python3 "$FP_TMP/nova.py" "$FP_TMP/md-secret" \
		>"$FP_TMP/nova.log" 2>&1 </dev/null &
	NOVA_PID=$!
	for _ in $(seq 50); do
		ip netns exec "$hv" bash -c "exec 3<>/dev/tcp/$NOVA/8775" 2>/dev/null && return 0
		sleep 0.1
	done
	FP_ERR="the fake Nova does not listen: $(cat "$FP_TMP/nova.log")"
	return 1
}

# md_get FROM [PATH]: curl from the address FROM in <P>mdvm; sets CODE and
# BODY (and MS, the time it took).
md_get() {
	local t0
	t0=$(date +%s%N)
	CODE=$(ip netns exec "$(fp_ns mdvm)" curl -s -o "$FP_TMP/md-answer" -w '%{http_code}' \
		--interface "$1" --max-time 15 "http://$MD${2:-/openstack/latest/meta_data.json}")
	MS=$((($(date +%s%N) - t0) / 1000000))
	BODY=$(cat "$FP_TMP/md-answer" 2>/dev/null)
}

# instance_is FROM INSTANCE PROJECT: FROM gets INSTANCE's document, with its
# project and fixed IP (X-Forwarded-For) as Nova saw them.
instance_is() {
	md_get "$1"
	if [ "$CODE" = 200 ] && [ "$(jq -r .uuid <<<"$BODY")" = "$2" ] &&
		[ "$(jq -r .project_id <<<"$BODY")" = "$3" ] &&
		[ "$(jq -r .xff <<<"$BODY")" = 10.100.0.1 ]; then
		return 0
	fi
	echo "# from $1: $CODE $BODY"
	return 1
}

status_is() { # FROM STATUS [PATH]
	md_get "$1" "${3:-}"
	[ "$CODE" = "$2" ] || { echo "# from $1: $CODE $BODY, want $2"; return 1; }
}

# slow_client: from port 0's address, half a request, then wait for the
# answer; writes "<status line> <ms>" to $FP_TMP/slow.
slow_client() {
	ip netns exec "$(fp_ns mdvm)" /usr/bin/python3 - "$FP_TMP/slow" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("169.254.1.0", 0))
s.connect(("169.254.169.254", 80))
s.sendall(b"GET /openstack/latest/meta_data.json HTTP/1.1\r\nHost: 169.2")
t0 = time.monotonic()
s.settimeout(15)
data = b""
try:
    while True:
        b = s.recv(4096)
        if not b:
            break
        data += b
except OSError:
    pass
line = data.split(b"\r\n")[0].decode(errors="replace")
open(sys.argv[1], "w").write("%s %d\n" % (line, (time.monotonic() - t0) * 1000))
PY
	SLOW_PID=$!
}

# burst FROM N: N requests in a row from FROM (one connection each, as
# cloud-init makes them); prints "<200s> <429s> <others> <ms>".
burst() {
	ip netns exec "$(fp_ns mdvm)" /usr/bin/python3 - "$1" "$2" <<'PY'
import http.client, sys, time
src, n = sys.argv[1], int(sys.argv[2])
count = {200: 0, 429: 0}
other = 0
t0 = time.monotonic()
for _ in range(n):
    c = http.client.HTTPConnection("169.254.169.254", 80, timeout=10,
                                   source_address=(src, 0))
    c.request("GET", "/openstack/latest/meta_data.json")
    st = c.getresponse().status
    if st in count:
        count[st] += 1
    else:
        other += 1
    c.close()
print(count[200], count[429], other, int((time.monotonic() - t0) * 1000))
PY
}

# in_range N200 LO HI TOTAL: LO <= N200 <= HI and TOTAL is 100.
in_range() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ] && [ "$4" = 100 ]; }

outcome() { jq -r ".outcomes.$1" <<<"$FP_BODY"; }
body_is() { jq -e "$1" <<<"$FP_BODY" >/dev/null; } # FILTER: true of the last answer

md_status_checks() {
	fp_api hva GET /v1/metadata
	check "GET /v1/metadata: enabled, not delivered, says so" \
		body_is ".enabled == true and .delivered == false and .listen == \"$MD:80\" and
			(.state | contains(\"answering 503\")) and
			.nova_url == \"http://$NOVA:8775\""
	fp_api hvb GET /v1/metadata
	check "hvb (no metadata group): off" body_is '.enabled == false'
	fp_api hva GET "/v1/tables?entries=0"
	check "hva: net-a-v4 and net-b-v4 carry \"metadata not served\"" \
		[ "$(jq -c '[.problems[] | select(.collection == "subnets" and
			(.reason | startswith("metadata not served on hva"))) | .id]' \
			<<<"$FP_BODY")" = '["net-a-v4","net-b-v4"]' ]
	check "hva: IPv6 subnets do not" \
		[ "$(jq '[.problems[] | select(.id | endswith("-v6"))] | length' <<<"$FP_BODY")" = 0 ]
}

# slow_answered: the half request got 408 after request_ms (2 s).
slow_answered() {
	local line ms
	line=$(cat "$FP_TMP/slow")
	ms=${line##* }
	[[ $line == "HTTP/1.1 408 "* ]] && [ "$ms" -ge 1500 ] && [ "$ms" -lt 5000 ]
}

# nova_held_answered: the request Nova held got 504 after timeout_ms (3 s).
nova_held_answered() {
	local code t
	read -r code t <"$FP_TMP/slownova"
	[ "$code" = 504 ] && [ "${t%%.*}" -ge 2 ] && [ "${t%%.*}" -lt 6 ]
}

main() {
	fp_init_or_exit
	fp_need_tools curl jq
	FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
	fp_need_built "$FP_CONTROL"
	fp_install_traps
	printf '%s\n' "$SECRET" >"$FP_TMP/md-secret"
	chmod 600 "$FP_TMP/md-secret"
	if ! fp_topo_create || ! fp_start_all || ! md_topo; then
		not_ok "topology: $FP_ERR"
		finish
	fi
	fp_control_start_all
	ok "fp-dpdk and fp-control up; hva's proxy on $MD:80, a fake Nova on $NOVA:8775"
	check "hva logged the proxy and that the dataplane does not deliver" \
		grep -q "metadata: proxy on $MD:80 to Nova $NOVA:8775 (proxy listening, answering 503" \
		"$(fp_ctrl_log hva)"
	check "snapshot accepted by both" fp_api_all PUT /v1/snapshot "$(fp_neutron_snapshot)"
	fp_check_in_sync_all
	md_status_checks
	check "not delivered: port 0's link address gets 503" status_is 169.254.1.0 503
	fp_api hva GET /v1/metadata
	check "counted as not_delivered" [ "$(outcome not_delivered)" = 1 ]
	check "the fake Nova was not asked" \
		bash -c "[ \$(grep -c 'GET /openstack' '$FP_TMP/nova.log' || true) = 0 ]"

	# From here on, as if the engine delivered (tests only).
	fp_control_stop hva
	sed -i "s|max_conns = 8;|max_conns = 8; test_assume_delivered = true;|" "$FP_TMP/hva.conf"
	if ! fp_control_start hva || ! fp_wait_in_sync hva; then
		not_ok "fp-control restarted with test_assume_delivered: $FP_ERR"
		finish
	fi
	fp_api hva GET /v1/metadata
	check "test_assume_delivered: delivered, serving; per-port limits shown (4, 4)" \
		body_is '.delivered == true and (.state | startswith("serving")) and
			.limits.max_conns_per_port == 4 and .limits.max_pending_per_port == 4'

	check "port 0's link address (a1, tenant A) gets a1's instance" \
		instance_is 169.254.1.0 vm-a1 p-net-a
	check "port 1's link address (b1, tenant B, same fixed IP) gets b1's instance" \
		instance_is 169.254.1.1 vm-b1 p-net-b
	check "the link address of a port without a Neutron port: 404" status_is 169.254.1.63 404
	check "an address that is no link address: 404" status_is 10.9.9.9 404
	check "the fake Nova saw no request of those two" \
		bash -c "[ \$(grep -c 'GET /openstack' '$FP_TMP/nova.log') = 2 ]"

	# Limits: a slow client, and a request Nova holds, do not hold up others.
	slow_client
	ip netns exec "$(fp_ns mdvm)" curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
		--interface 169.254.1.1 --max-time 15 "http://$MD/slow/" >"$FP_TMP/slownova" &
	SLOWNOVA=$!
	sleep 0.3
	check "while a client sends half a request and Nova holds another: answered" \
		instance_is 169.254.1.1 vm-b1 p-net-b
	check "... in under a second (${MS} ms)" [ "$MS" -lt 1000 ]
	wait "$SLOW_PID"
	check "the half request is answered 408 after request_ms (2 s): $(cat "$FP_TMP/slow")" \
		slow_answered
	wait "$SLOWNOVA"
	check "the request Nova holds: 504 after timeout_ms (3 s): $(cat "$FP_TMP/slownova")" \
		nova_held_answered
	fp_api hva GET /v1/metadata
	check "counters: ok 3, unknown_port 1, unknown_peer 1, upstream_timeout 1 ($(jq -c .outcomes <<<"$FP_BODY"))" \
		[ "$(outcome ok) $(outcome unknown_port) $(outcome unknown_peer) $(outcome upstream_timeout)" = "3 1 1 1" ]
	check "hva logged the requests it refused" \
		grep -q "metadata: request from 10.9.9.9 (port -, instance -): 404 unknown_peer" \
		"$(fp_ctrl_log hva)"

	# The per-port rate (burst 40, 50 a second): one port over it gets
	# 429, another is served as before.
	read -r n200 n429 nother ms <<<"$(burst 169.254.1.0 100)"
	check "100 requests in a row from port 0: 40..60 answered, the rest 429 ($n200, $n429, $nother others, $ms ms)" \
		in_range "$n200" 40 60 "$((n200 + n429))"
	check "meanwhile port 1 is served" instance_is 169.254.1.1 vm-b1 p-net-b
	fp_note "100 requests (a connection each; $n200 through to the fake Nova in Python) in $ms ms; load $(cut -d' ' -f1-3 /proc/loadavg)"

	# Another secret than Nova's: Nova refuses the signature.
	fp_control_stop hva
	printf '%s\n' "not-$SECRET" >"$FP_TMP/md-secret.new"
	chmod 600 "$FP_TMP/md-secret.new"
	sed -i "s|$FP_TMP/md-secret\"|$FP_TMP/md-secret.new\"|" "$FP_TMP/hva.conf"
	if fp_control_start hva && fp_wait_in_sync hva; then
		check "with another secret than Nova's: 403" status_is 169.254.1.0 403
		fp_api hva GET /v1/metadata
		check "counted as forbidden" [ "$(outcome forbidden)" = 1 ]
	else
		not_ok "fp-control restarted with another secret: $FP_ERR"
	fi
	kill "$NOVA_PID" 2>/dev/null
	finish
}

main "$@"
