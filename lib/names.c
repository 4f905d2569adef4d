/* SPDX-License-Identifier: BSD-3-Clause */
#include "names.h"

#include <errno.h>
#include <string.h>

#define NAME(id, name, ...) name,
const char *const fp_names_table[FP_TABLE_MAX] = { FP_FOREACH_TABLE(NAME) };
const char *const fp_names_stat[FP_STAT_MAX] = { FP_FOREACH_STAT(NAME) };
const char *const fp_names_drop[FP_DROP_MAX] = { FP_FOREACH_DROP(NAME) };
const char *const fp_names_role[FP_PORT_ROLE_MAX] = { FP_FOREACH_PORT_ROLE(NAME) };
const char *const fp_names_encap[FP_ENCAP_MAX] = { FP_FOREACH_ENCAP(NAME) };
const char *const fp_names_dest[FP_DEST_MAX] = { FP_FOREACH_DEST(NAME) };
const char *const fp_names_route_type[FP_ROUTE_TYPE_MAX] = { FP_FOREACH_ROUTE_TYPE(NAME) };
const char *const fp_names_ctl_msg[FP_CTL_MSG_MAX] = { FP_FOREACH_CTL_MSG(NAME) };
#undef NAME

#define CT_STATE_NAME(id, name, timeout) [FP_CT_##id] = name,
const char *const fp_names_ct_state[FP_CT_STATE_MAX] = { FP_FOREACH_CT_STATE(CT_STATE_NAME) };
#undef CT_STATE_NAME

#define XDP_MAP_NAME(id, name) [FP_XDP_MAP_##id] = name,
const char *const fp_names_xdp_map[FP_XDP_MAP_MAX] = { FP_FOREACH_XDP_MAP(XDP_MAP_NAME) };
#undef XDP_MAP_NAME

const uint16_t fp_names_key_size[FP_TABLE_MAX] = { FP_FOREACH_TABLE(FP_TABLE_KEY_SIZE) };
const uint16_t fp_names_val_size[FP_TABLE_MAX] = { FP_FOREACH_TABLE(FP_TABLE_VAL_SIZE) };

int
fp_names_find(const char *const names[], size_t n, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < n; i++) {
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return (int)i;
	}
	return -ENOENT;
}

const char *
fp_names_get(const char *const names[], size_t n, unsigned int i)
{
	return i < n && names[i] != NULL ? names[i] : "?";
}
