/* SPDX-License-Identifier: BSD-3-Clause */
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

#include "log.h"

#define DEFAULT_DP_SOCKET "/run/flowplane/fp-dpdk.sock"
#define DEFAULT_API_SOCKET "/run/flowplane/fp-control.sock"
#define DEFAULT_STATE_DIR "/var/lib/flowplane"
#define BATCH_MIN 1
#define BATCH_MAX 1048576 /* FP_CTL_TXN_MAX */
#define HEALTH_MS_MIN 10
#define HEALTH_MS_MAX 60000
#define BODY_MIN 4096
#define BODY_MAX (1U << 30)
#define FILE_MAX (1 << 20)

struct loader {
	const char *file; /* path, for messages */
	char *err;	  /* message buffer */
	size_t errsz;	  /* its size */
};

static int
fail(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s != NULL && config_setting_source_line(s) > 0) {
		const char *name = config_setting_name(s);

		snprintf(ld->err, ld->errsz, "%s:%d: %s%s%s", ld->file,
			 config_setting_source_line(s), name ? name : "", name ? ": " : "", msg);
	} else {
		snprintf(ld->err, ld->errsz, "%s: %s", ld->file, msg);
	}
	return -EINVAL;
}

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
	c->max_body = 256U << 20;
	c->log_level = FP_LOG_INFO;
}

static int
ip_parse(const char *s, struct fp_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET6, s, ip->b) == 1)
		return 0;
	if (inet_pton(AF_INET, s, ip->b + 12) == 1) {
		ip->b[10] = ip->b[11] = 0xff;
		return 0;
	}
	return -EINVAL;
}

static int
mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int i;

	if (strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		const char *p = s + 3 * i;

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i < 5 && p[2] != ':'))
			return -EINVAL;
		if (sscanf(p, "%2hhx", &mac[i]) != 1)
			return -EINVAL;
	}
	return 0;
}

/* A string member; *out NULL when absent and not required. */
static int
str_get(struct loader *ld, const config_setting_t *grp, const char *name, int required,
	const char **out)
{
	const config_setting_t *s = config_setting_get_member(grp, name);

	*out = NULL;
	if (s == NULL)
		return required ? fail(ld, grp, "%s: required", name) : 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(ld, s, "must be a string");
	*out = config_setting_get_string(s);
	return 0;
}

static int
path_get(struct loader *ld, const config_setting_t *grp, const char *name, char *dst, size_t size)
{
	const config_setting_t *s = config_setting_get_member(grp, name);
	const char *v;
	int rc = str_get(ld, grp, name, 0, &v);

	if (rc < 0 || v == NULL)
		return rc;
	if (v[0] != '/' || strlen(v) >= size)
		return fail(ld, s, "must be an absolute path of 1..%zu characters", size - 1);
	snprintf(dst, size, "%s", v);
	return 0;
}

static int
uint_get(struct loader *ld, const config_setting_t *grp, const char *name, long long lo,
	 long long hi, uint32_t *dst)
{
	const config_setting_t *s = config_setting_get_member(grp, name);
	long long v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return fail(ld, s, "must be an integer");
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return fail(ld, s, "%lld out of range %lld..%lld", v, lo, hi);
	*dst = (uint32_t)v;
	return 0;
}

/* Read the bearer token: one line, FP_CTRL_TOKEN_MIN..MAX printable
 * characters, in a file only its owner may read.
 */
