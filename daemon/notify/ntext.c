/*
 * respite-notify - what the notifications say.
 *
 * respited's reasons are written for the record ("a hostile message of
 * severity 0.90 (1 in the last hour, exposure 0.9)"); an agent in the
 * middle of a shift should read plain words instead ("A customer was
 * hostile to you just now.").  The reasons respited writes today are
 * recognised by their shape and said again plainly; any other reason is
 * shown as it is, as a sentence, so a new rule on the server never gives
 * an empty or wrong body.  Each body ends with one calm line about the
 * kind of break, and, for a notification server that cannot show
 * buttons, with how to answer from a terminal instead.
 *
 * No GLib here: every function writes into a caller's buffer (cut if it
 * must be), so the unit tests can check the words directly.
 */
#include "build.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ntext.h"

static void
appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t	n = strlen(buf);
	va_list	ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* "90 minutes" or "1 hour 50 minutes". */
static void
duration(char *buf, size_t len, long min)
{
	long	h = min / 60, m = min % 60;

	if (h == 0)
		snprintf(buf, len, "%ld minute%s", m, m == 1 ? "" : "s");
	else if (m == 0)
		snprintf(buf, len, "%ld hour%s", h, h == 1 ? "" : "s");
	else
		snprintf(buf, len, "%ld hour%s %ld minute%s", h,
		    h == 1 ? "" : "s", m, m == 1 ? "" : "s");
}

/* "Time for a 5-minute break". */
void
ntext_summary(char *buf, size_t len, int minutes)
{
	if (minutes > 0)
		snprintf(buf, len, "Time for a %d-minute break", minutes);
	else
		snprintf(buf, len, "Time for a break");
}

/*
 * The reason of a suggestion of kind in plain words, as one or two
 * sentences.
 */
void
ntext_plain_reason(char *buf, size_t len, const char *kind,
    const char *reason)
{
	char	d[64];
	long	n, h, m, b;
	double	sev, exp;
	int	end = 0;

	(void)kind;
	buf[0] = '\0';
	if (reason == NULL || *reason == '\0') {
		snprintf(buf, len, "respite suggests a break.");
		return;
	}
	if (sscanf(reason, "%ld minutes of work without a break%n", &n,
	    &end) == 1 && reason[end] == '\0') {
		duration(d, sizeof d, n);
		snprintf(buf, len, "You have been working for %s without a "
		    "break.", d);
		return;
	}
	/*
	 * respited's hours are those of a day; others are no reason of
	 * its, and h * 60 must not overflow (found by tests/fuzz/fuzz_sse).
	 */
	if (sscanf(reason, "worked %ldh%ld today with %ld minutes of "
	    "breaks%n", &h, &m, &b, &end) == 3 && reason[end] == '\0' &&
	    h >= 0 && h <= 24 * 366 && m >= 0 && m < 60) {
		duration(d, sizeof d, h * 60 + m);
		if (b == 0)
			snprintf(buf, len, "You have worked %s today without "
			    "a break.", d);
		else
			snprintf(buf, len, "You have worked %s today, with "
			    "only %ld minute%s of breaks.", d, b,
			    b == 1 ? "" : "s");
		return;
	}
	if (sscanf(reason, "a hostile message of severity %lf (%ld in the "
	    "last hour, exposure %lf)%n", &sev, &n, &exp, &end) == 3 &&
	    reason[end] == '\0') {
		if (n > 1)
			snprintf(buf, len, "A customer was hostile to you just "
			    "now, the %ld%s time in the last hour.", n,
			    n % 100 >= 11 && n % 100 <= 13 ? "th" :
			    n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" :
			    n % 10 == 3 ? "rd" : "th");
		else
			snprintf(buf, len, "A customer was hostile to you just "
			    "now.");
		return;
	}
	if (sscanf(reason, "%ld hostile messages in the last hour "
	    "(exposure %lf)%n", &n, &exp, &end) == 2 && reason[end] == '\0') {
		snprintf(buf, len, "You have had %ld hostile message%s in the "
		    "last hour.", n, n == 1 ? "" : "s");
		return;
	}
	/* Anything else: the reason itself, as a sentence. */
	snprintf(buf, len, "%s", reason);
	buf[0] = (char)toupper((unsigned char)buf[0]);
	n = (long)strlen(buf);
	if (n > 0 && buf[n - 1] != '.' && buf[n - 1] != '!' &&
	    buf[n - 1] != '?')
		appendf(buf, len, ".");
}

