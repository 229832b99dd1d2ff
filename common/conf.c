#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "conf.h"
#include "trust.h"

#define LINE_MAX_LEN	4096
#define CONF_MAX_FILE	(64 * 1024)

enum kind { K_PATH, K_STRING, K_UINT, K_BOOL, K_ENUM };

struct key {
	const char	*name;
	enum kind	 kind;
	size_t		 off;
	const char	*dflt;		/* K_PATH, K_STRING, default value */
	unsigned	 min, max;	/* K_UINT */
	const char	*const *names;	/* K_ENUM, index = value */
	bool		 arg_only;	/* not allowed in the file */
};

static const char *const password_names[] = { "shadow", "none", NULL };
static const char *const totp_names[] = {
	"required", "optional", "off", NULL
};
static const char *const audit_names[] = { "best-effort", "required", NULL };

#define F(m)	offsetof(struct hg_conf, m)
static const struct key keys[] = {
	{ "config", K_PATH, F(config), CONF_DEFAULT_PATH, 0, 0, NULL, true },
	{ "policy", K_PATH, F(policy), "/etc/hostgate/policy.conf",
	    0, 0, NULL, false },
	{ "secrets_dir", K_PATH, F(secrets_dir), "/etc/hostgate/totp",
	    0, 0, NULL, false },
	{ "state_dir", K_PATH, F(state_dir), "/var/lib/hostgate",
	    0, 0, NULL, false },
	{ "seed_key", K_PATH, F(seed_key), "/etc/hostgate/seed.key",
	    0, 0, NULL, false },
	{ "audit_socket", K_PATH, F(audit_socket),
	    "/run/hostgate/hostgated.sock", 0, 0, NULL, false },
	{ "audit_log", K_PATH, F(audit_log), "/var/log/hostgate/audit.jsonl",
	    0, 0, NULL, false },
	{ "audit_spool", K_PATH, F(audit_spool), "/var/spool/hostgate",
	    0, 0, NULL, false },
	{ "audit_forward_url", K_STRING, F(audit_forward_url), NULL,
	    0, 0, NULL, false },
	{ "audit_forward_token_file", K_PATH, F(audit_forward_token_file),
	    NULL, 0, 0, NULL, false },
	{ "audit_forward_ca", K_PATH, F(audit_forward_ca), NULL,
	    0, 0, NULL, false },
	{ "password", K_ENUM, F(password), NULL, 0, 0, password_names, false },
	{ "totp", K_ENUM, F(totp), NULL, 0, 0, totp_names, false },
	{ "audit", K_ENUM, F(audit), NULL, 0, 0, audit_names, false },
	{ "totp_window", K_UINT, F(totp_window), NULL, 0, 10, NULL, false },
	{ "lockout_deny", K_UINT, F(lockout_deny), NULL, 0, 1000, NULL, false },
	{ "lockout_interval", K_UINT, F(lockout_interval), NULL, 1, 604800,
	    NULL, false },
	{ "lockout_unlock", K_UINT, F(lockout_unlock), NULL, 0, 604800,
	    NULL, false },
	{ "lockout_deny_total", K_UINT, F(lockout_deny_total), NULL, 0, 100000,
	    NULL, false },
	{ "fail_delay_ms", K_UINT, F(fail_delay_ms), NULL, 0, 60000,
	    NULL, false },
	{ "lockout_trust_days", K_UINT, F(lockout_trust_days), NULL, 0, 3650,
	    NULL, false },
	{ "lockout_root", K_BOOL, F(lockout_root), NULL, 0, 0, NULL, false },
	{ "nullok", K_BOOL, F(nullok), NULL, 0, 0, NULL, false },
	{ "debug", K_BOOL, F(debug), NULL, 0, 0, NULL, false },
	{ "try_first_pass", K_BOOL, F(try_first_pass), NULL, 0, 0, NULL,
	    false },
	{ "use_first_pass", K_BOOL, F(use_first_pass), NULL, 0, 0, NULL,
	    false },
};
#undef F

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))
#define FIELD(conf, k, type)	((type *)(void *)((char *)(conf) + (k)->off))

static const struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
set_string(char **field, const char *value, const char *where,
    struct hg_msg *msg)
{
	char *copy;

	if ((copy = strdup(value)) == NULL)
		return hg_fail(msg, HG_ERR_NOMEM, "%s: out of memory", where);
	free(*field);
	*field = copy;
	return 0;
}

/*
 * Apply one "key = value".  WHERE names its origin for messages ("file:3"
 * or "module argument 2"); POS is the line or argument number.  SEEN holds
 * the position that set each key in this source: a key set twice in one
 * source is an error, since which one wins would be a guess.
 */
