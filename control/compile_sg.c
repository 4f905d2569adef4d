/* SPDX-License-Identifier: BSD-3-Clause */
/* The compiler's security-group part: rulesets, address sets, and the
 * rebinding of their ids after an fp-control restart (compile_sg.h; the
 * rules are in compile.h's top comment).
 *
 * One run: the filtered ports (local, port security on) are sorted by
 * their ruleset key, "rs:" and their group ids sorted and joined by
 * commas; each key's rules are built once (every rule of every known
 * group, converted, sorted, duplicates removed) and its ports share its
 * id.  The address sets the emitted rules name are emitted last.
 */
#include "compile_sg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flowplane/sg.h>
#include <flowplane/tables.h>

#include "addr.h"
#include "ids.h"
#include "vtep_ids.h"

#define SG_KEY_SIZE (FP_MODEL_SG_MAX * FP_MODEL_ID_SIZE + 8) /* "rs:" + ids + commas */
#define SET_KEY_SIZE (FP_MODEL_ID_SIZE + 8)		     /* "agroup:" + id */
#define SET_GROUP "group:"				     /* a remote group's set */
#define SET_AGROUP "agroup:"				     /* an address group's set */
#define STALE_FMT "stale:%u"				     /* an installed id no key took */
#define SCRATCH_LIMIT (1u << 16)			     /* ids of the rebind's compile */

static const char *const dir_names[FP_SG_DIR_MAX] = { "egress", "ingress" };

/* ------------------------------------------------------------------------
 * Rules.
 */

/* A rule's number in the dataplane (traces): FNV-1a of its Neutron id,
 * never 0.
 */
static uint32_t
rule_number(const char *id)
{
	uint32_t h = fp_ids_hash(id);

	return h != 0 ? h : 1;
}

/* Order rules by everything but their number, then by number. */
static int
rule_cmp(const void *a, const void *b)
{
	struct fp_sg_rule x = *(const struct fp_sg_rule *)a, y = *(const struct fp_sg_rule *)b;
	uint32_t ix = x.rule_id, iy = y.rule_id;
	int c;

	x.rule_id = 0;
	y.rule_id = 0;
	c = memcmp(&x, &y, sizeof(x));
	if (c != 0)
		return c;
	return (ix > iy) - (ix < iy);
}

