/* SPDX-License-Identifier: BSD-3-Clause */
#include "api.h"

#include <errno.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api_json.h"
#include "guard.h"
#include "log.h"
#include "model.h"

#define API_BACKLOG 128
#define API_CONN_MAX 64	     /* connections at once, per listener */
#define API_HEAD_MAX 8192    /* request line and headers, bytes */
#define API_REQUEST_MS 30000 /* a request's head and body must be in by then */
#define API_IDLE_S 30	     /* an idle (or stalled) connection is closed after */
#define API_FD_RESERVE 16    /* descriptors kept for everything but clients */

struct listener {
	struct fp_api *api;	/* owner */
	int tcp;		/* requests need the bearer token */
	struct fp_guard *guard; /* limits in front of evhttp */
};

struct fp_api {
	struct fp_ctrl *ctrl;		   /* what requests act on */
	struct evhttp *http_unix;	   /* Unix socket server */
	struct evhttp *http_tcp;	   /* loopback TCP server, or NULL */
	struct listener l_unix;		   /* callback argument */
	struct listener l_tcp;		   /* callback argument */
	char path[FP_CTRL_PATH_MAX];	   /* the Unix socket */
	char token[FP_CTRL_TOKEN_MAX + 1]; /* bearer token (TCP) */
	int lock_fd;			   /* holds <api_socket>.lock, or -1 */
	uint64_t n_requests;		   /* served */
	struct fp_md *md;		   /* the metadata proxy, or NULL (off) */
};

/* When the request being handled came in (handle()); requests are
 * handled one at a time, to the end, on the event loop's thread.
 */
static struct timespec req_t0;

/* One line per request: method, path (control characters shown as '?'),
 * status, time to handle it.
 */
static void
request_log(struct evhttp_request *req, int status)
{
	static const struct {
		enum evhttp_cmd_type cmd; /* libevent's id */
		const char *name;	  /* what the client sent */
	} methods[] = {
		{ EVHTTP_REQ_GET, "GET" },	   { EVHTTP_REQ_PUT, "PUT" },
		{ EVHTTP_REQ_DELETE, "DELETE" },   { EVHTTP_REQ_POST, "POST" },
		{ EVHTTP_REQ_HEAD, "HEAD" },	   { EVHTTP_REQ_PATCH, "PATCH" },
		{ EVHTTP_REQ_OPTIONS, "OPTIONS" },
	};
	const char *uri = evhttp_request_get_uri(req), *method = "OTHER";
	char path[256];
	struct timespec t1;
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].cmd == evhttp_request_get_command(req))
			method = methods[i].name;
	for (i = 0; uri != NULL && uri[i] != '\0' && i < sizeof(path) - 1; i++)
		path[i] = (unsigned char)uri[i] < 0x20 || uri[i] == 0x7f ? '?' : uri[i];
	path[i] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fp_log(FP_LOG_INFO, "api: %s %s %d %.3f ms", method, path, status,
	       (double)(t1.tv_sec - req_t0.tv_sec) * 1e3 +
		       (double)(t1.tv_nsec - req_t0.tv_nsec) / 1e6);
}

static void
reply(struct evhttp_request *req, int status, json_t *body)
{
	struct evbuffer *b = evbuffer_new();
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "application/json");
	if (b != NULL && text != NULL) {
		evbuffer_add(b, text, strlen(text));
		evbuffer_add(b, "\n", 1);
	}
	request_log(req, status);
	evhttp_send_reply(req, status, NULL, b);
	if (b != NULL)
		evbuffer_free(b);
	free(text);
	json_decref(body);
}

