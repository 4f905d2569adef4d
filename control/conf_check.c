/* SPDX-License-Identifier: BSD-3-Clause */
#include "conf_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "config.h"
#include "ctrl_config.h"
#include "log.h"
#include "xdp_config.h"

/* Guess which parts the file has; a file libconfig cannot parse has only
 * the parts the caller needs (whose loader reports the syntax error).
 */
static unsigned int
parts_find(const char *path)
{
	const config_setting_t *root;
	unsigned int parts = FP_CONF_PART_CONTROL;
	config_t c;

	config_init(&c);
	if (config_read_file(&c, path) != CONFIG_TRUE) {
		config_destroy(&c);
		return 0;
	}
	root = config_root_setting(&c);
	if (config_setting_get_member(root, "fp_xdp") != NULL)
		parts |= FP_CONF_PART_XDP;
	if (config_setting_get_member(root, "ports") != NULL ||
	    config_setting_get_member(root, "workers") != NULL || !(parts & FP_CONF_PART_XDP))
		parts |= FP_CONF_PART_DPDK;
	config_destroy(&c);
	return parts;
}

union configs {
	struct fp_config dpdk;	    /* fp-dpdk's part */
	struct fp_xdp_config xdp;   /* fp-xdp's */
	struct fp_ctrl_config ctrl; /* fp-control's */
};

/* Load one part; on error append " [program: part]" to the message. */
static int
part_check(unsigned int part, const char *path, union configs *u, char *err, size_t errsz)
{
	const char *what;
	size_t len;
	int rc;

	switch (part) {
	case FP_CONF_PART_DPDK:
		rc = fp_config_load(path, &u->dpdk, err, (unsigned int)errsz);
		what = "fp-dpdk: common keys and top-level groups";
		break;
	case FP_CONF_PART_XDP:
		rc = fp_xdp_config_load(path, &u->xdp, err, (unsigned int)errsz);
		what = "fp-xdp: group fp_xdp and common keys";
		break;
	default:
		rc = fp_ctrl_config_load(path, &u->ctrl, err, errsz);
		what = "fp-control: group fp_control and common keys";
		break;
	}
	len = strnlen(err, errsz);
	if (rc < 0 && len < errsz)
		snprintf(err + len, errsz - len, " [%s]", what);
	return rc;
}

int
fp_conf_check(const char *path, unsigned int must, unsigned int *parts, char *err, size_t errsz)
{
	static const unsigned int order[] = { FP_CONF_PART_DPDK, FP_CONF_PART_XDP,
					      FP_CONF_PART_CONTROL };
	unsigned int pass, i, todo[2];
	union configs *u;
	int rc = 0;

	if (err == NULL || errsz == 0)
		return -EINVAL;
	err[0] = '\0';
	u = malloc(sizeof(*u));
	if (u == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	/* The caller's own parts first: a file that cannot be read or
	 * parsed is reported by its loader; then the others the file has.
	 */
	todo[0] = must;
	todo[1] = 0;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			if (!(todo[pass] & order[i]))
				continue;
			rc = part_check(order[i], path, u, err, errsz);
			if (rc < 0)
				goto out;
		}
		if (pass == 0)
			todo[1] = parts_find(path) & ~must;
	}
	if (parts != NULL)
		*parts = todo[0] | todo[1];
out:
	free(u);
	return rc;
}

void
fp_conf_check_report(const char *path, unsigned int parts)
{
	printf("%s: ok (checked:%s%s%s)\n", path, parts & FP_CONF_PART_DPDK ? " fp-dpdk" : "",
	       parts & FP_CONF_PART_XDP ? " fp_xdp" : "",
	       parts & FP_CONF_PART_CONTROL ? " fp_control" : "");
}

int
fp_conf_check_run(const char *path, unsigned int must)
{
	unsigned int parts;
	char err[FP_CFG_ERR_SIZE];

	if (fp_conf_check(path, must, &parts, err, sizeof(err)) < 0) {
		fp_log(FP_LOG_ERR, "%s", err);
		return 1;
	}
	fp_conf_check_report(path, parts);
	return 0;
}
