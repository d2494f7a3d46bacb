/*
 * respite - what the sink plugins share (see sink.h).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sink.h"

static const struct {
	const char	*name;
	unsigned int	 bit;
} changes[] = {
	{ "raised", SINK_RAISED },
	{ "reopened", SINK_REOPENED },
	{ "answered", SINK_ANSWERED },
	{ "expired", SINK_EXPIRED },
	{ "all", SINK_ALL }
};

/*
 * Refuse any key of cf not in known (NULL-terminated), naming the line and
 * the keys there are.  Returns 0 or -1 with *error.
 */
int
sink_check_keys(const struct respite_plugin_config *cf,
    const char *const *known, char **error)
{
	char	list[512];
	size_t	i, j;

	for (i = 0; i < cf->nitems; i++) {
		for (j = 0; known[j] != NULL; j++)
			if (strcmp(cf->items[i].key, known[j]) == 0)
				break;
		if (known[j] != NULL)
			continue;
		list[0] = '\0';
		for (j = 0; known[j] != NULL; j++)
			snprintf(list + strlen(list), sizeof list -
			    strlen(list), "%s%s", j > 0 ? ", " : "", known[j]);
		return (respite_error(error, "line %d: unknown key \"%s\" "
		    "(known: %s)", cf->items[i].line, cf->items[i].key, list));
	}
	return (0);
}

/* Split v at spaces and commas; each word must be one of names. */
static int
parse_words(const char *key, const char *v, unsigned int *out, char **error,
    int (*word)(const char *, size_t, unsigned int *))
{
	const char	*p = v;
	size_t		 n;

	*out = 0;
	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		n = strcspn(p, " \t,");
		if (word(p, n, out) == -1)
			return (respite_error(error, "%s: unknown word \"%.*s\" "
			    "in \"%s\"", key, (int)n, p, v));
		p += n;
	}
	if (*out == 0)
		return (respite_error(error, "%s: must name at least one "
		    "value", key));
	return (0);
}

static int
change_word(const char *w, size_t n, unsigned int *out)
{
	size_t	i;

	for (i = 0; i < sizeof changes / sizeof changes[0]; i++)
		if (strlen(changes[i].name) == n &&
		    strncmp(changes[i].name, w, n) == 0) {
			*out |= changes[i].bit;
			return (0);
		}
	return (-1);
}

static int
audience_word(const char *w, size_t n, unsigned int *out)
{
	if (n == 5 && strncmp(w, "agent", n) == 0)
		*out |= SINK_AGENT;
	else if (n == 4 && strncmp(w, "lead", n) == 0)
		*out |= SINK_LEAD;
	else if (n == 3 && strncmp(w, "all", n) == 0)
		*out |= SINK_AGENT | SINK_LEAD;
	else
		return (-1);
	return (0);
}

/*
 * The keys `on` (raised reopened answered expired, or all; default
 * def_changes) and `audience` (agent lead, or all; default all).
 */
int
sink_filter_parse(const struct respite_plugin_config *cf,
    unsigned int def_changes, struct sink_filter *f, char **error)
{
	const char	*v;

	f->changes = def_changes;
	f->audiences = SINK_AGENT | SINK_LEAD;
	if ((v = respite_config_get(cf, "on")) != NULL &&
	    parse_words("on", v, &f->changes, error, change_word) == -1)
		return (-1);
	if ((v = respite_config_get(cf, "audience")) != NULL &&
	    parse_words("audience", v, &f->audiences, error,
	    audience_word) == -1)
		return (-1);
	return (0);
}

/* Does the sink pass s on? */
int
sink_filter_match(const struct sink_filter *f,
    const struct respite_suggestion *s)
{
	unsigned int	bit = 0;

	if (s->change != NULL)
		change_word(s->change, strlen(s->change), &bit);
	if ((f->changes & bit) == 0)
		return (0);
	bit = s->audience != NULL && strcmp(s->audience, "lead") == 0 ?
	    SINK_LEAD : SINK_AGENT;
	return ((f->audiences & bit) != 0);
}

/* A number of seconds in [min, max] ("2.5" and "2.5s" both work). */
int
sink_seconds(const char *key, const char *v, double min, double max,
    double *out, char **error)
{
	char	*end;
	double	 d;

	errno = 0;
	d = strtod(v, &end);
	if (end != v && *end == 's')
		end++;
	if (end == v || *end != '\0' || errno != 0 || !isfinite(d) ||
	    d < min || d > max)
		return (respite_error(error, "%s: expected seconds from %g "
		    "to %g, got \"%s\"", key, min, max, v));
	*out = d;
	return (0);
}

