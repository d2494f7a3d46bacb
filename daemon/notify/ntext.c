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
 * Every text is in English or German (ntext_set_lang(), once at start:
 * [notify] lang, else the locale of LC_ALL, LC_MESSAGES or LANG); the
 * German words are those of the agent's page (daemon/www/agent.js).  A
 * reason not recognised stays as respited wrote it, in English.
 *
 * No GLib here: every function writes into a caller's buffer (cut if it
 * must be), so the unit tests can check the words directly.
 */
#include "build.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ntext.h"

static enum ntext_lang	lang = NTEXT_EN;

static const char *const labels[][NL_COUNT] = {
	[NTEXT_EN] = { "Start break", "Snooze 10 min", "Dismiss", "OK",
	    "End break now" },
	[NTEXT_DE] = { "Pause starten", "10 Min. später", "Verwerfen", "OK",
	    "Pause jetzt beenden" },
};

/*
 * The language a locale name or a [notify] lang value means: "de",
 * "de_AT.UTF-8", "de-CH" are German; "en…", "C" and "POSIX" English;
 * -1 for anything else (unknown, empty or NULL).
 */
int
ntext_lang_parse(const char *v)
{
	if (v == NULL || *v == '\0')
		return (-1);
	if (strncasecmp(v, "de", 2) == 0 && (v[2] == '\0' || v[2] == '_' ||
	    v[2] == '-' || v[2] == '.' || v[2] == '@'))
		return (NTEXT_DE);
	if ((strncasecmp(v, "en", 2) == 0 && (v[2] == '\0' || v[2] == '_' ||
	    v[2] == '-' || v[2] == '.' || v[2] == '@')) ||
	    strcmp(v, "C") == 0 || strncmp(v, "C.", 2) == 0 ||
	    strcmp(v, "POSIX") == 0)
		return (NTEXT_EN);
	return (-1);
}

/*
 * The language of the locale, as POSIX orders its variables: the first
 * of lc_all, lc_messages and lang that is set decides; English when it
 * is neither German nor English, or none is set.
 */
enum ntext_lang
ntext_lang_from_env(const char *lc_all, const char *lc_messages,
    const char *lang_var)
{
	const char	*v;

	if (lc_all != NULL && *lc_all != '\0')
		v = lc_all;
	else if (lc_messages != NULL && *lc_messages != '\0')
		v = lc_messages;
	else
		v = lang_var;
	return (ntext_lang_parse(v) == NTEXT_DE ? NTEXT_DE : NTEXT_EN);
}

void
ntext_set_lang(enum ntext_lang l)
{
	lang = l == NTEXT_DE ? NTEXT_DE : NTEXT_EN;
}

enum ntext_lang
ntext_get_lang(void)
{
	return (lang);
}

/* A button's label. */
const char *
ntext_label(enum ntext_label l)
{
	return (l < NL_COUNT ? labels[lang][l] : "");
}

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

/* "90 minutes" or "1 hour 50 minutes" (German: "1 Stunde 50 Minuten"). */
static void
duration(char *buf, size_t len, long min)
{
	static const char *const unit[][4] = {
		[NTEXT_EN] = { "minute", "minutes", "hour", "hours" },
		[NTEXT_DE] = { "Minute", "Minuten", "Stunde", "Stunden" },
	};
	const char *const	*u = unit[lang];
	long			 h = min / 60, m = min % 60;

	if (h == 0)
		snprintf(buf, len, "%ld %s", m, u[m != 1]);
	else if (m == 0)
		snprintf(buf, len, "%ld %s", h, u[2 + (h != 1)]);
	else
		snprintf(buf, len, "%ld %s %ld %s", h, u[2 + (h != 1)], m,
		    u[m != 1]);
}

