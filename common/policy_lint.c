/*
 * The parts of the policy unit that ask NSS: a user's groups for a
 * decision (policy_user_groups(), which the module, hostgated and the CLI
 * call before policy_decide()), and the warnings about a valid policy
 * (policy_lint(), for "hostgate check"): unused roles, members NSS does not
 * know, allows a deny shadows, denies with from=, a policy that allows no
 * one.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_impl.h"

#define WEEK_MINUTES	(7 * 24 * 60)

/* --- NSS ----------------------------------------------------------------- */

void
policy_groups_free(char **groups, size_t ngroups)
{
	size_t i;

	for (i = 0; groups != NULL && i < ngroups; i++)
		free(groups[i]);
	free(groups);
}

enum nss_query { NSS_USER, NSS_GROUP, NSS_GID };

/*
 * Ask NSS about the user NAME (NSS_USER: its primary group to *GID if GID
 * is not NULL), the group NAME (NSS_GROUP), or the group *GID (NSS_GID:
 * its name, a new string, to *GROUP, else NULL).  The get*_r functions
 * want a caller's buffer and say ERANGE when it is too small: it grows for
 * another try, up to a sane bound.  Returns 1 (known), 0 (unknown), or
 * HG_ERR_NOMEM or HG_ERR_IO (NSS failed).
 */
static int
nss_lookup(enum nss_query q, const char *name, gid_t *gid, char **group)
{
	struct passwd pw, *pwres = NULL;
	struct group gr, *grres = NULL;
	char *buf = NULL, *nbuf;
	size_t size = 1024;
	int e, r;

	if (group != NULL)
		*group = NULL;
	for (;;) {
		if ((nbuf = realloc(buf, size)) == NULL) {
			r = HG_ERR_NOMEM;
			goto out;
		}
		buf = nbuf;
		if (q == NSS_USER)
			e = getpwnam_r(name, &pw, buf, size, &pwres);
		else if (q == NSS_GROUP)
			e = getgrnam_r(name, &gr, buf, size, &grres);
		else
			e = getgrgid_r(*gid, &gr, buf, size, &grres);
		if (e != ERANGE)
			break;
		if (size >= 1024 * 1024) {
			r = HG_ERR_IO;
			goto out;
		}
		size *= 2;
	}
	if (e != 0 && e != ENOENT) {
		r = HG_ERR_IO;
		goto out;
	}
	r = pwres != NULL || grres != NULL;
	if (pwres != NULL && gid != NULL)
		*gid = pw.pw_gid;
	if (q == NSS_GID && grres != NULL &&
	    (*group = strdup(gr.gr_name)) == NULL)
		r = HG_ERR_NOMEM;
 out:
	free(buf);
	return r;
}

int
policy_user_groups(const char *user, char ***groupsp, size_t *np,
    struct hg_msg *msg)
{
	gid_t gid, *gids = NULL, *v;
	char **groups = NULL, *name;
	size_t n = 0, i;
	int ngids = 32, r;

