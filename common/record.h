/*
 * Audit records.  For now: quoting of the values that go into log lines, so
 * that a user name with blanks, quotes or newlines cannot forge a field.
 */
#ifndef HG_RECORD_H
#define HG_RECORD_H

#include <stddef.h>

/*
 * Write IN to OUT (SIZE bytes, at least 8) as a double-quoted string with
 * '"', '\\' and every byte outside printable ASCII escaped (\n, \t, \xNN).
 * A value that does not fit is cut and ends in "...".  NULL becomes "-".
 */
void record_quote(const char *in, char *out, size_t size);

#endif /* HG_RECORD_H */