static int
token_read(struct loader *ld, const config_setting_t *s, const char *path, char *dst, size_t size)
{
	char buf[FP_CTRL_TOKEN_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail(ld, s, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || (st.st_mode & 077) != 0) {
		close(fd);
		return fail(ld, s, "%s: must not be readable by group or others (chmod 600)", path);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return fail(ld, s, "%s: %s", path, strerror(errno));
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (len < FP_CTRL_TOKEN_MIN || len > FP_CTRL_TOKEN_MAX || len + 1 > size)
		return fail(ld, s, "%s: the token must be %d..%d characters", path,
			    FP_CTRL_TOKEN_MIN, FP_CTRL_TOKEN_MAX);
	for (size_t i = 0; i < len; i++)
		if (!isgraph((unsigned char)buf[i]))
			return fail(ld, s, "%s: the token must be printable, without spaces", path);
	memcpy(dst, buf, len + 1);
	return 0;
}

/* "127.0.0.1:9697" or "[::1]:9697"; loopback only. */
static int
tcp_parse(struct loader *ld, const config_setting_t *s, const char *v, struct fp_ctrl_config *c)
{
	char host[64];
	const char *colon;
	struct fp_ip ip;
	unsigned long port;
	char *end;
	size_t hl;

	if (v[0] == '[') {
		const char *rb = strchr(v, ']');

		if (rb == NULL || rb[1] != ':')
			return fail(ld, s, "must be \"ADDRESS:PORT\" or \"[ADDRESS]:PORT\"");
		hl = (size_t)(rb - v - 1);
		colon = rb + 1;
		if (hl >= sizeof(host))
			return fail(ld, s, "address too long");
		memcpy(host, v + 1, hl);
	} else {
		colon = strrchr(v, ':');
		if (colon == NULL)
			return fail(ld, s, "must be \"ADDRESS:PORT\" or \"[ADDRESS]:PORT\"");
		hl = (size_t)(colon - v);
		if (hl >= sizeof(host))
			return fail(ld, s, "address too long");
		memcpy(host, v, hl);
	}
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || colon[1] == '\0' || port == 0 || port > 65535)
		return fail(ld, s, "port must be 1..65535");
	if (ip_parse(host, &ip) < 0)
		return fail(ld, s, "%s: not an IP address", host);
	{
		static const uint8_t v6_loop[16] = { [15] = 1 };
		int v4 = ip.b[10] == 0xff && ip.b[11] == 0xff &&
			 memcmp(ip.b, (const uint8_t[10]){ 0 }, 10) == 0;

		if (!(v4 && ip.b[12] == 127) && memcmp(ip.b, v6_loop, 16) != 0)
			return fail(ld, s, "%s: the TCP API listens on loopback only", host);
	}
	snprintf(c->api_tcp_addr, sizeof(c->api_tcp_addr), "%s", host);
	c->api_tcp_port = (uint16_t)port;
	return 0;
}

static int
own_group_load(struct loader *ld, const config_setting_t *grp, struct fp_ctrl_config *c)
{
	static const char *const keys[] = {
		"api_socket", "xdp_instance", "api_tcp",       "api_token_file",
		"state_dir",  "backend",      "underlay_port", "underlay_gateway_mac",
		"batch",      "health_ms",    "max_body",      NULL,
	};
	const config_setting_t *s;
	const char *v;
	unsigned int i, k;
	int rc;

	if (config_setting_type(grp) != CONFIG_TYPE_GROUP)
		return fail(ld, grp, "must be a group");
	for (i = 0; (s = config_setting_get_elem(grp, i)) != NULL; i++) {
		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(config_setting_name(s), keys[k]) == 0)
				break;
		if (keys[k] == NULL)
			return fail(ld, s, "unknown key");
	}
	if ((rc = path_get(ld, grp, "api_socket", c->api_socket, sizeof(c->api_socket))) < 0 ||
	    (rc = path_get(ld, grp, "state_dir", c->state_dir, sizeof(c->state_dir))) < 0)
		return rc;
	if ((rc = str_get(ld, grp, "backend", 0, &v)) < 0)
		return rc;
	if (v != NULL && strcmp(v, "dpdk") != 0 && strcmp(v, "xdp") != 0)
		return fail(ld, config_setting_get_member(grp, "backend"),
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
			return fail(ld, config_setting_get_member(grp, "xdp_instance"),
				    "must be 1..%zu characters of [A-Za-z0-9_-]",
				    sizeof(c->xdp_instance) - 1);
		snprintf(c->xdp_instance, sizeof(c->xdp_instance), "%s", v);
	}
	if ((rc = str_get(ld, grp, "underlay_port", 0, &v)) < 0)
		return rc;
	if (v != NULL) {
		if (v[0] == '\0' || strlen(v) >= sizeof(c->underlay_port))
			return fail(ld, config_setting_get_member(grp, "underlay_port"),
				    "must be a port name of 1..%d characters", FP_NAME_SIZE - 1);
		snprintf(c->underlay_port, sizeof(c->underlay_port), "%s", v);
	}
	if ((rc = str_get(ld, grp, "underlay_gateway_mac", 0, &v)) < 0)
		return rc;
	if (v != NULL) {
		if (mac_parse(v, c->gw_mac) < 0 || (c->gw_mac[0] & 1))
			return fail(ld, config_setting_get_member(grp, "underlay_gateway_mac"),
				    "\"%s\": not a unicast MAC address", v);
		c->has_gw_mac = 1;
	}
	if ((rc = uint_get(ld, grp, "batch", BATCH_MIN, BATCH_MAX, &c->batch)) < 0 ||
	    (rc = uint_get(ld, grp, "health_ms", HEALTH_MS_MIN, HEALTH_MS_MAX, &c->health_ms)) <
		    0 ||
	    (rc = uint_get(ld, grp, "max_body", BODY_MIN, BODY_MAX, &c->max_body)) < 0)
		return rc;
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
			return fail(ld, ts, "needs api_token_file (the TCP API requires a token)");
		rc = token_read(ld, config_setting_get_member(grp, "api_token_file"), tf,
				c->api_token, sizeof(c->api_token));
		if (rc < 0)
			return rc;
	} else if (config_setting_get_member(grp, "api_token_file") != NULL) {
		return fail(ld, config_setting_get_member(grp, "api_token_file"),
			    "only used with api_tcp");
	}
	return 0;
}

