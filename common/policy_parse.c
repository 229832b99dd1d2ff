/*
 * The policy language: one line of policy.conf or policy.d at a time into
 * roles and rules (policy_parse_line()), and the errors found on the way,
 * each at its file:line:col, kept until all are known so that they come
 * out in order (policy_perr_flush()).  Reading the files is
 * policy_load.c's part.
 */
#include "config.h"

#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_impl.h"

/* An error, kept until all are known so that they come out in order. */
struct perror {
	size_t		 file;
	unsigned	 line, col;	/* 0, 0 for the whole file */
	size_t		 seq;
	int		 code;
	char		*text;		/* "where: error: message" */
};

static const char *const day_names[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

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

void
policy_perr_at(struct parser *ps, size_t file, unsigned line, unsigned col,
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

void
policy_perr_file(struct parser *ps, int code, const char *fmt, ...)
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

int
policy_perr_flush(struct parser *ps, struct policy_diags *errs,
    struct hg_msg *msg)
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

int
policy_perr_nomem(struct parser *ps)
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
	if ((e = policy_map_find(&pol->rolenames, name, 0)) != NULL) {
		role = &pol->roles[e->ids.v[0]];
		return perr(ps, name, "role '%s' is already defined at %s:%u",
		    name, pol->files[role->file].name, role->line);
	}
	if ((roles = policy_grow(pol->roles, &pol->roles_cap, pol->nroles, 16,
	    sizeof(*roles))) == NULL)
		return policy_perr_nomem(ps);
	pol->roles = roles;
	id = pol->nroles++;
	role = &pol->roles[id];
	memset(role, 0, sizeof(*role));
	role->name = name;
	role->file = ps->file;
	role->line = ps->lineno;
	role->col = (unsigned)(name - ps->line) + 1;
	/* Registered before the rest is checked: no cascade of errors. */
	if (policy_map_add(&pol->rolenames, name, 0, id) != 0)
		return policy_perr_nomem(ps);
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
			return policy_perr_nomem(ps);
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
 * Append the SIZE bytes at ITEM to the array V of *N elements, which grows
 * by one (a rule has few conditions).  Returns the array, perhaps moved,
 * or NULL (V intact) when out of memory.
 */
static void *
append(void *v, size_t *n, const void *item, size_t size)
{
	char *p;

	if ((p = reallocarray(v, *n + 1, size)) == NULL)
		return NULL;
	memcpy(p + *n * size, item, size);
	(*n)++;
	return p;
}

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
	if ((v = append(rule->svc, &rule->nsvc, &s, sizeof(s))) == NULL)
		return policy_perr_nomem(ps);
	rule->svc = v;
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
	if ((v = append(rule->from, &rule->nfrom, &a, sizeof(a))) == NULL)
		return policy_perr_nomem(ps);
	rule->from = v;
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
	if ((v = append(rule->time, &rule->ntime, &t, sizeof(t))) == NULL)
		return policy_perr_nomem(ps);
	rule->time = v;
	return 0;
}

void
policy_rule_clear(struct pol_rule *rule)
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
	struct {
		const char	*key;
		int		(*item)(struct parser *, struct pol_rule *,
				    char *);
		size_t		*count;
		bool		 seen;
	} cond[] = {
		{ "service",	service_item,	&rule->nsvc,	false },
		{ "from",	from_item,	&rule->nfrom,	false },
		{ "time",	time_item,	&rule->ntime,	false },
	}, *c, *end = cond + sizeof(cond) / sizeof(cond[0]);
	char *word, *eq;
	bool any;

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
		for (c = cond; c < end && strcmp(word, c->key) != 0; c++)
			;
		if (c == end && strcmp(word, "mfa") == 0)
			return perr(ps, word, "'mfa' takes no value");
		if (c == end)
			return perr(ps, word, "unknown condition '%s' %s",
			    word, expect);
		if (c->seen)
			return perr(ps, word, "duplicate condition '%s' "
			    "(list all values in one)", word);
		c->seen = true;
		if (parse_list(ps, word, eq + 1, c->item, rule, &any) != 0)
			return -1;
		/* A '*' item means anything, whatever else the list names. */
		if (any)
			*c->count = 0;
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
		policy_rule_clear(&rule);
		return -1;
	}
	if ((rule.text = strdup(text)) == NULL) {
		policy_rule_clear(&rule);
		return policy_perr_nomem(ps);
	}
	if ((rules = policy_grow(pol->rules, &pol->rules_cap, pol->nrules, 16,
	    sizeof(*rules))) == NULL) {
		policy_rule_clear(&rule);
		return policy_perr_nomem(ps);
	}
	pol->rules = rules;
	pol->rules[pol->nrules++] = rule;
	return 0;
}

/* --- lines --------------------------------------------------------------- */

void
policy_parse_line(struct parser *ps, char *line, size_t len)
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

