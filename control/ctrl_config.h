/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control's configuration: the same libconfig file as fp-dpdk
 * (/etc/flowplane/flowplane.conf).  fp-control reads the shared keys it
 * needs (host, vtep.addresses, control.socket) and its own group
 * fp_control, which it checks as strictly as fp-dpdk checks the rest
 * (unknown keys, wrong types and out-of-range values are errors naming
 * file:line).  The other groups belong to fp-dpdk, which validates them.
 * Schema: doc/config.md, section fp_control.
 */
#ifndef FP_CONTROL_CTRL_CONFIG_H
#define FP_CONTROL_CTRL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <flowplane/tables.h>

#define FP_CTRL_PATH_MAX 108	 /* sun_path, NUL included */
#define FP_CTRL_DIR_MAX 256	 /* state directory, NUL included */
#define FP_CTRL_TOKEN_MIN 16	 /* bearer token characters at least */
#define FP_CTRL_TOKEN_MAX 256	 /* bearer token characters at most */
#define FP_CTRL_LOCAL_VTEP_MAX 4 /* vtep.addresses */
#define FP_CTRL_INSTANCE_SIZE 32 /* fp-xdp instance names, NUL included */
#define FP_CTRL_SECRET_MAX 256	 /* metadata shared secret characters at most */

/* fp_control.metadata: the Nova metadata proxy (control/metadata.h).  Off
 * unless the group is there; then nova_url and shared_secret_file are
 * required.
 */
struct fp_ctrl_md_config {
	int enabled;			     /* the group is there */
	char listen_addr[64];		     /* listen: IPv4 address */
	uint16_t listen_port;		     /* listen: port */
	uint16_t nova_port;		     /* nova_url's port */
	char nova_addr[64];		     /* nova_url's address (numeric) */
	char secret[FP_CTRL_SECRET_MAX + 1]; /* read from shared_secret_file */
	uint32_t max_conns;		     /* connections at once */
	uint32_t request_ms;		     /* a request must be in within this */
	uint32_t timeout_ms;		     /* Nova must have answered within this */
	uint32_t max_response;		     /* largest answer from Nova, bytes */
	uint32_t rate;			     /* requests per second per port */
	uint32_t burst;			     /* requests at once per port */
	uint32_t max_conns_per_port;	     /* connections at once from one link address */
	uint32_t max_pending_per_port;	     /* a port's requests waiting for Nova at once */
	int test_assume_delivered;	     /* tests only: serve though not delivered */
};

struct fp_ctrl_config {
	char host[FP_NAME_SIZE];			  /* host (binding:host_id) */
	struct fp_ip local_vteps[FP_CTRL_LOCAL_VTEP_MAX]; /* vtep.addresses */
	uint32_t n_local_vteps;				  /* valid local_vteps */
	char dp_socket[FP_CTRL_PATH_MAX];		  /* control.socket (fp-dpdk's) */
	char backend[8];				  /* "dpdk" or "xdp" */
	char xdp_instance[FP_CTRL_INSTANCE_SIZE];	  /* fp_control.xdp_instance */
	char api_socket[FP_CTRL_PATH_MAX];		  /* fp_control.api_socket */
	char api_tcp_addr[64];				  /* loopback address or "" */
	uint16_t api_tcp_port;				  /* with api_tcp_addr */
	uint16_t pad;					  /* zero */
	char api_token[FP_CTRL_TOKEN_MAX + 1];		  /* read from api_token_file */
	char state_dir[FP_CTRL_DIR_MAX];		  /* fp_control.state_dir */
	char underlay_port[FP_NAME_SIZE];		  /* "" = the only underlay port */
	int has_gw_mac;					  /* underlay_gateway_mac given */
	uint8_t gw_mac[6];				  /* underlay_gateway_mac */
	uint32_t batch;					  /* changes per transaction */
	uint32_t health_ms;				  /* dataplane check interval */
	uint32_t audit_ms;				  /* drift audit interval, 0: off */
	uint32_t max_body;				  /* largest request body, bytes */
	int log_level;					  /* log_level: FP_LOG_* (lib/log.h) */
	struct fp_ctrl_md_config md;			  /* fp_control.metadata */
	uint32_t dhcp_lease;				  /* dhcp_lease_duration, seconds */
};

/** Fill the defaults (no file). */
void fp_ctrl_config_defaults(struct fp_ctrl_config *c);

/**
 * Load a config file.
 *
 * @param path the file
 * @param c    filled in (defaults first); zeroed on failure
 * @param err  "file:line: message" on failure
 * @param errsz its size
 * @return 0, or -ENOENT (no file), -EINVAL (the message says why)
 */
int fp_ctrl_config_load(const char *path, struct fp_ctrl_config *c, char *err, size_t errsz);

#endif /* FP_CONTROL_CTRL_CONFIG_H */
