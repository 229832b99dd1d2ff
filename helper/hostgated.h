/*
 * What the files of hostgated share: the daemon's state (one struct
 * daemon per process, owned by hostgated.c) and its log.
 */
#ifndef HG_HOSTGATED_H
#define HG_HOSTGATED_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "decide.h"
#include "journal.h"
#include "record.h"

/* Who must own our settings and the policy. */
#define HOSTGATED_OWNER		0

struct batch_item;
struct client;
struct forward;
struct spool_file;

struct daemon {
	struct hg_conf		 conf;
	struct journal		 journal;
	struct journal_batch	 batch;
	struct decide_warm	 warm;
	struct forward		*fw;		/* NULL: not forwarding */
	char			 host[RECORD_FIELD_MAX];
	int			 ep, lfd, sfd, spoolfd;
	dev_t			 sock_dev;
	ino_t			 sock_ino;
	bool			 listening;
	long long		 listen_resume;
	struct client		*clients;
	size_t			 nclients;
	struct client		*reap;
	struct batch_item	*items;
	size_t			 nitems;
	struct spool_file	*spool;
	long long		 next_spool;
	size_t			 spool_denied;	/* unreadable, last pass */
	bool			 spool_off;
	bool			 hup, terminate;
	unsigned long		 turn;		/* of the loop */
	size_t			 last_batch;	/* client records committed */
};

/*
 * Log FMT at PRIO (LOG_DAEMON) stamped with FUNC, and to stderr too while
 * the daemon starts.  Never a password, code or secret.
 */
void hostgated_log(int prio, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Our own messages, stamped with the function's name. */
#define log_f(prio, ...)	hostgated_log((prio), __func__, __VA_ARGS__)

#endif /* HG_HOSTGATED_H */
