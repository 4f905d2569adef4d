/* SPDX-License-Identifier: BSD-3-Clause */
/* The desired state fp-control holds: Neutron resources in Neutron's v2.0
 * JSON shapes, validated and parsed, plus the hosts Neutron does not model.
 *
 * Resources come in as jansson objects (the body of a PUT, or one element
 * of a snapshot's list).  fp_model_put() validates one against its schema
 * and against the model (references), and stores both the parsed struct
 * (for the compiler) and the JSON object as it came (for GET /v1/state and
 * the state file: what goes in comes back out).
 *
 * Invariants:
 *   - Every stored resource passed validation; a call that fails changes
 *     nothing and fills struct fp_model_err (HTTP status, field, reason).
 *   - A stored resource is never changed in place: a PUT replaces it.
 *     fp_model_clone() is therefore cheap (it shares the records, which
 *     are reference counted) and the API works on a clone, swapping it in
 *     only when the dataplane took the compiled result.
 *   - References checked on PUT (a port's or subnet's network, a fixed
 *     IP's subnet, a floating IP's network and port) must exist at that
 *     moment; the others (a router port's router, a router's gateway
 *     network and subnets, a floating IP's router) are fp_model_check()'s
 *     to report, as Neutron may send them in any order.  A
 *     DELETE is never refused because of references: Neutron may send
 *     deletes in any order, so a network may be deleted while ports still
 *     name it; the compiler skips (and reports) such orphans.
 *   - An update whose revision_number is lower than the stored one is
 *     ignored (fp_model_put() returns 1).  Equal or higher replaces.
 *
 * Concurrency: none; one thread (the event loop) owns a model.
 */
#ifndef FP_CONTROL_MODEL_H
#define FP_CONTROL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <flowplane/tables.h>

#define FP_MODEL_ID_SIZE 64	      /* resource ids (UUIDs are 36), NUL included */
#define FP_MODEL_LONG_ID_SIZE 256     /* device_id, project_id (Neutron: 255 characters) */
#define FP_MODEL_FIXED_IP_MAX 16      /* fixed_ips of one port */
#define FP_MODEL_PAIR_MAX 16	      /* allowed_address_pairs of one port */
#define FP_MODEL_SG_MAX 16	      /* security_groups of one port */
#define FP_MODEL_HOST_ADDR_MAX 4      /* VTEP addresses of one host */
#define FP_MODEL_ROUTE_MAX 64	      /* routes of one router */
#define FP_MODEL_RULE_MAX 256	      /* rules of one security group */
#define FP_MODEL_OWNER_SIZE 64	      /* device_owner, NUL included */
#define FP_MODEL_AGROUP_ADDR_MAX 1024 /* addresses of one address group */
#define FP_MODEL_PHYSNET_SIZE 65      /* provider:physical_network (Neutron: 64), NUL included */
#define FP_MODEL_BRIDGE_MAX 16	      /* bridge_mappings of one host */
#define FP_MODEL_HOST_ROUTE_MAX 32    /* host_routes of one subnet (Neutron's default: 20) */
#define FP_MODEL_DNS_MAX 8	      /* dns_nameservers of one subnet (Neutron's default: 5) */
#define FP_MODEL_EXT_IP_MAX 8	      /* external_fixed_ips of one router */

/* Collections: FP_MODEL_<ID>, URL/snapshot name (plural), body key
 * (singular).
 */
#define FP_FOREACH_MODEL_COLL(_)                               \
	_(NETWORK, "networks", "network")                      \
	_(SUBNET, "subnets", "subnet")                         \
	_(PORT, "ports", "port")                               \
	_(ROUTER, "routers", "router")                         \
	_(FLOATINGIP, "floatingips", "floatingip")             \
	_(SECURITY_GROUP, "security_groups", "security_group") \
	_(HOST, "hosts", "host")                               \
	_(ADDRESS_GROUP, "address_groups", "address_group")

#define FP_MODEL_ENUM(id, plural, singular) FP_MODEL_##id,
enum fp_model_coll { FP_FOREACH_MODEL_COLL(FP_MODEL_ENUM) FP_MODEL_COLL_MAX };
#undef FP_MODEL_ENUM