/* "Time for a 5-minute break". */
void
ntext_summary(char *buf, size_t len, int minutes)
{
	if (lang == NTEXT_DE) {
		if (minutes > 0)
			snprintf(buf, len, "Zeit für eine Pause von %d Minute%s",
			    minutes, minutes == 1 ? "" : "n");
		else
			snprintf(buf, len, "Zeit für eine Pause");
		return;
	}
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
		snprintf(buf, len, lang == NTEXT_DE ? "respite schlägt eine "
		    "Pause vor." : "respite suggests a break.");
		return;
	}
	if (sscanf(reason, "%ld minutes of work without a break%n", &n,
	    &end) == 1 && reason[end] == '\0') {
		duration(d, sizeof d, n);
		if (lang == NTEXT_DE)
			snprintf(buf, len, "Sie arbeiten seit %s ohne Pause.", d);
		else
			snprintf(buf, len, "You have been working for %s "
			    "without a break.", d);
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
		if (lang == NTEXT_DE) {
			if (b == 0)
				snprintf(buf, len, "Sie haben heute %s ohne "
				    "Pause gearbeitet.", d);
			else
				snprintf(buf, len, "Sie haben heute %s "
				    "gearbeitet, mit nur %ld Minute%s Pause.",
				    d, b, b == 1 ? "" : "n");
			return;
		}
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
		if (lang == NTEXT_DE && n > 1)
			snprintf(buf, len, "Jemand war gerade feindselig zu "
			    "Ihnen, zum %ld. Mal in der letzten Stunde.", n);
		else if (lang == NTEXT_DE)
			snprintf(buf, len, "Jemand war gerade feindselig zu "
			    "Ihnen.");
		else if (n > 1)
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
		if (lang == NTEXT_DE)
			snprintf(buf, len, "Sie hatten in der letzten Stunde "
			    "%ld feindselige Nachricht%s.", n, n == 1 ? "" :
			    "en");
		else
			snprintf(buf, len, "You have had %ld hostile message%s "
			    "in the last hour.", n, n == 1 ? "" : "s");
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
	if (lang == NTEXT_DE) {
		if (kind != NULL && strcmp(kind, "recovery_break") == 0)
			appendf(buf, len, " Nehmen Sie sich vor dem nächsten "
			    "Kontakt einen Moment für sich.");
		else if (kind != NULL && strcmp(kind, "rest_break") == 0)
			appendf(buf, len, " Eine richtige Pause ist fällig.");
		else
			appendf(buf, len, " Eine kurze Pause jetzt hält Sie "
			    "frisch.");
		if (actions)
			return;
		if (can_snooze)
			appendf(buf, len, "\nZum Antworten: respitectl accept "
			    "%s (Pause starten), respitectl snooze %s (10 "
			    "Minuten später) oder respitectl dismiss %s.", id,
			    id, id);
		else
			appendf(buf, len, "\nZum Antworten: respitectl accept "
			    "%s (Pause starten) oder respitectl dismiss %s.",
			    id, id);
		return;
	}
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

	snprintf(summary, slen, lang == NTEXT_DE ? "Wie geht es Ihnen in "
	    "diesen Wochen?" : "How are your weeks going?");
	body[0] = '\0';
	appendf(body, blen, lang == NTEXT_DE ? "Ihre letzten Tage waren "
	    "schwerer als sonst für Sie:" : "Your last days looked heavier "
	    "than usual for you:");
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
	if (lang == NTEXT_DE) {
		appendf(body, blen, "\nWenn die Arbeit schwer war, planen Sie "
		    "Erholung ein und sprechen Sie mit Ihrer Teamleitung oder "
		    "jemandem, dem Sie vertrauen.");
		if (!actions && id != NULL)
			appendf(body, blen, "\nZum Schließen: respitectl "
			    "accept %s.", id);
		return;
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
	if (lang == NTEXT_DE && left <= 1)
		snprintf(buf, len, "In der Pause: noch 1 Minute");
	else if (lang == NTEXT_DE)
		snprintf(buf, len, "In der Pause: noch %d Minuten", left);
	else if (left <= 1)
		snprintf(buf, len, "On a break: 1 minute left");
	else
		snprintf(buf, len, "On a break: %d minutes left", left);
}

/* The countdown's body: when the break ends (hhmm, NULL if unknown). */
void
ntext_countdown_body(char *buf, size_t len, const char *hhmm)
{
	if (lang == NTEXT_DE)
		snprintf(buf, len, "Zurück um %s. Bis dahin meldet sich respite "
		    "nicht.", hhmm != NULL ? hhmm : "das Ende");
	else
		snprintf(buf, len, "Back at %s. Nothing from respite will pop "
		    "up until then.", hhmm != NULL ? hhmm : "the end");
}

/* The break of minutes is over. */
void
ntext_welcome(char *summary, size_t slen, char *body, size_t blen,
    int minutes)
{
	if (lang == NTEXT_DE) {
		snprintf(summary, slen, "Willkommen zurück");
		snprintf(body, blen, "Ihre Pause von %d Minute%s ist vorbei.",
		    minutes, minutes == 1 ? "" : "n");
	} else {
		snprintf(summary, slen, "Welcome back");
		snprintf(body, blen, "Your %d-minute break is over.", minutes);
	}
}

/* A gentle notice that the strain level rose to level (high, critical). */
void
ntext_level(char *summary, size_t slen, char *body, size_t blen,
    const char *level, int strain)
{
	if (lang == NTEXT_DE) {
		snprintf(summary, slen, "Ihre Belastung ist %s",
		    strcmp(level, "critical") == 0 ? "kritisch" :
		    strcmp(level, "high") == 0 ? "hoch" : level);
		if (strcmp(level, "critical") == 0)
			snprintf(body, blen, "Ihr Belastungswert ist %d von "
			    "100. Wenn Sie können, treten Sie eine Weile "
			    "kürzer; respite schlägt eine Pause vor, wenn eine "
			    "hilft.", strain);
		else
			snprintf(body, blen, "Ihr Belastungswert ist %d von "
			    "100. Teilen Sie sich Ihre Kräfte ein; respite "
			    "schlägt eine Pause vor, wenn eine hilft.", strain);
		return;
	}
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