static void reply_error(struct evhttp_request *req, int status, const char *field, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

static void
reply_error(struct evhttp_request *req, int status, const char *field, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	reply(req, status, fp_api_json_error(status, field, reason));
}

/* Constant-time comparison: the token is a secret. */
static int
token_ok(const char *have, const char *want)
{
	size_t i, n = strlen(want);
	unsigned char d = 0;

	if (have == NULL || strlen(have) != n)
		return 0;
	for (i = 0; i < n; i++)
		d |= (unsigned char)(have[i] ^ want[i]);
	return d == 0;
}

/* json_load_callback() source: the request body, taken from the
 * evbuffer as the parser goes, so the text is never copied whole and its
 * memory goes back while the tree grows.
 */
static size_t
body_read(void *buf, size_t size, void *arg)
{
	int n = evbuffer_remove(arg, buf, size);

	return n < 0 ? (size_t)-1 : (size_t)n;
}

/* How many JSON values the body may hold at most: one per
 * API_BYTES_PER_VALUE bytes.  A parsed value costs jansson 40..200 bytes,
 * so this bounds the tree to ~25 times the body; Neutron's documents have
 * one per ~24 bytes (a 10k-port snapshot), tight ones one per ~14.
 */
#define API_BYTES_PER_VALUE 8

/* An upper bound of the values in the body: its ',', '{' and '['; or
 * SIZE_MAX when it cannot be counted (out of memory).
 */
static size_t
values_count(struct evbuffer *in)
{
	int i, k = evbuffer_peek(in, -1, NULL, NULL, 0);
	struct evbuffer_iovec *v = k > 0 ? calloc((size_t)k, sizeof(*v)) : NULL;
	size_t n = 0;

	if (v == NULL)
		return k > 0 ? SIZE_MAX : 0;
	k = evbuffer_peek(in, -1, NULL, v, k);
	for (i = 0; i < k; i++) {
		const char *p = v[i].iov_base, *end = p + v[i].iov_len;

		for (; p < end; p++)
			n += *p == ',' || *p == '{' || *p == '[';
	}
	free(v);
	return n;
}

/* The request body as JSON; NULL after replying 400. */
static json_t *
body_json(struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	json_error_t je;
	json_t *doc;
	size_t len = evbuffer_get_length(in), n;

	if (len == 0) {
		reply_error(req, 400, "body", "a JSON body is required");
		return NULL;
	}
	n = values_count(in);
	if (n > len / API_BYTES_PER_VALUE + 16) {
		reply_error(req, 413, "body",
			    "%zu JSON values in %zu bytes: more than one per %d bytes", n, len,
			    API_BYTES_PER_VALUE);
		return NULL;
	}
	doc = json_load_callback(body_read, in, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		reply_error(req, 400, "body", "invalid JSON at line %d, column %d: %s", je.line,
			    je.column, je.text);
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		reply_error(req, 400, "body", "the body must be a JSON object");
		return NULL;
	}
	return doc;
}

static void
send_result(struct evhttp_request *req, const struct fp_ctrl_result *r)
{
	json_t *body;
	int status = fp_api_json_result(r, &body);

	reply(req, status, body);
}

/* PUT /v1/<coll>/<id>: the body is {"<singular>": {...}}. */
static void
put_one(struct fp_api *a, struct evhttp_request *req, int coll, const char *id)
{
	const char *key = fp_model_coll_singular[coll];
	struct fp_ctrl_result r = { 0 };
	json_t *doc = body_json(req), *res;

	if (doc == NULL)
		return;
	res = json_object_get(doc, key);
	if (res == NULL || json_object_size(doc) != 1) {
		reply_error(req, 400, "body", "expected {\"%s\": {...}} and nothing else", key);
		json_decref(doc);
		return;
	}
	if (!json_is_object(res)) {
		reply_error(req, 400, key, "must be an object");
		json_decref(doc);
		return;
	}
	fp_ctrl_put(a->ctrl, (enum fp_model_coll)coll, id, res, &r);
	json_decref(doc);
	send_result(req, &r);
}

static int
query_flag(const struct evhttp_uri *uri, const char *name, int dflt)
{
	struct evkeyvalq q;
	const char *qs = evhttp_uri_get_query(uri), *v;
	int r = dflt;

	if (qs == NULL)
		return dflt;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(qs, &q) == 0 && (v = evhttp_find_header(&q, name)) != NULL)
		r = strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
	evhttp_clear_headers(&q);
	return r;
}

/* Why the percent-escapes of a raw path segment are malformed, or NULL. */
static const char *
id_escapes_bad(const char *seg)
{
	for (; *seg != '\0'; seg++) {
		if (*seg != '%')
			continue;
		if (!isxdigit((unsigned char)seg[1]) || !isxdigit((unsigned char)seg[2]))
			return "a '%' must be followed by two hex digits";
		seg += 2;
	}
	return NULL;
}