extern const char *const fp_model_coll_names[FP_MODEL_COLL_MAX];    /* "networks" ... */
extern const char *const fp_model_coll_singular[FP_MODEL_COLL_MAX]; /* "network" ... */

/** Collection by its plural name; -1 if unknown. */
int fp_model_coll_find(const char *plural);

/* Why a request was refused. */
struct fp_model_err {
	int status; /* HTTP status: 400 shape, 404 unknown reference, 409 conflict, 422 value */
	char field[128];  /* the field, as a path: "port.fixed_ips[1].subnet_id" */
	char reason[256]; /* what is wrong with it */
};

/* Neutron's network types (provider:network_type): FP_MODEL_NET_<ID>,
 * the name; SEGMENTS is a network of several segments (Neutron's
 * multi-provider extension: "segments" instead of provider:*).  vxlan and
 * geneve are carried; the others are stored and reported as problems by
 * the compiler (doc/control.md).
 */
#define FP_FOREACH_MODEL_NET_TYPE(_) \
	_(VXLAN, "vxlan")            \
	_(GENEVE, "geneve")          \
	_(VLAN, "vlan")              \
	_(FLAT, "flat")              \
	_(GRE, "gre")                \
	_(LOCAL, "local")            \
	_(SEGMENTS, "segments")

#define FP_MODEL_NET_ENUM(id, name) FP_MODEL_NET_##id,
enum fp_model_net_type { FP_FOREACH_MODEL_NET_TYPE(FP_MODEL_NET_ENUM) FP_MODEL_NET_TYPE_MAX };
#undef FP_MODEL_NET_ENUM

extern const char *const fp_model_net_type_names[FP_MODEL_NET_TYPE_MAX]; /* "vxlan" ... */

/* network: provider:network_type one of Neutron's (any other is refused),
 * or, without it, "segments": 1..16 objects (kept as they came: a network
 * of several segments is not carried):
 *   vxlan, geneve: provider:segmentation_id 1..16777215 (the VNI), no
 *	physical network;
 *   vlan: provider:physical_network and provider:segmentation_id 1..4094;
 *   flat: provider:physical_network, no segmentation id;
 *   gre: provider:segmentation_id 1..4294967295, no physical network;
 *   local: neither.
 * "Required" and "no" as Neutron's ML2 type drivers have them (a missing
 * one is 400, one given where Neutron prohibits it 422).  A physical
 * network name has 1..64 characters, printable, none of space , : / \
 * " % ? #.  mtu 68..9000 (default 1450), port_security_enabled (default
 * true), admin_state_up (default true), router:external (default false).
 */
struct fp_model_network {
	char id[FP_MODEL_ID_SIZE];	     /* "id" */
	int64_t revision;		     /* "revision_number"; 0 when absent */
	uint32_t vni;			     /* vxlan, geneve: the segmentation id; else 0 */
	uint16_t encap;			     /* vxlan, geneve: FP_ENCAP_*; else FP_ENCAP_MAX */
	uint16_t mtu;			     /* "mtu" */
	uint8_t port_security;		     /* "port_security_enabled" */
	uint8_t admin_up;		     /* "admin_state_up" (default true) */
	uint8_t type;			     /* FP_MODEL_NET_* ("provider:network_type") */
	uint8_t external;		     /* "router:external" (default false) */
	uint32_t segmentation_id;	     /* "provider:segmentation_id"; 0: none */
	char physnet[FP_MODEL_PHYSNET_SIZE]; /* "provider:physical_network", or "" */
	uint8_t pad[7];			     /* zero */
};

/** Is the network an overlay (vxlan or geneve: vni and encap are set)? */
static inline int
fp_model_network_is_overlay(const struct fp_model_network *n)
{
	return n->type == FP_MODEL_NET_VXLAN || n->type == FP_MODEL_NET_GENEVE;
}

struct fp_model_route {
	struct fp_ip destination; /* "destination" prefix */
	struct fp_ip nexthop;	  /* "nexthop" */
	uint8_t plen;		  /* prefix length in IPv6 bits */
	uint8_t pad[7];		  /* zero */
};

