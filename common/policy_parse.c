#include "config.h"

#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "policy.h"
#include "trust.h"

#define INCLUDE_DIR	"policy.d"
#define ROLESET_MAX	256	/* distinct roles remembered per decision */
#define WEEK_MINUTES	(7 * 24 * 60)
#define NONE		SIZE_MAX

/* A growable list of indices (roles or rules). */
struct idlist {
	size_t		*v;
	size_t		 n, cap;
};

/*
 * A chained hash table from (string, tag) to an idlist.  The tag lets one
 * table key rules by (service, role).  Keys are borrowed, not copied.
 */
struct map_ent {
	const char	*key;
	size_t		 tag;
	uint32_t	 hash;
	size_t		 next;
	struct idlist	 ids;
};

struct map {
	size_t		*bucket;
	size_t		 nbucket;	/* a power of two, or 0 */
	struct map_ent	*ent;
	size_t		 n, cap;
};

struct pol_file {
	char		*name;		/* as shown in diagnostics */
	char		*buf;		/* the contents; tokens point here */
};

enum member_kind { M_USER, M_GROUP, M_ANY };

struct pol_member {
	const char	*name;		/* without the '@' of a group */
	enum member_kind kind;
	unsigned	 col;
};

struct pol_role {
	const char	*name;
	size_t		 file;
	unsigned	 line, col;
	struct pol_member *m;
	size_t		 nm;
	bool		 used;
	struct idlist	 anysvc;	/* its rules for any service */
};

/* A from= item; family 0 is "local". */
struct pol_addr {
	int		 family;
	unsigned char	 a[16];
	unsigned	 prefix;
};

/* A time= item: days (bit N = tm_wday N), minutes [start, end). */
struct pol_time {
	unsigned	 days;
	unsigned	 start, end;
};

/* For each condition, n == 0 means "anything". */
struct pol_rule {
	bool		 deny, mfa;
	size_t		 file;
	unsigned	 line, col;
	char		*text;
	const char	*rolename;
	unsigned	 rolecol;
	size_t		 role;
	const char	**svc;
	size_t		 nsvc;
	struct pol_addr	*from;
	size_t		 nfrom;
	struct pol_time	*time;
	size_t		 ntime;
};

struct hg_policy {
	struct pol_file	*files;
	size_t		 nfiles;
	struct pol_role	*roles;
	size_t		 nroles, roles_cap;
	struct pol_rule	*rules;		/* in reading order: index = rank */
	size_t		 nrules, rules_cap;
	struct map	 rolenames;	/* role name -> role */
	struct map	 users;		/* user name -> roles */
	struct map	 groups;	/* group name -> roles */
	struct idlist	 anyone;	/* roles with member '*' */
	struct map	 services;	/* (service, role) -> rules */
};

/* An error, kept until all are known so that they come out in order. */
struct perror {
	size_t		 file;
	unsigned	 line, col;	/* 0, 0 for the whole file */
	size_t		 seq;
	int		 code;
	char		*text;		/* "where: error: message" */
};

/* Parser state: where we are, and the errors so far. */
struct parser {
	struct hg_policy *pol;
	struct perror	*err;
	size_t		 nerr;
	bool		 nomem;
	size_t		 file;
	unsigned	 lineno;
	const char	*line;		/* start of the current line */
};

static const char *const day_names[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

/* --- small containers ---------------------------------------------------- */

/*
 * Make room for one more element in the array V of N elements of SIZE
 * bytes, doubling its capacity *CAP so that filling it costs O(n).
 * Returns the array, perhaps moved, or NULL (V intact) when out of memory.
 */
static void *
grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return v;
	ncap = *cap == 0 ? 16 : *cap * 2;
	if ((v = reallocarray(v, ncap, size)) != NULL)
		*cap = ncap;
	return v;
}

static int
idlist_add(struct idlist *l, size_t id)
{
	size_t *v;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 4 : l->cap * 2;
		if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL)
			return HG_ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
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

static struct map_ent *
map_find(const struct map *m, const char *key, size_t tag)
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

	if (m->n == m->cap) {
		nb = m->cap == 0 ? 16 : m->cap * 2;
		if ((ent = reallocarray(m->ent, nb, sizeof(*ent))) == NULL)
			return HG_ERR_NOMEM;
		m->ent = ent;
		m->cap = nb;
	}
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

