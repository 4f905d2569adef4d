/* SPDX-License-Identifier: BSD-3-Clause */
#include "entry_json.h"

#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "names.h"

static json_t *
ip_json(const struct fp_ip *ip)
{
	char buf[FP_ADDR_IP_STR];

	return json_string(fp_addr_ip_str(ip, buf));
}

static json_t *
mac_json(const uint8_t *m)
{
	char buf[FP_ADDR_MAC_STR];

	return json_string(fp_addr_mac_str(m, buf));
}

/* An IPv4 (len 4) or IPv6 (len 16) address of a slow path entry. */
static json_t *
raw_ip_json(const uint8_t *b, uint32_t len)
{
	struct fp_ip ip;

	fp_addr_ip_set_bytes(&ip, b, len);
	return ip_json(&ip);
}

/* The first n of max addresses b[len] as a JSON array. */
static json_t *
ip_list_json(const uint8_t *b, uint32_t len, uint32_t n, uint32_t max)
{
	json_t *a = json_array();
	uint32_t i;

	for (i = 0; i < n && i < max; i++)
		json_array_append_new(a, raw_ip_json(b + i * len, len));
	return a;
}

static json_t *
dhcp_json(const struct fp_dhcp_key *k, const struct fp_dhcp_val *v)
{
	json_t *routes = json_array();
	uint32_t i;

	for (i = 0; i < v->n_routes && i < FP_DHCP_ROUTE_MAX; i++)
		json_array_append_new(routes, json_pack("{s:o,s:i,s:o}", "dst",
							raw_ip_json(v->routes[i].dst, 4), "plen",
							v->routes[i].plen, "gw",
							raw_ip_json(v->routes[i].gw, 4)));
	return json_pack("{s:I,s:o,s:o,s:i,s:o,s:o,s:I,s:i,s:o,s:o}", "port_id",
			 (json_int_t)k->port_id, "mac", mac_json(v->mac), "addr",
			 raw_ip_json(v->addr, 4), "plen", v->plen, "server",
			 raw_ip_json(v->server, 4), "router", raw_ip_json(v->router, 4), "lease",
			 (json_int_t)v->lease, "mtu", v->mtu, "dns",
			 ip_list_json(v->dns[0], 4, v->n_dns, FP_DHCP_DNS_MAX), "routes", routes);
}

static json_t *
ra_json(const struct fp_ra_key *k, const struct fp_ra_val *v)
{
	json_t *pfx = json_array();
	uint32_t i;

	for (i = 0; i < v->n_prefixes && i < FP_RA_PREFIX_MAX; i++) {
		const struct fp_ra_prefix *p = &v->prefixes[i];

		json_array_append_new(pfx,
				      json_pack("{s:o,s:i,s:i,s:I,s:I}", "prefix",
						raw_ip_json(p->prefix, 16), "plen", p->plen,
						"flags", p->flags, "valid", (json_int_t)p->valid,
						"preferred", (json_int_t)p->preferred));
	}
	return json_pack("{s:I,s:o,s:o,s:i,s:i,s:i,s:i,s:i,s:I,s:o,s:o}", "vni", (json_int_t)k->vni,
			 "mac", mac_json(v->mac), "src", raw_ip_json(v->src, 16), "mtu", v->mtu,
			 "router_lifetime", v->router_lifetime, "flags", v->flags, "min_interval",
			 v->min_interval, "max_interval", v->max_interval, "dns_lifetime",
			 (json_int_t)v->dns_lifetime, "dns",
			 ip_list_json(v->dns[0], 16, v->n_dns, FP_RA_DNS_MAX), "prefixes", pfx);
}

static json_t *
dhcp6_json(const struct fp_dhcp6_key *k, const struct fp_dhcp6_val *v)
{
	return json_pack("{s:I,s:o,s:o,s:o,s:I,s:I,s:o}", "port_id", (json_int_t)k->port_id, "mac",
			 mac_json(v->mac), "server_mac", mac_json(v->server_mac), "addr",
			 raw_ip_json(v->addr, 16), "preferred", (json_int_t)v->preferred, "valid",
			 (json_int_t)v->valid, "dns",
			 ip_list_json(v->dns[0], 16, v->n_dns, FP_DHCP6_DNS_MAX));
}

