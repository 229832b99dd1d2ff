/*
 * Remote host text (PAM_RHOST) read as an address literal, the one way the
 * policy's from= matching and the lockout source both read it: never a DNS
 * query, a zone id stripped, IPv4-mapped IPv6 read as IPv4.
 */
#ifndef HG_ADDR_H
#define HG_ADDR_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>

/* Room for the canonical text of any address, NUL included. */
#define ADDR_TEXT_MAX	INET6_ADDRSTRLEN

struct hg_addr {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	a[16];		/* network order; IPv4 in a[0..3] */
};

/*
 * Read RHOST as an address literal into *A: a dotted quad as inet_pton
 * takes it (no leading zeros, no trailing dot), or IPv6 text with an
 * optional "%zone" suffix, which is dropped; an IPv4-mapped IPv6 address
 * becomes IPv4.  Returns true for an address, false for anything else
 * (a host name, blanks, trailing dots, NULL, "").
 */
bool addr_read(const char *rhost, struct hg_addr *a);

/* The canonical text of A (inet_ntop) into BUF of at least ADDR_TEXT_MAX. */
void addr_text(const struct hg_addr *a, char *buf, size_t size);

/*
 * The source as lockout counts it and records show it: the canonical text
 * of RHOST when it is an address literal, else RHOST as given, into BUF of
 * SIZE bytes.  Returns true when RHOST was an address.
 */
bool addr_canonical(const char *rhost, char *buf, size_t size);

#endif /* HG_ADDR_H */