/* Append ID to the list of (KEY, TAG), creating it. */
static int
map_add(struct map *m, const char *key, size_t tag, size_t id)
{
	struct map_ent *e;
	size_t b;
	int r;

	if ((e = map_find(m, key, tag)) == NULL) {
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

/* Append a formatted line to D.  Returns 0 or HG_ERR_NOMEM. */
static int
diags_add(struct policy_diags *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
diags_add(struct policy_diags *d, const char *fmt, ...)
{
	va_list ap;
	char **v, *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return HG_ERR_NOMEM;
	if ((v = reallocarray(d->v, d->n + 1, sizeof(*v))) == NULL) {
		free(s);
		return HG_ERR_NOMEM;
	}
	d->v = v;
	d->v[d->n++] = s;
	return 0;
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

/* --- errors -------------------------------------------------------------- */

static void
perr_report(struct parser *ps, int code, size_t file, unsigned line,
    unsigned col, const char *fmt, va_list ap)
{
	char text[HG_MSG_MAX];
	struct perror *v, *e;
	int n;

	if (ps->nerr >= POLICY_DIAGS_MAX)
		return;
	if ((v = reallocarray(ps->err, ps->nerr + 1, sizeof(*v))) == NULL) {
		ps->nomem = true;
		return;
	}
	ps->err = v;
	e = &v[ps->nerr];
	e->file = file;
	e->line = line;
	e->col = col;
	e->seq = ps->nerr;
	e->code = code;
	vsnprintf(text, sizeof(text), fmt, ap);
	if (line == 0)
		n = asprintf(&e->text, "%s: error: %s",
		    ps->pol->files[file].name, text);
	else
		n = asprintf(&e->text, "%s:%u:%u: error: %s",
		    ps->pol->files[file].name, line, col, text);
	if (n < 0)
		ps->nomem = true;
	else
		ps->nerr++;
}

/* An error at FILE:LINE:COL. */
static void
perr_at(struct parser *ps, size_t file, unsigned line, unsigned col,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
perr_at(struct parser *ps, size_t file, unsigned line, unsigned col,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	perr_report(ps, HG_ERR_POLICY, file, line, col, fmt, ap);
	va_end(ap);
}

/* An error at AT, a position in the current line.  Returns -1. */
static int
perr(struct parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
perr(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	perr_report(ps, HG_ERR_POLICY, ps->file, ps->lineno,
	    (unsigned)(at - ps->line) + 1, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error about the whole current file (missing, untrusted, ...). */
static void
perr_file(struct parser *ps, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr_file(struct parser *ps, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	perr_report(ps, code, ps->file, 0, 0, fmt, ap);
	va_end(ap);
}

static int
cmp_perror(const void *a, const void *b)
{
	const struct perror *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Hand the errors over in file, line, column order: all of them to ERRS,
 * the first to MSG.  Returns the first one's code, or 0 if there are none.
 */
static int
perr_flush(struct parser *ps, struct policy_diags *errs, struct hg_msg *msg)
{
	char **v;
	size_t i;
	int r = 0;

	if (ps->nerr > 1)
		qsort(ps->err, ps->nerr, sizeof(*ps->err), cmp_perror);
	if (ps->nerr > 0)
		r = hg_fail(msg, ps->err[0].code, "%s", ps->err[0].text);
	if (errs != NULL && ps->nerr > 0) {
		if ((v = reallocarray(errs->v, errs->n + ps->nerr,
		    sizeof(*v))) == NULL)
			ps->nomem = true;
		else {
			errs->v = v;
			for (i = 0; i < ps->nerr; i++) {
				v[errs->n++] = ps->err[i].text;
				ps->err[i].text = NULL;
			}
		}
	}
	for (i = 0; i < ps->nerr; i++)
		free(ps->err[i].text);
	free(ps->err);
	ps->err = NULL;
	ps->nerr = 0;
	return r;
}

/* Out of memory while parsing: remembered, reported once at the end. */
static int
pnomem(struct parser *ps)
{
	ps->nomem = true;
	return -1;
}

/* --- lexical checks ------------------------------------------------------ */

/*
 * Length of the valid UTF-8 sequence at S (at most N bytes), or 0 if it is
 * invalid: overlong forms, surrogates and code points past U+10FFFF too.
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * Check the raw line [S, S+LEN): bounded, no NUL or control characters,
 * valid UTF-8.  Returns 0 or -1 after reporting.
 */
static int
check_line(struct parser *ps, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, n;

	if (len > POLICY_LINE_MAX)
		return perr(ps, s + POLICY_LINE_MAX,
		    "line longer than %d bytes", POLICY_LINE_MAX);
	for (i = 0; i < len; i += n) {
		n = 1;
		if (u[i] == '\0')
			return perr(ps, s + i, "NUL byte in line");
		/* A CR is allowed only as the end of a CRLF line. */
		if (u[i] == '\r' && i + 1 == len)
			continue;
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7f)
			return perr(ps, s + i, "control character 0x%02x",
			    u[i]);
		if ((n = utf8_len(u + i, len - i)) == 0)
			return perr(ps, s + i, "invalid UTF-8 (byte 0x%02x)",
			    u[i]);
	}
	return 0;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static char *
skip_blanks(char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/* Cut the word at P (up to a blank or the end); return what follows. */
static char *
cut_word(char *p)
{
	while (*p != '\0' && !is_blank(*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	return skip_blanks(p);
}

static bool
valid_role_name(const char *s)
{
	if (!(*s == '_' || (*s >= 'a' && *s <= 'z') ||
	    (*s >= 'A' && *s <= 'Z')))
		return false;
	for (s++; *s != '\0'; s++)
		if (!(*s == '_' || *s == '.' || *s == '-' ||
		    (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* PAM service names are file names in /etc/pam.d. */
static bool
valid_service(const char *s)
{
	if (*s == '\0' || *s == '.')
		return false;
	for (; *s != '\0'; s++)
		if (!(strchr("_.+@-", *s) != NULL ||
		    (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* --- role lines ---------------------------------------------------------- */

/* "role NAME = MEMBER...", P just after "role". */
static int
parse_role(struct parser *ps, char *p)
{
	struct hg_policy *pol = ps->pol;
	struct pol_role *role, *roles;
	struct map_ent *e;
	struct pol_member *m;
	char *name, *q;
	size_t id;
	bool eq;

	name = p = skip_blanks(p);
	if (*name == '\0')
		return perr(ps, name, "expected a role name after 'role'");
	while (*p != '\0' && !is_blank(*p) && *p != '=')
		p++;
	q = skip_blanks(p);
	eq = *q == '=';
	*p = '\0';
	if (!valid_role_name(name))
		return perr(ps, name, "invalid role name '%s' (letters, "
		    "digits, '_', '.', '-'; starting with a letter or '_')",
		    name);
	if ((e = map_find(&pol->rolenames, name, 0)) != NULL) {
		role = &pol->roles[e->ids.v[0]];
		return perr(ps, name, "role '%s' is already defined at %s:%u",
		    name, pol->files[role->file].name, role->line);
	}
	if ((roles = grow(pol->roles, &pol->roles_cap, pol->nroles,
	    sizeof(*roles))) == NULL)
		return pnomem(ps);
	pol->roles = roles;
	id = pol->nroles++;
	role = &pol->roles[id];
	memset(role, 0, sizeof(*role));
	role->name = name;
	role->file = ps->file;
	role->line = ps->lineno;
	role->col = (unsigned)(name - ps->line) + 1;
	/* Registered before the rest is checked: no cascade of errors. */
	if (map_add(&pol->rolenames, name, 0, id) != 0)
		return pnomem(ps);
	if (!eq)
		return perr(ps, q, *q == '\0' ?
		    "expected '=' after role name '%s'" :
		    "expected '=' after role name '%s', not a second name",
		    name);

	p = skip_blanks(q + 1);
	if (*p == '\0')
		return perr(ps, p, "expected at least one member after '=' "
		    "(@group, user name or *)");
	while (*p != '\0') {
		q = p;
		p = cut_word(p);
		if ((m = reallocarray(role->m, role->nm + 1,
		    sizeof(*m))) == NULL)
			return pnomem(ps);
		role->m = m;
		m = &role->m[role->nm++];
		m->col = (unsigned)(q - ps->line) + 1;
		m->name = q;
		m->kind = M_USER;
		if (strchr(q, ',') != NULL)
			return perr(ps, q, "unexpected ',' in member '%s' "
			    "(members are separated by blanks)", q);
		if (strchr(q, '=') != NULL)
			return perr(ps, q, "unexpected '=' in member '%s'", q);
		if (strcmp(q, "*") == 0)
			m->kind = M_ANY;
		else if (*q == '@') {
			m->kind = M_GROUP;
			m->name = q + 1;
			if (*m->name == '\0')
				return perr(ps, q,
				    "expected a group name after '@'");
			if (*m->name == '@' || strchr(m->name, '*') != NULL)
				return perr(ps, q, "invalid group name '%s'",
				    m->name);
		} else if (strchr(q, '*') != NULL)
			return perr(ps, q, "invalid user name '%s' (no "
			    "wildcards; * alone means anyone)", q);
	}
	return 0;
}

/* --- rule lines ---------------------------------------------------------- */

/*
 * Split the comma-separated LIST (the value of KEY=) in place, calling
 * ITEM for each.  A '*' item makes *ANY true.  Returns 0 or -1.
 */
static int
parse_list(struct parser *ps, const char *key, char *list,
    int (*item)(struct parser *, struct pol_rule *, char *),
    struct pol_rule *rule, bool *any)
{
	char *p, *comma;

	*any = false;
	if (*list == '\0')
		return perr(ps, list, "empty list after '%s='", key);
	for (p = list;; p = comma + 1) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		if (*p == '\0')
			return perr(ps, p, "empty item in '%s=' list", key);
		if (strcmp(p, "*") == 0)
			*any = true;
		else if (item(ps, rule, p) != 0)
			return -1;
		if (comma == NULL)
			return 0;
	}
}

static int
service_item(struct parser *ps, struct pol_rule *rule, char *s)
{
	const char **v;

	if (!valid_service(s))
		return perr(ps, s, "invalid service name '%s'", s);
	if ((v = reallocarray(rule->svc, rule->nsvc + 1, sizeof(*v))) == NULL)
		return pnomem(ps);
	rule->svc = v;
	rule->svc[rule->nsvc++] = s;
	return 0;
}

/* Parse a decimal number of at most MAXDIGITS digits, no sign. */
static bool
parse_uint(const char *s, size_t maxdigits, unsigned *out)
{
	size_t i;
	unsigned v = 0;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == maxdigits)
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (i == 0 || s[i] != '\0' || (i > 1 && s[0] == '0'))
		return false;
	*out = v;
	return true;
}

/*
 * Parse the address literal S, with an optional "/PREFIX", into A.  An
 * IPv6 form of an IPv4 address (::ffff:a.b.c.d) is stored as IPv4 so that
 * it meets IPv4 rules and addresses.  Returns 0 or -1 after reporting.
 */
static int
addr_parse(struct parser *ps, char *s, struct pol_addr *a)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	char *slash, net[INET6_ADDRSTRLEN];
	unsigned max, i;

	memset(a, 0, sizeof(*a));
	if ((slash = strchr(s, '/')) != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = AF_INET6;
		max = 128;
	} else
		return perr(ps, s, "invalid address '%s' (expected local, *, "
		    "or an IPv4 or IPv6 address or CIDR block; host names "
		    "are not allowed)", s);
	a->prefix = max;
	if (slash != NULL) {
		if (!parse_uint(slash + 1, 3, &a->prefix))
			return perr(ps, slash + 1, "invalid prefix length "
			    "'%s' (expected 0-%u)", slash + 1, max);
		if (a->prefix > max)
			return perr(ps, slash + 1, "prefix length %u out of "
			    "range for %s (0-%u)", a->prefix,
			    max == 32 ? "IPv4" : "IPv6", max);
	}
	/* Host bits set usually mean a typo in the prefix or the address. */
	for (i = a->prefix; i < max; i++)
		if (a->a[i / 8] & (0x80 >> (i % 8))) {
			for (; i < max; i++)
				a->a[i / 8] &=
				    (unsigned char)~(0x80 >> (i % 8));
			inet_ntop(a->family, a->a, net, sizeof(net));
			return perr(ps, s, "host bits set in '%s/%u' (the "
			    "block is %s/%u)", s, a->prefix, net, a->prefix);
		}
	if (a->family == AF_INET6 && memcmp(a->a, mapped, 12) == 0 &&
	    a->prefix >= 96) {
		memmove(a->a, a->a + 12, 4);
		memset(a->a + 4, 0, 12);
		a->family = AF_INET;
		a->prefix -= 96;
	}
	return 0;
}

static int
from_item(struct parser *ps, struct pol_rule *rule, char *s)
{
	struct pol_addr a, *v;

	if (strcmp(s, "local") == 0)
		memset(&a, 0, sizeof(a));
	else if (addr_parse(ps, s, &a) != 0)
		return -1;
	if ((v = reallocarray(rule->from, rule->nfrom + 1, sizeof(*v))) == NULL)
		return pnomem(ps);
	rule->from = v;
	rule->from[rule->nfrom++] = a;
	return 0;
}

/* A day name at S (exactly 3 letters, any case); -1 if none. */
static int
day_parse(const char *s, size_t len)
{
	int d;

	if (len == 3)
		for (d = 0; d < 7; d++)
			if (strncasecmp(s, day_names[d], 3) == 0)
				return d;
	return -1;
}

/* "HH:MM" of exactly 5 bytes at S, in minutes; 24:00 only if END. */
static int
clock_parse(const char *s, size_t len, bool end)
{
	unsigned h, m;

	if (len != 5 || s[2] != ':')
		return -1;
	if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' &&
	    s[3] >= '0' && s[3] <= '9' && s[4] >= '0' && s[4] <= '9'))
		return -1;
	h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
	if (end && h == 24 && m == 0)
		return 24 * 60;
	if (h > 23 || m > 59)
		return -1;
	return (int)(h * 60 + m);
}

/* "DAYS" or "DAYS@HH:MM-HH:MM"; DAYS is "*", "Mon" or "Mon-Fri". */
static int
time_item(struct parser *ps, struct pol_rule *rule, char *s)
{
	static const char expect_day[] =
	    "(expected Mon, Tue, Wed, Thu, Fri, Sat, Sun or *)";
	struct pol_time t, *v;
	char *at, *dash, *w, *wdash;
	int d1, d2, d, start, end;

	at = strchr(s, '@');
	w = at != NULL ? at + 1 : NULL;
	if (at == NULL)
		at = s + strlen(s);
	if (at == s)
		return perr(ps, s, "missing days before '@' %s", expect_day);
	if (at - s == 1 && *s == '*')
		t.days = 0x7f;
	else {
		dash = memchr(s, '-', (size_t)(at - s));
		if ((d1 = day_parse(s, (size_t)((dash != NULL ? dash : at) -
		    s))) < 0)
			return perr(ps, s, "unknown day '%.*s' %s",
			    (int)((dash != NULL ? dash : at) - s), s,
			    expect_day);
		d2 = d1;
		if (dash != NULL && (d2 = day_parse(dash + 1,
		    (size_t)(at - dash - 1))) < 0)
			return perr(ps, dash + 1, "unknown day '%.*s' %s",
			    (int)(at - dash - 1), dash + 1, expect_day);
		/* Ranges wrap: Fri-Mon is Fri, Sat, Sun, Mon. */
		t.days = 0;
		for (d = d1;; d = (d + 1) % 7) {
			t.days |= 1u << d;
			if (d == d2)
				break;
		}
	}
	t.start = 0;
	t.end = 24 * 60;
	if (w != NULL) {
		if ((wdash = strchr(w, '-')) == NULL)
			return perr(ps, w, "expected a window HH:MM-HH:MM "
			    "after '@'");
		if ((start = clock_parse(w, (size_t)(wdash - w), false)) < 0)
			return perr(ps, w, "invalid time '%.*s' (expected "
			    "HH:MM from 00:00 to 23:59)", (int)(wdash - w), w);
		if ((end = clock_parse(wdash + 1, strlen(wdash + 1), true)) < 0)
			return perr(ps, wdash + 1, "invalid time '%s' "
			    "(expected HH:MM from 00:00 to 24:00)", wdash + 1);
		if (start == end)
			return perr(ps, w, "empty window '%s' (start equals "
			    "end)", w);
		t.start = (unsigned)start;
		t.end = (unsigned)end;
	}
	if ((v = reallocarray(rule->time, rule->ntime + 1, sizeof(*v))) == NULL)
		return pnomem(ps);
	rule->time = v;
	rule->time[rule->ntime++] = t;
	return 0;
}

static void
rule_clear(struct pol_rule *rule)
{
	free(rule->text);
	free(rule->svc);
	free(rule->from);
	free(rule->time);
	memset(rule, 0, sizeof(*rule));
}

/* The conditions of an allow or deny rule, from P on. */
static int
parse_conditions(struct parser *ps, struct pol_rule *rule, char *p)
{
	static const char expect[] =
	    "(expected service=LIST, from=LIST, time=LIST or mfa)";
	bool seen_svc = false, seen_from = false, seen_time = false, any;
	char *word, *eq;
	bool *seen;

	for (; *p != '\0'; ) {
		word = p;
		p = cut_word(p);
		if (strcmp(word, "mfa") == 0) {
			if (rule->deny)
				return perr(ps, word, "'mfa' is not allowed on "
				    "a deny rule (a deny applies with or "
				    "without mfa)");
			if (rule->mfa)
				return perr(ps, word, "duplicate 'mfa'");
			rule->mfa = true;
			continue;
		}
		if ((eq = strchr(word, '=')) == NULL)
			return perr(ps, word, "unexpected '%s' %s", word,
			    expect);
		*eq = '\0';
		if (strcmp(word, "service") == 0)
			seen = &seen_svc;
		else if (strcmp(word, "from") == 0)
			seen = &seen_from;
		else if (strcmp(word, "time") == 0)
			seen = &seen_time;
		else if (strcmp(word, "mfa") == 0)
			return perr(ps, word, "'mfa' takes no value");
		else
			return perr(ps, word, "unknown condition '%s' %s",
			    word, expect);
		if (*seen)
			return perr(ps, word, "duplicate condition '%s' "
			    "(list all values in one)", word);
		*seen = true;
		if (seen == &seen_svc) {
			if (parse_list(ps, word, eq + 1, service_item, rule,
			    &any) != 0)
				return -1;
			if (any)
				rule->nsvc = 0;
		} else if (seen == &seen_from) {
			if (parse_list(ps, word, eq + 1, from_item, rule,
			    &any) != 0)
				return -1;
			if (any)
				rule->nfrom = 0;
		} else {
			if (parse_list(ps, word, eq + 1, time_item, rule,
			    &any) != 0)
				return -1;
			if (any)
				rule->ntime = 0;
		}
	}
	return 0;
}

/* "allow|deny ROLE CONDITION...", KW the keyword, P after it. */
static int
parse_rule(struct parser *ps, const char *kw, char *p, const char *text)
{
	struct hg_policy *pol = ps->pol;
	struct pol_rule rule, *rules;
	char *role;

	memset(&rule, 0, sizeof(rule));
	rule.deny = kw[0] == 'd';
	rule.file = ps->file;
	rule.line = ps->lineno;
	rule.col = (unsigned)(kw - ps->line) + 1;
	role = p;
	if (*role == '\0')
		return perr(ps, role, "expected a role name after '%s'", kw);
	p = cut_word(p);
	if (!valid_role_name(role))
		return perr(ps, role, "expected a role name after '%s', "
		    "not '%s'", kw, role);
	rule.rolename = role;
	rule.rolecol = (unsigned)(role - ps->line) + 1;
	if (parse_conditions(ps, &rule, p) != 0) {
		rule_clear(&rule);
		return -1;
	}
	if ((rule.text = strdup(text)) == NULL) {
		rule_clear(&rule);
		return pnomem(ps);
	}
	if ((rules = grow(pol->rules, &pol->rules_cap, pol->nrules,
	    sizeof(*rules))) == NULL) {
		rule_clear(&rule);
		return pnomem(ps);
	}
	pol->rules = rules;
	pol->rules[pol->nrules++] = rule;
	return 0;
}

/* --- files --------------------------------------------------------------- */

/* One line, NUL-terminated in place, LEN bytes before the NUL. */
static void
parse_line(struct parser *ps, char *line, size_t len)
{
	char text[POLICY_LINE_MAX + 1], *p, *e, *kw;

	ps->line = line;
	if (check_line(ps, line, len) != 0)
		return;
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	/* The rule's text as written, comment included, for explanations. */
	for (p = line; is_blank(*p); p++)
		;
	for (e = line + len; e > p && is_blank(e[-1]); e--)
		;
	memcpy(text, p, (size_t)(e - p));
	text[e - p] = '\0';
	/* A comment starts at '#' at the start of a line or after a blank. */
	for (p = line; *p != '\0'; p++)
		if (*p == '#' && (p == line || is_blank(p[-1]))) {
			*p = '\0';
			break;
		}
	kw = skip_blanks(line);
	for (e = kw + strlen(kw); e > kw && is_blank(e[-1]); e--)
		;
	*e = '\0';
	if (*kw == '\0')
		return;
	/* "role NAME = ..." may run the name into the '='. */
	if (strncmp(kw, "role", 4) == 0 && is_blank(kw[4])) {
		kw[4] = '\0';
		parse_role(ps, kw + 5);
		return;
	}
	if ((strncmp(kw, "allow", 5) == 0 && (kw[5] == '\0' ||
	    is_blank(kw[5]))) || (strncmp(kw, "deny", 4) == 0 &&
	    (kw[4] == '\0' || is_blank(kw[4])))) {
		p = cut_word(kw);
		parse_rule(ps, kw, p, text);
		return;
	}
	if (strcmp(kw, "role") == 0)
		perr(ps, kw + 4, "expected a role name after 'role'");
	else {
		cut_word(kw);
		perr(ps, kw, "unknown keyword '%s' (expected role, allow or "
		    "deny)", kw);
	}
}

/* Record a file (or directory) NAME as the current one. */
static int
add_file(struct parser *ps, const char *name)
{
	struct hg_policy *pol = ps->pol;
	struct pol_file *files;

	files = reallocarray(pol->files, pol->nfiles + 1, sizeof(*files));
	if (files == NULL)
		return pnomem(ps);
	pol->files = files;
	if ((files[pol->nfiles].name = strdup(name)) == NULL)
		return pnomem(ps);
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
		pnomem(ps);
		return;
	}
	if (r == HG_ERR_TOOLONG)
		perr_file(ps, HG_ERR_POLICY, "larger than %d bytes",
		    POLICY_FILE_MAX);
	else if (r != 0 && strcmp(from, name) != 0)
		perr_file(ps, r, "%s (reading %s)", trust_why(&m, from), from);
	else if (r != 0)
		perr_file(ps, r, "%s", trust_why(&m, from));
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
		parse_line(ps, line, (size_t)(nl - line));
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

/* The sorted names of the include files in DIR, plus EXTRA if not NULL. */
static int
include_names(const char *dir, const char *extra, char ***namesp,
    size_t *np)
{
	struct dirent *de;
	char **names = NULL, **v;
	size_t n = 0, i;
	DIR *d = NULL;
	int r = HG_ERR_NOMEM;

	if (dir != NULL && (d = opendir(dir)) == NULL) {
		r = errno == ENOENT ? 0 : HG_ERR_IO;
		if (r != 0)
			goto out;
	}
	while (d != NULL && (errno = 0, de = readdir(d)) != NULL) {
		if (!include_wanted(de->d_name) ||
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
		perr_file(ps, HG_ERR_POLICY, "path too long");
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
			perr_file(ps, r, "%s", trust_why(&m, dir));
		return;
	}
	if (extra != NULL && (!include_wanted(extra) ||
	    strchr(extra, '/') != NULL)) {
		if (add_file(ps, extra) == 0)
			perr_file(ps, HG_ERR_POLICY, "not the name of an "
			    "include file (NAME.conf in %s)", dir);
		return;
	}
	if ((r = include_names(r == 0 ? dir : NULL, extra, &names, &n)) != 0) {
		if (r == HG_ERR_NOMEM)
			pnomem(ps);
		else if (add_file(ps, dir) == 0)
			perr_file(ps, r, "cannot list: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n && !ps->nomem; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path)) {
			if (add_file(ps, names[i]) == 0)
				perr_file(ps, HG_ERR_POLICY, "path too long");
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
		if ((e = map_find(&pol->rolenames, rule->rolename, 0)) ==
		    NULL) {
			role_list(pol, roles, sizeof(roles));
			perr_at(ps, rule->file, rule->line, rule->rolecol,
			    "unknown role '%s' (%s)", rule->rolename, roles);
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
				r = map_add(role->m[j].kind == M_USER ?
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
			r = map_add(&pol->services, rule->svc[j], rule->role,
			    i);
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
	r = perr_flush(&ps, errs, msg);
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
		rule_clear(&pol->rules[i]);
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

/* --- decisions ----------------------------------------------------------- */

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
	const struct map_ent *e = map_find(m, key, tag);

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

/* Does the block NET contain the address or block A? */
static bool
addr_within(const struct pol_addr *net, const struct pol_addr *a)
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
		    addr_within(&rule->from[i], &h->addr))
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

static bool
rule_has_service(const struct pol_rule *rule, const char *service)
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
			    rule_has_service(&pol->rules[i], in->service)) {
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

/* --- NSS ----------------------------------------------------------------- */

void
policy_groups_free(char **groups, size_t ngroups)
{
	size_t i;

	for (i = 0; groups != NULL && i < ngroups; i++)
		free(groups[i]);
	free(groups);
}

/*
 * The get*_r functions want a caller's buffer and say ERANGE when it is
 * too small: grow *BUF for another try, up to a sane bound.
 */
static int
nss_grow(char **buf, size_t *size, int e)
{
	char *n;

	if (e != ERANGE)
		return e == 0 || e == ENOENT ? 0 : HG_ERR_IO;
	if (*size >= 1024 * 1024)
		return HG_ERR_IO;
	*size = *size == 0 ? 1024 : *size * 2;
	if ((n = realloc(*buf, *size)) == NULL)
		return HG_ERR_NOMEM;
	*buf = n;
	return 1;
}

/* Is NAME a group NSS knows?  Returns 1, 0, or a negative HG_ERR_*. */
static int
nss_group_known(const char *name)
{
	struct group gr, *res = NULL;
	char *buf = NULL;
	size_t size = 0;
	int r;

	while ((r = nss_grow(&buf, &size, size == 0 ? ERANGE :
	    getgrnam_r(name, &gr, buf, size, &res))) == 1)
		;
	free(buf);
	return r != 0 ? r : res != NULL;
}

/* Is NAME a user NSS knows?  Returns 1, 0, or a negative HG_ERR_*. */
static int
nss_user_known(const char *name, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char *buf = NULL;
	size_t size = 0;
	int r;

	while ((r = nss_grow(&buf, &size, size == 0 ? ERANGE :
	    getpwnam_r(name, &pw, buf, size, &res))) == 1)
		;
	if (r == 0 && res != NULL && gid != NULL)
		*gid = pw.pw_gid;
	free(buf);
	return r != 0 ? r : res != NULL;
}

/* The name of group GID in *NAME, NULL if it has none.  0 or HG_ERR_*. */
static int
nss_group_name(gid_t gid, char **name)
{
	struct group gr, *res = NULL;
	char *buf = NULL;
	size_t size = 0;
	int r;

	*name = NULL;
	while ((r = nss_grow(&buf, &size, size == 0 ? ERANGE :
	    getgrgid_r(gid, &gr, buf, size, &res))) == 1)
		;
	if (r == 0 && res != NULL && (*name = strdup(gr.gr_name)) == NULL)
		r = HG_ERR_NOMEM;
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
	if ((r = nss_user_known(user, &gid)) < 0)
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
		if ((r = nss_group_name(gids[i], &name)) != 0) {
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

static int
warn_at(struct policy_diags *w, const struct hg_policy *pol, size_t file,
    unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int
warn_at(struct policy_diags *w, const struct hg_policy *pol, size_t file,
    unsigned line, unsigned col, const char *fmt, ...)
{
	char text[HG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return diags_add(w, "%s:%u:%u: warning: %s", pol->files[file].name,
	    line, col, text);
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
		if (!rule_has_service(d, a->svc[i]))
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
			    addr_within(&d->from[j], &a->from[i])))
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
			known = m->kind == M_GROUP ? nss_group_known(m->name) :
			    nss_user_known(m->name, NULL);
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
		/* Fail closed surprises: say where and why (match_from). */
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
