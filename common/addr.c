#include "config.h"

#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"

bool
addr_read(const char *rhost, struct hg_addr *a)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	char buf[ADDR_TEXT_MAX];
	const char *pct;
	size_t len;

	memset(a, 0, sizeof(*a));
	if (rhost == NULL || *rhost == '\0')
		return false;
	/* inet_pton only parses literals: never a DNS query. */
	if (inet_pton(AF_INET, rhost, a->a) == 1) {
		a->family = AF_INET;
		return true;
	}
	/* A zone id belongs to IPv6 text only, and must name something. */
	len = (pct = strchr(rhost, '%')) != NULL ? (size_t)(pct - rhost) :
	    strlen(rhost);
	if (len >= sizeof(buf) || (pct != NULL && pct[1] == '\0'))
		return false;
	memcpy(buf, rhost, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, a->a) != 1)
		return false;
	a->family = AF_INET6;
	if (memcmp(a->a, mapped, sizeof(mapped)) == 0) {
		memmove(a->a, a->a + 12, 4);
		memset(a->a + 4, 0, 12);
		a->family = AF_INET;
	}
	return true;
}

void
addr_text(const struct hg_addr *a, char *buf, size_t size)
{
	if (inet_ntop(a->family, a->a, buf, (socklen_t)size) == NULL &&
	    size > 0)
		buf[0] = '\0';
}

bool
addr_canonical(const char *rhost, char *buf, size_t size)
{
	struct hg_addr a;
	char text[ADDR_TEXT_MAX];

	if (!addr_read(rhost, &a)) {
		snprintf(buf, size, "%s", rhost != NULL ? rhost : "");
		return false;
	}
	addr_text(&a, text, sizeof(text));
	snprintf(buf, size, "%s", text);
	return true;
}
