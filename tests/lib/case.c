/* SPDX-License-Identifier: BSD-3-Clause */
#include "case.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "names.h"

#define MAX_TOKENS 16 /* the longest line ("guard" with 8 ethertypes) has 13 */

#define NAME_OF(id, name, ...) name,
static const char *const verdict_names[FP_CASE_VERDICT_MAX] = { FP_FOREACH_CASE_VERDICT(NAME_OF) };
#undef NAME_OF

/* Parser state for one file. */
struct parser {
	const char *path;     /* file name, for messages */
	uint32_t line;	      /* current line number */
	char *err;	      /* message buffer */
	size_t errsz;	      /* its size */
	uint32_t cap_entries; /* allocated entries */
	uint32_t cap_outs;    /* allocated outs */
	uint32_t cap_stats;   /* allocated stats */
	int have_name;	      /* a name line was seen */
	int have_desc;	      /* a desc line was seen */
	int have_in;	      /* an in line was seen (this packet) */
	int have_engines;     /* an engines line was seen */
	uint32_t cap_steps;   /* allocated steps */
};

const char *
fp_case_table_name(unsigned int table)
{
	return FP_NAMES_GET(fp_names_table, table);
}

const char *
fp_case_stat_name(unsigned int id)
{
	return FP_NAMES_GET(fp_names_stat, id);
}

const char *
fp_case_drop_name(unsigned int id)
{
	return FP_NAMES_GET(fp_names_drop, id);
}

const char *
fp_case_verdict_name(unsigned int v)
{
	return v < FP_CASE_VERDICT_MAX ? verdict_names[v] : "?";
}

static int __attribute__((format(printf, 2, 3))) fail(struct parser *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->line)
		snprintf(ps->err, ps->errsz, "%s:%u: %s", ps->path, ps->line, msg);
	else
		snprintf(ps->err, ps->errsz, "%s: %s", ps->path, msg);
	return -EINVAL;
}

/* Index of name in names[n], or -1. */
static int
lookup(const char *const *names, unsigned int n, const char *name)
{
	int i = fp_names_find(names, n, name);

	return i < 0 ? -1 : i;
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end != '\0' || x > max)
		return -1;
	*v = x;
	return 0;
}

