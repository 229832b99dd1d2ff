#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "err.h"

int
hg_fail(struct hg_msg *msg, int err, const char *fmt, ...)
{
	va_list ap;

	if (msg != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg->text, sizeof(msg->text), fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *
hg_strerror(int err)
{
	switch (err) {
	case HG_OK:			return "success";
	case HG_ERR_INTERNAL:		return "internal error";
	case HG_ERR_NOMEM:		return "out of memory";
	case HG_ERR_IO:			return "input/output error";
	case HG_ERR_NOENT:		return "no such file";
	case HG_ERR_UNTRUSTED:		return "untrusted file";
	case HG_ERR_CONFIG:		return "invalid configuration";
	case HG_ERR_SEED:		return "invalid seed file";
	case HG_ERR_STATE:		return "invalid state file";
	case HG_ERR_TOOLONG:		return "input too long";
	case HG_ERR_BAD_PASSWORD:	return "wrong password";
	case HG_ERR_BAD_CODE:		return "wrong verification code";
	case HG_ERR_REPLAY:		return "verification code already used";
	case HG_ERR_LOCKED:		return "locked out";
	case HG_ERR_NO_SEED:		return "no TOTP seed";
	case HG_ERR_UNKNOWN_USER:	return "unknown user";
	case HG_ERR_CONV:		return "conversation failed";
	case HG_ERR_INVALID:		return "invalid argument";
	case HG_ERR_POLICY:		return "invalid policy";
	case HG_ERR_DENIED:		return "denied by policy";
	case HG_ERR_TIMEOUT:		return "timed out";
	}
	return "unknown error";
}

const char *
hg_reason(int err)
{
	switch (err) {
	case HG_OK:			return "ok";
	case HG_ERR_BAD_PASSWORD:	return "bad-password";
	case HG_ERR_BAD_CODE:		return "bad-code";
	case HG_ERR_REPLAY:		return "replayed-code";
	case HG_ERR_LOCKED:		return "locked";
	case HG_ERR_NO_SEED:		return "no-seed";
	case HG_ERR_UNKNOWN_USER:	return "unknown-user";
	case HG_ERR_POLICY:		return "policy-invalid";
	case HG_ERR_CONFIG:
	case HG_ERR_UNTRUSTED:
	case HG_ERR_SEED:
	case HG_ERR_STATE:		return "config-error";
	}
	return "internal-error";
}

void
hg_logf(const struct hg_log *log, int prio, const char *func,
    const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (log == NULL || log->fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log->fn(log->ctx, prio, func, buf);
}
