/*
 * Linked into test programs only: getpwnam_r(), getgrgid_r() and
 * getgrouplist() defined in the program itself.  With $HG_NSS set they
 * answer from that file, read afresh on every call (a test rewrites it,
 * by rename, between decisions), so that the policy golden cases can name
 * any user and group; without it they pass the call on to libc.
 *
 *   user NAME UID GID
 *   group NAME GID [MEMBER,MEMBER...]
 */
#include "config.h"

#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int getpwnam_r(const char *, struct passwd *, char *, size_t,
    struct passwd **);
int getgrgid_r(gid_t, struct group *, char *, size_t, struct group **);
int getgrouplist(const char *, gid_t, gid_t *, int *);

struct entry {
	char	kind[8], name[512], members[2048];
	long	id, gid;
};

/* Calls F for each entry until it returns true; false if none did. */
static bool
each_entry(bool (*f)(const struct entry *, void *), void *arg)
{
	const char *path = getenv("HG_NSS");
	char line[4096];
	struct entry e;
	bool done = false;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL)
		return false;
	while (!done && fgets(line, sizeof(line), fp) != NULL) {
		memset(&e, 0, sizeof(e));
		if (sscanf(line, "user %511s %ld %ld", e.name, &e.id,
		    &e.gid) == 3)
			strcpy(e.kind, "user");
		else if (sscanf(line, "group %511s %ld %2047s", e.name,
		    &e.gid, e.members) >= 2)
			strcpy(e.kind, "group");
		else
			continue;
		done = f(&e, arg);
	}
	fclose(fp);
	return done;
}

struct find {
	const char	*name;
	long		 gid;
	struct entry	 found;
};

static bool
find_user(const struct entry *e, void *arg)
{
	struct find *q = arg;

	if (strcmp(e->kind, "user") != 0 || strcmp(e->name, q->name) != 0)
		return false;
	q->found = *e;
	return true;
}

static bool
find_group(const struct entry *e, void *arg)
{
	struct find *q = arg;

	if (strcmp(e->kind, "group") != 0 || e->gid != q->gid)
		return false;
	q->found = *e;
	return true;
}

/* Copy S into the caller's buffer; NULL when it does not fit. */
static char *
put(char **buf, size_t *left, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = *buf;

	if (n > *left)
		return NULL;
	memcpy(p, s, n);
	*buf += n;
	*left -= n;
	return p;
}

int
getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size,
    struct passwd **res)
{
	int (*real)(const char *, struct passwd *, char *, size_t,
	    struct passwd **);
	struct find q;

	if (getenv("HG_NSS") == NULL) {
		*(void **)&real = dlsym(RTLD_NEXT, "getpwnam_r");
		return real(name, pw, buf, size, res);
	}
	*res = NULL;
	memset(&q, 0, sizeof(q));
	q.name = name;
	if (!each_entry(find_user, &q))
		return 0;
	memset(pw, 0, sizeof(*pw));
	if ((pw->pw_name = put(&buf, &size, q.found.name)) == NULL ||
	    (pw->pw_passwd = put(&buf, &size, "x")) == NULL ||
	    (pw->pw_gecos = put(&buf, &size, "")) == NULL ||
	    (pw->pw_dir = put(&buf, &size, "/")) == NULL ||
	    (pw->pw_shell = put(&buf, &size, "/bin/sh")) == NULL)
		return ERANGE;
	pw->pw_uid = (uid_t)q.found.id;
	pw->pw_gid = (gid_t)q.found.gid;
	*res = pw;
	return 0;
}

int
getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size,
    struct group **res)
{
	int (*real)(gid_t, struct group *, char *, size_t, struct group **);
	struct find q;
	uintptr_t a;
	size_t pad;

	if (getenv("HG_NSS") == NULL) {
		*(void **)&real = dlsym(RTLD_NEXT, "getgrgid_r");
		return real(gid, gr, buf, size, res);
	}
	*res = NULL;
	memset(&q, 0, sizeof(q));
	q.gid = (long)gid;
	if (!each_entry(find_group, &q))
		return 0;
	memset(gr, 0, sizeof(*gr));
	/* An empty member list: one aligned NULL pointer. */
	a = (uintptr_t)buf;
	pad = (sizeof(char *) - a % sizeof(char *)) % sizeof(char *);
	if (size < pad + sizeof(char *))
		return ERANGE;
	gr->gr_mem = (char **)(void *)(buf + pad);
	gr->gr_mem[0] = NULL;
	buf += pad + sizeof(char *);
	size -= pad + sizeof(char *);
	if ((gr->gr_name = put(&buf, &size, q.found.name)) == NULL ||
	    (gr->gr_passwd = put(&buf, &size, "x")) == NULL)
		return ERANGE;
	gr->gr_gid = gid;
	*res = gr;
	return 0;
}

struct member {
	const char	*user;
	gid_t		 primary;
	gid_t		*v;
	int		 n, max;
};

static bool
add_member(const struct entry *e, void *arg)
{
	struct member *m = arg;
	char list[2048], *p, *save = NULL;

	if (strcmp(e->kind, "group") != 0 || (gid_t)e->gid == m->primary)
		return false;
	snprintf(list, sizeof(list), "%s", e->members);
	for (p = strtok_r(list, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		if (strcmp(p, m->user) == 0) {
			if (m->n < m->max)
				m->v[m->n] = (gid_t)e->gid;
			m->n++;
			break;
		}
	return false;
}

int
getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	int (*real)(const char *, gid_t, gid_t *, int *);
	struct member m;

	if (getenv("HG_NSS") == NULL) {
		*(void **)&real = dlsym(RTLD_NEXT, "getgrouplist");
		return real(user, group, groups, ngroups);
	}
	m.user = user;
	m.primary = group;
	m.v = groups + 1;
	m.max = *ngroups - 1;
	m.n = 0;
	if (*ngroups > 0)
		groups[0] = group;
	(void)each_entry(add_member, &m);
	if (m.n + 1 > *ngroups) {
		*ngroups = m.n + 1;
		return -1;
	}
	*ngroups = m.n + 1;
	return *ngroups;
}
