/*
 * Per-user mutable state in state_dir: the last accepted TOTP time step
 * (replay prevention) and failure counts per source and in total (lockout).
 *
 * Every change runs under an exclusive lock on DIR/USER.lock and is written
 * with trust_replace(), so concurrent logins serialise and a crash leaves
 * either the old or the new state, never a partial one.
 */
#ifndef HG_STATE_H
#define HG_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "err.h"

#define STATE_MAX_SOURCES	64
#define STATE_MAX_SOURCE_LEN	255
#define STATE_MAX_TRUSTED	16
#define STATE_MAX_FILE		(64 * 1024)

/* Failures within one window, and the lock they caused. */
struct state_fails {
	unsigned	count;
	long long	first;		/* time of the window's first failure */
	long long	locked_until;	/* 0 when not locked */
};

struct state_source {
	char			name[STATE_MAX_SOURCE_LEN + 1];
	struct state_fails	fails;
};

/* A source this user logged in from, and when it last did. */
struct state_trusted {
	char			name[STATE_MAX_SOURCE_LEN + 1];
	long long		last;
};

struct hg_state {
	long long		last_step;	/* -1: no code accepted yet */
	long long		last_success;	/* time of the last code, or 0 */
	struct state_fails	total;
	struct state_source	sources[STATE_MAX_SOURCES];
	size_t			nsources;
	struct state_trusted	trusted[STATE_MAX_TRUSTED];
	size_t			ntrusted;
};

/* Lockout settings, from hostgate.conf. */
struct state_limits {
	unsigned	deny;		/* per (user, source); 0: no limit */
	unsigned	deny_total;	/* per user; 0: no limit */
	unsigned	interval;
	unsigned	unlock;
	long long	trust;		/* seconds a good source stays trusted */
};

struct hg_conf;

/* The lockout settings of CONF, as the functions below take them. */
void state_limits_of(const struct hg_conf *conf, struct state_limits *l);

/*
 * Take the exclusive lock for USER in DIR (trusted: OWNER, not writable by
 * others), waiting for other logins of the same user.  *FD receives the
 * lock, released by state_unlock().  Returns 0, HG_ERR_UNTRUSTED,
 * HG_ERR_NOENT or HG_ERR_IO.
 */
int state_lock(const char *dir, const char *user, uid_t owner, int *fd,
    struct hg_msg *msg);

/* Release a lock from state_lock(); FD -1 is ignored. */
void state_unlock(int fd);

/*
 * Read the state of USER under its lock; a missing file is a fresh state.
 * Returns 0, HG_ERR_UNTRUSTED, HG_ERR_IO or HG_ERR_STATE (malformed: the
 * message tells the administrator what to fix).
 */
int state_load(const char *dir, const char *user, uid_t owner,
    struct hg_state *st, struct hg_msg *msg);

/* Write the state of USER under its lock.  Returns 0 or HG_ERR_IO. */
int state_save(const char *dir, const char *user, const struct hg_state *st,
    struct hg_msg *msg);

/*
 * Parse state file text (NUL-terminated) into ST.  Returns 0 or
 * HG_ERR_STATE.
 */
int state_parse(struct hg_state *st, char *text, size_t len, const char *path,
    struct hg_msg *msg);

/*
 * Format ST as state file text into BUF of SIZE bytes.  Returns the length,
 * or HG_ERR_TOOLONG.
 */
int state_format(const struct hg_state *st, char *buf, size_t size);

/*
 * Whether SOURCE (or the user as a whole) is locked out at NOW; *UNTIL gets
 * the end of the lock.  The per-user total does not lock a source this user
 * logged in from within LIMITS->trust seconds: only its own count can, so
 * that a stranger cannot lock the owner out of a known-good source.
 */
bool state_is_locked(const struct hg_state *st, const char *source,
    long long now, const struct state_limits *limits, long long *until);

/* Count a failure from SOURCE at NOW, locking when LIMITS are reached. */
void state_fail(struct hg_state *st, const char *source, long long now,
    const struct state_limits *limits);

/*
 * Record a successful login from SOURCE at NOW: clear its failure count,
 * when TRUST remember SOURCE as known-good (the least recent one makes
 * room), and when STEP >= 0 remember STEP as the last accepted time step.
 */
void state_success(struct hg_state *st, const char *source, long long now,
    long long step, bool trust);

/*
 * Whether the last accepted step lies more than WINDOW steps of PERIOD
 * seconds ahead of NOW: the clock went back, or was ahead when that code
 * was used, and until it is cleared every valid code reads as a replay.
 */
bool state_step_ahead(const struct hg_state *st, long long now,
    unsigned window, unsigned period);

/*
 * Clear lockout state: of SOURCE only, or of everything when SOURCE is NULL.
 */
void state_clear(struct hg_state *st, const char *source);

/* The failure record of SOURCE in ST, or NULL when it has none. */
struct state_source *state_find_source(const struct hg_state *st,
    const char *source);

/*
 * Names that are not accounts are counted too, or the lockout notice would
 * tell which accounts exist.  Their state lives in one of 256 bucket files
 * in DIR (".unknown.XX", outside the user-name space), chosen by a keyed
 * hash of USER under DIR/.unknown.key (made on first use), so the files
 * stay bounded whatever names are tried.  Inside a bucket, "TAG SOURCE"
 * entries count per (name, source) and "TAG" entries per name, TAG being
 * the rest of the hash; the bucket's own total is unused.
 *
 * state_unknown_bucket() fills NAME (the bucket file, room for
 * STATE_BUCKET_NAME) and TAG (room for STATE_TAG_LEN + 1).
 * Returns 0, HG_ERR_IO or HG_ERR_UNTRUSTED.
 */
#define STATE_BUCKET_NAME	16
#define STATE_TAG_LEN		16
int state_unknown_bucket(const char *dir, const char *user, char *name,
    char *tag, struct hg_msg *msg);

/* state_lock(), state_load() and state_save() for a bucket NAME. */
int state_bucket_lock(const char *dir, const char *name, int *fd,
    struct hg_msg *msg);
int state_bucket_load(const char *dir, const char *name, struct hg_state *st,
    struct hg_msg *msg);
int state_bucket_save(const char *dir, const char *name,
    const struct hg_state *st, struct hg_msg *msg);

/* state_is_locked() and state_fail() for the name TAG in a bucket. */
bool state_unknown_locked(const struct hg_state *st, const char *tag,
    const char *source, long long now, long long *until);
void state_unknown_fail(struct hg_state *st, const char *tag,
    const char *source, long long now, const struct state_limits *limits);

#endif /* HG_STATE_H */
