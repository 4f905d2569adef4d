/* SPDX-License-Identifier: BSD-3-Clause */
/* fp-control's configuration loader: the shared keys it needs (host,
 * vtep.addresses through lib/conf.c, as fp-dpdk checks them;
 * control.socket) and its own group fp_control.
 */
#include "ctrl_config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "addr.h"
#include "conf.h"
#include "log.h"

#define DEFAULT_DP_SOCKET "/run/flowplane/fp-dpdk.sock"
#define DEFAULT_API_SOCKET "/run/flowplane/fp-control.sock"
#define DEFAULT_STATE_DIR "/var/lib/flowplane"
#define BATCH_MIN 1
#define BATCH_MAX 1048576 /* FP_CTL_TXN_MAX */
#define HEALTH_MS_MIN 10
#define HEALTH_MS_MAX 60000
#define AUDIT_MS_MAX 86400000 /* a day */
#define BODY_MIN 4096
#define BODY_MAX (1U << 30)
#define MD_LISTEN "169.254.169.254" /* metadata.listen's default address */
#define LEASE_MIN 120		    /* lib/dhcp4.c's shortest lease */
#define LEASE_MAX 2147483647LL	    /* 2^31 - 1 s: RFC 2131's lease times stay unsigned 32 */

void
fp_ctrl_config_defaults(struct fp_ctrl_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->dp_socket, sizeof(c->dp_socket), "%s", DEFAULT_DP_SOCKET);
	snprintf(c->api_socket, sizeof(c->api_socket), "%s", DEFAULT_API_SOCKET);
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", DEFAULT_STATE_DIR);
	snprintf(c->backend, sizeof(c->backend), "dpdk");
	snprintf(c->xdp_instance, sizeof(c->xdp_instance), "default");
	c->batch = 65536;
	c->health_ms = 500;
	c->audit_ms = 60000;
	c->max_body = 16U << 20; /* a 10k-port Neutron snapshot: 13.7 MB */
	c->dhcp_lease = 86400;	 /* Neutron's dhcp_lease_duration */
	c->log_level = FP_LOG_INFO;
	snprintf(c->md.listen_addr, sizeof(c->md.listen_addr), "%s", MD_LISTEN);
	c->md.listen_port = 80;
	c->md.max_conns = 64;
	c->md.request_ms = 10000;
	c->md.max_conns_per_port = 4;
	c->md.max_pending_per_port = 4;
	c->md.timeout_ms = 10000;
	c->md.max_response = 1U << 20;
	c->md.rate = 10;
	c->md.burst = 100;
}

/* A string member; *out NULL when absent and not required. */
static int
str_get(struct fp_conf *ld, const config_setting_t *grp, const char *name, int required,
	const char **out)
{
	const config_setting_t *s;
	int rc = fp_conf_member_get(ld, grp, name, FP_CONF_T_STR, required, &s);

	*out = rc == 0 && s != NULL ? config_setting_get_string(s) : NULL;
	return rc;
}

static int
path_get(struct fp_conf *ld, const config_setting_t *grp, const char *name, char *dst, size_t size)
{
	const config_setting_t *s = config_setting_get_member(grp, name);
	const char *v;
	int rc = str_get(ld, grp, name, 0, &v);

	if (rc < 0 || v == NULL)
		return rc;
	if (v[0] != '/' || strlen(v) >= size)
		return fp_conf_fail(ld, s, NULL, "must be an absolute path of 1..%zu characters",
				    size - 1);
	snprintf(dst, size, "%s", v);
	return 0;
}

static int
uint_get(struct fp_conf *ld, const config_setting_t *grp, const char *name, long long lo,
	 long long hi, uint32_t *dst)
{
	const config_setting_t *s;
	int64_t v = 0;
	int rc = fp_conf_member_get(ld, grp, name, FP_CONF_T_INT, false, &s);

	if (rc < 0 || s == NULL)
		return rc;
	rc = fp_conf_int_get(ld, s, lo, hi, false, &v);
	if (rc == 0)
		*dst = (uint32_t)v;
	return rc;
}

