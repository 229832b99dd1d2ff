/*
 * hostgated's socket protocol: the clients of audit_socket (the module,
 * the CLI), the frames they send (common/record.h) and the replies.
 *
 * Peers: the socket is created mode 0600, owned by our user, so only root
 * (the module inside sshd, sudo, su, login) and our own user can connect.
 * Each peer's pid and uid come from SO_PEERCRED, never from the frame.  If
 * an administrator opens the socket to others (chmod 0666), a peer that is
 * not root may submit records only about itself: a record whose user does
 * not resolve to the peer's uid gets a REPLY without a seq and with reason
 * "refused", is logged, and is not stored.  The same rule holds for spool
 * files, whose uid is their owner.
 *
 * Hostile input: a frame that is malformed or longer than RECORD_WIRE_MAX
 * drops that client (logged once); a client that has not completed a frame
 * for CLIENT_IDLE_MS, or does not read its replies, is dropped too.
 * Every socket is nonblocking and nothing waits on one client.
 */
#ifndef HG_CLIENT_H
#define HG_CLIENT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define CLIENT_IDLE_MS		5000	/* to complete a frame, or read */

struct batch_item;
struct daemon;

struct client {
	struct client	*next, *prev;	/* all clients */
	struct client	*reap_next;	/* to look at after this turn */
	int		 fd;
	pid_t		 pid;
	uid_t		 uid;
	uint32_t	 events;	/* what epoll watches for */
	long long	 deadline;	/* dropped if no frame by then */
	bool		 eof;		/* the peer will send no more */
	bool		 drop;		/* close after this turn */
	bool		 reaping;	/* on the reap list */
	unsigned long	 turn;		/* when FRAMES was counted */
	unsigned	 frames;	/* read in that turn */
	size_t		 inlen;
	unsigned char	 in[RECORD_WIRE_MAX + 4];
	unsigned char	*out;		/* replies not yet sent */
	size_t		 outoff, outlen, outcap;
};

/*
 * Accept the clients waiting on D's listening socket, each with its peer
 * credentials, and read what they already sent.  Out of descriptors or
 * memory, stops listening for a moment (client_close_reaped() resumes).
 */
void client_accept(struct daemon *d);

/*
 * Read from C what this turn and the batch have room for, and add each
 * complete frame to D's batch: checked, stamped with the peer's pid and
 * uid, refused or decided as its type asks.  A bad frame drops C.
 */
void client_read(struct daemon *d, struct client *c);

/* Send what C's replies the socket takes now; the rest waits for EPOLLOUT. */
void client_flush(struct daemon *d, struct client *c);

/*
 * Queue the reply to IT for its client: the seq (and a decision's result,
 * pam, reason and rule) if it was stored, else only its reason.
 */
void client_reply(struct daemon *d, struct batch_item *it);

/* Drop C after this turn; WHY (may be NULL: say nothing) is logged. */
void client_drop(struct daemon *d, struct client *c, const char *why);

/*
 * Close the clients dropped this turn and the finished ones whose replies
 * are out, and listen again once a pause is over.
 */
void client_close_reaped(struct daemon *d);

/* Drop the clients whose deadline is past NOW (ms, monotonic). */
void client_sweep(struct daemon *d, long long now);

/* Close C at once and forget it. */
void client_free(struct daemon *d, struct client *c);

/*
 * Whether the peer UID may submit a record about USER: root anything,
 * anyone else only records about themselves.
 */
bool client_may_submit(uid_t uid, const char *user);

/*
 * Whether R's event suits a frame of TYPE: a decision is about an account
 * event (an empty one becomes "account"), a record names any lowercase
 * word.
 */
bool client_event_ok(enum record_type type, struct hg_record *r);

#endif /* HG_CLIENT_H */
