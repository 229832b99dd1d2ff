/*
 * Settings: hostgate.conf and PAM module arguments, read by one parser.
 * Module arguments override the file.  Any unknown key or bad value is an
 * error that names its source and line; callers fail closed on it.
 */
#ifndef HG_CONF_H
#define HG_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define CONF_DEFAULT_PATH	"/etc/hostgate/hostgate.conf"

enum conf_password { CONF_PASSWORD_SHADOW, CONF_PASSWORD_NONE };
enum conf_totp { CONF_TOTP_REQUIRED, CONF_TOTP_OPTIONAL, CONF_TOTP_OFF };
enum conf_audit { CONF_AUDIT_BEST_EFFORT, CONF_AUDIT_REQUIRED };

struct hg_conf {
	char		*config;
	char		*policy;
	char		*secrets_dir;
	char		*state_dir;
	char		*seed_key;
	char		*audit_socket;
	char		*audit_log;
	char		*audit_spool;
	char		*audit_forward_url;
	char		*audit_forward_token_file;
	char		*audit_forward_ca;
	int		 password;	/* enum conf_password */
	int		 totp;		/* enum conf_totp */
	int		 audit;		/* enum conf_audit */
	unsigned	 totp_window;
	unsigned	 lockout_deny;
	unsigned	 lockout_interval;
	unsigned	 lockout_unlock;
	unsigned	 lockout_deny_total;
	unsigned	 lockout_trust_days;	/* 0: no source is trusted */
	unsigned	 fail_delay_ms;
	bool		 lockout_root;
	bool		 nullok;		/* empty shadow passwords may pass */
	bool		 debug;
	bool		 try_first_pass;
	bool		 use_first_pass;
};

/*
 * Fill CONF from the settings file and then from ARGV (module arguments,
 * "key=value" or a bare flag such as "debug").  The file is the one named
 * by a "config=" argument, else OWNER-trusted CONF_DEFAULT_PATH; a missing
 * default file means built-in defaults, a missing named file is an error.
 * On error CONF is freed and MSG says "source:line: problem".
 * Returns 0, HG_ERR_CONFIG, HG_ERR_NOENT (named file missing),
 * HG_ERR_UNTRUSTED, HG_ERR_IO or HG_ERR_NOMEM.
 */
int conf_load(struct hg_conf *conf, int argc, const char **argv,
    uid_t owner, struct hg_msg *msg);

/* Release what conf_load() allocated; CONF may be reused after. */
void conf_free(struct hg_conf *conf);

/* Walks the lines of a NUL-terminated buffer, counting them. */
struct conf_lines {
	char		*next;
	char		*end;
	unsigned	 lineno;
};

/* Start walking LEN bytes at BUF (which the walk modifies in place). */
void conf_lines_init(struct conf_lines *it, char *buf, size_t len);

/*
 * Return the next line, NUL-terminated, with its comment and surrounding
 * blanks removed, in *LINE; it->lineno is its number.  A comment starts at
 * '#' at the start of a line or after a blank.  Returns 1 for a line, 0 at
 * the end, or HG_ERR_CONFIG for a NUL byte or a line over 4096 bytes.
 */
int conf_lines_next(struct conf_lines *it, char **line);

/*
 * Split a line from conf_lines_next() of the form "key = value" in place.
 * Returns 0 or HG_ERR_CONFIG when there is no '=' or no key.
 */
int conf_split(char *line, char **key, char **value);

/* The most digits conf_parse_uint() can take without overflowing. */
#define CONF_UINT_DIGITS_MAX	9

/*
 * Parse S, 1 to MAXDIGITS decimal digits and nothing else (no sign, no
 * blanks; leading zeros count as digits), as a number from MIN to MAX into
 * *OUT.  MAXDIGITS is at most CONF_UINT_DIGITS_MAX.  Returns 0 or
 * HG_ERR_INVALID, leaving *OUT alone.
 */
int conf_parse_uint(const char *s, size_t maxdigits, unsigned min,
    unsigned max, unsigned *out);

#endif /* HG_CONF_H */
