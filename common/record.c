#include "config.h"

#include <stdio.h>
#include <string.h>

#include "record.h"

void
record_quote(const char *in, char *out, size_t size)
{
	char esc[5];
	size_t n = 0, elen;

	if (in == NULL) {
		snprintf(out, size, "-");
		return;
	}
	out[n++] = '"';
	for (; *in != '\0'; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (c == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else if (c < 0x20 || c >= 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		elen = strlen(esc);
		/* Keep room for '...', the closing quote and the NUL. */
		if (n + elen + 5 > size) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		memcpy(out + n, esc, elen);
		n += elen;
	}
	out[n++] = '"';
	out[n] = '\0';
}