/* ipv6_ra_mode and ipv6_address_mode: FP_MODEL_V6_<ID>, Neutron's name. */
#define FP_FOREACH_MODEL_V6_MODE(_)           \
	_(NONE, "")                           \
	_(SLAAC, "slaac")                     \
	_(DHCPV6_STATEFUL, "dhcpv6-stateful") \
	_(DHCPV6_STATELESS, "dhcpv6-stateless")

#define FP_MODEL_V6_ENUM(id, name) FP_MODEL_V6_##id,
enum fp_model_v6_mode { FP_FOREACH_MODEL_V6_MODE(FP_MODEL_V6_ENUM) FP_MODEL_V6_MODE_MAX };
#undef FP_MODEL_V6_ENUM

extern const char *const fp_model_v6_mode_names[FP_MODEL_V6_MODE_MAX]; /* "", "slaac" ... */

/* subnet: network_id (must exist), ip_version 4|6, cidr (host bits zero),
 * gateway_ip (absent or null: none; else inside cidr, and not its network
 * address nor, IPv4, its broadcast address unless /31 or /32, /127 or
 * /128), host_routes (up to FP_MODEL_HOST_ROUTE_MAX {destination,
 * nexthop} of the subnet's version, no duplicate), dns_nameservers (up to
 * FP_MODEL_DNS_MAX addresses, no duplicate), enable_dhcp (default true),
 * ipv6_ra_mode and ipv6_address_mode (null or slaac, dhcpv6-stateful,
 * dhcpv6-stateless), as Neutron allows them: IPv6 subnets only, only with
 * enable_dhcp, equal when both are set, slaac and dhcpv6-stateless (RA or
 * address mode) only on a /64.
 */
struct fp_model_subnet {
	char id[FP_MODEL_ID_SIZE];	   /* "id" */
	char network_id[FP_MODEL_ID_SIZE]; /* "network_id" */
	int64_t revision;		   /* "revision_number" */
	struct fp_ip cidr;		   /* "cidr" prefix, host bits zero */
	struct fp_ip gateway;		   /* "gateway_ip" when has_gateway */
	uint8_t plen;			   /* prefix length in IPv6 bits (v4 /24 is 120) */
	uint8_t ip_version;		   /* 4 or 6 */
	uint8_t has_gateway;		   /* gateway_ip given and not null */
	uint8_t enable_dhcp;		   /* "enable_dhcp" (default true) */
	uint8_t ra_mode;		   /* FP_MODEL_V6_* ("ipv6_ra_mode") */
	uint8_t addr_mode;		   /* FP_MODEL_V6_* ("ipv6_address_mode") */
	uint8_t pad[2];			   /* zero */
	uint32_t n_host_routes;		   /* valid host_routes */
	uint32_t n_dns;			   /* valid dns */
	struct fp_model_route host_routes[FP_MODEL_HOST_ROUTE_MAX]; /* "host_routes" */
	struct fp_ip dns[FP_MODEL_DNS_MAX];			    /* "dns_nameservers" */
};

struct fp_model_fixed_ip {
	struct fp_ip ip;		  /* "ip_address", inside the subnet */
	char subnet_id[FP_MODEL_ID_SIZE]; /* "subnet_id": a subnet of the port's network */
};

struct fp_model_pair {
	struct fp_ip ip; /* "ip_address": an address or a CIDR (host bits zero) */
	uint8_t plen;	 /* prefix length in IPv6 bits; 128 for one address */
	uint8_t has_mac; /* "mac_address" given (else the port's MAC) */
	uint8_t mac[6];	 /* "mac_address" */
};

/* What a port is, from its device_owner: FP_MODEL_OWNER_<ID>, the
 * device_owner.  Anything not listed (compute:<zone>, "", an owner
 * flowplane does not know) is a VM port.
 */