	*groupsp = NULL;
	*np = 0;
	if ((r = nss_lookup(NSS_USER, user, &gid, NULL)) < 0)
		return hg_fail(msg, r, "%s: user lookup failed", user);
	if (r == 0)
		return hg_fail(msg, HG_ERR_UNKNOWN_USER, "%s: unknown user",
		    user);
	/* getgrouplist says how many there are when the array is short. */
	for (;;) {
		if ((v = reallocarray(gids, (size_t)ngids, sizeof(*v))) ==
		    NULL) {
			r = hg_fail(msg, HG_ERR_NOMEM, "out of memory");
			goto out;
		}
		gids = v;
		if (getgrouplist(user, gid, gids, &ngids) != -1)
			break;
		if (ngids > 65536) {
			r = hg_fail(msg, HG_ERR_IO, "%s: too many groups",
			    user);
			goto out;
		}
	}
	if ((groups = calloc((size_t)ngids + 1, sizeof(*groups))) == NULL) {
		r = hg_fail(msg, HG_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < (size_t)ngids; i++) {
		if ((r = nss_lookup(NSS_GID, NULL, &gids[i], &name)) < 0) {
			hg_fail(msg, r, "%s: group lookup failed", user);
			goto out;
		}
		/* A gid without a name cannot match an @group member. */
		if (name != NULL)
			groups[n++] = name;
	}
	*groupsp = groups;
	*np = n;
	groups = NULL;
	r = 0;
 out:
	policy_groups_free(groups, n);
	free(gids);
	return r;
}

/* --- warnings ------------------------------------------------------------ */

/* Append "file:line:col: warning: message" to W.  0 or HG_ERR_NOMEM. */
static int
warn_at(struct policy_diags *w, const struct hg_policy *pol, size_t file,
    unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int
warn_at(struct policy_diags *w, const struct hg_policy *pol, size_t file,
    unsigned line, unsigned col, const char *fmt, ...)
{
	char text[HG_MSG_MAX], **v, *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (asprintf(&s, "%s:%u:%u: warning: %s", pol->files[file].name,
	    line, col, text) < 0)
		return HG_ERR_NOMEM;
	if ((v = reallocarray(w->v, w->n + 1, sizeof(*v))) == NULL) {
		free(s);
		return HG_ERR_NOMEM;
	}
	w->v = v;
	w->v[w->n++] = s;
	return 0;
}

static bool
member_in(const struct pol_role *role, const struct pol_member *m)
{
	size_t i;

	for (i = 0; i < role->nm; i++)
		if (role->m[i].kind == M_ANY || (role->m[i].kind == m->kind &&
		    strcmp(role->m[i].name, m->name) == 0))
			return true;
	return false;
}

/* Is everyone in role A also, by its definition, in role D? */
static bool
role_covers(const struct pol_role *d, const struct pol_role *a)
{
	size_t i;

	for (i = 0; i < a->nm; i++)
		if (!member_in(d, &a->m[i]))
			return false;
	return true;
}

static bool
service_covers(const struct pol_rule *d, const struct pol_rule *a)
{
	size_t i;

	if (d->nsvc == 0)
		return true;
	if (a->nsvc == 0)
		return false;
	for (i = 0; i < a->nsvc; i++)
		if (!policy_rule_has_service(d, a->svc[i]))
			return false;
	return true;
}

static bool
from_covers(const struct pol_rule *d, const struct pol_rule *a)
{
	size_t i, j;

	if (d->nfrom == 0)
		return true;
	if (a->nfrom == 0)
		return false;
	for (i = 0; i < a->nfrom; i++) {
		for (j = 0; j < d->nfrom; j++)
			if (d->from[j].family == a->from[i].family &&
			    (a->from[i].family == 0 ||
			    policy_addr_within(&d->from[j], &a->from[i])))
				break;
		if (j == d->nfrom)
			return false;
	}
	return true;
}

/* Mark the minutes of the week RULE's time condition matches. */
static void
week_minutes(const struct pol_rule *rule, unsigned char *week)
{
	const struct pol_time *t;
	unsigned day, m, end;
	size_t i;

	memset(week, 0, WEEK_MINUTES / 8);
	for (i = 0; i < rule->ntime; i++) {
		t = &rule->time[i];
		for (day = 0; day < 7; day++) {
			if (!(t->days & (1u << day)))
				continue;
			end = t->start < t->end ? t->end : t->end + 24 * 60;
			for (m = t->start; m < end; m++) {
				unsigned w = (day * 24 * 60 + m) % WEEK_MINUTES;

				week[w / 8] |= (unsigned char)(1u << (w % 8));
			}
		}
	}
}

static bool
time_covers(const struct pol_rule *d, const struct pol_rule *a)
{
	unsigned char wd[WEEK_MINUTES / 8], wa[WEEK_MINUTES / 8];
	size_t i;

	if (d->ntime == 0)
		return true;
	if (a->ntime == 0)
		return false;
	week_minutes(d, wd);
	week_minutes(a, wa);
	for (i = 0; i < sizeof(wa); i++)
		if ((wa[i] & ~wd[i]) != 0)
			return false;
	return true;
}

/* The first deny that matches whenever allow A would, or NONE. */
static size_t
shadowing_deny(const struct hg_policy *pol, const struct pol_rule *a)
{
	const struct pol_rule *d;
	size_t i;

	for (i = 0; i < pol->nrules; i++) {
		d = &pol->rules[i];
		if (d->deny && role_covers(&pol->roles[d->role],
		    &pol->roles[a->role]) && service_covers(d, a) &&
		    from_covers(d, a) && time_covers(d, a))
			return i;
	}
	return NONE;
}

int
policy_lint(const struct hg_policy *pol, struct policy_diags *w)
{
	const struct pol_role *role;
	const struct pol_member *m;
	const struct pol_rule *rule, *d;
	size_t i, j, deny, allows = 0;
	int r = 0, known;

	for (i = 0; i < pol->nroles && r == 0; i++) {
		role = &pol->roles[i];
		if (!role->used)
			r = warn_at(w, pol, role->file, role->line, role->col,
			    "role '%s' is never used by a rule", role->name);
		for (j = 0; j < role->nm && r == 0; j++) {
			m = &role->m[j];
			if (m->kind == M_ANY)
				continue;
			known = nss_lookup(m->kind == M_GROUP ? NSS_GROUP :
			    NSS_USER, m->name, NULL, NULL);
			if (known == HG_ERR_NOMEM)
				r = known;
			else if (known == 0)
				r = warn_at(w, pol, role->file, role->line,
				    m->col, "%s '%s' is unknown to NSS",
				    m->kind == M_GROUP ? "group" : "user",
				    m->name);
		}
	}
	for (i = 0; i < pol->nrules && r == 0; i++) {
		rule = &pol->rules[i];
		/*
		 * Fail closed surprises: say where and why (match_from() in
		 * policy_eval.c).
		 */
		if (rule->deny && rule->nfrom > 0)
			r = warn_at(w, pol, rule->file, rule->line, rule->col,
			    "this deny also applies to every rhost that is not "
			    "an address literal (a host name, as sshd passes "
			    "with UseDNS yes), whatever its from= lists");
		if (rule->deny)
			continue;
		if ((deny = shadowing_deny(pol, rule)) == NONE) {
			allows++;
			continue;
		}
		d = &pol->rules[deny];
		r = warn_at(w, pol, rule->file, rule->line, rule->col,
		    "rule can never match: the deny at %s:%u covers all it "
		    "allows", pol->files[d->file].name, d->line);
	}
	if (r == 0 && allows == 0)
		r = warn_at(w, pol, 0, 1, 1, "the policy allows no one "
		    "(no allow rule can ever match)");
	return r;
}