static int
shared_load(struct loader *ld, const config_setting_t *root, struct fp_ctrl_config *c)
{
	const config_setting_t *vt, *addrs, *ctl, *s;
	const char *v;
	unsigned int i;
	int rc;

	if ((rc = str_get(ld, root, "host", 1, &v)) < 0)
		return rc;
	if (v[0] == '\0' || strlen(v) >= sizeof(c->host))
		return fail(ld, config_setting_get_member(root, "host"), "must be 1..%d characters",
			    FP_NAME_SIZE - 1);
	snprintf(c->host, sizeof(c->host), "%s", v);
	vt = config_setting_get_member(root, "vtep");
	addrs = vt != NULL ? config_setting_get_member(vt, "addresses") : NULL;
	if (addrs == NULL)
		return fail(ld, vt ? vt : root, "vtep.addresses: required");
	if (config_setting_type(addrs) != CONFIG_TYPE_ARRAY || config_setting_length(addrs) < 1 ||
	    config_setting_length(addrs) > FP_CTRL_LOCAL_VTEP_MAX)
		return fail(ld, addrs, "must be an array of 1..%d addresses",
			    FP_CTRL_LOCAL_VTEP_MAX);
	for (i = 0; (s = config_setting_get_elem(addrs, i)) != NULL; i++) {
		v = config_setting_get_string(s);
		if (v == NULL || ip_parse(v, &c->local_vteps[i]) < 0)
			return fail(ld, addrs, "element %u: not an IP address", i);
	}
	c->n_local_vteps = i;
	ctl = config_setting_get_member(root, "control");
	if (ctl != NULL &&
	    (rc = path_get(ld, ctl, "socket", c->dp_socket, sizeof(c->dp_socket))) < 0)
		return rc;
	if ((rc = str_get(ld, root, "log_level", 0, &v)) < 0)
		return rc;
	if (v != NULL) {
		int level = fp_log_level_parse(v);

		if (level < 0)
			return fail(ld, config_setting_get_member(root, "log_level"),
				    "\"%s\" is not a log level (%s)", v, FP_LOG_LEVEL_NAMES);
		c->log_level = level;
	}
	return 0;
}

/* The whole file, checked as fp-dpdk checks it: at most FILE_MAX bytes,
 * no NUL, no @include (one file).
 */
static int
file_read(struct loader *ld, const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL, *line;
	size_t n;

	if (f == NULL)
		return fail(ld, NULL, "%s", strerror(errno));
	buf = malloc(FILE_MAX + 2);
	if (buf == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	fclose(f);
	if (n > FILE_MAX || memchr(buf, '\0', n) != NULL) {
		free(buf);
		return fail(ld, NULL, "larger than %d bytes or contains a NUL byte", FILE_MAX);
	}
	buf[n] = '\0';
	for (line = buf; line != NULL; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "@include", 8) == 0) {
			free(buf);
			return fail(ld, NULL, "@include is not supported: the config is one file");
		}
	}
	*out = buf;
	return 0;
}

int
fp_ctrl_config_load(const char *path, struct fp_ctrl_config *c, char *err, size_t errsz)
{
	struct loader ld = { .file = path, .err = err, .errsz = errsz };
	const config_setting_t *root, *grp;
	char *text = NULL;
	config_t cf;
	int rc;

	fp_ctrl_config_defaults(c);
	if (access(path, R_OK) < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		memset(c, 0, sizeof(*c));
		return rc == -ENOENT ? -ENOENT : -EINVAL;
	}
	rc = file_read(&ld, path, &text);
	if (rc < 0) {
		memset(c, 0, sizeof(*c));
		return rc;
	}
	config_init(&cf);
	if (config_read_string(&cf, text) != CONFIG_TRUE) {
		snprintf(err, errsz, "%s:%d: %s", path, config_error_line(&cf),
			 config_error_text(&cf));
		rc = -EINVAL;
		goto out;
	}
	root = config_root_setting(&cf);
	rc = shared_load(&ld, root, c);
	if (rc == 0 && (grp = config_setting_get_member(root, "fp_control")) != NULL)
		rc = own_group_load(&ld, grp, c);
out:
	config_destroy(&cf);
	free(text);
	if (rc < 0)
		memset(c, 0, sizeof(*c));
	return rc;
}