json_t *
fp_entry_json_new(const struct fp_entry *e)
{
	switch (e->table) {
	case FP_TABLE_PORT: {
		const struct fp_port_key *k = e->key;
		const struct fp_port_val *v = e->val;
		json_t *addrs = json_array();
		uint32_t i;

		for (i = 0; i < v->n_addrs && i < FP_PORT_ADDR_MAX; i++)
			json_array_append_new(addrs, json_pack("{s:o,s:i,s:o}", "ip",
							       ip_json(&v->addrs[i].ip), "plen",
							       v->addrs[i].plen, "mac",
							       mac_json(v->addrs[i].mac)));
		return json_pack("{s:I,s:I,s:I,s:i,s:o,s:b,s:b,s:I,s:o}", "port_id",
				 (json_int_t)k->port_id, "vni", (json_int_t)v->vni, "vrf",
				 (json_int_t)v->vrf, "mtu", v->mtu, "mac", mac_json(v->mac),
				 "antispoof", (v->flags & FP_PORT_F_ANTISPOOF) != 0, "sg",
				 (v->flags & FP_PORT_F_SG) != 0, "ruleset", (json_int_t)v->ruleset,
				 "addrs", addrs);
	}
	case FP_TABLE_VTEP: {
		const struct fp_vtep_key *k = e->key;
		const struct fp_vtep_val *v = e->val;

		return json_pack("{s:I,s:o,s:o,s:s,s:o,s:I}", "vtep_id", (json_int_t)k->vtep_id,
				 "remote", ip_json(&v->remote), "local", ip_json(&v->local),
				 "encap", FP_NAMES_GET(fp_names_encap, v->encap), "nh_mac",
				 mac_json(v->nh_mac), "underlay_port",
				 (json_int_t)v->underlay_port);
	}
	case FP_TABLE_FDB: {
		const struct fp_fdb_key *k = e->key;
		const struct fp_fdb_val *v = e->val;

		if (v->type == FP_DEST_PHYS)
			return json_pack("{s:I,s:o,s:s,s:I,s:i}", "vni", (json_int_t)k->vni, "mac",
					 mac_json(k->mac), "type",
					 FP_NAMES_GET(fp_names_dest, v->type), "id",
					 (json_int_t)v->id, "vlan", v->flags);
		return json_pack("{s:I,s:o,s:s,s:I}", "vni", (json_int_t)k->vni, "mac",
				 mac_json(k->mac), "type", FP_NAMES_GET(fp_names_dest, v->type),
				 "id", (json_int_t)v->id);
	}
	case FP_TABLE_FLOOD: {
		const struct fp_flood_key *k = e->key;
		const struct fp_flood_val *v = e->val;
		json_t *mem = json_array();
		uint32_t i;

		for (i = 0; i < v->n_members && i < FP_FLOOD_MEMBER_MAX; i++) {
			json_t *m = json_pack("{s:s,s:I}", "type",
					      FP_NAMES_GET(fp_names_dest, v->members[i].type), "id",
					      (json_int_t)v->members[i].id);

			if (v->members[i].type == FP_DEST_PHYS)
				json_object_set_new(m, "vlan", json_integer(v->members[i].vlan));
			json_array_append_new(mem, m);
		}
		return json_pack("{s:I,s:o}", "vni", (json_int_t)k->vni, "members", mem);
	}
	case FP_TABLE_NEIGH: {
		const struct fp_neigh_key *k = e->key;
		const struct fp_neigh_val *v = e->val;

		return json_pack("{s:I,s:o,s:o,s:I}", "vrf", (json_int_t)k->vrf, "ip",
				 ip_json(&k->ip), "mac", mac_json(v->mac), "vni",
				 (json_int_t)v->vni);
	}
	case FP_TABLE_RULESET: {
		const struct fp_ruleset_key *k = e->key;
		const struct fp_ruleset_val *v = e->val;

		return json_pack("{s:I,s:s,s:b,s:i}", "ruleset_id", (json_int_t)k->ruleset_id,
				 "dir", k->dir == FP_SG_DIR_EGRESS ? "egress" : "ingress",
				 "stateful", (v->flags & FP_RULESET_F_STATEFUL) != 0, "n_rules",
				 v->n_rules);
	}
	case FP_TABLE_ADDRSET: {
		const struct fp_addrset_key *k = e->key;

		return json_pack("{s:I,s:o,s:i}", "set_id", (json_int_t)k->set_id, "ip",
				 ip_json(&k->ip), "plen", k->plen);
	}
	case FP_TABLE_ROUTE: {
		const struct fp_route_key *k = e->key;
		const struct fp_route_val *v = e->val;

		return json_pack("{s:I,s:o,s:i,s:s,s:I,s:o,s:i,s:o,s:i}", "vrf", (json_int_t)k->vrf,
				 "ip", ip_json(&k->ip), "plen", k->plen, "type",
				 FP_NAMES_GET(fp_names_route_type, v->type), "vni",
				 (json_int_t)v->vni, "mac", mac_json(v->mac), "mtu", v->mtu, "addr",
				 ip_json(&v->addr), "flags", v->flags);
	}
	case FP_TABLE_NAT: {
		const struct fp_nat_key *k = e->key;
		const struct fp_nat_val *v = e->val;

		return json_pack("{s:s,s:I,s:o,s:o,s:I,s:o}", "dir",
				 k->dir == FP_NAT_SNAT ? "snat" : "dnat", "scope",
				 (json_int_t)k->scope, "ip", ip_json(&k->ip), "to", ip_json(&v->ip),
				 "to_scope", (json_int_t)v->scope, "mac", mac_json(v->mac));
	}
	case FP_TABLE_DHCP:
		return dhcp_json(e->key, e->val);
	case FP_TABLE_RA:
		return ra_json(e->key, e->val);
	case FP_TABLE_DHCP6:
		return dhcp6_json(e->key, e->val);
	case FP_TABLE_SEGMENT: {
		const struct fp_segment_key *k = e->key;
		const struct fp_segment_val *v = e->val;

		return json_pack("{s:I,s:i,s:I}", "port_id", (json_int_t)k->port_id, "vlan",
				 k->vlan, "vni", (json_int_t)v->vni);
	}
	default:
		return json_null();
	}
}