#define FP_FOREACH_MODEL_OWNER(_)                                               \
	_(VM, "")                                                               \
	_(ROUTER_INTERFACE, "network:router_interface")                         \
	_(ROUTER_INTERFACE_DISTRIBUTED, "network:router_interface_distributed") \
	_(ROUTER_HA_INTERFACE, "network:ha_router_replicated_interface")        \
	_(ROUTER_GATEWAY, "network:router_gateway")                             \
	_(ROUTER_SNAT, "network:router_centralized_snat")                       \
	_(DHCP, "network:dhcp")                                                 \
	_(FLOATINGIP, "network:floatingip")

#define FP_MODEL_OWNER_ENUM(id, name) FP_MODEL_OWNER_##id,
enum fp_model_owner { FP_FOREACH_MODEL_OWNER(FP_MODEL_OWNER_ENUM) FP_MODEL_OWNER_MAX };
#undef FP_MODEL_OWNER_ENUM

extern const char *const fp_model_owner_names[FP_MODEL_OWNER_MAX]; /* device_owner values */

/* port: network_id (must exist), mac_address (unicast), fixed_ips,
 * allowed_address_pairs, security_groups, port_security_enabled (default:
 * the network's, taken when the port is put), admin_state_up, device_owner, binding:host_id ("" or
 * absent: unbound).  A port bound to this host names the fp-dpdk port that
 * is its VM interface in binding:profile: {"flowplane_port": "<name from
 * the fp-dpdk config>"}.  device_id: up to 255 characters (longer: 422); a router's
 * port (interface, gateway, SNAT: FP_MODEL_OWNER_ROUTER_*) must have one,
 * its router's id (which may not exist yet: the compiler reports that).
 * project_id, or tenant_id (Neutron sends both, equal: two that differ are
 * refused): up to 255 characters (the metadata proxy's X-Tenant-ID).
 */
struct fp_model_port {
	char id[FP_MODEL_ID_SIZE];		/* "id" */
	char network_id[FP_MODEL_ID_SIZE];	/* "network_id" */
	int64_t revision;			/* "revision_number" */
	char host[FP_NAME_SIZE];		/* "binding:host_id" */
	char dp_port[FP_NAME_SIZE];		/* binding:profile.flowplane_port */
	char device_owner[FP_MODEL_OWNER_SIZE]; /* "device_owner" */
	char device_id[FP_MODEL_LONG_ID_SIZE];	/* "device_id" (a router's: an id) */
	uint8_t mac[6];				/* "mac_address" */
	uint8_t port_security;			/* effective port_security_enabled */
	uint8_t admin_up;			/* "admin_state_up" (default true) */
	uint32_t n_fixed_ips;			/* valid fixed_ips */
	uint32_t n_pairs;			/* valid pairs */
	uint32_t n_security_groups;		/* valid security_groups */
	uint8_t owner;				/* FP_MODEL_OWNER_* from device_owner */
	uint8_t pad[3];				/* zero */
	struct fp_model_fixed_ip fixed_ips[FP_MODEL_FIXED_IP_MAX]; /* "fixed_ips" */
	struct fp_model_pair pairs[FP_MODEL_PAIR_MAX];		   /* "allowed_address_pairs" */
	char security_groups[FP_MODEL_SG_MAX][FP_MODEL_ID_SIZE];   /* "security_groups" ids */
	char project_id[FP_MODEL_LONG_ID_SIZE]; /* "project_id" (or "tenant_id") */
};

/** Is the port one of a router's interfaces on a tenant network
 *  (router_interface, router_interface_distributed,
 *  ha_router_replicated_interface)?
 */
static inline int
fp_model_port_is_router_iface(const struct fp_model_port *p)
{
	return p->owner == FP_MODEL_OWNER_ROUTER_INTERFACE ||
	       p->owner == FP_MODEL_OWNER_ROUTER_INTERFACE_DISTRIBUTED ||
	       p->owner == FP_MODEL_OWNER_ROUTER_HA_INTERFACE;
}

/** Does the port belong to a router (an interface, its gateway or its
 *  centralized SNAT port)?  Its device_id is then the router's id.
 */
static inline int
fp_model_port_is_router_port(const struct fp_model_port *p)
{
	return fp_model_port_is_router_iface(p) || p->owner == FP_MODEL_OWNER_ROUTER_GATEWAY ||
	       p->owner == FP_MODEL_OWNER_ROUTER_SNAT;
}

