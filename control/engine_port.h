/* SPDX-License-Identifier: BSD-3-Clause */
/* A dataplane port as an engine reports it (fp-dpdk's configured ports,
 * or the interfaces fp-xdp attached to): what the backends fill in and
 * the compiler places Neutron ports on.  Neither side's types: no
 * Neutron model here, no backend.
 */
#ifndef FP_CONTROL_ENGINE_PORT_H
#define FP_CONTROL_ENGINE_PORT_H

#include <stdint.h>

#include <flowplane/tables.h>

struct fp_engine_port {
	char name[FP_NAME_SIZE]; /* name from the dataplane config */
	uint32_t id;		 /* logical port id */
	uint16_t role;		 /* FP_PORT_ROLE_* */
	uint16_t mtu;		 /* configured MTU */
	uint8_t mac[6];		 /* device MAC */
	uint8_t pad[2];		 /* zero */
};

#endif /* FP_CONTROL_ENGINE_PORT_H */