/* Read a secret (the bearer token, the metadata secret): one line, min..max
 * printable characters, in a file only its owner may read.
 */
static int
secret_read(struct fp_conf *ld, const config_setting_t *s, const char *path, size_t min, size_t max,
	    const char *what, char *dst, size_t size)
{
	char buf[FP_CTRL_SECRET_MAX > FP_CTRL_TOKEN_MAX ? FP_CTRL_SECRET_MAX + 2 :
							  FP_CTRL_TOKEN_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fp_conf_fail(ld, s, NULL, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || (st.st_mode & 077) != 0) {
		close(fd);
		return fp_conf_fail(ld, s, NULL,
				    "%s: must not be readable by group or others (chmod 600)",
				    path);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return fp_conf_fail(ld, s, NULL, "%s: %s", path, strerror(errno));
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (len < min || len > max || len + 1 > size)
		return fp_conf_fail(ld, s, NULL, "%s: the %s must be %zu..%zu characters", path,
				    what, min, max);
	for (size_t i = 0; i < len; i++)
		if (!isgraph((unsigned char)buf[i]))
			return fp_conf_fail(ld, s, NULL,
					    "%s: the %s must be printable, without spaces", path,
					    what);
	memcpy(dst, buf, len + 1);
	return 0;
}

/* "ADDRESS:PORT" or "[ADDRESS]:PORT" (dflt_port: ":PORT" may be left
 * out): the address (a number: no name is resolved) and the port.
 */
static int
hostport_parse(struct fp_conf *ld, const config_setting_t *s, const char *v, int dflt_port,
	       char *host, size_t hostsz, struct fp_ip *ip, uint16_t *out_port)
{
	const char *colon;
	unsigned long port;
	char *end;
	size_t hl;

	if (v[0] == '[') {
		const char *rb = strchr(v, ']');

		if (rb == NULL || (rb[1] != ':' && !(rb[1] == '\0' && dflt_port)))
			return fp_conf_fail(ld, s, NULL,
					    "must be \"ADDRESS:PORT\" or \"[ADDRESS]:PORT\"");
		hl = (size_t)(rb - v - 1);
		colon = rb[1] == '\0' && dflt_port ? NULL : rb + 1;
		if (hl >= hostsz)
			return fp_conf_fail(ld, s, NULL, "address too long");
		memcpy(host, v + 1, hl);
	} else {
		colon = strrchr(v, ':');
		if (colon == NULL && !dflt_port)
			return fp_conf_fail(ld, s, NULL,
					    "must be \"ADDRESS:PORT\" or \"[ADDRESS]:PORT\"");
		hl = colon != NULL ? (size_t)(colon - v) : strlen(v);
		if (hl >= hostsz)
			return fp_conf_fail(ld, s, NULL, "address too long");
		memcpy(host, v, hl);
	}
	host[hl] = '\0';
	port = (unsigned long)dflt_port;
	if (colon != NULL) {
		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (errno || *end || colon[1] == '\0' || port == 0 || port > 65535)
			return fp_conf_fail(ld, s, NULL, "port must be 1..65535");
	}
	if (fp_addr_ip_parse(host, ip) < 0)
		return fp_conf_fail(ld, s, NULL, "%s: not an IP address", host);
	*out_port = (uint16_t)port;
	return 0;
}

/* "127.0.0.1:9697" or "[::1]:9697"; loopback only. */
static int
tcp_parse(struct fp_conf *ld, const config_setting_t *s, const char *v, struct fp_ctrl_config *c)
{
	char host[64];
	struct fp_ip ip;
	uint16_t port;
	int rc = hostport_parse(ld, s, v, 0, host, sizeof(host), &ip, &port);

	if (rc < 0)
		return rc;
	{
		static const uint8_t v6_loop[16] = { [15] = 1 };
		int v4 = ip.b[10] == 0xff && ip.b[11] == 0xff &&
			 memcmp(ip.b, (const uint8_t[10]){ 0 }, 10) == 0;

		if (!(v4 && ip.b[12] == 127) && memcmp(ip.b, v6_loop, 16) != 0)
			return fp_conf_fail(ld, s, NULL, "%s: the TCP API listens on loopback only",
					    host);
	}
	snprintf(c->api_tcp_addr, sizeof(c->api_tcp_addr), "%s", host);
	c->api_tcp_port = port;
	return 0;
}

/* fp_control.metadata = { listen; nova_url; shared_secret_file; limits }. */
static int
md_group_load(struct fp_conf *ld, const config_setting_t *grp, struct fp_ctrl_md_config *md)
{
	static const char *const keys[] = {
		"listen",     "nova_url",	    "shared_secret_file",   "max_conns",
		"request_ms", "timeout_ms",	    "max_response",	    "rate",
		"burst",      "max_conns_per_port", "max_pending_per_port", "test_assume_delivered",
		NULL,
	};
	const config_setting_t *s;
	struct in_addr a4;
	struct fp_ip ip;
	const char *v;
	int rc;

	if ((rc = fp_conf_check_type(ld, grp, FP_CONF_T_GROUP)) < 0 ||
	    (rc = fp_conf_check_keys(ld, grp, keys, NULL, 0)) < 0)
		return rc;
	md->enabled = 1;
	if ((rc = str_get(ld, grp, "listen", 0, &v)) < 0)
		return rc;
	if (v != NULL) {
		s = config_setting_get_member(grp, "listen");
		rc = hostport_parse(ld, s, v, 0, md->listen_addr, sizeof(md->listen_addr), &ip,
				    &md->listen_port);
		if (rc < 0)
			return rc;
		if (!fp_addr_ip_is_v4(&ip) || inet_pton(AF_INET, md->listen_addr, &a4) != 1)
			return fp_conf_fail(ld, s, NULL,
					    "%s: IPv4 only (the metadata service of IPv6, "
					    "fe80::a9fe:a9fe, is not served yet)",
					    md->listen_addr);
	}
	if ((rc = str_get(ld, grp, "nova_url", 0, &v)) < 0)
		return rc;
	s = config_setting_get_member(grp, "nova_url");
	if (v == NULL)
		return fp_conf_fail(ld, grp, NULL,
				    "nova_url is required (Nova's metadata API, "
				    "\"http://ADDRESS:8775\")");
	if (strncmp(v, "http://", 7) != 0)
		return fp_conf_fail(ld, s, NULL,
				    "\"%s\": must be \"http://ADDRESS[:PORT]\" (https is not "
				    "supported yet)",
				    v);
	{
		char hp[80];
		size_t n = strlen(v + 7);

		if (n > 0 && v[7 + n - 1] == '/')
			n--;
		if (n == 0 || n >= sizeof(hp) || memchr(v + 7, '/', n) != NULL)
			return fp_conf_fail(ld, s, NULL,
					    "\"%s\": must be \"http://ADDRESS[:PORT]\", without "
					    "a path",
					    v);
		memcpy(hp, v + 7, n);
		hp[n] = '\0';
		rc = hostport_parse(ld, s, hp, 80, md->nova_addr, sizeof(md->nova_addr), &ip,
				    &md->nova_port);
		if (rc < 0)
			return rc;
	}
	if ((rc = str_get(ld, grp, "shared_secret_file", 0, &v)) < 0)
		return rc;
	if (v == NULL)
		return fp_conf_fail(ld, grp, NULL,
				    "shared_secret_file is required (a file of mode "
				    "0600 holding Nova's metadata_proxy_shared_secret)");
	rc = secret_read(ld, config_setting_get_member(grp, "shared_secret_file"), v, 1,
			 FP_CTRL_SECRET_MAX, "shared secret", md->secret, sizeof(md->secret));
	if (rc < 0)
		return rc;
	if ((rc = uint_get(ld, grp, "max_conns", 1, 4096, &md->max_conns)) < 0 ||
	    (rc = uint_get(ld, grp, "request_ms", 100, 120000, &md->request_ms)) < 0 ||
	    (rc = uint_get(ld, grp, "timeout_ms", 100, 120000, &md->timeout_ms)) < 0 ||
	    (rc = uint_get(ld, grp, "max_response", 65536, 64U << 20, &md->max_response)) < 0 ||
	    (rc = uint_get(ld, grp, "rate", 1, 100000, &md->rate)) < 0 ||
	    (rc = uint_get(ld, grp, "burst", 1, 100000, &md->burst)) < 0 ||
	    (rc = uint_get(ld, grp, "max_conns_per_port", 1, 4096, &md->max_conns_per_port)) < 0 ||
	    (rc = uint_get(ld, grp, "max_pending_per_port", 1, 4096, &md->max_pending_per_port)) <
		    0)
		return rc;
	s = config_setting_get_member(grp, "test_assume_delivered");
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return fp_conf_fail(ld, s, NULL, "must be true or false");
		md->test_assume_delivered = config_setting_get_bool(s);
	}
	return 0;
}

static int
own_group_load(struct fp_conf *ld, const config_setting_t *grp, struct fp_ctrl_config *c)
{
	static const char *const keys[] = {
		"api_socket",
		"xdp_instance",
		"api_tcp",
		"api_token_file",
		"state_dir",
		"backend",
		"underlay_port",
		"underlay_gateway_mac",
		"batch",
		"health_ms",
		"max_body",
		"audit_ms",
		"metadata",
		"dhcp_lease_duration",
		NULL,
	};
	const char *v;
	int rc;

	rc = fp_conf_check_type(ld, grp, FP_CONF_T_GROUP);
	if (rc < 0)
		return rc;
	rc = fp_conf_check_keys(ld, grp, keys, NULL, 0);
	if (rc < 0)
		return rc;
	if ((rc = path_get(ld, grp, "api_socket", c->api_socket, sizeof(c->api_socket))) < 0 ||
	    (rc = path_get(ld, grp, "state_dir", c->state_dir, sizeof(c->state_dir))) < 0)
		return rc;
	if ((rc = str_get(ld, grp, "backend", 0, &v)) < 0)
		return rc;
	if (v != NULL && strcmp(v, "dpdk") != 0 && strcmp(v, "xdp") != 0)
		return fp_conf_fail(ld, config_setting_get_member(grp, "backend"), NULL,
				    "\"%s\": \"dpdk\" (fp-dpdk) or \"xdp\" (fp-xdp's maps)", v);
	if (v != NULL)
		snprintf(c->backend, sizeof(c->backend), "%s", v);
	if ((rc = str_get(ld, grp, "xdp_instance", 0, &v)) < 0)
		return rc;
	if (v != NULL) {
		size_t i, len = strlen(v);

		for (i = 0; i < len; i++)
			if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_')
				break;
		if (len == 0 || len >= sizeof(c->xdp_instance) || i < len)
			return fp_conf_fail(ld, config_setting_get_member(grp, "xdp_instance"),
					    NULL, "must be 1..%zu characters of [A-Za-z0-9_-]",
					    sizeof(c->xdp_instance) - 1);
		snprintf(c->xdp_instance, sizeof(c->xdp_instance), "%s", v);
	}
	if ((rc = str_get(ld, grp, "underlay_port", 0, &v)) < 0)
		return rc;
	if (v != NULL) {
		if (v[0] == '\0' || strlen(v) >= sizeof(c->underlay_port))
			return fp_conf_fail(ld, config_setting_get_member(grp, "underlay_port"),
					    NULL, "must be a port name of 1..%d characters",
					    FP_NAME_SIZE - 1);
		snprintf(c->underlay_port, sizeof(c->underlay_port), "%s", v);
	}
	if ((rc = str_get(ld, grp, "underlay_gateway_mac", 0, &v)) < 0)
		return rc;
	if (v != NULL) {
		if (fp_addr_mac_parse(v, c->gw_mac, 0) < 0 || (c->gw_mac[0] & 1))
			return fp_conf_fail(ld,
					    config_setting_get_member(grp, "underlay_gateway_mac"),
					    NULL, "\"%s\": not a unicast MAC address", v);
		c->has_gw_mac = 1;
	}
	if ((rc = uint_get(ld, grp, "batch", BATCH_MIN, BATCH_MAX, &c->batch)) < 0 ||
	    (rc = uint_get(ld, grp, "health_ms", HEALTH_MS_MIN, HEALTH_MS_MAX, &c->health_ms)) <
		    0 ||
	    (rc = uint_get(ld, grp, "max_body", BODY_MIN, BODY_MAX, &c->max_body)) < 0 ||
	    (rc = uint_get(ld, grp, "audit_ms", 0, AUDIT_MS_MAX, &c->audit_ms)) < 0 ||
	    (rc = uint_get(ld, grp, "dhcp_lease_duration", LEASE_MIN, LEASE_MAX, &c->dhcp_lease)) <
		    0)
		return rc;
	if (c->audit_ms != 0 && c->audit_ms < c->health_ms)
		return fp_conf_fail(ld, config_setting_get_member(grp, "audit_ms"), NULL,
				    "%u: 0 (no periodic audit) or at least health_ms (%u)",
				    c->audit_ms, c->health_ms);
	if ((rc = str_get(ld, grp, "api_tcp", 0, &v)) < 0)
		return rc;
	if (v != NULL) {
		const config_setting_t *ts = config_setting_get_member(grp, "api_tcp");
		const char *tf;

		if ((rc = tcp_parse(ld, ts, v, c)) < 0)
			return rc;
		if ((rc = str_get(ld, grp, "api_token_file", 0, &tf)) < 0)
			return rc;
		if (tf == NULL)
			return fp_conf_fail(ld, ts, NULL,
					    "needs api_token_file (the TCP API requires a token)");
		rc = secret_read(ld, config_setting_get_member(grp, "api_token_file"), tf,
				 FP_CTRL_TOKEN_MIN, FP_CTRL_TOKEN_MAX, "token", c->api_token,
				 sizeof(c->api_token));
		if (rc < 0)
			return rc;
	} else if (config_setting_get_member(grp, "api_token_file") != NULL) {
		return fp_conf_fail(ld, config_setting_get_member(grp, "api_token_file"), NULL,
				    "only used with api_tcp");
	}
	if (config_setting_get_member(grp, "metadata") != NULL)
		return md_group_load(ld, config_setting_get_member(grp, "metadata"), &c->md);
	return 0;
}

static int
shared_load(struct fp_conf *ld, const config_setting_t *root, struct fp_ctrl_config *c)
{
	const config_setting_t *ctl;
	uint32_t level;
	int rc;

	/* The keys all three programs read, checked as fp-dpdk checks them. */
	rc = fp_conf_common_load(ld, root, NULL, c->host, c->local_vteps, FP_CTRL_LOCAL_VTEP_MAX,
				 &c->n_local_vteps);
	if (rc < 0)
		return rc;
	ctl = config_setting_get_member(root, "control");
	if (ctl != NULL &&
	    (rc = path_get(ld, ctl, "socket", c->dp_socket, sizeof(c->dp_socket))) < 0)
		return rc;
	level = (uint32_t)c->log_level;
	rc = fp_conf_log_level_load(ld, root, &level);
	if (rc < 0)
		return rc;
	c->log_level = (int)level;
	return 0;
}

int
fp_ctrl_config_load(const char *path, struct fp_ctrl_config *c, char *err, size_t errsz)
{
	const config_setting_t *root, *grp;
	struct fp_conf ld;
	int rc;

	fp_ctrl_config_defaults(c);
	rc = fp_conf_open(&ld, path, err, errsz);
	if (rc < 0) {
		rc = rc == -ENOENT || rc == -ENOMEM ? rc : -EINVAL;
		goto out;
	}
	root = fp_conf_root(&ld);
	rc = shared_load(&ld, root, c);
	if (rc == 0 && (grp = config_setting_get_member(root, "fp_control")) != NULL)
		rc = own_group_load(&ld, grp, c);
out:
	fp_conf_close(&ld);
	if (rc < 0)
		memset(c, 0, sizeof(*c));
	return rc;
}