/*
 * The body of a break suggestion: the reason in plain words and a line
 * about the kind; without action buttons (actions == 0), how to answer
 * with respitectl (can_snooze: whether a snooze is still possible).
 */
void
ntext_body(char *buf, size_t len, const char *kind, const char *reason,
    const char *id, int actions, int can_snooze)
{
	ntext_plain_reason(buf, len, kind, reason);
	if (kind != NULL && strcmp(kind, "recovery_break") == 0)
		appendf(buf, len, " Take a moment for yourself before the "
		    "next contact.");
	else if (kind != NULL && strcmp(kind, "rest_break") == 0)
		appendf(buf, len, " A proper break is due.");
	else
		appendf(buf, len, " A short pause now keeps you fresh.");
	if (actions)
		return;
	if (can_snooze)
		appendf(buf, len, "\nTo answer, run: respitectl accept %s "
		    "(start the break), respitectl snooze %s (10 minutes "
		    "later) or respitectl dismiss %s.", id, id, id);
	else
		appendf(buf, len, "\nTo answer, run: respitectl accept %s "
		    "(start the break) or respitectl dismiss %s.", id, id);
}

/*
 * A wellbeing_check for the agent (aggregate privacy mode): not a break,
 * a question about the last weeks.  reason is the trend's reasons joined
 * by "; " (days.c); each becomes a line of its own.  Without action
 * buttons (actions == 0), how to close it with respitectl.
 */
void
ntext_wellbeing(char *summary, size_t slen, char *body, size_t blen,
    const char *reason, const char *id, int actions)
{
	const char	*p, *e;
	size_t		 n;

	snprintf(summary, slen, "How are your weeks going?");
	body[0] = '\0';
	appendf(body, blen, "Your last days looked heavier than usual for "
	    "you:");
	for (p = reason != NULL ? reason : ""; *p != '\0'; p = e) {
		if ((e = strstr(p, "; ")) == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (n > 0)
			appendf(body, blen, "\n- %.*s", (int)(n > 400 ? 400 : n),
			    p);
		if (*e != '\0')
			e += 2;
	}
	appendf(body, blen, "\nIf work has felt heavy, plan some rest, and "
	    "talk to your lead or someone you trust.");
	if (!actions && id != NULL)
		appendf(body, blen, "\nTo close this, run: respitectl accept %s.",
		    id);
}

/* The countdown's summary: "On a break: 4 minutes left". */
void
ntext_countdown(char *buf, size_t len, int left)
{
	if (left <= 1)
		snprintf(buf, len, "On a break: 1 minute left");
	else
		snprintf(buf, len, "On a break: %d minutes left", left);
}

/* A gentle notice that the strain level rose to level (high, critical). */
void
ntext_level(char *summary, size_t slen, char *body, size_t blen,
    const char *level, int strain)
{
	snprintf(summary, slen, "Your strain is %s", level);
	if (strcmp(level, "critical") == 0)
		snprintf(body, blen, "Your strain score is %d of 100. If you "
		    "can, ease off for a while; respite will suggest a break "
		    "when one helps.", strain);
	else
		snprintf(body, blen, "Your strain score is %d of 100. Pace "
		    "yourself; respite will suggest a break when one helps.",
		    strain);
}

/* s with &, < and > escaped, for servers that read body markup. */
void
ntext_escape_markup(char *buf, size_t len, const char *s)
{
	const char	*rep;
	size_t		 n = 0, rlen;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		default:
			rep = NULL;
			break;
		}
		rlen = rep != NULL ? strlen(rep) : 1;
		if (n + rlen + 1 > len)
			break;
		if (rep != NULL)
			memcpy(buf + n, rep, rlen);
		else
			buf[n] = *s;
		n += rlen;
	}
	if (len > 0)
		buf[n < len ? n : len - 1] = '\0';
}
