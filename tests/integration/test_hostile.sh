#!/usr/bin/env bash
# fp-control against a hostile local user (doc/control.md, "Limits"): one
# fp-control, no dataplane (changes are stored: 202), in a network
# namespace that has only lo:
#   - the TCP API listens there (127.0.0.1) and needs the token;
#   - the API socket is 0600; a second fp-control with the same config
#     exits naming the first one's pid, and the first keeps serving;
#   - %00 and bad escapes in an id, wrong methods, bad or oversized
#     lengths, chunked bodies, oversized heads: JSON errors, never HTML;
#     the token is checked before the body is read;
#   - 100 TCP connections: 64 held, the rest answered 503, and the Unix
#     API answers meanwhile; under a descriptor limit of 48 a TCP flood
#     neither spins nor floods the log, and the Unix API still answers;
#   - a body of tiny JSON values is refused before it is parsed; a GET
#     is answered while a 10k-port snapshot is processed (time printed);
#   - a full state_dir (a 64 KiB tmpfs) refuses the change (500) and
#     stores nothing.
# fp-dpdk's side (idle control clients, the refusal's reason) is in the
# unit test "ctl".
#
# TAP-style lines, then "N passed, M failed".  Exit 0 if all passed, 1 if
# not, 77 (skip) without root, namespaces, curl, jq or python3.
# Env: FP_BUILDDIR (default: <src>/build), FP_KEEP=1 keeps the run directory.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
FP_BUILDDIR=${FP_BUILDDIR:-$SRC/build}
FP_CONTROL=${FP_CONTROL:-$FP_BUILDDIR/control/fp-control}
NS=fph-hostile
TOKEN=flowplane-test-token-0123456789
PORT=9697
PY=/usr/bin/python3

PID=""
TMP=""
# shellcheck source=lib.sh
. "$SRC/tests/integration/lib.sh"	# TAP helpers: ok, not_ok, check, finish

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	mountpoint -q "$TMP/full" 2>/dev/null && umount "$TMP/full"
	ip netns del "$NS" 2>/dev/null
	if [ -n "$TMP" ] && [ -z "${FP_KEEP:-}" ]; then rm -rf "$TMP"; fi
}

# fp_finish_diag: what finish shows when a check failed.
fp_finish_diag() {
	if [ -f "$TMP/log" ]; then
		echo "# --- fp-control log (last 15 lines)"
		tail -n 15 "$TMP/log" | sed 's/^/#   /'
	fi
}

# config STATE_DIR: the config file's text.
config() {
	cat <<EOF
host = "hv1";
vtep = { addresses = [ "172.16.0.1" ]; };
control = { socket = "$TMP/dp.sock"; };
fp_control = {
	api_socket = "$TMP/api.sock";
	state_dir = "$1";
	api_tcp = "127.0.0.1:$PORT";
	api_token_file = "$TMP/token";
};
EOF
}

# start [ULIMIT]: fp-control in the namespace; waits for its socket.
start() {
	local i
	rm -f "$TMP/api.sock"
	: >"$TMP/log"
	(
		[ -n "${1:-}" ] && ulimit -n "$1"
		exec nsenter --net="/run/netns/$NS" "$FP_CONTROL" -c "$TMP/c.conf"
	) >>"$TMP/log" 2>&1 </dev/null &
	PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -S "$TMP/api.sock" ] && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

stop() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	PID=""
}

# raw WHERE BYTES...: send a raw request (printf format, Python escapes)
# to "unix" or "tcp"; prints the answer.
raw() {
	nsenter --net="/run/netns/$NS" "$PY" - "$TMP/api.sock" "$PORT" "$@" <<'EOF'
import socket, sys
path, port, where, data = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
data = data.encode().decode('unicode_escape').encode('latin-1')
if where == 'unix':
    s = socket.socket(socket.AF_UNIX); s.connect(path)
else:
    s = socket.create_connection(('127.0.0.1', port))
s.settimeout(5)
try:
    s.sendall(data)
except OSError:
    pass
out = b''
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
except OSError:
    pass
sys.stdout.write(out.decode('latin-1'))
EOF
}