static void
route(struct fp_api *a, struct evhttp_request *req, const struct evhttp_uri *uri)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const char *path = evhttp_uri_get_path(uri);
	char seg1[64], *id = NULL;
	const char *rest, *slash;
	int coll;

	if (path == NULL || strncmp(path, "/v1/", 4) != 0) {
		reply_error(req, 404, "path", "%s: no such resource (the API is under /v1/)",
			    path ? path : "");
		return;
	}
	rest = path + 4;
	slash = strchr(rest, '/');
	if ((slash ? (size_t)(slash - rest) : strlen(rest)) >= sizeof(seg1)) {
		reply_error(req, 404, "path", "%s: no such resource", path);
		return;
	}
	snprintf(seg1, sizeof(seg1), "%.*s", slash ? (int)(slash - rest) : (int)strlen(rest), rest);
	if (slash != NULL) {
		const char *why = id_escapes_bad(slash + 1);
		size_t n = 0, i;

		if (why != NULL) {
			reply_error(req, 400, "path", "%s: %s", path, why);
			return;
		}
		id = evhttp_uridecode(slash + 1, 0, &n);
		if (id == NULL) {
			reply_error(req, 500, "", "out of memory");
			return;
		}
		for (i = 0; i < n; i++) {
			if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f) {
				reply_error(req, 400, "path",
					    "%s: a resource id cannot hold control characters "
					    "(%%%02X)",
					    path, (unsigned char)id[i]);
				goto out;
			}
		}
		if (id[0] == '\0' || strchr(id, '/') != NULL || strlen(id) >= FP_MODEL_ID_SIZE) {
			reply_error(req, 404, "path", "%s: not a resource id (1..%d characters)",
				    path, FP_MODEL_ID_SIZE - 1);
			goto out;
		}
	}
	if (strcmp(seg1, "snapshot") == 0 && id == NULL) {
		struct fp_ctrl_result r = { 0 };
		json_t *doc;

		if (cmd != EVHTTP_REQ_PUT) {
			reply_error(req, 405, "method", "/v1/snapshot takes PUT");
			goto out;
		}
		doc = body_json(req);
		if (doc == NULL)
			goto out;
		fp_ctrl_snapshot(a->ctrl, doc, &r);
		json_decref(doc);
		send_result(req, &r);
		goto out;
	}
	if ((strcmp(seg1, "state") == 0 || strcmp(seg1, "tables") == 0) && id == NULL) {
		json_t *doc;

		if (cmd != EVHTTP_REQ_GET) {
			reply_error(req, 405, "method", "/v1/%s takes GET", seg1);
			goto out;
		}
		if (seg1[0] == 't' && query_flag(uri, "audit", 0)) {
			int rc = fp_ctrl_audit(a->ctrl);

			if (rc == -ENOTCONN) {
				reply_error(req, 503, "dataplane",
					    "not connected: nothing to audit");
				goto out;
			}
			if (rc < 0) {
				reply_error(req, 502, "dataplane", "audit: %s", strerror(-rc));
				goto out;
			}
		}
		doc = seg1[0] == 's' ? fp_api_json_state(a->ctrl) :
				       fp_api_json_tables(a->ctrl, query_flag(uri, "entries", 1));
		if (doc == NULL)
			reply_error(req, 500, "", "out of memory");
		else
			reply(req, 200, doc);
		goto out;
	}
	if (strcmp(seg1, "metadata") == 0 && id == NULL) {
		struct fp_md_status st;
		json_t *doc;

		if (cmd != EVHTTP_REQ_GET) {
			reply_error(req, 405, "method", "/v1/metadata takes GET");
			goto out;
		}
		fp_md_status_get(a->md, &st);
		doc = fp_api_json_metadata(&st);
		if (doc == NULL)
			reply_error(req, 500, "", "out of memory");
		else
			reply(req, 200, doc);
		goto out;
	}
	coll = fp_model_coll_find(seg1);
	if (coll < 0) {
		reply_error(req, 404, "path", "%s: no such collection", seg1);
		goto out;
	}
	switch (cmd) {
	case EVHTTP_REQ_GET: {
		json_t *doc = fp_api_json_resource(a->ctrl, (enum fp_model_coll)coll, id);

		if (doc == NULL)
			reply_error(req, 404, "id", "no %s %s", fp_model_coll_singular[coll], id);
		else
			reply(req, 200, doc);
		break;
	}
	case EVHTTP_REQ_PUT:
		if (id == NULL) {
			reply_error(req, 405, "method", "PUT needs /v1/%s/<id>", seg1);
			break;
		}
		put_one(a, req, coll, id);
		break;
	case EVHTTP_REQ_DELETE: {
		struct fp_ctrl_result r = { 0 };

		if (id == NULL) {
			reply_error(req, 405, "method", "DELETE needs /v1/%s/<id>", seg1);
			break;
		}
		fp_ctrl_delete(a->ctrl, (enum fp_model_coll)coll, id, &r);
		send_result(req, &r);
		break;
	}
	default:
		reply_error(req, 405, "method", "use GET, PUT or DELETE");
		break;
	}