static int
conf_set(struct hg_conf *conf, const char *name, const char *value,
    bool from_file, const char *where, unsigned pos, unsigned *seen,
    struct hg_msg *msg)
{
	const struct key *k;
	unsigned long ul;
	char *end;
	size_t i;

	if ((k = find_key(name)) == NULL)
		return hg_fail(msg, HG_ERR_CONFIG, "%s: unknown key '%s'",
		    where, name);
	if (seen[k - keys] != 0)
		return hg_fail(msg, HG_ERR_CONFIG,
		    "%s: '%s' is already set at %s %u", where, name,
		    from_file ? "line" : "argument", seen[k - keys]);
	seen[k - keys] = pos;
	if (k->arg_only && from_file)
		return hg_fail(msg, HG_ERR_CONFIG,
		    "%s: '%s' is only valid as a module argument",
		    where, name);
	switch (k->kind) {
	case K_PATH:
		if (value[0] != '/')
			return hg_fail(msg, HG_ERR_CONFIG,
			    "%s: %s must be an absolute path, got '%s'",
			    where, name, value);
		return set_string(FIELD(conf, k, char *), value, where,
		    msg);
	case K_STRING:
		return set_string(FIELD(conf, k, char *), value, where,
		    msg);
	case K_UINT:
		errno = 0;
		ul = strtoul(value, &end, 10);
		if (value[0] < '0' || value[0] > '9' || *end != '\0' ||
		    errno != 0 || ul < k->min || ul > k->max)
			return hg_fail(msg, HG_ERR_CONFIG,
			    "%s: %s must be a whole number from %u to %u, "
			    "got '%s'", where, name, k->min, k->max,
			    value);
		*FIELD(conf, k, unsigned) = (unsigned)ul;
		return 0;
	case K_BOOL:
		if (strcmp(value, "yes") == 0)
			*FIELD(conf, k, bool) = true;
		else if (strcmp(value, "no") == 0)
			*FIELD(conf, k, bool) = false;
		else
			return hg_fail(msg, HG_ERR_CONFIG,
			    "%s: %s must be 'yes' or 'no', got '%s'",
			    where, name, value);
		return 0;
	case K_ENUM:
		for (i = 0; k->names[i] != NULL; i++)
			if (strcmp(k->names[i], value) == 0) {
				*FIELD(conf, k, int) = (int)i;
				return 0;
			}
		return hg_fail(msg, HG_ERR_CONFIG,
		    "%s: %s must be one of %s%s%s%s%s, got '%s'", where,
		    name, k->names[0], k->names[1] ? ", " : "",
		    k->names[1] ? k->names[1] : "",
		    k->names[1] && k->names[2] ? ", " : "",
		    k->names[1] && k->names[2] ? k->names[2] : "", value);
	}
	return HG_ERR_INTERNAL;
}

static int
conf_defaults(struct hg_conf *conf, struct hg_msg *msg)
{
	size_t i;
	int r;

	memset(conf, 0, sizeof(*conf));
	conf->password = CONF_PASSWORD_SHADOW;
	conf->totp = CONF_TOTP_REQUIRED;
	conf->audit = CONF_AUDIT_BEST_EFFORT;
	conf->totp_window = 1;
	conf->lockout_deny = 5;
	conf->lockout_interval = 900;
	conf->lockout_unlock = 600;
	conf->lockout_deny_total = 20;
	conf->lockout_trust_days = 30;
	conf->fail_delay_ms = 2000;
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].dflt == NULL)
			continue;
		if ((r = set_string(FIELD(conf, &keys[i], char *),
		    keys[i].dflt, "default", msg)) != 0)
			return r;
	}
	return 0;
}

void
conf_lines_init(struct conf_lines *it, char *buf, size_t len)
{
	it->next = buf;
	it->end = buf + len;
	it->lineno = 0;
}

