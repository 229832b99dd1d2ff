/*
 * Loading a policy: the main file and policy.d read as trusted files and
 * handed to the parser line by line, every rule's role resolved, and the
 * index (hash maps from users, groups and services to roles and rules) that
 * lets policy_decide() look only at the rules that can apply.
 */
#include "config.h"

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_impl.h"
#include "trust.h"

#define INCLUDE_DIR	"policy.d"

/* --- the index's containers ---------------------------------------------- */

void *
policy_grow(void *v, size_t *cap, size_t n, size_t first, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return v;
	ncap = *cap == 0 ? first : *cap * 2;
	if ((v = reallocarray(v, ncap, size)) != NULL)
		*cap = ncap;
	return v;
}

static int
idlist_add(struct idlist *l, size_t id)
{
	size_t *v;

	if ((v = policy_grow(l->v, &l->cap, l->n, 4, sizeof(*v))) == NULL)
		return HG_ERR_NOMEM;
	l->v = v;
	l->v[l->n++] = id;
	return 0;
}

static uint32_t
map_hash(const char *key, size_t tag)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return (h ^ (uint32_t)tag) * 16777619u;
}

struct map_ent *
policy_map_find(const struct map *m, const char *key, size_t tag)
{
	uint32_t h;
	size_t i;

	if (m->nbucket == 0 || key == NULL)
		return NULL;
	h = map_hash(key, tag);
	for (i = m->bucket[h & (m->nbucket - 1)]; i != NONE; i = m->ent[i].next)
		if (m->ent[i].hash == h && m->ent[i].tag == tag &&
		    strcmp(m->ent[i].key, key) == 0)
			return &m->ent[i];
	return NULL;
}

static int
map_grow(struct map *m)
{
	struct map_ent *ent;
	size_t *bucket, nb, i, b;

	if ((ent = policy_grow(m->ent, &m->cap, m->n, 16, sizeof(*ent))) ==
	    NULL)
		return HG_ERR_NOMEM;
	m->ent = ent;
	if (m->n < m->nbucket)
		return 0;
	nb = m->nbucket == 0 ? 16 : m->nbucket * 2;
	if ((bucket = reallocarray(NULL, nb, sizeof(*bucket))) == NULL)
		return HG_ERR_NOMEM;
	for (i = 0; i < nb; i++)
		bucket[i] = NONE;
	for (i = 0; i < m->n; i++) {
		b = m->ent[i].hash & (nb - 1);
		m->ent[i].next = bucket[b];
		bucket[b] = i;
	}
	free(m->bucket);
	m->bucket = bucket;
	m->nbucket = nb;
	return 0;
}

int
policy_map_add(struct map *m, const char *key, size_t tag, size_t id)
{
	struct map_ent *e;
	size_t b;
	int r;

	if ((e = policy_map_find(m, key, tag)) == NULL) {
		if ((r = map_grow(m)) != 0)
			return r;
		e = &m->ent[m->n];
		memset(e, 0, sizeof(*e));
		e->key = key;
		e->tag = tag;
		e->hash = map_hash(key, tag);
		b = e->hash & (m->nbucket - 1);
		e->next = m->bucket[b];
		m->bucket[b] = m->n++;
	}
	return idlist_add(&e->ids, id);
}

static void
map_free(struct map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->ent[i].ids.v);
	free(m->ent);
	free(m->bucket);
	memset(m, 0, sizeof(*m));
}