# json_error ANSWER STATUS FIELD: the answer is that status with the
# documented JSON error naming FIELD.
json_error() {
	local head body
	head=$(head -n 1 <<<"$1")
	body=$(sed -n '/^\r$/,$p' <<<"$1" | tail -n +2)
	[[ $head == "HTTP/1.1 $2 "* ]] &&
		[ "$(jq -r .error.status <<<"$body" 2>/dev/null)" = "$2" ] &&
		[ "$(jq -r .error.field <<<"$body" 2>/dev/null)" = "$3" ] &&
		! grep -qi '<html' <<<"$1"
}

refused() { # WHAT WHERE REQUEST STATUS FIELD
	local a
	a=$(raw "$2" "$3")
	if json_error "$a" "$4" "$5"; then
		ok "$1: $4 JSON, field $5"
	else
		not_ok "$1: want $4 $5, got: $(head -c 300 <<<"$a" | tr '\r\n' '  ')"
	fi
}

unix_get() { # PATH: the status of a GET on the Unix socket (5 s at most)
	curl -s -m 5 -o /dev/null -w '%{http_code}' --unix-socket "$TMP/api.sock" "http://x$1"
}

# flood N HOLD: open N TCP connections; prints "held R refused S unix
# CODE MS" (the Unix API asked while they are open).
flood() {
	nsenter --net="/run/netns/$NS" "$PY" - "$TMP/api.sock" "$PORT" "$@" <<'EOF'
import socket, sys, time
path, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
conns = []
for i in range(n):
    try:
        conns.append(socket.create_connection(('127.0.0.1', port), timeout=2))
    except OSError:
        break
time.sleep(0.5)
held = refused = 0
for s in conns:
    s.setblocking(False)
    try:
        d = s.recv(4096)
        refused += b' 503 ' in d
    except BlockingIOError:
        held += 1
    except OSError:
        pass
t = time.time()
code = 'none'
try:
    u = socket.socket(socket.AF_UNIX); u.settimeout(5); u.connect(path)
    u.sendall(b'GET /v1/networks HTTP/1.1\r\nConnection: close\r\n\r\n')
    code = u.recv(4096).split(b' ')[1].decode()
except OSError as e:
    code = 'error'
print('held %d refused %d unix %s %d' % (held, refused, code, (time.time() - t) * 1000))
time.sleep(hold)
EOF
}

