/* hostgated's decision service: the warm policy and decide_record(). */
#include "config.h"

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "account.h"
#include "decide.h"
#include "err.h"
#include "hostgated.h"
#include "now.h"

void
decide_start(struct decide_warm *w, const char *path)
{
	w->path = path;
	decide_refresh(w, true);
}

void
decide_refresh(struct decide_warm *w, bool force)
{
	char stamp[POLICY_STAMP_HEX + 1];
	struct hg_msg msg = { "" };
	size_t files, roles, rules;
	int r;

	policy_stamp(w->path, stamp);
	if (!force && w->loaded && strcmp(stamp, w->stamp) == 0)
		return;
	policy_free(w->pol);
	w->pol = NULL;
	/* Stamped before loading: a change while loading shows next time. */
	memcpy(w->stamp, stamp, sizeof(stamp));
	w->loaded = true;
	if ((r = policy_load(w->path, HOSTGATED_OWNER, &w->pol, &msg)) != 0) {
		log_f(LOG_ALERT, "%s; the policy is invalid, denying everyone",
		    msg.text);
		if (r == HG_ERR_IO || r == HG_ERR_NOMEM) {
			/*
			 * A passing failure (no memory, no descriptor) is not
			 * this policy's answer: decline until a load works,
			 * so that modules decide on their own meanwhile.
			 */
			w->loaded = false;
			w->stamp[0] = '\0';
		}
		return;
	}
	policy_counts(w->pol, &files, &roles, &rules);
	log_f(LOG_INFO, "policy %s loaded: %zu files, %zu roles, %zu rules",
	    w->path, files, roles, rules);
}

/*
 * A module whose stack names another policy (policy=, or a config= with
 * another one), or that names none, must not get this policy's answer: it
 * decides itself when we decline.
 */
bool
decide_named(struct decide_warm *w, const struct hg_record *r, pid_t pid,
    uid_t uid)
{
	long long now = now_mono_ms();

	decide_refresh(w, false);
	if (w->stamp[0] != '\0' && strcmp(r->policy, w->stamp) == 0)
		return true;
	w->declined++;
	if (w->declined_log == 0 || now - w->declined_log >= 60000) {
		log_f(LOG_INFO, "declined a decision for peer pid %ld uid %lu: "
		    "the request names %s, not %s as held here, so the "
		    "module decides itself (%lld such in the last minute)",
		    (long)pid, (unsigned long)uid,
		    r->policy[0] == '\0' ? "no policy" : "another policy "
		    "(or its files changed meanwhile)", w->path, w->declined);
		w->declined = 0;
		w->declined_log = now;
	}
	return false;
}

/* The module's local path decides the same way: account_decide(). */
void
decide_record(struct decide_warm *w, struct hg_record *r)
{
	struct hg_msg msg = { "" };

	if (account_decide(w->pol, r, &msg) == HG_ERR_INTERNAL)
		log_f(LOG_ERR, "%s; denying", msg.text);
}

void
decide_free(struct decide_warm *w)
{
	policy_free(w->pol);
	w->pol = NULL;
}