out:
	free(id);
}

static void
handle(struct evhttp_request *req, void *arg)
{
	struct listener *l = arg;
	struct fp_api *a = l->api;
	struct evhttp_uri *uri;

	clock_gettime(CLOCK_MONOTONIC, &req_t0);
	a->n_requests++;
	if (l->tcp) {
		const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req),
						      "Authorization");

		if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 ||
		    !token_ok(auth + 7, a->token)) {
			evhttp_add_header(evhttp_request_get_output_headers(req),
					  "WWW-Authenticate", "Bearer");
			reply_error(req, 401, "Authorization", "a valid bearer token is required");
			return;
		}
	}
	uri = evhttp_uri_parse(evhttp_request_get_uri(req));
	if (uri == NULL) {
		reply_error(req, 400, "path", "unparsable request URI");
		return;
	}
	route(a, req, uri);
	evhttp_uri_free(uri);
}

static struct evhttp *
http_new(struct event_base *base, const struct fp_ctrl_config *cfg, struct listener *l,
	 uint32_t max_conns)
{
	struct fp_guard_limits lim = {
		.max_conns = max_conns,
		.max_head = API_HEAD_MAX,
		.max_body = cfg->max_body,
		.request_ms = API_REQUEST_MS,
		.token = l->tcp ? cfg->api_token : NULL,
	};
	struct evhttp *h = evhttp_new(base);

	if (h == NULL)
		return NULL;
	/* The guard checks all this first; evhttp's limits stay as a
	 * backstop.
	 */
	evhttp_set_max_headers_size(h, API_HEAD_MAX + 1024);
	evhttp_set_max_body_size(h, cfg->max_body);
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_timeout(h, API_IDLE_S);
	evhttp_set_gencb(h, handle, l);
	l->guard = fp_guard_create(base, h, l->tcp ? "tcp" : "unix", &lim);
	if (l->guard == NULL) {
		evhttp_free(h);
		return NULL;
	}
	return h;
}

/* Clients per listener: API_CONN_MAX, fewer when the descriptor limit
 * (raised to what is needed if the hard limit allows) leaves less than
 * that for both listeners after API_FD_RESERVE, so that clients of one
 * listener can never take the descriptors the other one and the rest of
 * fp-control need.
 */
static uint32_t
conn_limit(void)
{
	rlim_t need = 2 * API_CONN_MAX + API_FD_RESERVE, per;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return API_CONN_MAX;
	if (rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	per = rl.rlim_cur > API_FD_RESERVE + 2 ? (rl.rlim_cur - API_FD_RESERVE) / 2 : 1;
	if (per >= API_CONN_MAX)
		return API_CONN_MAX;
	fp_log(FP_LOG_WARN, "descriptor limit %llu: %llu API connections per listener, not %d",
	       (unsigned long long)rl.rlim_cur, (unsigned long long)per, API_CONN_MAX);
	return (uint32_t)per;
}

/* The Unix socket, root only.  A stale socket file is replaced; any other
 * file at the path is an error.
 */
static int
unix_listen(const char *path, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old_mask;
	struct stat st;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errsz, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errsz, "%s exists and is not a socket", path);
			return -EEXIST;
		}
		unlink(path);
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	/* No window in which the socket file is wider than 0600. */
	old_mask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, API_BACKLOG) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		goto err;
	}
	return fd;
err:
	snprintf(err, errsz, "%s: %s", path, strerror(errno));
	return -errno;
}

/* The loopback TCP socket, bound by number: evhttp_bind_socket() asks
 * getaddrinfo() with AI_ADDRCONFIG, which finds no address for 127.0.0.1
 * where no interface but lo has one (a fresh network namespace).
 */
static int
tcp_listen(const char *addr, uint16_t port, char *err, size_t errsz)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	const struct sockaddr *sa = (const struct sockaddr *)&s4;
	socklen_t salen = sizeof(s4);
	int fd, one = 1;

	if (inet_pton(AF_INET, addr, &s4.sin_addr) != 1) {
		if (inet_pton(AF_INET6, addr, &s6.sin6_addr) != 1) {
			snprintf(err, errsz, "%s: not an IP address", addr);
			return -EINVAL;
		}
		sa = (const struct sockaddr *)&s6;
		salen = sizeof(s6);
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, sa, salen) < 0 || listen(fd, API_BACKLOG) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		goto err;
	}
	return fd;