/* router: external_gateway_info (null or {network_id (required),
 * enable_snat (default true), external_fixed_ips [{subnet_id,
 * ip_address}, ...] (both required, up to FP_MODEL_EXT_IP_MAX, no
 * duplicate address)}), routes (up to FP_MODEL_ROUTE_MAX {destination,
 * nexthop} of one family), distributed (default false), admin_state_up.
 * References (the gateway's network and subnets, next hops on the
 * router's subnets) are not checked on PUT: the compiler reports them
 * (fp_model_check()).  Its interfaces are ports with device_owner
 * network:router_interface (or _distributed, or
 * ha_router_replicated_interface) and device_id = the router's id.
 */
struct fp_model_router {
	char id[FP_MODEL_ID_SIZE];	       /* "id" */
	char ext_network_id[FP_MODEL_ID_SIZE]; /* external_gateway_info.network_id, or "" */
	int64_t revision;		       /* "revision_number" */
	uint32_t n_routes;		       /* valid routes */
	uint8_t admin_up;		       /* "admin_state_up" */
	uint8_t has_gateway;		       /* external_gateway_info given, not null */
	uint8_t enable_snat;		       /* external_gateway_info.enable_snat */
	uint8_t distributed;		       /* "distributed" (default false) */
	uint32_t n_ext_ips;		       /* valid ext_ips */
	uint32_t pad;			       /* zero */
	struct fp_model_fixed_ip ext_ips[FP_MODEL_EXT_IP_MAX]; /* external_fixed_ips */
	struct fp_model_route routes[FP_MODEL_ROUTE_MAX];      /* "routes" */
};

/* floatingip: floating_network_id (must exist), floating_ip_address
 * (IPv4, as in Neutron), port_id (must exist when given),
 * fixed_ip_address (IPv4, one of the port's fixed IPs; only with a
 * port_id), router_id (not checked on PUT).  Whether the router reaches
 * the port and has its gateway on the floating network is the
 * compiler's to report (fp_model_check()).
 */
struct fp_model_floatingip {
	char id[FP_MODEL_ID_SIZE];		    /* "id" */
	char floating_network_id[FP_MODEL_ID_SIZE]; /* "floating_network_id" (must exist) */
	char port_id[FP_MODEL_ID_SIZE];		    /* "port_id" (must exist) or "" */
	char router_id[FP_MODEL_ID_SIZE];	    /* "router_id" or "" */
	int64_t revision;			    /* "revision_number" */
	struct fp_ip floating_ip;		    /* "floating_ip_address" */
	struct fp_ip fixed_ip;			    /* "fixed_ip_address" when has_fixed_ip */
	uint8_t has_fixed_ip;			    /* fixed_ip_address given */
	uint8_t pad[7];				    /* zero */
};

/* One security group rule.  port_min..port_max: for tcp, udp, sctp, dccp
 * and udplite the inclusive port range (0..65535 when not given); for
 * icmp and ipv6-icmp (Neutron's use of the fields) port_min is the ICMP
 * type and port_max the code, each 0xffff (any) when not given; for any
 * other protocol 0..65535 (a port range is refused there).  "icmp" with
 * ethertype IPv6 is stored as protocol 58.
 */
struct fp_model_rule {
	char id[FP_MODEL_ID_SIZE];			/* "id" */
	char remote_group_id[FP_MODEL_ID_SIZE];		/* "remote_group_id" or "" */
	char remote_address_group_id[FP_MODEL_ID_SIZE]; /* "remote_address_group_id" or "" */
	struct fp_ip remote_prefix;			/* "remote_ip_prefix" when has_prefix */
	uint8_t remote_plen;				/* its length in IPv6 bits */
	uint8_t has_prefix;				/* remote_ip_prefix given */
	uint8_t ingress;				/* "direction": 1 ingress, 0 egress */
	uint8_t ipv6;					/* "ethertype": 0 IPv4, 1 IPv6 */
	int16_t protocol;				/* IP protocol number; -1 = any */
	uint16_t port_min;				/* "port_range_min": see below */
	uint16_t port_max;				/* "port_range_max": see below */
	uint8_t pad[6];					/* zero */
};

