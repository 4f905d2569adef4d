/* SPDX-License-Identifier: BSD-3-Clause */
/* The DHCP part of the compiler (doc/routing.md "The compiler: DHCP and
 * router advertisements"): Neutron subnets -> the dhcp, dhcp6 and ra
 * entries the engines answer a VM's DHCPv4, DHCPv6 and router
 * solicitations from (lib/dhcp4.h, lib/dhcp6.h, lib/ra.h), as OVN's
 * controller answers them from its DHCP_Options and as Neutron's dnsmasq
 * and radvd are configured.
 *
 * Per local VM port (placed on this host, device_owner not network:*),
 * keyed by its dataplane port id:
 *   - dhcp: its first fixed IP (in fixed_ips order) that the port keeps
 *     (its neigh entry) on an IPv4 subnet with enable_dhcp: the address
 *     and mask length, router = gateway_ip (none without one), server =
 *     gateway_ip, or without one the address of the network's DHCP port
 *     on the subnet (device_owner network:dhcp, or network:distributed:
 *     OVN's metadata port, which ML2/OVN takes in that case), else no
 *     entry (OVN then gives no DHCP options either); DNS servers =
 *     dns_nameservers (up to FP_DHCP_DNS_MAX), routes = host_routes (up
 *     to FP_DHCP_ROUTE_MAX, option 121), MTU = the network's, lease =
 *     ctx->dhcp_lease (Neutron's dhcp_lease_duration, 86400 by default).
 *   - dhcp6: its first kept fixed IP on an IPv6 subnet with enable_dhcp
 *     and ipv6_address_mode dhcpv6-stateful (the address, preferred =
 *     valid = the lease) or dhcpv6-stateless (no address); no mode is
 *     stateful, as Neutron's dnsmasq and OVN take it; slaac gets nothing.
 *     server_mac = the MAC of the router interface holding the subnet's
 *     gateway (fp_model_subnet_router()), else of the DHCP port as above.
 *     DNS servers as dhcp.
 * Per network with a local VM port, when the engine routes
 * (ctx->routes_carried):
 *   - ra (VNI): its IPv6 subnets with ipv6_ra_mode and a router interface
 *     (the router admin up): the interface's MAC (the first subnet's, in
 *     id order; another router's interface on the network is a problem),
 *     M/O = the union of fp_ra_mode_flags() of the modes, one prefix per
 *     subnet (L, A per mode; valid 86400, preferred 14400), RDNSS = their
 *     dns_nameservers (no duplicate; lifetime 3 x max_interval), the
 *     network's MTU (when >= 1280), intervals 30..100 s, router lifetime
 *     300 s, or 0 when none of them has a gateway_ip: Neutron's radvd.
 *
 * What an engine does not serve (its limit for the table is 0:
 * ctx->dhcp_served, dhcp6_served, ra_served) gets no entry and a
 * problem of kind unsupported on each subnet that asks for it
 * ("not served").  An entry that cannot hold what Neutron gives (more
 * DNS servers, host routes or prefixes than it has room for, no server
 * address) is not built: a problem of kind unsupported on the subnet (or
 * network) names what is in excess; the other entries are installed.  A
 * port with two fixed IPs of one family on DHCP subnets gets the first:
 * a problem on the port names the other.  Every entry built passes
 * lib's check (fp_dhcp4_check(), fp_dhcp6_check(), fp_ra_check()), so an
 * engine never refuses one.
 */
#ifndef FP_CONTROL_COMPILE_DHCP_H
#define FP_CONTROL_COMPILE_DHCP_H

#include <stddef.h>
#include <stdint.h>

#include "compile.h"
#include "entries.h"
#include "model.h"

#define FP_COMPILE_DHCP_LEASE_DEFAULT 86400 /* Neutron's dhcp_lease_duration */
#define FP_COMPILE_RA_MIN_INTERVAL 30	    /* Neutron's min_rtr_adv_interval */
#define FP_COMPILE_RA_MAX_INTERVAL 100	    /* Neutron's max_rtr_adv_interval */
#define FP_COMPILE_RA_LIFETIME 300	    /* radvd: 3 x MaxRtrAdvInterval */
#define FP_COMPILE_RA_VALID 86400	    /* radvd's AdvValidLifetime */
#define FP_COMPILE_RA_PREFERRED 14400	    /* radvd's AdvPreferredLifetime */

/* A local port, as compile.c placed it. */
struct fp_compile_dhcp_port {
	const struct fp_model_port *p;	  /* the port */
	const struct fp_model_network *n; /* its network (usable) */
	uint32_t port_id;		  /* its dataplane port */
	uint32_t pad;			  /* zero */
};

/**
 * Report the subnets whose DHCP, DHCPv6 or router advertisements the
 * engine does not serve (ctx's flags): a problem of kind unsupported
 * each, field enable_dhcp.
 *
 * @return 0, or -ENOMEM
 */
int fp_compile_dhcp_unserved(const struct fp_model *m, const struct fp_compile_ctx *ctx,
			     struct fp_compile_report *rep);

/**
 * Emit the dhcp, dhcp6 and ra entries of the local ports into out, a
 * sealed set holding the ports' neigh entries (a port's fixed IP is
 * offered only when its neigh entry is the port's).
 *
 * @param ports the local ports, n_ports of them
 * @return 0, or -ENOMEM
 */
int fp_compile_dhcp(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		    const struct fp_compile_dhcp_port *ports, size_t n_ports,
		    struct fp_entry_set *out, struct fp_compile_report *rep);

#endif /* FP_CONTROL_COMPILE_DHCP_H */
