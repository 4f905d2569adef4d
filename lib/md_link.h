/* SPDX-License-Identifier: BSD-3-Clause */
/* The metadata service's link addresses: how a VM's connection to
 * 169.254.169.254:80 reaches fp-control's metadata proxy with the VM's
 * port in its source address (doc/routing.md, "Metadata").
 *
 * The dataplane (fp-dpdk's slow path; the XDP engine later) hands each
 * such connection to the host kernel over an exception TAP with the VM's
 * source address replaced by the link address of the VM's engine port
 * (its logical port id, struct fp_port_key), and the replies back with
 * it replaced by the VM's own again.  The proxy maps the peer address of
 * an accepted connection back to the engine port, and the engine port to
 * the Neutron port bound there.  Tenants' subnets overlap (two VMs on one
 * host may both be 10.0.0.5); link addresses do not: one per engine port.
 *
 * The addresses: 169.254.1.0 + port id, for port ids 0 ..
 * FP_MD_LINK_N - 1 (169.254.1.0 .. 169.254.127.255).  IPv4 link-local
 * (RFC 3927) because such an address is never forwarded off its link, so
 * no reply can leave the host by another route and no operator network
 * (underlay, management, CGNAT's 100.64.0.0/10) can hold it; the first
 * /24 (reserved by RFC 3927 2.1) is skipped, and the range ends below
 * 169.254.169.254 (the proxy's own address stays outside it).  The TAP
 * gets the route 169.254.0.0/17 (FP_MD_LINK_PREFIX / FP_MD_LINK_PLEN).
 *
 * Pure functions, no state: fp-dpdk and fp-control call the same ones.
 * Addresses are IPv4 in host byte order.
 */
#ifndef FP_MD_LINK_H
#define FP_MD_LINK_H

#include <stdint.h>

#define FP_MD_ADDR 0xa9fea9feu	      /* 169.254.169.254, the metadata address */
#define FP_MD_PORT 80		      /* its TCP port */
#define FP_MD_LINK_BASE 0xa9fe0100u   /* 169.254.1.0: the link address of port 0 */
#define FP_MD_LINK_N 32512u	      /* port ids 0..32511 have one */
#define FP_MD_LINK_PREFIX 0xa9fe0000u /* 169.254.0.0: the route to the TAP */
#define FP_MD_LINK_PLEN 17	      /* its length */

/**
 * The link address of an engine port.
 *
 * @param port_id the engine's logical port id
 * @param addr	  receives the address (host byte order)
 * @return 0, or -ERANGE when port_id >= FP_MD_LINK_N (*addr untouched)
 */
int fp_md_link_addr(uint32_t port_id, uint32_t *addr);

/**
 * The engine port of a link address.
 *
 * @param addr	  an IPv4 address (host byte order)
 * @param port_id receives the port id
 * @return 0, or -ENOENT when addr is no link address (*port_id untouched)
 */
int fp_md_link_port(uint32_t addr, uint32_t *port_id);

#endif /* FP_MD_LINK_H */