/* security_group: "stateful" (default true: allowed packets open tracked
 * connections; false: every packet is checked against the rules), and its
 * rules.  A rule's remote_ip_prefix, remote_group_id and
 * remote_address_group_id exclude each other; the groups they name are not
 * checked on PUT (Neutron may send in any order): the compiler reports a
 * rule naming a missing one and leaves the rule out.
 */
struct fp_model_secgroup {
	char id[FP_MODEL_ID_SIZE];		       /* "id" */
	int64_t revision;			       /* "revision_number" */
	uint32_t n_rules;			       /* valid rules */
	uint8_t stateful;			       /* "stateful" (default true) */
	uint8_t pad[3];				       /* zero */
	struct fp_model_rule rules[FP_MODEL_RULE_MAX]; /* "security_group_rules" */
};

/* One bridge mapping of a host: where a physical network leaves it. */
struct fp_model_bridge {
	char physnet[FP_MODEL_PHYSNET_SIZE]; /* the physical network's name */
	char port[FP_NAME_SIZE];	     /* the engine port it maps to */
	uint8_t pad[7];			     /* zero */
};

/* host (flowplane's own resource; its id is the host name, as in
 * binding:host_id): {"host": {"id": "compute-01", "vtep_addresses":
 * ["10.20.0.11", "fd00:20::11"], "underlay_mac": "02:00:00:00:01:01",
 * "bridge_mappings": {"physnet1": "uplink1"}}}.
 * underlay_mac is the MAC of the host's underlay port, the next hop when
 * the underlay is one L2 segment; when fp-control is configured with an
 * underlay gateway MAC it is optional.  bridge_mappings (optional, as
 * Neutron agents' bridge_mappings): physical network name -> the name of
 * the engine port (from that host's fp-dpdk or fp-xdp config: 1..31 of
 * [A-Za-z0-9._-]) its vlan and flat networks use; up to
 * FP_MODEL_BRIDGE_MAX, one physical network per port.  Kept in the
 * object's order.
 */
struct fp_model_host {
	char id[FP_MODEL_ID_SIZE];			     /* "id": the host name */
	int64_t revision;				     /* "revision_number" */
	uint32_t n_addrs;				     /* valid vtep_addresses */
	uint8_t has_mac;				     /* underlay_mac given */
	uint8_t mac[6];					     /* "underlay_mac" */
	uint8_t pad;					     /* zero */
	struct fp_ip vtep_addrs[FP_MODEL_HOST_ADDR_MAX];     /* "vtep_addresses" */
	uint32_t n_bridges;				     /* valid bridges */
	uint32_t pad2;					     /* zero */
	struct fp_model_bridge bridges[FP_MODEL_BRIDGE_MAX]; /* "bridge_mappings" */
};

/* One prefix of an address group. */
struct fp_model_prefix {
	struct fp_ip ip; /* the prefix, host bits zero */
	uint8_t plen;	 /* its length in IPv6 bits (v4 /24 is 120; an address is 128) */
	uint8_t pad[7];	 /* zero */
};

/* address_group (Neutron's address groups, for remote_address_group_id):
 * {"address_group": {"id": ..., "addresses": ["10.0.0.0/24",
 * "2001:db8::1", ...]}}.  An address without a length is /32 or /128;
 * host bits are cleared as Neutron does; duplicates are refused.
 */
struct fp_model_addrgroup {
	char id[FP_MODEL_ID_SIZE];				/* "id" */
	int64_t revision;					/* "revision_number" */
	uint32_t n_addrs;					/* valid addrs */
	uint32_t pad;						/* zero */
	struct fp_model_prefix addrs[FP_MODEL_AGROUP_ADDR_MAX]; /* "addresses" */
};

struct fp_model;

/** An empty model; NULL with errno on allocation failure. */
struct fp_model *fp_model_create(void);

/** Free a model (shared records are released). Accepts NULL. */
void fp_model_free(struct fp_model *m);

/** A copy sharing the immutable records; NULL with errno ENOMEM. */
struct fp_model *fp_model_clone(const struct fp_model *m);

