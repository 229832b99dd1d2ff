/*
 * Decisions: a login (user, groups, service, rhost, time, mfa) against a
 * loaded policy, through the index policy_load.c builds.  Pure: no NSS, no
 * DNS, no I/O.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "policy_impl.h"

#define ROLESET_MAX	256	/* distinct roles remembered per decision */

/* The distinct roles of a user, gathered once per decision. */
struct roleset {
	size_t		 v[ROLESET_MAX];
	size_t		 n;
	size_t		 total;
};

/* Add the roles in L; past ROLESET_MAX, they are counted only. */
static void
roleset_add(struct roleset *s, const struct idlist *l)
{
	size_t i, j;

	for (i = 0; l != NULL && i < l->n; i++) {
		for (j = 0; j < s->n && s->v[j] != l->v[i]; j++)
			;
		if (j < s->n)
			continue;
		s->total++;
		if (s->n < ROLESET_MAX)
			s->v[s->n++] = l->v[i];
	}
}

static const struct idlist *
map_ids(const struct map *m, const char *key, size_t tag)
{
	const struct map_ent *e = policy_map_find(m, key, tag);

	return e != NULL ? &e->ids : NULL;
}

static void
roles_of(const struct hg_policy *pol, const struct policy_input *in,
    struct roleset *s)
{
	size_t i;

	s->n = s->total = 0;
	roleset_add(s, map_ids(&pol->users, in->user, 0));
	for (i = 0; i < in->ngroups; i++)
		roleset_add(s, map_ids(&pol->groups, in->groups[i], 0));
	roleset_add(s, &pol->anyone);
}

/*
 * The remote host of a decision, read once by addr_read(), the reader the
 * lockout shares: local (no rhost), an address, or anything else.
 */
struct host {
	enum { H_LOCAL, H_ADDR, H_OTHER } kind;
	struct pol_addr	 addr;		/* H_ADDR: a /32 or /128 block */
};

static void
host_read(const char *rhost, struct host *h)
{
	struct hg_addr a;

	memset(h, 0, sizeof(*h));
	if (rhost == NULL || *rhost == '\0')
		h->kind = H_LOCAL;
	else if (!addr_read(rhost, &a))
		h->kind = H_OTHER;
	else {
		h->kind = H_ADDR;
		h->addr.family = a.family;
		memcpy(h->addr.a, a.a, sizeof(h->addr.a));
		h->addr.prefix = a.family == AF_INET ? 32 : 128;
	}
}

bool
policy_addr_within(const struct pol_addr *net, const struct pol_addr *a)
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;

	if (net->family != a->family || a->prefix < net->prefix)
		return false;
	if (memcmp(net->a, a->a, full) != 0)
		return false;
	return rest == 0 ||
	    ((net->a[full] ^ a->a[full]) & (0xff00 >> rest)) == 0;
}

static bool
match_from(const struct pol_rule *rule, const struct host *h)
{
	size_t i;

	if (rule->nfrom == 0)
		return true;
	/*
	 * We cannot tell where an rhost that is no address comes from
	 * (a host name is whatever its PTR record says): fail closed.
	 */
	if (h->kind == H_OTHER)
		return rule->deny;
	for (i = 0; i < rule->nfrom; i++) {
		if (rule->from[i].family == 0) {
			if (h->kind == H_LOCAL)
				return true;
		} else if (h->kind == H_ADDR &&
		    policy_addr_within(&rule->from[i], &h->addr))
			return true;
	}
	return false;
}

static bool
match_time(const struct pol_rule *rule, const struct tm *tm)
{
	const struct pol_time *t;
	unsigned now = (unsigned)(tm->tm_hour * 60 + tm->tm_min);
	unsigned day = 1u << tm->tm_wday, prev = 1u << ((tm->tm_wday + 6) % 7);
	size_t i;

	if (rule->ntime == 0)
		return true;
	for (i = 0; i < rule->ntime; i++) {
		t = &rule->time[i];
		if (t->start < t->end) {
			if ((t->days & day) && now >= t->start && now < t->end)
				return true;
			continue;
		}
		/* Wrapped: the part after midnight is the previous day's. */
		if (((t->days & day) && now >= t->start) ||
		    ((t->days & prev) && now < t->end))
			return true;
	}
	return false;
}

/* Does IN's user hold role ID?  A linear check, for the rare slow path. */
static bool
role_holds(const struct hg_policy *pol, size_t id,
    const struct policy_input *in)
{
	const struct pol_role *role = &pol->roles[id];
	size_t i, j;

	for (i = 0; i < role->nm; i++) {
		if (role->m[i].kind == M_ANY || (role->m[i].kind == M_USER &&
		    strcmp(role->m[i].name, in->user) == 0))
			return true;
		for (j = 0; role->m[i].kind == M_GROUP && j < in->ngroups; j++)
			if (strcmp(role->m[i].name, in->groups[j]) == 0)
				return true;
	}
	return false;
}