void
policy_diags_free(struct policy_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* --- files --------------------------------------------------------------- */

/* Record a file (or directory) NAME as the current one. */
static int
add_file(struct parser *ps, const char *name)
{
	struct hg_policy *pol = ps->pol;
	struct pol_file *files;

	files = reallocarray(pol->files, pol->nfiles + 1, sizeof(*files));
	if (files == NULL)
		return policy_perr_nomem(ps);
	pol->files = files;
	if ((files[pol->nfiles].name = strdup(name)) == NULL)
		return policy_perr_nomem(ps);
	files[pol->nfiles].buf = NULL;
	ps->file = pol->nfiles++;
	return 0;
}

/* "PATH: problem" from trust_*() without the "PATH: " we print anyway. */
static const char *
trust_why(const struct hg_msg *m, const char *path)
{
	size_t len = strlen(path);

	if (strncmp(m->text, path, len) == 0 &&
	    strncmp(m->text + len, ": ", 2) == 0)
		return m->text + len + 2;
	return m->text;
}

/* Parse the file NAME (as diagnostics call it), reading it from FROM. */
static void
parse_file(struct parser *ps, const struct policy_source *src,
    const char *name, const char *from)
{
	struct pol_file *files;
	struct hg_msg m;
	char *buf, *line, *nl, *end, *shrunk;
	size_t len;
	int r;

	if (add_file(ps, name) != 0)
		return;
	files = ps->pol->files;
	m.text[0] = '\0';
	r = trust_read(from, TRUST_PUBLIC, src->owner, POLICY_FILE_MAX, &buf,
	    &len, &m);
	if (r == HG_ERR_NOMEM) {
		policy_perr_nomem(ps);
		return;
	}
	if (r == HG_ERR_TOOLONG)
		policy_perr_file(ps, HG_ERR_POLICY, "larger than %d bytes",
		    POLICY_FILE_MAX);
	else if (r != 0 && strcmp(from, name) != 0)
		policy_perr_file(ps, r, "%s (reading %s)", trust_why(&m, from),
		    from);
	else if (r != 0)
		policy_perr_file(ps, r, "%s", trust_why(&m, from));
	if (r != 0)
		return;
	/* trust_read allocated the maximum; keep only what is used. */
	if ((shrunk = realloc(buf, len + 1)) != NULL)
		buf = shrunk;
	files[ps->file].buf = buf;
	ps->lineno = 0;
	end = buf + len;
	for (line = buf; line < end; line = nl + 1) {
		ps->lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		*nl = '\0';
		policy_parse_line(ps, line, (size_t)(nl - line));
		if (ps->nomem)
			return;
	}
}

int
policy_include_dir(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(buf, size, "%s", INCLUDE_DIR);
	else
		n = snprintf(buf, size, "%.*s/%s", (int)(slash - path), path,
		    INCLUDE_DIR);
	return n < 0 || (size_t)n >= size ? HG_ERR_TOOLONG : 0;
}

/* policy.d names we read: "*.conf", not hidden; backups end in '~'. */
static bool
include_wanted(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 5 &&
	    strcmp(name + len - 5, ".conf") == 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
policy_dir_names(DIR *d, bool (*want)(const char *), const char *extra,
    char ***namesp, size_t *np)
{
	struct dirent *de;
	char **names = NULL, **v;
	size_t n = 0, i;
	int r = HG_ERR_NOMEM;

	*namesp = NULL;
	*np = 0;
	while (d != NULL && (errno = 0, de = readdir(d)) != NULL) {
		if (!want(de->d_name) ||
		    (extra != NULL && strcmp(de->d_name, extra) == 0))
			continue;
		if ((v = reallocarray(names, n + 1, sizeof(*v))) == NULL)
			goto out;
		names = v;
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto out;
		n++;
	}
	if (d != NULL && errno != 0) {
		r = HG_ERR_IO;
		goto out;
	}
	if (extra != NULL) {
		if ((v = reallocarray(names, n + 1, sizeof(*v))) == NULL)
			goto out;
		names = v;
		if ((names[n] = strdup(extra)) == NULL)
			goto out;
		n++;
	}
	/* Lexical order in the C locale, so it never depends on LANG. */
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	*namesp = names;
	*np = n;
	names = NULL;
	n = 0;
	r = 0;
 out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

/*
 * The sorted names of the include files in DIR (NULL: none), plus EXTRA
 * if not NULL.  Returns 0, HG_ERR_NOMEM or HG_ERR_IO (errno says why).
 */
static int
include_names(const char *dir, const char *extra, char ***namesp,
    size_t *np)
{
	DIR *d = NULL;
	int r;

	if (dir != NULL && (d = opendir(dir)) == NULL && errno != ENOENT)
		return HG_ERR_IO;
	r = policy_dir_names(d, include_wanted, extra, namesp, np);
	if (d != NULL)
		closedir(d);
	return r;
}

/* Read policy.d, beside the main file, if it is there. */
static void
parse_includes(struct parser *ps, const struct policy_source *src)
{
	char dir[PATH_MAX], path[PATH_MAX], **names = NULL;
	const char *extra = NULL, *from;
	struct hg_msg m;
	size_t n = 0, i;
	int r;

	if (policy_include_dir(src->path, dir, sizeof(dir)) != 0) {
		policy_perr_file(ps, HG_ERR_POLICY, "path too long");
		return;
	}
	if (src->subst_path != NULL && src->subst_name != NULL)
		extra = src->subst_name;
	m.text[0] = '\0';
	r = trust_check_dir(dir, src->owner, TRUST_PUBLIC, &m);
	if (r == HG_ERR_NOENT && extra == NULL)
		return;
	if (r != 0 && r != HG_ERR_NOENT) {
		if (add_file(ps, dir) == 0)
			policy_perr_file(ps, r, "%s", trust_why(&m, dir));
		return;
	}
	if (extra != NULL && (!include_wanted(extra) ||
	    strchr(extra, '/') != NULL)) {
		if (add_file(ps, extra) == 0)
			policy_perr_file(ps, HG_ERR_POLICY, "not the name of "
			    "an include file (NAME.conf in %s)", dir);
		return;
	}
	if ((r = include_names(r == 0 ? dir : NULL, extra, &names, &n)) != 0) {
		if (r == HG_ERR_NOMEM)
			policy_perr_nomem(ps);
		else if (add_file(ps, dir) == 0)
			policy_perr_file(ps, r, "cannot list: %s",
			    strerror(errno));
		return;
	}
	for (i = 0; i < n && !ps->nomem; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path)) {
			if (add_file(ps, names[i]) == 0)
				policy_perr_file(ps, HG_ERR_POLICY,
				    "path too long");
			continue;
		}
		from = extra != NULL && strcmp(names[i], extra) == 0 ?
		    src->subst_path : path;
		parse_file(ps, src, path, from);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* --- after all files: roles and the index -------------------------------- */

/* "admins, developers" for an unknown-role message, cut to fit. */
static void
role_list(const struct hg_policy *pol, char *buf, size_t size)
{
	size_t i, len = 0;
	int n;

	buf[0] = '\0';
	if (pol->nroles == 0) {
		snprintf(buf, size, "no roles are defined");
		return;
	}
	n = snprintf(buf, size, "defined roles: ");
	len = (size_t)n;
	for (i = 0; i < pol->nroles; i++) {
		if (len + strlen(pol->roles[i].name) + 8 >= size) {
			snprintf(buf + len, size - len, ", ...");
			return;
		}
		n = snprintf(buf + len, size - len, "%s%s", i > 0 ? ", " : "",
		    pol->roles[i].name);
		len += (size_t)n;
	}
}

/* Resolve each rule's role, now that every file has been read. */
static void
resolve_roles(struct parser *ps)
{
	struct hg_policy *pol = ps->pol;
	struct pol_rule *rule;
	struct map_ent *e;
	char roles[256];
	size_t i;

	for (i = 0; i < pol->nrules; i++) {
		rule = &pol->rules[i];
		if ((e = policy_map_find(&pol->rolenames, rule->rolename, 0)) ==
		    NULL) {
			role_list(pol, roles, sizeof(roles));
			policy_perr_at(ps, rule->file, rule->line,
			    rule->rolecol, "unknown role '%s' (%s)",
			    rule->rolename, roles);
			continue;
		}
		rule->role = e->ids.v[0];
		pol->roles[rule->role].used = true;
	}
}

/*
 * Index members and rules so that a decision only looks at the rules of
 * the user's roles for the service at hand.
 */
static int
build_index(struct hg_policy *pol)
{
	struct pol_role *role;
	struct pol_rule *rule;
	size_t i, j;
	int r;

	for (i = 0; i < pol->nroles; i++) {
		role = &pol->roles[i];
		for (j = 0; j < role->nm; j++) {
			if (role->m[j].kind == M_ANY)
				r = idlist_add(&pol->anyone, i);
			else
				r = policy_map_add(role->m[j].kind == M_USER ?
				    &pol->users : &pol->groups,
				    role->m[j].name, 0, i);
			if (r != 0)
				return r;
		}
	}
	for (i = 0; i < pol->nrules; i++) {
		rule = &pol->rules[i];
		if (rule->nsvc == 0)
			r = idlist_add(&pol->roles[rule->role].anysvc, i);
		for (j = 0; j < rule->nsvc && r == 0; j++)
			r = policy_map_add(&pol->services, rule->svc[j],
			    rule->role, i);
		if (r != 0)
			return r;
	}
	return 0;
}

int
policy_load_source(const struct policy_source *src, struct hg_policy **out,
    struct policy_diags *errs, struct hg_msg *msg)
{
	struct parser ps;
	int r;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	if ((ps.pol = calloc(1, sizeof(*ps.pol))) == NULL)
		return hg_fail(msg, HG_ERR_NOMEM, "%s: out of memory",
		    src->path);
	parse_file(&ps, src, src->path, src->subst_path != NULL &&
	    src->subst_name == NULL ? src->subst_path : src->path);
	if (!ps.nomem)
		parse_includes(&ps, src);
	if (!ps.nomem)
		resolve_roles(&ps);
	r = policy_perr_flush(&ps, errs, msg);
	if (ps.nomem) {
		r = hg_fail(msg, HG_ERR_NOMEM, "%s: out of memory", src->path);
		goto out;
	}
	if (r != 0)
		goto out;
	if ((r = build_index(ps.pol)) != 0) {
		hg_fail(msg, r, "%s: out of memory", src->path);
		goto out;
	}
	*out = ps.pol;
	ps.pol = NULL;
 out:
	policy_free(ps.pol);
	return r;
}

int
policy_load(const char *path, uid_t owner, struct hg_policy **out,
    struct hg_msg *msg)
{
	struct policy_source src;

	memset(&src, 0, sizeof(src));
	src.path = path;
	src.owner = owner;
	return policy_load_source(&src, out, NULL, msg);
}

void
policy_free(struct hg_policy *pol)
{
	size_t i;

	if (pol == NULL)
		return;
	for (i = 0; i < pol->nrules; i++)
		policy_rule_clear(&pol->rules[i]);
	free(pol->rules);
	for (i = 0; i < pol->nroles; i++) {
		free(pol->roles[i].m);
		free(pol->roles[i].anysvc.v);
	}
	free(pol->roles);
	for (i = 0; i < pol->nfiles; i++) {
		free(pol->files[i].name);
		free(pol->files[i].buf);
	}
	free(pol->files);
	map_free(&pol->rolenames);
	map_free(&pol->users);
	map_free(&pol->groups);
	map_free(&pol->services);
	free(pol->anyone.v);
	free(pol);
}

void
policy_counts(const struct hg_policy *pol, size_t *files, size_t *roles,
    size_t *rules)
{
	if (files != NULL)
		*files = pol != NULL ? pol->nfiles : 0;
	if (roles != NULL)
		*roles = pol != NULL ? pol->nroles : 0;
	if (rules != NULL)
		*rules = pol != NULL ? pol->nrules : 0;
}