/**
 * Validate and store (create or replace) one resource.
 *
 * @param m    the model
 * @param coll FP_MODEL_*
 * @param id   the id from the URL, or NULL to take it from the body; when
 *	       both are given they must agree
 * @param res  the resource object (the value under "port" etc., not the
 *	       wrapper); not stolen, the model keeps its own reference
 * @param err  filled on failure
 * A body without "id" takes the URL's: it is stored as a shallow copy with
 * "id" added.  The model keeps res (a reference): do not change it after.
 *
 * @return 0 stored, 1 ignored (revision_number lower than the stored one),
 *	   or -EINVAL (err->status 400/404/409/422) / -ENOMEM (status 500)
 */
int fp_model_put(struct fp_model *m, enum fp_model_coll coll, const char *id, json_t *res,
		 struct fp_model_err *err);

/**
 * Delete one resource.
 *
 * @return 0, or -ENOENT (err->status 404) when there is no such resource
 */
int fp_model_delete(struct fp_model *m, enum fp_model_coll coll, const char *id,
		    struct fp_model_err *err);

/**
 * Build a whole model from a snapshot: {"networks": [...], "subnets":
 * [...], "ports": [...], "routers": [...], "floatingips": [...],
 * "security_groups": [...], "address_groups": [...], "hosts": [...]}
 * (every list optional; any other key is an error).  Resources are put in
 * dependency order (hosts, networks, address groups, security groups,
 * subnets, ports, routers, floating IPs), so
 * references inside the snapshot resolve; ids must be unique per
 * collection.  Error paths start with the list entry, e.g.
 * "ports[3].fixed_ips[0].ip_address"; an unknown key is the path itself.
 *
 * @param snap the snapshot object
 * @param err  filled on failure
 * @return the new model, or NULL (errno EINVAL with err filled, or ENOMEM)
 */
struct fp_model *fp_model_from_snapshot(json_t *snap, struct fp_model_err *err);

/** The model as a snapshot object (new reference); NULL on ENOMEM. */
json_t *fp_model_to_snapshot(const struct fp_model *m);

/** One resource's JSON as stored (borrowed), or NULL. */
json_t *fp_model_json(const struct fp_model *m, enum fp_model_coll coll, const char *id);

/** Resources in a collection. */
size_t fp_model_count(const struct fp_model *m, enum fp_model_coll coll);

/* The i-th resource of a collection (0 <= i < count, in id order), or
 * NULL when out of range; and lookups by id (NULL when absent).  The
 * pointers stay valid until the resource is replaced or deleted in this
 * model, or the model is freed.
 */
const struct fp_model_network *fp_model_network_at(const struct fp_model *m, size_t i);
const struct fp_model_subnet *fp_model_subnet_at(const struct fp_model *m, size_t i);
const struct fp_model_port *fp_model_port_at(const struct fp_model *m, size_t i);
const struct fp_model_router *fp_model_router_at(const struct fp_model *m, size_t i);
const struct fp_model_floatingip *fp_model_floatingip_at(const struct fp_model *m, size_t i);
const struct fp_model_secgroup *fp_model_secgroup_at(const struct fp_model *m, size_t i);
const struct fp_model_host *fp_model_host_at(const struct fp_model *m, size_t i);
const struct fp_model_addrgroup *fp_model_addrgroup_at(const struct fp_model *m, size_t i);

const struct fp_model_network *fp_model_network_find(const struct fp_model *m, const char *id);
const struct fp_model_subnet *fp_model_subnet_find(const struct fp_model *m, const char *id);
const struct fp_model_port *fp_model_port_find(const struct fp_model *m, const char *id);
const struct fp_model_router *fp_model_router_find(const struct fp_model *m, const char *id);
const struct fp_model_floatingip *fp_model_floatingip_find(const struct fp_model *m,
							   const char *id);
const struct fp_model_secgroup *fp_model_secgroup_find(const struct fp_model *m, const char *id);
const struct fp_model_host *fp_model_host_find(const struct fp_model *m, const char *id);
const struct fp_model_addrgroup *fp_model_addrgroup_find(const struct fp_model *m, const char *id);