bool
policy_rule_has_service(const struct pol_rule *rule, const char *service)
{
	size_t i;

	if (rule->nsvc == 0)
		return true;
	for (i = 0; service != NULL && i < rule->nsvc; i++)
		if (strcmp(rule->svc[i], service) == 0)
			return true;
	return false;
}

/* The first rule in reading order, per kind, that matched. */
struct found {
	size_t		 deny, allow, mfa;
};

static void
eval_rules(const struct hg_policy *pol, const struct idlist *l,
    const struct policy_input *in, const struct host *h, struct found *f)
{
	const struct pol_rule *rule;
	size_t i, id;

	for (i = 0; l != NULL && i < l->n; i++) {
		id = l->v[i];
		rule = &pol->rules[id];
		if (!match_from(rule, h) || !match_time(rule, in->when))
			continue;
		if (rule->deny) {
			if (id < f->deny)
				f->deny = id;
		} else if (rule->mfa && !in->mfa) {
			if (id < f->mfa)
				f->mfa = id;
		} else if (id < f->allow)
			f->allow = id;
	}
}

static void
decision_set(const struct hg_policy *pol, struct policy_decision *d,
    bool allow, enum policy_reason reason, size_t rule)
{
	memset(d, 0, sizeof(*d));
	d->allow = allow;
	d->reason = reason;
	if (rule != NONE) {
		d->file = pol->files[pol->rules[rule].file].name;
		d->line = pol->rules[rule].line;
		d->text = pol->rules[rule].text;
	}
}

int
policy_decide(const struct hg_policy *pol, const struct policy_input *in,
    struct policy_decision *d)
{
	const struct pol_role *role;
	struct roleset set;
	struct found f = { NONE, NONE, NONE };
	struct host h;
	const struct tm *tm;
	size_t i;

	decision_set(pol, d, false, POLICY_REASON_INVALID, NONE);
	if (pol == NULL)
		return HG_ERR_POLICY;
	d->reason = POLICY_REASON_ERROR;
	if (in == NULL || in->user == NULL || (tm = in->when) == NULL ||
	    (in->groups == NULL && in->ngroups > 0))
		return HG_ERR_INVALID;
	if (tm->tm_wday < 0 || tm->tm_wday > 6 || tm->tm_hour < 0 ||
	    tm->tm_hour > 23 || tm->tm_min < 0 || tm->tm_min > 59)
		return HG_ERR_INVALID;
	for (i = 0; i < in->ngroups; i++)
		if (in->groups[i] == NULL)
			return HG_ERR_INVALID;

	host_read(in->rhost, &h);
	roles_of(pol, in, &set);
	/*
	 * Past ROLESET_MAX distinct roles we cannot skip repeats cheaply:
	 * then look at every rule, slower but never wrong.
	 */
	if (set.total > set.n) {
		for (i = 0; i < pol->nrules; i++)
			if (role_holds(pol, pol->rules[i].role, in) &&
			    policy_rule_has_service(&pol->rules[i],
			    in->service)) {
				struct idlist one = { &i, 1, 1 };

				eval_rules(pol, &one, in, &h, &f);
			}
		set.n = 0;
	}
	for (i = 0; i < set.n; i++) {
		role = &pol->roles[set.v[i]];
		if (in->service != NULL)
			eval_rules(pol, map_ids(&pol->services, in->service,
			    set.v[i]), in, &h, &f);
		eval_rules(pol, &role->anysvc, in, &h, &f);
	}
	if (f.deny != NONE)
		decision_set(pol, d, false, POLICY_REASON_RULE, f.deny);
	else if (f.allow != NONE)
		decision_set(pol, d, true, POLICY_REASON_RULE, f.allow);
	else if (f.mfa != NONE)
		decision_set(pol, d, false, POLICY_REASON_MFA_REQUIRED, f.mfa);
	else
		decision_set(pol, d, false, POLICY_REASON_NO_RULE, NONE);
	return 0;
}

const char *
policy_reason_str(enum policy_reason reason)
{
	switch (reason) {
	case POLICY_REASON_RULE:		return "rule";
	case POLICY_REASON_NO_RULE:		return "no-rule";
	case POLICY_REASON_MFA_REQUIRED:	return "mfa-required";
	case POLICY_REASON_INVALID:		return "policy-invalid";
	case POLICY_REASON_ERROR:		return "internal-error";
	}
	return "internal-error";
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

size_t
policy_roles_of(const struct hg_policy *pol, const struct policy_input *in,
    const char **names, size_t max)
{
	struct roleset set;
	size_t i, n = 0;

	if (pol == NULL || in == NULL || in->user == NULL ||
	    (in->groups == NULL && in->ngroups > 0))
		return 0;
	roles_of(pol, in, &set);
	if (set.total > set.n) {
		/* Too many to have been kept: count them the slow way. */
		for (i = 0; i < pol->nroles; i++)
			if (role_holds(pol, i, in) && n++ < max)
				names[n - 1] = pol->roles[i].name;
		return n;
	}
	qsort(set.v, set.n, sizeof(set.v[0]), cmp_size);
	for (i = 0; i < set.n && i < max; i++)
		names[i] = pol->roles[set.v[i]].name;
	return set.n;
}