main() {
	local a out n ms rc bg held nref code
	[ "$(id -u)" = 0 ] || { echo "# needs root"; exit 77; }
	for c in ip nsenter curl jq mountpoint; do
		command -v "$c" >/dev/null || { echo "# $c is needed"; exit 77; }
	done
	[ -x "$PY" ] || { echo "# $PY is needed"; exit 77; }
	[ -x "$FP_CONTROL" ] || { echo "# fp-control not built under $FP_BUILDDIR"; exit 1; }
	TMP=$(mktemp -d /tmp/fp-hostile.XXXXXX)
	trap cleanup EXIT
	trap 'exit 1' INT TERM
	ip netns del "$NS" 2>/dev/null
	ip netns add "$NS" || { echo "# cannot create a network namespace"; exit 77; }
	ip -n "$NS" link set lo up
	printf '%s\n' "$TOKEN" >"$TMP/token"
	chmod 600 "$TMP/token"
	config "$TMP/state" >"$TMP/c.conf"

	# Listening in a namespace with only lo, the socket's mode, the lock.
	if ! start; then
		not_ok "fp-control starts in a namespace with only lo: $(tail -n 3 "$TMP/log")"
		finish
	fi
	ok "fp-control listens on 127.0.0.1 in a namespace with only lo"
	a=$(nsenter --net="/run/netns/$NS" curl -s -m 5 -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/state")
	check "the TCP API answers with the token ($a)" [ "$a" = 200 ]
	check "the API socket is mode 0600" [ "$(stat -c %a "$TMP/api.sock")" = 600 ]
	out=$(timeout 10 nsenter --net="/run/netns/$NS" "$FP_CONTROL" -c "$TMP/c.conf" 2>&1)
	rc=$?
	check "a second fp-control with the same config exits ($rc): $out" \
		grep -q "another fp-control (pid $PID)" <<<"$out"
	check "the first one keeps its socket and answers" [ "$(unix_get /v1/state)" = 200 ]

	# Ids, methods, lengths, heads: JSON errors, never HTML.
	refused "%00 in an id" unix 'GET /v1/networks/a%00b HTTP/1.1\r\nConnection: close\r\n\r\n' \
		400 path
	refused "a control character in an id" unix \
		'DELETE /v1/networks/a%0ab HTTP/1.1\r\nConnection: close\r\n\r\n' 400 path
	refused "a bad escape in an id" unix \
		'GET /v1/networks/a%zzb HTTP/1.1\r\nConnection: close\r\n\r\n' 400 path
	refused "POST" unix 'POST /v1/state HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}' 405 method
	refused "an unknown method" unix 'BREW /v1/state HTTP/1.1\r\n\r\n' 405 method
	refused "PATCH on a resource" unix 'PATCH /v1/networks/n1 HTTP/1.1\r\n\r\n' 405 method
	refused "a PUT on a collection" unix \
		'PUT /v1/networks HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}' 405 method
	refused "Content-Length: abc" unix 'PUT /v1/snapshot HTTP/1.1\r\nContent-Length: abc\r\n\r\n' \
		400 Content-Length
	refused "two Content-Lengths" unix \
		'PUT /v1/snapshot HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}' \
		400 Content-Length
	refused "a chunked body" unix \
		'PUT /v1/snapshot HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n' \
		411 Content-Length
	refused "a body over max_body, before it is sent" unix \
		'PUT /v1/snapshot HTTP/1.1\r\nContent-Length: 17000000\r\n\r\n' 413 body
	refused "a 9 KiB header" unix \
		"GET /v1/state HTTP/1.1\\r\\nX-Big: $(head -c 9216 /dev/zero | tr '\0' a)\\r\\n\\r\\n" \
		431 headers
	refused "TCP without a token, before the body is read" tcp \
		'PUT /v1/snapshot HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n' 401 Authorization
	refused "TCP with a wrong token" tcp \
		'GET /v1/state HTTP/1.1\r\nAuthorization: Bearer nope-nope-nope-nope\r\n\r\n' 401 \
		Authorization
	a=$(printf '{"networks": [%s{}]}' "$(head -c 300000 /dev/zero | sed 's/\x0/{},/g')")
	a=$(curl -s -m 10 --unix-socket "$TMP/api.sock" -X PUT --data-binary @- \
		http://x/v1/snapshot <<<"$a")
	check "a body of tiny JSON values is refused before it is parsed (413)" \
		[ "$(jq -r .error.status <<<"$a")" = 413 ]

	# Connection limits.
	out=$(flood 100 0)
	read -r _ held _ nref _ code ms <<<"$out"
	check "100 TCP connections: $held held, $nref answered 503" \
		[ "$held" = 64 -a "$nref" = 36 ]
	check "the Unix API answers meanwhile ($code in $ms ms)" [ "$code" = 200 ]
	check "the log stays short ($(wc -c <"$TMP/log") bytes)" [ "$(wc -c <"$TMP/log")" -lt 4096 ]
	stop
	start 48 || { not_ok "fp-control starts with a descriptor limit of 48"; finish; }
	flood 200 3 >"$TMP/flood" &
	bg=$!
	sleep 2
	n=$(ps -o pcpu= -p "$PID" | cut -d. -f1)
	check "a TCP flood under a descriptor limit of 48: no spinning (${n}% CPU)" [ "${n:-0}" -lt 50 ]
	wait "$bg"
	read -r _ held _ nref _ code ms <"$TMP/flood"
	check "the Unix API answers meanwhile ($code in $ms ms; $held held, $nref refused)" \
		[ "$code" = 200 ]
	check "the log stays short ($(wc -c <"$TMP/log") bytes)" [ "$(wc -c <"$TMP/log")" -lt 4096 ]
	check "the Unix API answers after the flood" [ "$(unix_get /v1/state)" = 200 ]
	stop

	# A 10k-port snapshot: how long another client waits.
	start || { not_ok "fp-control restarts"; finish; }
	"$PY" - "$SRC/tests/fixtures/neutron/port.json" "$TMP/snap.json" <<'EOF'
import copy, json, sys
port = json.load(open(sys.argv[1]))['port']
ports = []
for i in range(10000):
    p = copy.deepcopy(port); n = i % 100
    p.update({'id': 'port-%d' % i, 'network_id': 'net-%d' % n, 'allowed_address_pairs': [],
              'mac_address': 'fa:16:3e:%02x:%02x:%02x' % (i >> 16 & 255, i >> 8 & 255, i & 255),
              'fixed_ips': [{'subnet_id': 'sub-%d' % n,
                             'ip_address': '10.%d.%d.%d' % (n, i // 100 // 250, i // 100 % 250 + 2)}],
              'binding:host_id': 'hv2', 'binding:profile': {}, 'security_groups': []})
    ports.append(p)
json.dump({'hosts': [{'id': 'hv2', 'vtep_addresses': ['172.16.0.2'],
                      'underlay_mac': '02:00:00:00:00:02'}],
           'networks': [{'id': 'net-%d' % n, 'provider:network_type': 'vxlan',
                         'provider:segmentation_id': 1000 + n} for n in range(100)],
           'subnets': [{'id': 'sub-%d' % n, 'network_id': 'net-%d' % n, 'ip_version': 4,
                        'cidr': '10.%d.0.0/16' % n} for n in range(100)],
           'ports': ports}, open(sys.argv[2], 'w'))
EOF
	curl -s -m 60 -o "$TMP/put" -w '%{http_code}' --unix-socket "$TMP/api.sock" -X PUT \
		--data-binary @"$TMP/snap.json" http://x/v1/snapshot >"$TMP/put_code" &
	bg=$!
	sleep 0.1
	ms=$(date +%s%N)
	a=$(unix_get /v1/hosts/hv2)
	ms=$((($(date +%s%N) - ms) / 1000000))
	wait "$bg"
	check "a 10k-port snapshot ($(stat -c %s "$TMP/snap.json") bytes) is taken: $(cat "$TMP/put_code")" \
		[ "$(cat "$TMP/put_code")" = 202 ]
	check "a GET during it is answered in $ms ms (requests are served one at a time)" \
		[ "$ms" -lt 5000 ]
	stop

	# A full state_dir: refused, nothing stored.
	mkdir -p "$TMP/full"
	if mount -t tmpfs -o size=64k fph-full "$TMP/full"; then
		config "$TMP/full" >"$TMP/c.conf"
		start || { not_ok "fp-control starts on a tiny state_dir"; finish; }
		a=$(curl -s -m 60 --unix-socket "$TMP/api.sock" -X PUT \
			--data-binary @"$TMP/snap.json" http://x/v1/snapshot)
		check "a full state_dir: 500 naming state_dir" \
			[ "$(jq -r .error.field <<<"$a")" = state_dir ]
		a=$(curl -s -m 5 --unix-socket "$TMP/api.sock" http://x/v1/hosts)
		check "a full state_dir: nothing was stored" [ "$(jq '.hosts | length' <<<"$a")" = 0 ]
		check "a full state_dir: no state file" [ ! -e "$TMP/full/state.json" ]
		stop
	else
		echo "# no tmpfs mount: full state_dir not tried"
	fi
	finish
}

main "$@"