/* ---------------------------------------------------------------------
 * Lookups across collections, for the compiler.  Each is a scan of the
 * collections it names (O(n)); results are in id order.  A function that
 * fills an array returns how many there are, which may be more than max
 * (only max are written; out may be NULL with max 0 to count).
 */

/** The engine port a host maps a physical network to, or NULL. */
const char *fp_model_host_bridge(const struct fp_model_host *h, const char *physnet);

/** The subnets of a network. */
size_t fp_model_network_subnets(const struct fp_model *m, const char *network_id,
				const struct fp_model_subnet **out, size_t max);

/** The ports of a network with a device_owner kind (FP_MODEL_OWNER_*;
 *  FP_MODEL_OWNER_MAX: any): its DHCP ports, its router gateway ports...
 */
size_t fp_model_network_ports(const struct fp_model *m, const char *network_id, unsigned int owner,
			      const struct fp_model_port **out, size_t max);

/** The routers whose gateway (external_gateway_info) is on a network. */
size_t fp_model_network_routers(const struct fp_model *m, const char *network_id,
				const struct fp_model_router **out, size_t max);

/** A router's interfaces: ports with fp_model_port_is_router_iface() and
 *  device_id = router_id.
 */
size_t fp_model_router_ifaces(const struct fp_model *m, const char *router_id,
			      const struct fp_model_port **out, size_t max);

/** The subnets a router is attached to: those of its interfaces' fixed
 *  IPs that exist, each once.
 */
size_t fp_model_router_subnets(const struct fp_model *m, const char *router_id,
			       const struct fp_model_subnet **out, size_t max);

/** A router's gateway port (device_owner network:router_gateway), or NULL. */
const struct fp_model_port *fp_model_router_gw_port(const struct fp_model *m,
						    const char *router_id);

/**
 * The router a subnet is attached to: the router (it must exist) of the
 * interface holding the subnet's gateway_ip, else of the first interface
 * (in port id order) with a fixed IP on it.
 *
 * @param iface NULL, or the interface port that attaches it
 * @return the router, or NULL (iface then NULL too)
 */
const struct fp_model_router *fp_model_subnet_router(const struct fp_model *m,
						     const char *subnet_id,
						     const struct fp_model_port **iface);

/** The floating IPs associated with a port (port_id). */
size_t fp_model_port_fips(const struct fp_model *m, const char *port_id,
			  const struct fp_model_floatingip **out, size_t max);

/**
 * The fixed IP a floating IP translates to: fixed_ip_address, or without
 * it the port's only IPv4 fixed IP.
 *
 * @return 0, or -ENOENT (no port, not one of the port's fixed IPs, or no
 *	   single IPv4 fixed IP to take)
 */
int fp_model_fip_fixed_ip(const struct fp_model *m, const struct fp_model_floatingip *f,
			  struct fp_ip *out);

/**
 * Report what does not agree across resources, as Neutron may pass
 * through such states (an interface before its router, a deleted
 * subnet): a router port whose router does not exist; an interface
 * without a fixed IP, with two IPv4 ones, on a missing subnet, or whose
 * address is not its subnet's gateway_ip; a gateway port on a network
 * other than its router's gateway network; a router's gateway network
 * missing or not external, an external fixed IP on a missing subnet or
 * outside it; a route whose next hop is on none of the router's subnets;
 * a floating IP on a missing or non-external network, outside its
 * subnets, with a missing port, a fixed IP the port no longer has, no
 * router, a missing router, a router without a gateway on the floating
 * network, or a router not attached to the fixed IP's subnet.  Each is
 * reported once, in (collection, id) order.
 *
 * @param m   the model
 * @param fn  called per fault with the resource, the field (a path as in
 *	      struct fp_model_err, without the collection) and the reason;
 *	      a negative return stops the walk and is returned
 * @param arg for fn
 * @return 0, -ENOMEM, or fn's negative return
 */
typedef int fp_model_check_fn(void *arg, enum fp_model_coll coll, const char *id, const char *field,
			      const char *reason);
int fp_model_check(const struct fp_model *m, fp_model_check_fn *fn, void *arg);

#endif /* FP_CONTROL_MODEL_H */
