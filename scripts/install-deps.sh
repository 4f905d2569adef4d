#!/usr/bin/env bash
# Install the Debian 12 packages that the build, the tests and the demo need.
# Idempotent: installs only what is missing, and runs apt-get update only
# then.  Needs root.  Prints nothing when everything is already there.
#
#   build:       meson ninja-build pkg-config gcc clang llvm clang-format
#                libdpdk-dev dpdk
#                libconfig-dev libcmocka-dev libbpf-dev libelf-dev zlib1g-dev
#                bpftool (or linux-tools on releases without it)
#                libjansson-dev libevent-dev libcurl4-openssl-dev
#                libssl-dev (libcrypto: the metadata proxy's HMAC-SHA256)
#                git (--version's git describe, the format check's file list)
#   install:     systemd (systemd-analyze verify of the units), groff-base
#                and bsdextrautils (groff, col: the man pages checked against
#                --help) - tests/install/test_install.sh
#   tests:       python3-scapy (packet cases), tshark (underlay captures),
#                iproute2 ethtool iputils-ping netcat-openbsd jq procps curl
#                (integration tests and demo in network namespaces), udhcpc
#                (busybox's DHCP client: tests/integration/test_dhcp.sh,
#                test_vm_boot.sh)
set -euo pipefail

packages=(
	meson ninja-build pkg-config gcc clang llvm clang-format
	libdpdk-dev dpdk libconfig-dev libcmocka-dev
	libbpf-dev libelf-dev zlib1g-dev
	libjansson-dev libevent-dev libcurl4-openssl-dev git
	libssl-dev
	systemd groff-base bsdextrautils
	python3-scapy tshark
	iproute2 ethtool iputils-ping netcat-openbsd jq procps curl
	udhcpc
)

export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: needs root (apt-get install)" >&2
	exit 1
fi

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

updated=0
apt_update() {
	if [ $updated -eq 0 ]; then
		echo "install-deps: apt-get update"
		apt-get update -qq
		updated=1
	fi
}

# bpftool is its own package on Debian 12; older releases ship it in
# linux-tools-<version> / linux-tools-common.  apt-cache's whole answer is
# read before it is matched: `apt-cache policy | grep -q` under pipefail
# fails with 141 (SIGPIPE) when grep stops reading early, which looked like
# "no candidate" and picked a package Debian 12 does not have.
# tests/install/test_install_deps.sh runs this against stub apt tools.
has_candidate() {
	local policy re='Candidate: [^(]'
	policy=$(apt-cache policy "$1" 2>/dev/null) || return 1
	[[ $policy =~ $re ]]
}
if installed bpftool || command -v bpftool >/dev/null 2>&1; then
	:
else
	has_candidate bpftool || apt_update
	if has_candidate bpftool; then
		packages+=(bpftool)
	elif has_candidate linux-tools-common; then
		packages+=(linux-tools-common)
		if has_candidate "linux-tools-$(uname -r)"; then
			packages+=("linux-tools-$(uname -r)")
		fi
	else
		echo "install-deps: no package provides bpftool here" \
			"(neither bpftool nor linux-tools-common has a candidate)" >&2
		exit 1
	fi
fi

missing=()
for p in "${packages[@]}"; do
	installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
# tshark asks whether non-root users may capture: answer no, never prompt.
if command -v debconf-set-selections >/dev/null 2>&1; then
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
		debconf-set-selections
fi
apt_update
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