/* Decode a hex string into a new buffer of *len bytes. */
static int
parse_hex(struct parser *ps, const char *what, const char *s, size_t max, uint8_t **out,
	  size_t *len)
{
	size_t n = strlen(s), i;
	uint8_t *b;

	if (n == 0 || n % 2)
		return fail(ps, "%s: hex string of odd or zero length %zu", what, n);
	if (n / 2 > max)
		return fail(ps, "%s: %zu bytes, at most %zu", what, n / 2, max);
	b = malloc(n / 2);
	if (b == NULL)
		return -ENOMEM;
	for (i = 0; i < n / 2; i++) {
		int hi = fp_addr_hex_digit(s[2 * i]), lo = fp_addr_hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(b);
			return fail(ps, "%s: bad hex digit at offset %zu", what, 2 * i);
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = b;
	*len = n / 2;
	return 0;
}

/* Make room for one more element of size sz in *arr (n used, *cap held). */
static int
grow(void **arr, uint32_t n, uint32_t *cap, size_t sz)
{
	void *p;
	uint32_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	p = realloc(*arr, (size_t)c * sz);
	if (p == NULL)
		return -ENOMEM;
	memset((uint8_t *)p + (size_t)*cap * sz, 0, (size_t)(c - *cap) * sz);
	*arr = p;
	*cap = c;
	return 0;
}

static int
parse_frame(struct parser *ps, char **tok, int n_tok, struct fp_case_frame *f)
{
	uint64_t port;
	size_t len;
	int rc;

	if (n_tok != 3)
		return fail(ps, "%s: expected '%s <port> <hex>'", tok[0], tok[0]);
	if (parse_u64(tok[1], UINT16_MAX, &port))
		return fail(ps, "%s: bad port '%s'", tok[0], tok[1]);
	rc = parse_hex(ps, tok[0], tok[2], FP_CASE_FRAME_MAX, &f->data, &len);
	if (rc)
		return rc;
	f->port = (uint32_t)port;
	f->len = (uint32_t)len;
	f->line = ps->line;
	return 0;
}

static int
parse_port(struct parser *ps, struct fp_case *c, char **tok, int n_tok)
{
	struct fp_case_port *p;
	uint64_t id, mtu;
	uint32_t i;
	int role;

	if (n_tok != 5)
		return fail(ps, "port: expected 'port <id> <role> <mtu> <mac>'");
	if (parse_u64(tok[1], FP_PORT_MAX - 1, &id))
		return fail(ps, "port: bad id '%s' (0..%u)", tok[1], FP_PORT_MAX - 1);
	role = lookup(fp_names_role, FP_PORT_ROLE_MAX, tok[2]);
	if (role <= FP_PORT_ROLE_NONE)
		return fail(ps, "port: unknown role '%s'", tok[2]);
	if (parse_u64(tok[3], UINT16_MAX, &mtu))
		return fail(ps, "port: bad mtu '%s'", tok[3]);
	for (i = 0; i < c->n_ports; i++) {
		if (c->ports[i].id == id)
			return fail(ps, "port: port %u declared twice", (unsigned int)id);
	}
	p = &c->ports[c->n_ports];
	if (fp_addr_mac_parse(tok[4], p->mac, 0))
		return fail(ps, "port: bad mac '%s'", tok[4]);
	p->id = (uint32_t)id;
	p->role = (uint16_t)role;
	p->mtu = (uint16_t)mtu;
	c->n_ports++;
	return 0;
}

static int
parse_entry(struct parser *ps, struct fp_case *c, char **tok, int n_tok)
{
	int del = strcmp(tok[0], "del") == 0;
	struct fp_case_entry *e;
	size_t len;
	int table, rc;

	if (n_tok != (del ? 3 : 4))
		return fail(ps, del ? "del: expected 'del <table> <key hex>'" :
				      "entry: expected 'entry <table> <key hex> <val hex>'");
	table = lookup(fp_names_table, FP_TABLE_MAX, tok[1]);
	if (table < 0)
		return fail(ps, "%s: unknown table '%s'", tok[0], tok[1]);
	if (grow((void **)&c->entries, c->n_entries, &ps->cap_entries, sizeof(*e)))
		return -ENOMEM;
	e = &c->entries[c->n_entries];
	memset(e, 0, sizeof(*e));
	rc = parse_hex(ps, "key", tok[2], fp_names_key_size[table], &e->key, &len);
	if (rc)
		return rc;
	c->n_entries++; /* owns e->key from here */
	if (len != fp_names_key_size[table])
		return fail(ps, "%s %s: key of %zu bytes, struct is %u", tok[0], tok[1], len,
			    fp_names_key_size[table]);
	e->key_size = (uint16_t)len;
	if (!del) {
		rc = parse_hex(ps, "val", tok[3], fp_names_val_size[table], &e->val, &len);
		if (rc)
			return rc;
		if (len != fp_names_val_size[table])
			return fail(ps, "entry %s: value of %zu bytes, struct is %u", tok[1], len,
				    fp_names_val_size[table]);
		e->val_size = (uint16_t)len;
	}
	e->table = (uint16_t)table;
	e->txn = (uint16_t)c->n_txns;
	e->line = ps->line;
	return 0;
}

static int
parse_stat(struct parser *ps, struct fp_case *c, char **tok, int n_tok)
{
	struct fp_case_stat *s;
	uint64_t v;
	int id;

	if (n_tok != 3)
		return fail(ps, "stat: expected 'stat <name> <value>'");
	id = lookup(fp_names_stat, FP_STAT_MAX, tok[1]);
	if (id < 0)
		return fail(ps, "stat: unknown counter '%s'", tok[1]);
	if (parse_u64(tok[2], UINT64_MAX, &v))
		return fail(ps, "stat: bad value '%s'", tok[2]);
	if (grow((void **)&c->stats, c->n_stats, &ps->cap_stats, sizeof(*s)))
		return -ENOMEM;
	s = &c->stats[c->n_stats++];
	s->id = (uint16_t)id;
	s->value = v;
	return 0;
}

static int
parse_verdict(struct parser *ps, struct fp_case *c, char **tok, int n_tok)
{
	int v = lookup(verdict_names, FP_CASE_VERDICT_MAX, tok[0]);

	if (c->verdict != FP_CASE_VERDICT_NONE)
		return fail(ps, "%s: a second verdict (already %s)", tok[0],
			    verdict_names[c->verdict]);
	if (v == FP_CASE_VERDICT_DROP) {
		int d;

		if (n_tok != 2)
			return fail(ps, "drop: expected 'drop <reason>'");
		d = lookup(fp_names_drop, FP_DROP_MAX, tok[1]);
		if (d < 0)
			return fail(ps, "drop: unknown reason '%s'", tok[1]);
		c->drop = (uint16_t)d;
	} else if (n_tok != 1) {
		return fail(ps, "%s: takes no argument", tok[0]);
	}
	c->verdict = (uint16_t)v;
	return 0;
}

/* Copy the rest of the line after the keyword. */
static int
parse_text(struct parser *ps, const char *kw, const char *rest, char *dst, size_t size, int *seen)
{
	size_t n;

	if (*seen)
		return fail(ps, "%s: given twice", kw);
	*seen = 1;
	rest += strspn(rest, " \t");
	n = strlen(rest);
	if (n >= size)
		return fail(ps, "%s: longer than %zu characters", kw, size - 1);
	memcpy(dst, rest, n + 1);
	return 0;
}

static int
check_name(struct parser *ps, const char *name)
{
	const char *s;

	if (*name == '\0')
		return fail(ps, "name: empty");
	for (s = name; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return fail(ps, "name: '%s' is not [a-z0-9_]+", name);
	}
	return 0;
}

/* "engines <list> <why>": the engines (comma-separated: dpdk, xdp) that
 * can run the case, and why not the others.
 */
static int
parse_engines(struct parser *ps, struct fp_case *c, const char *rest)
{
	char list[64], *save = NULL, *e;
	size_t n;

	if (ps->have_engines)
		return fail(ps, "engines: given twice");
	ps->have_engines = 1;
	rest += strspn(rest, " \t");
	n = strcspn(rest, " \t");
	if (n == 0 || n >= sizeof(list))
		return fail(ps, "engines: expected 'engines <dpdk|xdp,...> <why>'");
	memcpy(list, rest, n);
	list[n] = '\0';
	c->engines = 0;
	for (e = strtok_r(list, ",", &save); e != NULL; e = strtok_r(NULL, ",", &save)) {
		if (strcmp(e, "dpdk") == 0)
			c->engines |= FP_CASE_ENGINE_DPDK;
		else if (strcmp(e, "xdp") == 0)
			c->engines |= FP_CASE_ENGINE_XDP;
		else
			return fail(ps, "engines: unknown engine '%s'", e);
	}
	rest += n;
	rest += strspn(rest, " \t");
	if (c->engines != FP_CASE_ENGINE_ALL && *rest == '\0')
		return fail(ps, "engines: say why the other engines do not run it");
	if (strlen(rest) >= sizeof(c->engines_why))
		return fail(ps, "engines: reason longer than %zu characters",
			    sizeof(c->engines_why) - 1);
	memcpy(c->engines_why, rest, strlen(rest) + 1);
	return 0;
}

/* "next": the packet so far becomes an earlier step of a sequence. */
static int
parse_next(struct parser *ps, struct fp_case *c)
{
	struct fp_case_step *st;

	if (!ps->have_in || c->verdict == FP_CASE_VERDICT_NONE)
		return fail(ps, "next: the packet before it needs an 'in' line and a verdict");
	if (grow((void **)&c->steps, c->n_steps, &ps->cap_steps, sizeof(*st)))
		return -ENOMEM;
	st = &c->steps[c->n_steps++];
	*st = (struct fp_case_step){ .in = c->in,
				     .outs = c->outs,
				     .n_outs = c->n_outs,
				     .verdict = c->verdict,
				     .drop = c->drop,
				     .stats = c->stats,
				     .n_stats = c->n_stats,
				     .n_txns = c->n_txns };
	memset(&c->in, 0, sizeof(c->in));
	c->outs = NULL;
	c->n_outs = 0;
	c->verdict = FP_CASE_VERDICT_NONE;
	c->drop = 0;
	c->stats = NULL;
	c->n_stats = 0;
	ps->cap_outs = 0;
	ps->cap_stats = 0;
	ps->have_in = 0;
	return 0;
}

void
fp_case_step_view(const struct fp_case *c, uint32_t i, struct fp_case *view)
{
	*view = *c;
	if (i >= c->n_steps)
		return;
	view->in = c->steps[i].in;
	view->outs = c->steps[i].outs;
	view->n_outs = c->steps[i].n_outs;
	view->verdict = c->steps[i].verdict;
	view->drop = c->steps[i].drop;
	view->stats = c->steps[i].stats;
	view->n_stats = c->steps[i].n_stats;
}

static int
parse_line(struct parser *ps, struct fp_case *c, char *line)
{
	char *tok[MAX_TOKENS], *p = line, *kw_end;
	int n_tok = 0;

	p += strspn(p, " \t");
	if (*p == '\0' || *p == '#')
		return 0;
	kw_end = p + strcspn(p, " \t");
	if (strncmp(p, "name", (size_t)(kw_end - p)) == 0 && kw_end - p == 4) {
		int rc = parse_text(ps, "name", kw_end, c->name, sizeof(c->name), &ps->have_name);

		return rc ? rc : check_name(ps, c->name);
	}
	if (strncmp(p, "desc", (size_t)(kw_end - p)) == 0 && kw_end - p == 4)
		return parse_text(ps, "desc", kw_end, c->desc, sizeof(c->desc), &ps->have_desc);
	if (strncmp(p, "engines", (size_t)(kw_end - p)) == 0 && kw_end - p == 7)
		return parse_engines(ps, c, kw_end);
	while (*p != '\0') {
		if (n_tok == MAX_TOKENS)
			return fail(ps, "too many fields");
		tok[n_tok++] = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
		p += strspn(p, " \t");
	}
	if (strcmp(tok[0], "port") == 0) {
		if (c->n_ports == FP_PORT_MAX)
			return fail(ps, "port: more than %u ports", FP_PORT_MAX);
		return parse_port(ps, c, tok, n_tok);
	}
	if (strcmp(tok[0], "local_vtep") == 0) {
		if (n_tok != 2)
			return fail(ps, "local_vtep: expected 'local_vtep <ip>'");
		if (c->n_local_vteps == FP_CASE_LOCAL_VTEP_MAX)
			return fail(ps, "local_vtep: more than %u", FP_CASE_LOCAL_VTEP_MAX);
		if (fp_addr_ip_parse(tok[1], &c->local_vteps[c->n_local_vteps]) < 0)
			return fail(ps, "local_vtep: bad address '%s'", tok[1]);
		c->n_local_vteps++;
		return 0;
	}
	if (strcmp(tok[0], "entry") == 0 || strcmp(tok[0], "del") == 0) {
		if (ps->have_in)
			return fail(ps, "%s after the input frame: end the packet with 'next'",
				    tok[0]);
		return parse_entry(ps, c, tok, n_tok);
	}
	if (strcmp(tok[0], "next") == 0) {
		if (n_tok != 1)
			return fail(ps, "next: takes no argument");
		return parse_next(ps, c);
	}
	if (strcmp(tok[0], "conntrack") == 0) {
		uint64_t v;

		if (n_tok != 2 || parse_u64(tok[1], UINT32_MAX, &v) || v == 0)
			return fail(ps, "conntrack: expected 'conntrack <size>' (1..%u)",
				    UINT32_MAX);
		c->ct_size = (uint32_t)v;
		return 0;
	}
	if (strcmp(tok[0], "guard") == 0) {
		uint64_t v[4 + FP_GUARD_ETHERTYPE_MAX];
		int i, ok = n_tok >= 5 && n_tok <= 5 + FP_GUARD_ETHERTYPE_MAX;

		for (i = 0; ok && i < n_tok - 1; i++)
			if (parse_u64(tok[1 + i],
				      i < 2 ? 1 :
				      i < 4 ? UINT32_MAX :
					      0xffff,
				      &v[i]) ||
			    (i >= 4 && v[i] < 0x0600))
				ok = 0;
		if (!ok || v[3] == 0)
			return fail(ps,
				    "guard: expected 'guard <strict_source 0|1> "
				    "<inner_src_mac 0|1> <storm_pps> <storm_burst, not 0> "
				    "[<permitted ethertype 0x0600..0xffff>...]' (at most %u)",
				    FP_GUARD_ETHERTYPE_MAX);
		memset(c->guard.ethertypes, 0, sizeof(c->guard.ethertypes));
		for (i = 4; i < n_tok - 1; i++)
			c->guard.ethertypes[i - 4] = (uint16_t)v[i];
		c->guard.strict_source = (uint32_t)v[0];
		c->guard.inner_src_mac = (uint32_t)v[1];
		c->guard.storm_pps = (uint32_t)v[2];
		c->guard.storm_burst = (uint32_t)v[3];
		return 0;
	}
	if (strcmp(tok[0], "commit") == 0) {
		if (n_tok != 1)
			return fail(ps, "commit: takes no argument");
		/* An empty transaction is not counted. */
		if (c->n_entries && c->entries[c->n_entries - 1].txn == c->n_txns)
			c->n_txns++;
		return 0;
	}
	if (strcmp(tok[0], "in") == 0) {
		if (ps->have_in)
			return fail(ps, "in: a second input frame");
		ps->have_in = 1;
		/* The transactions before it are applied before it runs. */
		if (c->n_entries && c->entries[c->n_entries - 1].txn == c->n_txns)
			c->n_txns++;
		return parse_frame(ps, tok, n_tok, &c->in);
	}
	if (strcmp(tok[0], "out") == 0) {
		int rc;

		if (grow((void **)&c->outs, c->n_outs, &ps->cap_outs, sizeof(*c->outs)))
			return -ENOMEM;
		rc = parse_frame(ps, tok, n_tok, &c->outs[c->n_outs]);
		if (rc == 0)
			c->n_outs++;
		return rc;
	}
	if (lookup(verdict_names, FP_CASE_VERDICT_MAX, tok[0]) > FP_CASE_VERDICT_NONE)
		return parse_verdict(ps, c, tok, n_tok);
	if (strcmp(tok[0], "stat") == 0)
		return parse_stat(ps, c, tok, n_tok);
	return fail(ps, "unknown keyword '%s'", tok[0]);
}

/* The name line must match the file name without ".case". */
static int
check_file_name(struct parser *ps, const struct fp_case *c)
{
	const char *base = strrchr(ps->path, '/');
	size_t n;

	base = base ? base + 1 : ps->path;
	n = strlen(base);
	if (n < 5 || strcmp(base + n - 5, ".case") != 0)
		return fail(ps, "the file name must end in .case");
	if (strlen(c->name) != n - 5 || strncmp(base, c->name, n - 5) != 0)
		return fail(ps, "name '%s' does not match the file name", c->name);
	return 0;
}

int
fp_case_load(const char *path, struct fp_case *c, char *err, size_t errsz)
{
	struct parser ps = { .path = path, .err = err, .errsz = errsz };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->engines = FP_CASE_ENGINE_ALL;
	c->guard.strict_source = 1;
	c->guard.inner_src_mac = 1;
	c->guard.storm_pps = 1000;
	c->guard.storm_burst = 200;
	c->guard.icmp_pps = 1000; /* the config's defaults: a case's one error passes */
	c->guard.icmp_burst = 50;
	if (errsz)
		err[0] = '\0';
	fp = fopen(path, "r");
	if (fp == NULL) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		ps.line++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if ((size_t)n != strlen(line)) {
			rc = fail(&ps, "NUL byte in line");
			break;
		}
		rc = parse_line(&ps, c, line);
		if (rc == -ENOMEM)
			snprintf(err, errsz, "%s:%u: out of memory", path, ps.line);
		if (rc)
			break;
	}
	free(line);
	fclose(fp);
	if (rc)
		return rc;
	/* Count the last transaction, which needs no commit line. */
	if (c->n_entries && c->entries[c->n_entries - 1].txn == c->n_txns)
		c->n_txns++;
	ps.line = 0;
	if (!ps.have_name)
		return fail(&ps, "no 'name' line");
	if (!ps.have_in)
		return fail(&ps, "no 'in' line");
	if (c->verdict == FP_CASE_VERDICT_NONE)
		return fail(&ps, "no verdict line (tx, drop <reason> or punt)");
	return check_file_name(&ps, c);
}

void
fp_case_free(struct fp_case *c)
{
	uint32_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_entries; i++) {
		free(c->entries[i].key);
		free(c->entries[i].val);
	}
	free(c->entries);
	for (i = 0; i < c->n_outs; i++)
		free(c->outs[i].data);
	free(c->outs);
	free(c->in.data);
	free(c->stats);
	for (i = 0; i < c->n_steps; i++) {
		struct fp_case_step *st = &c->steps[i];
		uint32_t j;

		for (j = 0; j < st->n_outs; j++)
			free(st->outs[j].data);
		free(st->outs);
		free(st->in.data);
		free(st->stats);
	}
	free(c->steps);
	memset(c, 0, sizeof(*c));
}
