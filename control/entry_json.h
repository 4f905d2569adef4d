/* SPDX-License-Identifier: BSD-3-Clause */
/* One table entry as JSON: the shape GET /v1/tables shows installed and
 * drifted entries in, and fp-control's audit log prints.
 *
 * Addresses as text (lib/addr.h), names from the X-macro tables
 * (lib/names.h); fields in a fixed order, so the text of an entry is
 * stable.
 *
 * Concurrency: none (pure functions).
 */
#ifndef FP_CONTROL_ENTRY_JSON_H
#define FP_CONTROL_ENTRY_JSON_H

#include <jansson.h>

#include "entries.h"

/**
 * An entry as a JSON object: port {"port_id", "vni", "vrf", "mtu", "mac",
 * "antispoof", "addrs": [{"ip", "plen", "mac"}]}, vtep {"vtep_id",
 * "remote", "local", "encap", "nh_mac", "underlay_port"}, fdb {"vni",
 * "mac", "type", "id"}, flood {"vni", "members": [{"type", "id"}]}, neigh
 * {"vrf", "ip", "mac", "vni"}, ruleset, addrset, route, nat, dhcp
 * {"port_id", "mac", "addr", "plen", "server", "router", "lease", "mtu",
 * "dns": [...], "routes": [{"dst", "plen", "gw"}]}, ra {"vni", "mac",
 * "src", "mtu", "router_lifetime", "flags", "min_interval", "max_interval",
 * "dns_lifetime", "dns": [...], "prefixes": [{"prefix", "plen", "flags",
 * "valid", "preferred"}]}, dhcp6 {"port_id", "mac", "server_mac", "addr",
 * "preferred", "valid", "dns": [...]}.
 *
 * @param e the entry
 * @return a new reference; JSON null for an unknown table; NULL when out
 *	   of memory
 */
json_t *fp_entry_json_new(const struct fp_entry *e);

#endif /* FP_CONTROL_ENTRY_JSON_H */
