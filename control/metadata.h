/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control's Nova metadata proxy, as Neutron's metadata agent and OVN's
 * ovn-metadata-agent are (doc/routing.md, "Metadata"; doc/control.md).
 *
 * A VM's connection to 169.254.169.254:80 reaches the host kernel with
 * its source replaced by the link address of its engine port
 * (lib/md_link.h; the dataplane's half).  The proxy listens on
 * fp_control.metadata.listen; for each request it maps the peer address
 * to the engine port and the Neutron port bound there (the lookup ops),
 * and sends the request on to Nova's metadata API (nova_url) with
 *   X-Instance-ID             the port's device_id
 *   X-Tenant-ID               the port's project_id (tenant_id)
 *   X-Instance-ID-Signature   hex HMAC-SHA256(shared secret, instance id)
 *   X-Forwarded-For           the VM's fixed IP
 * as neutron/agent/metadata/agent.py's _proxy_request() does.  Nova's 200
 * goes back with its body and Content-Type; its 400, 403, 404, 409 and
 * 500 go back as that status; any other status is 500 (Neutron: an
 * exception); Nova not reachable or not answering in time is 502 / 504.
 * A peer that is no link address, or whose port has no instance, gets
 * 404 (Neutron: no port found).  Methods: GET, HEAD, POST (Nova's
 * metadata API takes POST for the instance password only).
 *
 * Limits (fp_control.metadata): connections at once (a guard, guard.h,
 * with one request per connection), request head 4 KiB and body 4 KiB,
 * request_ms to send a request, timeout_ms for Nova's answer (the whole
 * of it), max_response bytes of it, and a token bucket per engine port
 * (rate per second, burst): over it, 429.  Nothing blocks: the upstream
 * client is libevent's evhttp on the same event loop, the upstream
 * address a number (no name resolution).
 *
 * Concurrency: the event loop's thread only.
 */
#ifndef FP_CONTROL_METADATA_H
#define FP_CONTROL_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "addr.h"
#include "ctrl_config.h"
#include "engine_port.h"
#include "model.h"

#define FP_MD_SIG_SIZE 65   /* hex HMAC-SHA256, NUL included */
#define FP_MD_HEAD_MAX 4096 /* request line and headers from a VM, bytes */
#define FP_MD_BODY_MAX 4096 /* request body from a VM (Nova takes 1020 at most) */

/* What became of a request: FP_MD_<ID>, its name (counters, log), the
 * status the VM gets (0: it varies).  Requests the guard refuses (limits:
 * 408, 413, 431, 503...) never reach the proxy: the guard logs them.
 */
#define FP_FOREACH_MD_OUTCOME(_)                                                                 \
	_(OK, "ok", 200)			     /* Nova's answer passed on */               \
	_(NOVA_REFUSED, "nova_refused", 0)	     /* Nova's 400, 404 or 409 passed on */      \
	_(FORBIDDEN, "forbidden", 403)		     /* Nova's 403: the secrets differ? */       \
	_(NOVA_ERROR, "nova_error", 500)	     /* Nova's 500, or a status Neutron fails */ \
	_(UNKNOWN_PEER, "unknown_peer", 404)	     /* the source is no link address */         \
	_(UNKNOWN_PORT, "unknown_port", 404)	     /* no instance behind that engine port */   \
	_(RATE_LIMITED, "rate_limited", 429)	     /* the port's bucket is empty */            \
	_(UPSTREAM_ERROR, "upstream_error", 502)     /* Nova unreachable, or no HTTP */          \
	_(UPSTREAM_TIMEOUT, "upstream_timeout", 504) /* Nova not done in timeout_ms */           \
	_(BAD_REQUEST, "bad_request", 0)	     /* a method (405) or URI (400) not taken */ \
	_(INTERNAL, "internal", 500)		     /* out of memory, a header not taken */     \
	_(NOT_DELIVERED, "not_delivered", 503)	     /* the engine does not deliver yet */       \
	_(PENDING_LIMITED, "pending_limited", 429)   /* the port's requests wait for Nova */

#define FP_MD_OUTCOME_ENUM(id, name, status) FP_MD_##id,
enum fp_md_outcome { FP_FOREACH_MD_OUTCOME(FP_MD_OUTCOME_ENUM) FP_MD_OUTCOME_MAX };
#undef FP_MD_OUTCOME_ENUM

