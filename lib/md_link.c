/* SPDX-License-Identifier: BSD-3-Clause */
#include "md_link.h"

#include <errno.h>

int
fp_md_link_addr(uint32_t port_id, uint32_t *addr)
{
	if (port_id >= FP_MD_LINK_N)
		return -ERANGE;
	*addr = FP_MD_LINK_BASE + port_id;
	return 0;
}

int
fp_md_link_port(uint32_t addr, uint32_t *port_id)
{
	/* Unsigned: an address below the base wraps far above the range. */
	uint32_t i = addr - FP_MD_LINK_BASE;

	if (i >= FP_MD_LINK_N)
		return -ENOENT;
	*port_id = i;
	return 0;
}
