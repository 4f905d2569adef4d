/* SPDX-License-Identifier: BSD-3-Clause */
/* The whole-file check behind every program's --check-config.
 *
 * flowplane.conf is read by three programs, each of which checks only the
 * part it uses when it starts: fp-dpdk the common keys and its top-level
 * groups (dataplane/config.c), fp-xdp the common keys and fp_xdp
 * (bpf/xdp_config.c), fp-control the common keys and fp_control
 * (control/ctrl_config.c).  fp_conf_check() runs the three loaders (all
 * three are pure libconfig code) over one file, so a mistake in any
 * program's part is found by any program's --check-config, with the part
 * named.  Which parts a file has:
 *  - fp-dpdk's: when it has a top-level ports or workers, or no fp_xdp
 *    group (then it can only be an fp-dpdk host's);
 *  - fp-xdp's: when it has an fp_xdp group;
 *  - fp-control's: always (fp_control is optional, the common keys are not).
 * The caller adds the part it needs itself with `must`.
 */
#ifndef FP_CONTROL_CONF_CHECK_H
#define FP_CONTROL_CONF_CHECK_H

#include <stddef.h>

#define FP_CONF_PART_DPDK (1u << 0)    /* common keys + fp-dpdk's groups */
#define FP_CONF_PART_XDP (1u << 1)     /* fp_xdp */
#define FP_CONF_PART_CONTROL (1u << 2) /* fp_control */

/**
 * Check a whole config file with each program's loader.
 *
 * @param path  the file
 * @param must  FP_CONF_PART_* that are checked even if the file does not
 *		seem to have them (the calling program's own)
 * @param parts receives the FP_CONF_PART_* that were checked; may be NULL
 * @param err   on error: the loader's "file:line: key: reason", then
 *		" [<program>: <part>]"
 * @param errsz size of err
 * @return 0, or the first failing loader's negative errno (-EINVAL invalid,
 *	   -ENOENT no file, ...)
 */
int fp_conf_check(const char *path, unsigned int must, unsigned int *parts, char *err,
		  size_t errsz);

/**
 * Print "FILE: ok (checked: ...)" naming the parts checked.
 *
 * @param path  the file
 * @param parts FP_CONF_PART_* from fp_conf_check()
 */
void fp_conf_check_report(const char *path, unsigned int parts);

/**
 * A program's --check-config: fp_conf_check(), then the report on stdout
 * (fp_conf_check_report()) or the error logged.
 *
 * @param path the file
 * @param must the calling program's FP_CONF_PART_*
 * @return the exit status: 0 valid, 1 not
 */
int fp_conf_check_run(const char *path, unsigned int must);

#endif /* FP_CONTROL_CONF_CHECK_H */