static int
rule_same(const struct fp_sg_rule *a, const struct fp_sg_rule *b)
{
	struct fp_sg_rule x = *a, y = *b;

	x.rule_id = 0;
	y.rule_id = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

/* Is a a remote prefix the dataplane refuses in a rule of this family (an
 * IPv4-mapped prefix in an IPv6 rule)?
 */
static int
prefix_mapped_v6(const struct fp_model_rule *mr)
{
	return mr->ipv6 && mr->has_prefix && mr->remote_plen >= 96 &&
	       fp_addr_ip_is_v4(&mr->remote_prefix);
}

/* One compile's security-group state. */
struct sg_run {
	const struct fp_model *m;	  /* the model */
	const struct fp_compile_ctx *ctx; /* this host */
	struct fp_entry_set *out;	  /* the entries */
	struct fp_compile_report *rep;	  /* problems */
	uint32_t *sets;			  /* address set ids the emitted rules name */
	size_t n_sets;			  /* valid sets */
	size_t cap_sets;		  /* allocated sets */
};

/* Neutron rule -> fp_sg_rule.  1 converted, 0 left out (the reason is a
 * problem check_groups() reported), -ENOSPC (no free address set id),
 * -ENOMEM.
 */
static int
rule_convert(struct sg_run *s, const struct fp_model_rule *mr, struct fp_sg_rule *r)
{
	char key[SET_KEY_SIZE];
	uint32_t set;
	int rc;

	memset(r, 0, sizeof(*r));
	r->family = mr->ipv6 ? 6 : 4;
	r->rule_id = rule_number(mr->id);
	if (mr->protocol >= 0) {
		r->flags |= FP_SG_RULE_F_PROTO;
		r->proto = (uint8_t)mr->protocol;
		if (fp_sg_proto_has_ports(r->proto) &&
		    (mr->port_min != 0 || mr->port_max != 65535)) {
			r->flags |= FP_SG_RULE_F_PORTS;
			r->port_min = mr->port_min;
			r->port_max = mr->port_max;
		}
		if ((r->proto == FP_SG_PROTO_ICMP || r->proto == FP_SG_PROTO_ICMPV6) &&
		    mr->port_min != 0xffff) {
			/* A type of the other family's ICMP never matches. */
			if (r->proto != (r->family == 4 ? FP_SG_PROTO_ICMP : FP_SG_PROTO_ICMPV6))
				return 0;
			r->flags |= FP_SG_RULE_F_ICMP_TYPE;
			r->icmp_type = (uint8_t)mr->port_min;
			if (mr->port_max != 0xffff) {
				r->flags |= FP_SG_RULE_F_ICMP_CODE;
				r->icmp_code = (uint8_t)mr->port_max;
			}
		}
	}
	if (mr->has_prefix) {
		if (prefix_mapped_v6(mr))
			return 0;
		/* 0.0.0.0/0 and ::/0 are "any" (the family is checked). */
		if (mr->remote_plen > (r->family == 4 ? 96 : 0)) {
			r->remote = mr->remote_prefix;
			r->plen = mr->remote_plen;
		}
		return 1;
	}
	if (mr->remote_group_id[0] != '\0') {
		if (fp_model_secgroup_find(s->m, mr->remote_group_id) == NULL)
			return 0;
		snprintf(key, sizeof(key), SET_GROUP "%s", mr->remote_group_id);
	} else if (mr->remote_address_group_id[0] != '\0') {
		if (fp_model_addrgroup_find(s->m, mr->remote_address_group_id) == NULL)
			return 0;
		snprintf(key, sizeof(key), SET_AGROUP "%s", mr->remote_address_group_id);
	} else {
		return 1;
	}
	rc = fp_ids_get(s->ctx->addrset_ids, key, &set);
	if (rc < 0)
		return rc; /* -ENOSPC: the caller says so */
	r->flags |= FP_SG_RULE_F_ADDRSET;
	r->addrset = set;
	return 1;
}

/* ------------------------------------------------------------------------
 * Groups and rulesets.
 */

static int
ptr_cmp(const void *a, const void *b)
{
	const void *x = *(const void *const *)a, *y = *(const void *const *)b;

	return (x > y) - (x < y);
}

static int
str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The rules of the groups the filtered ports use that name what does not
 * exist, or what a rule cannot hold: one problem per rule, on its group.
 */
static int
check_groups(struct sg_run *s, const struct fp_compile_sg_port *ports, size_t n)
{
	const struct fp_model_secgroup **gs;
	size_t i, n_gs = 0, k;
	uint32_t j;
	int rc = 0;

	gs = malloc((n * FP_MODEL_SG_MAX + 1) * sizeof(*gs));
	if (gs == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct fp_model_port *p = ports[i].p;

		if (!p->port_security || ports[i].drop)
			continue;
		for (j = 0; j < p->n_security_groups && j < FP_MODEL_SG_MAX; j++) {
			const struct fp_model_secgroup *g = fp_model_secgroup_find(
				s->m, p->security_groups[j]);

			if (g != NULL)
				gs[n_gs++] = g;
		}
	}
	if (n_gs > 1)
		qsort(gs, n_gs, sizeof(*gs), ptr_cmp);
	for (k = 0; k < n_gs && rc == 0; k++) {
		const struct fp_model_secgroup *g = gs[k];

		if (k > 0 && gs[k - 1] == g)
			continue;
		for (j = 0; j < g->n_rules && j < FP_MODEL_RULE_MAX && rc == 0; j++) {
			const struct fp_model_rule *mr = &g->rules[j];
			char field[64];

			if (mr->remote_group_id[0] != '\0' &&
			    fp_model_secgroup_find(s->m, mr->remote_group_id) == NULL) {
				snprintf(field, sizeof(field),
					 "security_group_rules[%u].remote_group_id", j);
				rc = fp_compile_problem(
					s->rep, FP_MODEL_SECURITY_GROUP, g->id, field,
					"security group %s does not exist: rule %s is left out",
					mr->remote_group_id, mr->id);
			} else if (mr->remote_address_group_id[0] != '\0' &&
				   fp_model_addrgroup_find(s->m, mr->remote_address_group_id) ==
					   NULL) {
				snprintf(field, sizeof(field),
					 "security_group_rules[%u].remote_address_group_id", j);
				rc = fp_compile_problem(
					s->rep, FP_MODEL_SECURITY_GROUP, g->id, field,
					"address group %s does not exist: rule %s is left out",
					mr->remote_address_group_id, mr->id);
			} else if (prefix_mapped_v6(mr)) {
				snprintf(field, sizeof(field),
					 "security_group_rules[%u].remote_ip_prefix", j);
				rc = fp_compile_problem(
					s->rep, FP_MODEL_SECURITY_GROUP, g->id, field,
					"an IPv4-mapped prefix in an IPv6 rule: rule %s "
					"is left out",
					mr->id);
			}
		}
	}
	free(gs);
	return rc;
}

/* The ruleset key of a port: "rs:" and its group ids, sorted, joined by
 * commas ("rs:" alone: no groups).
 */
static void
ruleset_key(const struct fp_model_port *p, char key[SG_KEY_SIZE])
{
	const char *ids[FP_MODEL_SG_MAX];
	uint32_t i, n = p->n_security_groups;
	size_t len = 3;

	if (n > FP_MODEL_SG_MAX)
		n = FP_MODEL_SG_MAX;
	for (i = 0; i < n; i++)
		ids[i] = p->security_groups[i];
	qsort(ids, n, sizeof(*ids), str_ptr_cmp);
	memcpy(key, "rs:", 4);
	for (i = 0; i < n && len < SG_KEY_SIZE; i++)
		len += (size_t)snprintf(key + len, SG_KEY_SIZE - len, "%s%s", i ? "," : "", ids[i]);
}

/* One ruleset as built from a group list. */
struct rs_build {
	struct fp_ruleset_val val[FP_SG_DIR_MAX]; /* the entries (rules cut at the limit) */
	uint32_t n_want[FP_SG_DIR_MAX];		  /* rules before the cut */
	uint32_t n_known;			  /* groups that exist */
	uint32_t n_stateful;			  /* of those, stateful */
};

static int
ruleset_build(struct sg_run *s, const struct fp_model_port *p, struct rs_build *b)
{
	struct fp_sg_rule *rules[FP_SG_DIR_MAX] = { NULL, NULL };
	size_t n_rules[FP_SG_DIR_MAX] = { 0, 0 }, cap = 0, i, j;
	uint32_t gi, ri, d;
	int rc = 0;

	memset(b, 0, sizeof(*b));
	for (gi = 0; gi < p->n_security_groups && gi < FP_MODEL_SG_MAX; gi++) {
		const struct fp_model_secgroup *g = fp_model_secgroup_find(s->m,
									   p->security_groups[gi]);

		if (g != NULL)
			cap += g->n_rules;
	}
	for (d = 0; d < FP_SG_DIR_MAX && cap != 0; d++) {
		rules[d] = malloc(cap * sizeof(*rules[d]));
		if (rules[d] == NULL) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (gi = 0; gi < p->n_security_groups && gi < FP_MODEL_SG_MAX; gi++) {
		const struct fp_model_secgroup *g = fp_model_secgroup_find(s->m,
									   p->security_groups[gi]);

		if (g == NULL)
			continue;
		b->n_known++;
		b->n_stateful += g->stateful != 0;
		for (ri = 0; ri < g->n_rules && ri < FP_MODEL_RULE_MAX; ri++) {
			const struct fp_model_rule *mr = &g->rules[ri];

			d = mr->ingress ? FP_SG_DIR_INGRESS : FP_SG_DIR_EGRESS;
			rc = rule_convert(s, mr, &rules[d][n_rules[d]]);
			if (rc == -ENOSPC) {
				char field[64];

				snprintf(field, sizeof(field), "security_group_rules[%u]", ri);
				rc = fp_compile_problem(
					s->rep, FP_MODEL_SECURITY_GROUP, g->id, field,
					"no free address set id: rule %s is left out", mr->id);
			}
			if (rc < 0)
				goto out;
			n_rules[d] += (size_t)rc;
		}
	}
	rc = 0;
	for (d = 0; d < FP_SG_DIR_MAX; d++) {
		struct fp_ruleset_val *v = &b->val[d];

		if (n_rules[d] > 1)
			qsort(rules[d], n_rules[d], sizeof(*rules[d]), rule_cmp);
		for (i = 0, j = 0; i < n_rules[d]; i++)
			if (j == 0 || !rule_same(&rules[d][j - 1], &rules[d][i]))
				rules[d][j++] = rules[d][i];
		b->n_want[d] = (uint32_t)j;
		v->flags = b->n_stateful == b->n_known ? FP_RULESET_F_STATEFUL : 0;
		for (i = 0; i < j && i < FP_SG_RULE_MAX; i++)
			v->rules[v->n_rules++] = rules[d][i];
	}
out:
	free(rules[0]);
	free(rules[1]);
	return rc;
}

static int
sets_note(struct sg_run *s, uint32_t id)
{
	if (s->n_sets == s->cap_sets) {
		size_t cap = s->cap_sets ? s->cap_sets * 2 : 64;
		uint32_t *v = realloc(s->sets, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		s->sets = v;
		s->cap_sets = cap;
	}
	s->sets[s->n_sets++] = id;
	return 0;
}

static int
ruleset_emit(struct sg_run *s, uint32_t id, const struct rs_build *b)
{
	struct fp_ruleset_key k;
	uint32_t d, i;
	int rc;

	for (d = 0; d < FP_SG_DIR_MAX; d++) {
		if (b->n_want[d] > FP_SG_RULE_MAX)
			continue;
		memset(&k, 0, sizeof(k));
		k.ruleset_id = id;
		k.dir = (uint16_t)d;
		rc = fp_entry_set_add(s->out, FP_TABLE_RULESET, &k, &b->val[d]);
		if (rc)
			return rc;
		for (i = 0; i < b->val[d].n_rules; i++) {
			if (!(b->val[d].rules[i].flags & FP_SG_RULE_F_ADDRSET))
				continue;
			rc = sets_note(s, b->val[d].rules[i].addrset);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* The problems of one port of a ruleset key: unknown groups, too many
 * rules.
 */
static int
port_problems(struct sg_run *s, const struct fp_model_port *p, const struct rs_build *b)
{
	uint32_t i, d;
	int rc = 0;

	for (i = 0; i < p->n_security_groups && i < FP_MODEL_SG_MAX && rc == 0; i++) {
		char field[32];

		if (fp_model_secgroup_find(s->m, p->security_groups[i]) != NULL)
			continue;
		snprintf(field, sizeof(field), "security_groups[%u]", i);
		rc = fp_compile_problem(s->rep, FP_MODEL_PORT, p->id, field,
					"security group %s does not exist: its rules are left out",
					p->security_groups[i]);
	}
	for (d = 0; d < FP_SG_DIR_MAX && rc == 0; d++) {
		if (b->n_want[d] <= FP_SG_RULE_MAX)
			continue;
		rc = fp_compile_problem(s->rep, FP_MODEL_PORT, p->id, "security_groups",
					"%u %s rules, more than a ruleset holds (%u): the %s "
					"ruleset is not installed and the port's %s traffic is "
					"dropped",
					b->n_want[d], dir_names[d], FP_SG_RULE_MAX, dir_names[d],
					dir_names[d]);
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * Address sets.
 */

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int
member_add(struct sg_run *s, uint32_t id, const struct fp_ip *ip, uint8_t plen)
{
	struct fp_addrset_key k;
	struct fp_addrset_val v;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.set_id = id;
	k.plen = plen;
	k.ip = *ip;
	return fp_entry_set_add(s->out, FP_TABLE_ADDRSET, &k, &v);
}

/* A remote group's members: the fixed IPs (/32, /128) and allowed address
 * pairs of every port in the model that names the group, whatever its
 * host, binding or admin state (as Neutron's firewall drivers do).
 */
static int
group_members(struct sg_run *s, uint32_t id, const char *gid)
{
	size_t i, n = fp_model_count(s->m, FP_MODEL_PORT);
	uint32_t j;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const struct fp_model_port *p = fp_model_port_at(s->m, i);

		for (j = 0; j < p->n_security_groups && j < FP_MODEL_SG_MAX; j++)
			if (strcmp(p->security_groups[j], gid) == 0)
				break;
		if (j == p->n_security_groups || j == FP_MODEL_SG_MAX)
			continue;
		for (j = 0; j < p->n_fixed_ips && j < FP_MODEL_FIXED_IP_MAX && rc == 0; j++)
			rc = member_add(s, id, &p->fixed_ips[j].ip, 128);
		for (j = 0; j < p->n_pairs && j < FP_MODEL_PAIR_MAX && rc == 0; j++)
			if (p->pairs[j].plen <= 128)
				rc = member_add(s, id, &p->pairs[j].ip, p->pairs[j].plen);
	}
	return rc;
}

static int
sets_emit(struct sg_run *s)
{
	size_t i;
	uint32_t j;
	int rc = 0;

	if (s->n_sets > 1)
		qsort(s->sets, s->n_sets, sizeof(*s->sets), u32_cmp);
	for (i = 0; i < s->n_sets && rc == 0; i++) {
		const char *key = fp_ids_key(s->ctx->addrset_ids, s->sets[i]);
		const struct fp_model_addrgroup *ag;

		if (i > 0 && s->sets[i - 1] == s->sets[i])
			continue;
		if (key == NULL)
			return -EINVAL;
		if (strncmp(key, SET_GROUP, strlen(SET_GROUP)) == 0) {
			rc = group_members(s, s->sets[i], key + strlen(SET_GROUP));
			continue;
		}
		if (strncmp(key, SET_AGROUP, strlen(SET_AGROUP)) != 0)
			return -EINVAL;
		ag = fp_model_addrgroup_find(s->m, key + strlen(SET_AGROUP));
		for (j = 0;
		     ag != NULL && j < ag->n_addrs && j < FP_MODEL_AGROUP_ADDR_MAX && rc == 0; j++)
			rc = member_add(s, s->sets[i], &ag->addrs[j].ip, ag->addrs[j].plen);
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * The ports.
 */

/* A filtered port and its key. */
struct sg_port {
	size_t idx;	 /* in the caller's ports */
	const char *key; /* its ruleset key */
};

static int
sg_port_cmp(const void *a, const void *b)
{
	const struct sg_port *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int
port_drop(struct sg_run *s, struct fp_compile_sg_port *sp, const char *field, const char *why)
{
	sp->drop = 1;
	sp->ruleset = 0;
	return fp_compile_problem(s->rep, FP_MODEL_PORT, sp->p->id, field, "%s", why);
}

/* One ruleset key's ports, fp[0..n). */
static int
key_run(struct sg_run *s, struct fp_compile_sg_port *ports, const struct sg_port *fp, size_t n)
{
	struct rs_build *b;
	char why[192];
	uint32_t id = 0;
	size_t i;
	int rc;

	b = malloc(sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	rc = ruleset_build(s, ports[fp[0].idx].p, b);
	if (rc)
		goto out;
	if (b->n_stateful != 0 && b->n_stateful != b->n_known) {
		for (i = 0; i < n && rc == 0; i++)
			rc = port_drop(
				s, &ports[fp[i].idx], "security_groups",
				"stateful and stateless security groups on one port (Neutron "
				"refuses that): port not installed");
		goto out;
	}
	rc = fp_ids_get(s->ctx->ruleset_ids, fp[0].key, &id);
	if (rc == -ENOSPC) {
		snprintf(why, sizeof(why), "no free ruleset id: port not installed");
		for (i = 0, rc = 0; i < n && rc == 0; i++)
			rc = port_drop(s, &ports[fp[i].idx], "security_groups", why);
		goto out;
	}
	if (rc)
		goto out;
	for (i = 0; i < n && rc == 0; i++) {
		ports[fp[i].idx].ruleset = id;
		rc = port_problems(s, ports[fp[i].idx].p, b);
	}
	if (rc == 0)
		rc = ruleset_emit(s, id, b);
out:
	free(b);
	return rc;
}

int
fp_compile_sg(const struct fp_model *m, const struct fp_compile_ctx *ctx,
	      struct fp_compile_sg_port *ports, size_t n, struct fp_entry_set *out,
	      struct fp_compile_report *rep)
{
	struct sg_run s = { .m = m, .ctx = ctx, .out = out, .rep = rep };
	struct sg_port *fp = NULL;
	char *keys = NULL, why[192];
	size_t i, j, n_fp = 0;
	int rc = 0;

	for (i = 0; i < n; i++) {
		ports[i].ruleset = 0;
		ports[i].drop = 0;
		n_fp += ports[i].p->port_security != 0;
	}
	if (n_fp == 0)
		return 0;
	if (!ctx->sg_enforced) {
		snprintf(why, sizeof(why),
			 "security groups are not enforced by the %s engine: port not installed",
			 ctx->engine != NULL ? ctx->engine : "dataplane's");
		for (i = 0; i < n && rc == 0; i++)
			if (ports[i].p->port_security)
				rc = port_drop(&s, &ports[i], "port_security_enabled", why);
		return rc;
	}
	if (ctx->ruleset_ids == NULL || ctx->addrset_ids == NULL)
		return -EINVAL;
	rc = check_groups(&s, ports, n);
	if (rc)
		return rc;
	fp = malloc(n_fp * sizeof(*fp));
	keys = malloc(n_fp * SG_KEY_SIZE);
	if (fp == NULL || keys == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0, j = 0; i < n; i++) {
		if (!ports[i].p->port_security)
			continue;
		ruleset_key(ports[i].p, keys + j * SG_KEY_SIZE);
		fp[j].idx = i;
		fp[j].key = keys + j * SG_KEY_SIZE;
		j++;
	}
	qsort(fp, n_fp, sizeof(*fp), sg_port_cmp);
	for (i = 0; i < n_fp && rc == 0; i = j) {
		for (j = i + 1; j < n_fp && strcmp(fp[j].key, fp[i].key) == 0; j++)
			;
		rc = key_run(&s, ports, &fp[i], j - i);
	}
	if (rc == 0)
		rc = sets_emit(&s);
out:
	free(s.sets);
	free(keys);
	free(fp);
	return rc;
}

/* ------------------------------------------------------------------------
 * Ids: garbage collection and rebinding.
 */

/* Ids some entries use, sorted. */
struct id_list {
	uint32_t *v; /* the ids */
	size_t n;    /* valid v */
	size_t cap;  /* allocated v */
};

static int
id_list_add(struct id_list *l, uint32_t id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = id;
	return 0;
}

/* The address set ids (sets) and ruleset ids (rs) that s's entries use. */
static int
ids_used_collect(const struct fp_entry_set *s, struct id_list *sets, struct id_list *rs)
{
	size_t i, n = s != NULL ? fp_entry_set_count(s) : 0;
	struct fp_entry e;
	uint32_t r;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		if (fp_entry_set_at(s, i, &e) < 0)
			return -EINVAL;
		if (e.table == FP_TABLE_ADDRSET) {
			rc = id_list_add(sets, ((const struct fp_addrset_key *)e.key)->set_id);
		} else if (e.table == FP_TABLE_RULESET) {
			const struct fp_ruleset_val *v = e.val;

			rc = id_list_add(rs, ((const struct fp_ruleset_key *)e.key)->ruleset_id);
			for (r = 0; r < v->n_rules && r < FP_SG_RULE_MAX && rc == 0; r++)
				if (v->rules[r].flags & FP_SG_RULE_F_ADDRSET)
					rc = id_list_add(sets, v->rules[r].addrset);
		} else if (e.table == FP_TABLE_PORT) {
			const struct fp_port_val *v = e.val;

			if (v->flags & FP_PORT_F_SG)
				rc = id_list_add(rs, v->ruleset);
		}
	}
	return rc;
}

static int
id_used(uint32_t id, void *arg)
{
	const struct id_list *l = arg;

	return l->n != 0 && bsearch(&id, l->v, l->n, sizeof(*l->v), u32_cmp) != NULL;
}

void
fp_compile_sg_ids_gc(const struct fp_compile_ctx *ctx, const struct fp_entry_set *installed,
		     const struct fp_entry_set *desired)
{
	struct id_list sets = { NULL, 0, 0 }, rs = { NULL, 0, 0 };

	if (ctx == NULL)
		return;
	/* Out of memory: keep every id (gc is only an economy). */
	if (ids_used_collect(installed, &sets, &rs) == 0 &&
	    ids_used_collect(desired, &sets, &rs) == 0) {
		if (sets.n > 1)
			qsort(sets.v, sets.n, sizeof(*sets.v), u32_cmp);
		if (rs.n > 1)
			qsort(rs.v, rs.n, sizeof(*rs.v), u32_cmp);
		fp_ids_gc(ctx->addrset_ids, id_used, &sets);
		fp_ids_gc(ctx->ruleset_ids, id_used, &rs);
	}
	free(sets.v);
	free(rs.v);
}

/* One address set (its entries: first..first+n-1 of a sealed set) or one
 * ruleset (its two directions' values) of a sealed set.
 */
struct held {
	uint32_t id;					  /* set or ruleset id */
	uint32_t taken;					  /* matched already */
	size_t first;					  /* address set: its first entry */
	size_t n;					  /* address set: its entries */
	const struct fp_ruleset_val *dirs[FP_SG_DIR_MAX]; /* ruleset: per direction, or NULL */
};

struct held_list {
	struct held *v; /* by id */
	size_t n;	/* valid v */
};

/* The address sets and rulesets of a sealed set, by id. */
static int
held_collect(const struct fp_entry_set *s, struct held_list *sets, struct held_list *rs)
{
	size_t i, n = fp_entry_set_count(s);
	struct fp_entry e;

	sets->v = calloc(n + 1, sizeof(*sets->v));
	rs->v = calloc(n + 1, sizeof(*rs->v));
	sets->n = 0;
	rs->n = 0;
	if (sets->v == NULL || rs->v == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (fp_entry_set_at(s, i, &e) < 0)
			return -EINVAL;
		if (e.table == FP_TABLE_ADDRSET) {
			uint32_t id = ((const struct fp_addrset_key *)e.key)->set_id;

			if (sets->n == 0 || sets->v[sets->n - 1].id != id) {
				sets->v[sets->n].id = id;
				sets->v[sets->n++].first = i;
			}
			sets->v[sets->n - 1].n++;
		} else if (e.table == FP_TABLE_RULESET) {
			const struct fp_ruleset_key *k = e.key;

			if (rs->n == 0 || rs->v[rs->n - 1].id != k->ruleset_id)
				rs->v[rs->n++].id = k->ruleset_id;
			if (k->dir < FP_SG_DIR_MAX)
				rs->v[rs->n - 1].dirs[k->dir] = e.val;
		}
	}
	return 0;
}

static const struct held *
held_find(const struct held_list *l, uint32_t id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return &l->v[i];
	return NULL;
}

/* Do two address sets hold the same members? */
static int
members_equal(const struct fp_entry_set *a, const struct held *x, const struct fp_entry_set *b,
	      const struct held *y)
{
	struct fp_entry ea, eb;
	size_t i;

	if (x->n != y->n)
		return 0;
	for (i = 0; i < x->n; i++) {
		const struct fp_addrset_key *ka, *kb;

		if (fp_entry_set_at(a, x->first + i, &ea) < 0 ||
		    fp_entry_set_at(b, y->first + i, &eb) < 0)
			return 0;
		ka = ea.key;
		kb = eb.key;
		if (ka->plen != kb->plen || memcmp(&ka->ip, &kb->ip, sizeof(ka->ip)) != 0)
			return 0;
	}
	return 1;
}

/* One rebind: the real allocators, the scratch compile, what is held. */
struct rebind {
	const struct fp_compile_ctx *ctx;	  /* the real allocators */
	struct fp_ids *scratch_sets;		  /* the scratch compile's set ids */
	const struct fp_entry_set *installed;	  /* held */
	struct held_list in_sets, in_rs;	  /* installed sets and rulesets */
	struct held_list want_sets, want_rs;	  /* desired (scratch) sets and rulesets */
	uint32_t tent_real[2 * FP_SG_RULE_MAX];	  /* tentative: installed empty set ids */
	const char *tent_key[2 * FP_SG_RULE_MAX]; /* their keys */
	uint32_t n_tent;			  /* valid tent_* */
};

/* Is installed set id x what the desired set sid (scratch id) is?  Empty
 * sets have no entries: an empty desired set may take an installed id no
 * entry and no key uses (tentatively, until the whole ruleset matches).
 */
static int
set_maps(struct rebind *rb, uint32_t sid, uint32_t x)
{
	const char *key = fp_ids_key(rb->scratch_sets, sid);
	uint32_t real, i;

	if (key == NULL)
		return 0;
	if (fp_ids_find(rb->ctx->addrset_ids, key, &real) == 0)
		return real == x;
	for (i = 0; i < rb->n_tent; i++)
		if (strcmp(rb->tent_key[i], key) == 0 || rb->tent_real[i] == x)
			return strcmp(rb->tent_key[i], key) == 0 && rb->tent_real[i] == x;
	if (fp_ids_key(rb->ctx->addrset_ids, x) != NULL || held_find(&rb->in_sets, x) != NULL ||
	    held_find(&rb->want_sets, sid) != NULL || rb->n_tent == 2 * FP_SG_RULE_MAX)
		return 0;
	rb->tent_real[rb->n_tent] = x;
	rb->tent_key[rb->n_tent++] = key;
	return 1;
}

static int
rulesets_equal(struct rebind *rb, const struct held *in, const struct held *want)
{
	uint32_t d, i;

	rb->n_tent = 0;
	for (d = 0; d < FP_SG_DIR_MAX; d++) {
		const struct fp_ruleset_val *a = in->dirs[d], *b = want->dirs[d];

		if ((a == NULL) != (b == NULL))
			return 0;
		if (a == NULL)
			continue;
		if (a->flags != b->flags || a->n_rules != b->n_rules || a->n_rules > FP_SG_RULE_MAX)
			return 0;
		for (i = 0; i < a->n_rules; i++) {
			struct fp_sg_rule x = a->rules[i], y = b->rules[i];

			if ((x.flags & FP_SG_RULE_F_ADDRSET) && (y.flags & FP_SG_RULE_F_ADDRSET)) {
				if (!set_maps(rb, y.addrset, x.addrset))
					return 0;
				y.addrset = x.addrset;
			}
			if (memcmp(&x, &y, sizeof(x)) != 0)
				return 0;
		}
	}
	return 1;
}

/* Bind every id the installed entries use that no key took. */
static int
bind_stale(const struct fp_compile_ctx *ctx, const struct fp_entry_set *installed)
{
	struct id_list sets = { NULL, 0, 0 }, rs = { NULL, 0, 0 };
	char key[32];
	size_t i;
	int rc;

	rc = ids_used_collect(installed, &sets, &rs);
	for (i = 0; i < sets.n && rc == 0; i++) {
		if (fp_ids_key(ctx->addrset_ids, sets.v[i]) != NULL)
			continue;
		snprintf(key, sizeof(key), STALE_FMT, sets.v[i]);
		rc = fp_ids_bind(ctx->addrset_ids, key, sets.v[i]);
		if (rc == -ERANGE || rc == -EEXIST)
			rc = 0;
	}
	for (i = 0; i < rs.n && rc == 0; i++) {
		if (fp_ids_key(ctx->ruleset_ids, rs.v[i]) != NULL)
			continue;
		snprintf(key, sizeof(key), STALE_FMT, rs.v[i]);
		rc = fp_ids_bind(ctx->ruleset_ids, key, rs.v[i]);
		if (rc == -ERANGE || rc == -EEXIST)
			rc = 0;
	}
	free(sets.v);
	free(rs.v);
	return rc;
}

static int
rebind_match(struct rebind *rb, struct fp_ids *scratch_rs, const struct fp_entry_set *want)
{
	const struct fp_compile_ctx *ctx = rb->ctx;
	size_t i, j;
	uint32_t t;
	int rc;

	/* Address sets by their members. */
	for (i = 0; i < rb->in_sets.n; i++) {
		struct held *in = &rb->in_sets.v[i];

		if (fp_ids_key(ctx->addrset_ids, in->id) != NULL)
			continue;
		for (j = 0; j < rb->want_sets.n; j++) {
			struct held *w = &rb->want_sets.v[j];
			const char *key = fp_ids_key(rb->scratch_sets, w->id);
			uint32_t real;

			if (w->taken || key == NULL ||
			    fp_ids_find(ctx->addrset_ids, key, &real) == 0 ||
			    !members_equal(rb->installed, in, want, w))
				continue;
			rc = fp_ids_bind(ctx->addrset_ids, key, in->id);
			if (rc == -ENOMEM)
				return rc;
			if (rc == 0) {
				w->taken = 1;
				break;
			}
		}
	}
	/* Then rulesets by their rules, with the sets as bound. */
	for (i = 0; i < rb->in_rs.n; i++) {
		struct held *in = &rb->in_rs.v[i];

		if (fp_ids_key(ctx->ruleset_ids, in->id) != NULL)
			continue;
		for (j = 0; j < rb->want_rs.n; j++) {
			struct held *w = &rb->want_rs.v[j];
			const char *key = fp_ids_key(scratch_rs, w->id);
			uint32_t real;

			if (w->taken || key == NULL ||
			    fp_ids_find(ctx->ruleset_ids, key, &real) == 0 ||
			    !rulesets_equal(rb, in, w))
				continue;
			for (t = 0; t < rb->n_tent; t++) {
				rc = fp_ids_bind(ctx->addrset_ids, rb->tent_key[t],
						 rb->tent_real[t]);
				if (rc == -ENOMEM)
					return rc;
			}
			rc = fp_ids_bind(ctx->ruleset_ids, key, in->id);
			if (rc == -ENOMEM)
				return rc;
			if (rc == 0) {
				w->taken = 1;
				break;
			}
		}
	}
	return 0;
}

int
fp_compile_sg_rebind(const struct fp_model *m, const struct fp_compile_ctx *ctx,
		     const struct fp_entry_set *installed)
{
	struct fp_compile_report rep = { 0 };
	struct fp_compile_ctx c2;
	struct fp_entry_set *want = NULL;
	struct rebind rb;
	int rc = -ENOMEM;

	if (m == NULL || ctx == NULL || installed == NULL || ctx->ruleset_ids == NULL ||
	    ctx->addrset_ids == NULL)
		return -EINVAL;
	memset(&rb, 0, sizeof(rb));
	rb.ctx = ctx;
	rb.installed = installed;
	c2 = *ctx;
	c2.ids = fp_vtep_ids_create(SCRATCH_LIMIT);
	c2.ruleset_ids = fp_ids_create(1, SCRATCH_LIMIT);
	c2.addrset_ids = fp_ids_create(1, SCRATCH_LIMIT);
	rb.scratch_sets = c2.addrset_ids;
	want = fp_entry_set_create();
	if (c2.ids == NULL || c2.ruleset_ids == NULL || c2.addrset_ids == NULL || want == NULL)
		goto out;
	rc = fp_compile(m, &c2, want, &rep);
	if (rc)
		goto out;
	rc = held_collect(installed, &rb.in_sets, &rb.in_rs);
	if (rc == 0)
		rc = held_collect(want, &rb.want_sets, &rb.want_rs);
	if (rc == 0)
		rc = rebind_match(&rb, c2.ruleset_ids, want);
	if (rc == 0)
		rc = bind_stale(ctx, installed);
out:
	free(rb.in_sets.v);
	free(rb.in_rs.v);
	free(rb.want_sets.v);
	free(rb.want_rs.v);
	fp_compile_report_free(&rep);
	fp_entry_set_free(want);
	fp_ids_free(c2.addrset_ids);
	fp_ids_free(c2.ruleset_ids);
	fp_vtep_ids_free(c2.ids);
	return rc;
}