/* A whole number in [min, max]. */
int
sink_count(const char *key, const char *v, long min, long max, long *out,
    char **error)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || errno != 0 || n < min || n > max)
		return (respite_error(error, "%s: expected a whole number "
		    "from %ld to %ld, got \"%s\"", key, min, max, v));
	*out = n;
	return (0);
}

static void	add(char *, size_t, size_t *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/* Append to buf (always NUL-terminated, truncated at len). */
static void
add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off = *off + (size_t)n < len ? *off + (size_t)n : len - 1;
}

static const char *
str_or(json_t *o, const char *key, const char *def)
{
	const char	*v = json_string_value(json_object_get(o, key));

	return (v != NULL && *v != '\0' ? v : def);
}

/* "break", "micro break", ...: what a suggestion of this kind is. */
static const char *
kind_noun(const char *kind)
{
	if (strcmp(kind, "micro_break") == 0)
		return ("micro break");
	if (strcmp(kind, "recovery_break") == 0)
		return ("recovery break");
	if (strcmp(kind, "rest_break") == 0)
		return ("break");
	if (strcmp(kind, "rebalance") == 0)
		return ("rebalancing");
	if (strcmp(kind, "team_overload") == 0)
		return ("overload alert");
	return (kind);
}

/* What a raised suggestion asks for, after "who: ". */
static void
ask(const struct respite_suggestion *s, char *buf, size_t len, size_t *off)
{
	json_t	*j, *move;

	if (strcmp(s->kind, "rebalance") == 0) {
		/* Only a rebalance has more to say than the fields. */
		j = s->json != NULL ? json_loadb(s->json, s->json_len, 0,
		    NULL) : NULL;
		move = json_object_get(j, "move");
		if (json_object_get(move, "channel") != NULL)
			add(buf, len, off, "move %s's %s work to %s for %d "
			    "minutes", str_or(j, "from", "?"),
			    str_or(move, "channel", "?"),
			    str_or(j, "to", "?"), (int)json_integer_value(
			    json_object_get(move, "minutes")));
		else
			add(buf, len, off, "move %d ticket%s from %s to %s",
			    (int)json_integer_value(json_object_get(move,
			    "tickets")), json_integer_value(json_object_get(
			    move, "tickets")) == 1 ? "" : "s",
			    str_or(j, "from", "?"), str_or(j, "to", "?"));
		json_decref(j);
	} else if (strcmp(s->kind, "team_overload") == 0)
		add(buf, len, off, "the team is overloaded");
	else if (s->minutes > 0)
		add(buf, len, off, "take a %d-minute %s", s->minutes,
		    strcmp(s->kind, "micro_break") == 0 ? "micro break" :
		    "break");
	else
		add(buf, len, off, "take a %s", kind_noun(s->kind));
}

/*
 * One line that says what s is, for people: "alice: take a 5-minute
 * break (3 hostile messages in 20 minutes)", "support: move 3 tickets
 * from alice to bob (...)", "alice: reminder: take ...", "alice: break
 * s-000012 accepted".  The suggestion holds no message text, so neither
 * does the line.  Returns its length.
 */
size_t
sink_text(const struct respite_suggestion *s, char *buf, size_t len)
{
	const char	*who, *change;
	size_t		 off = 0;

	if (len == 0)
		return (0);
	buf[0] = '\0';
	change = s->change != NULL ? s->change : "raised";
	if (strcmp(s->audience, "lead") == 0)
		who = s->team != NULL && *s->team != '\0' ? s->team : "lead";
	else
		who = s->agent;
	add(buf, len, &off, "%s: ", who);
	if (strcmp(change, "raised") == 0 || strcmp(change, "reopened") == 0) {
		if (strcmp(change, "reopened") == 0)
			add(buf, len, &off, "reminder: ");
		ask(s, buf, len, &off);
		if (s->reason != NULL && *s->reason != '\0')
			add(buf, len, &off, " (%s)", s->reason);
	} else
		add(buf, len, &off, "%s %s %s", kind_noun(s->kind), s->id,
		    s->status);
	return (off);
}