err:
	snprintf(err, errsz, "%s port %u: cannot listen: %s", addr, port, strerror(errno));
	return -errno;
}

/* One fp-control per API socket: an exclusive lock on <socket>.lock,
 * taken before anything is bound, holding the owner's pid.  Returns the
 * lock's descriptor, or -errno with the message in err.
 */
static int
lock_take(const char *sock, char *err, size_t errsz)
{
	char path[FP_CTRL_PATH_MAX + 8], pid[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s.lock", sock);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			snprintf(
				err, errsz,
				"another fp-control (pid %s) serves %s (it holds %s); not starting",
				pid[0] ? pid : "?", sock, path);
		else
			snprintf(err, errsz, "%s: %s", path, strerror(e));
		close(fd);
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0)
		fp_log(FP_LOG_WARN, "%s: %s", path, strerror(errno));
	return fd;
}

struct fp_api *
fp_api_create(struct event_base *base, struct fp_ctrl *ctrl, const struct fp_ctrl_config *cfg,
	      char *err, size_t errsz)
{
	struct fp_api *a = calloc(1, sizeof(*a));
	uint32_t max_conns;
	int fd;

	if (a == NULL) {
		snprintf(err, errsz, "%s", strerror(ENOMEM));
		return NULL;
	}
	a->ctrl = ctrl;
	a->lock_fd = lock_take(cfg->api_socket, err, errsz);
	if (a->lock_fd < 0) {
		errno = -a->lock_fd;
		a->lock_fd = -1;
		free(a);
		return NULL;
	}
	max_conns = conn_limit();
	a->l_unix.api = a;
	a->l_tcp.api = a;
	a->l_tcp.tcp = 1;
	snprintf(a->token, sizeof(a->token), "%s", cfg->api_token);
	a->http_unix = http_new(base, cfg, &a->l_unix, max_conns);
	if (a->http_unix == NULL)
		goto err_nomem;
	fd = unix_listen(cfg->api_socket, err, errsz);
	if (fd < 0) {
		errno = -fd;
		goto err_free;
	}
	/* Ours now: removed again by fp_api_free(). */
	snprintf(a->path, sizeof(a->path), "%s", cfg->api_socket);
	if (fp_guard_serve(a->l_unix.guard, fd) < 0) {
		snprintf(err, errsz, "%s: cannot serve on it", cfg->api_socket);
		goto err_free;
	}
	if (cfg->api_tcp_addr[0] != '\0') {
		a->http_tcp = http_new(base, cfg, &a->l_tcp, max_conns);
		if (a->http_tcp == NULL)
			goto err_nomem;
		fd = tcp_listen(cfg->api_tcp_addr, cfg->api_tcp_port, err, errsz);
		if (fd < 0) {
			errno = -fd;
			goto err_free;
		}
		if (fp_guard_serve(a->l_tcp.guard, fd) < 0) {
			snprintf(err, errsz, "%s port %u: cannot serve on it", cfg->api_tcp_addr,
				 cfg->api_tcp_port);
			goto err_free;
		}
		fp_log(FP_LOG_INFO, "API on %s and %s port %u (token required)", cfg->api_socket,
		       cfg->api_tcp_addr, cfg->api_tcp_port);
	} else {
		fp_log(FP_LOG_INFO, "API on %s", cfg->api_socket);
	}
	return a;

err_nomem:
	snprintf(err, errsz, "%s", strerror(ENOMEM));
	errno = ENOMEM;
err_free:
	fp_api_free(a);
	return NULL;
}

void
fp_api_free(struct fp_api *a)
{
	if (a == NULL)
		return;
	if (a->http_unix != NULL)
		evhttp_free(a->http_unix);
	fp_guard_free(a->l_unix.guard);
	if (a->path[0] != '\0')
		unlink(a->path);
	if (a->http_tcp != NULL)
		evhttp_free(a->http_tcp);
	fp_guard_free(a->l_tcp.guard);
	if (a->lock_fd >= 0)
		close(a->lock_fd);
	free(a);
}

void
fp_api_md_set(struct fp_api *a, struct fp_md *md)
{
	a->md = md;
}