extern const char *const fp_md_outcome_names[FP_MD_OUTCOME_MAX]; /* "ok" ... */

/* The instance behind a request. */
struct fp_md_instance {
	uint32_t link_id;			 /* the engine port (the bucket's index) */
	uint32_t pad;				 /* zero */
	char port_id[FP_MODEL_ID_SIZE];		 /* the Neutron port */
	char instance_id[FP_MODEL_LONG_ID_SIZE]; /* its device_id */
	char project_id[FP_MODEL_LONG_ID_SIZE];	 /* its project_id */
	char fixed_ip[FP_ADDR_IP_STR];		 /* X-Forwarded-For: its first IPv4 fixed IP */
};

/**
 * The instance behind a peer address: the engine port of the link
 * address (fp_md_link_port()), the engine port of that id (role vm), the
 * one Neutron port bound to this host on it (binding:host_id = host,
 * binding:profile.flowplane_port = its name, a VM's device_owner).
 * Pure: no I/O.
 *
 * @param peer	 the peer's IPv4 address, host byte order
 * @param out	 filled; link_id also when the port is not found
 * @param why	 receives why not (for the log), or NULL
 * @return 0; -EADDRNOTAVAIL: no link address; -ENOENT: no engine port of
 *	   that id, or no Neutron port bound on it; -EEXIST: more than one
 *	   (Neutron answers only for exactly one); -ENODATA: the port has no
 *	   device_id or no project_id
 */
int fp_md_instance_find(const struct fp_model *m, const char *host,
			const struct fp_engine_port *ports, size_t n_ports, uint32_t peer,
			struct fp_md_instance *out, const char **why);

/**
 * Nova's X-Instance-ID-Signature: hex HMAC-SHA256 keyed with the shared
 * secret over the instance id (Neutron's _sign_instance_id()).
 *
 * @param out receives 64 lowercase hex digits and a NUL
 * @return 0, or -ENOMEM (libcrypto failed)
 */
int fp_md_sign(const char *secret, const char *instance_id, char out[FP_MD_SIG_SIZE]);

/* Where the proxy asks who is behind a peer address. */
struct fp_md_ops {
	/** fp_md_instance_find() on the current state; its return. */
	int (*lookup)(void *arg, uint32_t peer, struct fp_md_instance *out, const char **why);
	/** Does the engine deliver VMs' metadata connections here? */
	int (*delivered)(void *arg);
};

/* The proxy as GET /v1/metadata shows it. */
struct fp_md_status {
	int enabled;			 /* configured (else the rest is zero) */
	int delivered;			 /* the engine delivers VMs' connections */
	const char *state;		 /* one line for people */
	char listen[80];		 /* ADDRESS:PORT */
	char nova[96];			 /* http://ADDRESS:PORT */
	uint32_t conns;			 /* connections open */
	uint32_t pending;		 /* requests waiting for Nova */
	uint64_t n_requests;		 /* requests handled */
	uint64_t n[FP_MD_OUTCOME_MAX];	 /* per outcome */
	struct fp_ctrl_md_config limits; /* the configuration (secret zeroed) */
};

struct fp_md;

/**
 * Listen and serve on base.  The listening socket is bound with
 * IP_FREEBIND: the address (169.254.169.254) may appear later, when the
 * dataplane makes its TAP.
 *
 * @param cfg	the configuration (enabled; copied)
 * @param ops	the lookups (called on the event loop's thread)
 * @return the proxy, or NULL with errno and a message in err
 */
struct fp_md *fp_md_create(struct event_base *base, const struct fp_ctrl_md_config *cfg,
			   const struct fp_md_ops *ops, void *arg, char *err, size_t errsz);

/** The port it listens on (tests listen on port 0). */
uint16_t fp_md_port(const struct fp_md *md);

/** Its counters and state. */
void fp_md_status_get(struct fp_md *md, struct fp_md_status *out);

/** Stop: requests waiting for Nova are dropped unanswered. Accepts NULL. */
void fp_md_free(struct fp_md *md);

#endif /* FP_CONTROL_METADATA_H */