int
conf_lines_next(struct conf_lines *it, char **linep)
{
	char *line, *nl, *p, *e;

	if (it->next >= it->end)
		return 0;
	line = it->next;
	it->lineno++;
	nl = memchr(line, '\n', (size_t)(it->end - line));
	e = nl != NULL ? nl : it->end;
	it->next = nl != NULL ? nl + 1 : it->end;
	if (memchr(line, '\0', (size_t)(e - line)) != NULL)
		return HG_ERR_CONFIG;
	if (e - line > LINE_MAX_LEN)
		return HG_ERR_CONFIG;
	*e = '\0';
	/* A comment starts at '#' at the start or after a blank. */
	for (p = line; *p != '\0'; p++)
		if (*p == '#' && (p == line || *(p - 1) == ' ' ||
		    *(p - 1) == '\t')) {
			*p = '\0';
			break;
		}
	while (*line == ' ' || *line == '\t')
		line++;
	e = line + strlen(line);
	while (e > line && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	*linep = line;
	return 1;
}

int
conf_split(char *line, char **key, char **value)
{
	char *eq, *e;

	if ((eq = strchr(line, '=')) == NULL)
		return HG_ERR_CONFIG;
	*eq = '\0';
	e = eq;
	while (e > line && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	if (*line == '\0')
		return HG_ERR_CONFIG;
	*key = line;
	for (eq++; *eq == ' ' || *eq == '\t'; eq++)
		;
	*value = eq;
	return 0;
}

int
conf_parse_uint(const char *s, size_t maxdigits, unsigned min, unsigned max,
    unsigned *out)
{
	unsigned long v = 0;

	if (*s == '\0' || strlen(s) > maxdigits)
		return HG_ERR_INVALID;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return HG_ERR_INVALID;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < min || v > max)
		return HG_ERR_INVALID;
	*out = (unsigned)v;
	return 0;
}

static int
conf_parse_file(struct hg_conf *conf, const char *path, bool must_exist,
    uid_t owner, struct hg_msg *msg)
{
	struct conf_lines it;
	unsigned seen[NKEYS] = { 0 };
	char *buf, *line, *key, *value, where[HG_MSG_MAX];
	size_t len;
	int r;

	r = trust_read(path, TRUST_PUBLIC, owner, CONF_MAX_FILE, &buf, &len,
	    msg);
	if (r == HG_ERR_NOENT && !must_exist)
		return 0;
	if (r == HG_ERR_TOOLONG)
		return hg_fail(msg, HG_ERR_CONFIG, "%s: larger than %d bytes",
		    path, CONF_MAX_FILE);
	if (r != 0)
		return r;
	conf_lines_init(&it, buf, len);
	while ((r = conf_lines_next(&it, &line)) == 1) {
		if (*line == '\0')
			continue;
		if (conf_split(line, &key, &value) != 0) {
			r = hg_fail(msg, HG_ERR_CONFIG,
			    "%s:%u: expected 'key = value'", path, it.lineno);
			goto out;
		}
		snprintf(where, sizeof(where), "%s:%u", path, it.lineno);
		if ((r = conf_set(conf, key, value, true, where, it.lineno,
		    seen, msg)) != 0)
			goto out;
	}
	if (r < 0)
		r = hg_fail(msg, HG_ERR_CONFIG,
		    "%s:%u: NUL byte or line longer than %d bytes", path,
		    it.lineno, LINE_MAX_LEN);
 out:
	free(buf);
	return r;
}

/* Split a module argument into key and value; bare words are flags. */
static int
conf_apply_arg(struct hg_conf *conf, const char *arg, unsigned n,
    unsigned *seen, struct hg_msg *msg)
{
	char buf[LINE_MAX_LEN + 1], where[32];
	char *eq;

	if (strlen(arg) > LINE_MAX_LEN)
		return hg_fail(msg, HG_ERR_CONFIG,
		    "module argument %u: longer than %d bytes", n,
		    LINE_MAX_LEN);
	strcpy(buf, arg);
	snprintf(where, sizeof(where), "module argument %u", n);
	if ((eq = strchr(buf, '=')) == NULL) {
		const struct key *k = find_key(buf);

		if (k == NULL || k->kind != K_BOOL)
			return hg_fail(msg, HG_ERR_CONFIG,
			    "module argument %u: unknown flag '%s'", n, buf);
		return conf_set(conf, buf, "yes", false, where, n, seen,
		    msg);
	}
	*eq = '\0';
	return conf_set(conf, buf, eq + 1, false, where, n, seen, msg);
}

int
conf_load(struct hg_conf *conf, int argc, const char **argv, uid_t owner,
    struct hg_msg *msg)
{
	unsigned seen[NKEYS] = { 0 };
	bool named = false;
	int i, r;

	if ((r = conf_defaults(conf, msg)) != 0)
		goto fail;
	/* The file comes first so that every argument overrides it. */
	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], "config=", 7) == 0) {
			if ((r = conf_apply_arg(conf, argv[i], (unsigned)i + 1,
			    seen, msg)) != 0)
				goto fail;
			named = true;
		}
	if ((r = conf_parse_file(conf, conf->config, named, owner, msg)) != 0)
		goto fail;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "config=", 7) == 0)
			continue;
		if ((r = conf_apply_arg(conf, argv[i], (unsigned)i + 1,
		    seen, msg)) != 0)
			goto fail;
	}
	if (conf->try_first_pass && conf->use_first_pass) {
		r = hg_fail(msg, HG_ERR_CONFIG,
		    "try_first_pass and use_first_pass exclude each other");
		goto fail;
	}
	return 0;
 fail:
	conf_free(conf);
	return r;
}

void
conf_free(struct hg_conf *conf)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].kind == K_PATH || keys[i].kind == K_STRING)
			free(*FIELD(conf, &keys[i], char *));
	memset(conf, 0, sizeof(*conf));
}
