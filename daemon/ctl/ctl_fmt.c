/*
 * respite - respitectl's output: tables, level colours, JSON as it came.
 *
 * A table is filled cell by cell and printed once every width is known,
 * columns two spaces apart, the last one unpadded so that no line ends in
 * blanks.  Colour is an escape sequence around a padded cell, so it never
 * shifts a column; it is used only when standard output is a terminal,
 * TERM is not "dumb" and NO_COLOR is not set to anything but the empty
 * string (https://no-color.org), so what a pipe or a file gets is plain
 * text.
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "xmalloc.h"

#define SGR_RESET	"\033[0m"

struct ctl_cell {
	char		*text;
	const char	*colour;	/* an SGR sequence, or NULL */
};

struct ctl_table {
	size_t		 ncols;
	const char	*align;		/* 'l' or 'r' a column */
	size_t		*width;
	struct ctl_cell	*cells;		/* row-major, headers first */
	size_t		 n, cap;	/* cells */
	int		 colour;
};

/* May output be coloured? */
int
ctl_colour(void)
{
	static int	 cached = -1;
	const char	*e;

	if (cached == -1) {
		cached = isatty(STDOUT_FILENO);
		if ((e = getenv("NO_COLOR")) != NULL && *e != '\0')
			cached = 0;
		if ((e = getenv("TERM")) != NULL && strcmp(e, "dumb") == 0)
			cached = 0;
	}
	return (cached);
}

/*
 * The SGR sequence of a strain level (MODEL.md): ok green, elevated
 * yellow, high red, critical bold red; NULL for anything else.
 */
const char *
ctl_level_colour(const char *level)
{
	if (level == NULL)
		return (NULL);
	if (strcmp(level, "ok") == 0)
		return ("\033[32m");
	if (strcmp(level, "elevated") == 0)
		return ("\033[33m");
	if (strcmp(level, "high") == 0)
		return ("\033[31m");
	if (strcmp(level, "critical") == 0)
		return ("\033[1;31m");
	return (NULL);
}

/*
 * A table with the given headers (NULL-terminated; borrowed) and
 * alignments, one 'l' or 'r' a column.
 */
struct ctl_table *
ctl_table_new(const char *const *headers, const char *align)
{
	struct ctl_table	*t;
	size_t			 i;

	t = xcalloc(1, sizeof *t);
	while (headers[t->ncols] != NULL)
		t->ncols++;
	t->align = align;
	t->width = xcalloc(t->ncols, sizeof *t->width);
	t->colour = ctl_colour();
	for (i = 0; i < t->ncols; i++)
		ctl_table_cell(t, NULL, "%s", headers[i]);
	return (t);
}

/*
 * The next cell, row by row; colour (an SGR sequence or NULL) is used on
 * a terminal only.
 */
void
ctl_table_cell(struct ctl_table *t, const char *colour, const char *fmt, ...)
{
	struct ctl_cell	*c;
	va_list		 ap;
	size_t		 len;
	char		*p;

	if (t->n == t->cap) {
		t->cap = t->cap != 0 ? t->cap * 2 : 64;
		t->cells = xreallocarray(t->cells, t->cap, sizeof *t->cells);
	}
	c = &t->cells[t->n];
	va_start(ap, fmt);
	if (vasprintf(&c->text, fmt, ap) == -1) {
		ctl_warnx("out of memory");
		exit(CTL_EXIT_FAIL);
	}
	va_end(ap);
	/* One line a row: a newline or tab in the data would break it. */
	for (p = c->text; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	c->colour = t->colour ? colour : NULL;
	len = strlen(c->text);
	if (len > t->width[t->n % t->ncols])
		t->width[t->n % t->ncols] = len;
	t->n++;
}

void
ctl_table_print(struct ctl_table *t, FILE *f)
{
	const struct ctl_cell	*c;
	size_t			 i, col, pad, len;

	for (i = 0; i < t->n; i++) {
		c = &t->cells[i];
		col = i % t->ncols;
		len = strlen(c->text);
		pad = t->width[col] - len;
		if (col > 0)
			fputs("  ", f);
		if (t->align[col] == 'r')
			fprintf(f, "%*s", (int)pad, "");
		if (c->colour != NULL)
			fprintf(f, "%s%s%s", c->colour, c->text, SGR_RESET);
		else
			fputs(c->text, f);
		if (col + 1 == t->ncols || i + 1 == t->n)
			fputc('\n', f);
		else if (t->align[col] != 'r')
			fprintf(f, "%*s", (int)pad, "");
	}
}

void
ctl_table_free(struct ctl_table *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t->width);
	free(t);
}

/* o[key] if it is a string, else def (borrowed). */
const char *
ctl_json_str(json_t *o, const char *key, const char *def)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return (s != NULL ? s : def);
}

/* o[key] if it is a number, else 0. */
double
ctl_json_num(json_t *o, const char *key)
{
	return (json_number_value(json_object_get(o, key)));
}

/*
 * Who a suggestion is about, for a table: the agent, "from->to" for a
 * rebalancing, "team T" for a team's overload.
 */
void
ctl_sugg_who(json_t *s, char *buf, size_t len)
{
	const char	*agent, *from, *to, *team;

	agent = ctl_json_str(s, "agent", NULL);
	from = ctl_json_str(s, "from", NULL);
	to = ctl_json_str(s, "to", NULL);
	team = ctl_json_str(s, "team", NULL);
	if (from != NULL && to != NULL)
		snprintf(buf, len, "%s->%s", from, to);
	else if (agent != NULL)
		snprintf(buf, len, "%s", agent);
	else if (team != NULL)
		snprintf(buf, len, "team %s", team);
	else
		snprintf(buf, len, "-");
}

/*
 * A table of suggestion objects: id, creation time, who (the agent, or
 * from->to), kind, priority, status, reason.
 */
void
ctl_print_suggestions(json_t *list)
{
	static const char *const headers[] = { "ID", "CREATED", "AGENT",
	    "KIND", "PRIORITY", "STATUS", "REASON", NULL };
	struct ctl_table	*t;
	json_t			*s;
	size_t			 i;
	char			 who[200];

	t = ctl_table_new(headers, "lllllll");
	json_array_foreach(list, i, s) {
		ctl_sugg_who(s, who, sizeof who);
		ctl_table_cell(t, NULL, "%s", ctl_json_str(s, "id", "-"));
		ctl_table_cell(t, NULL, "%s", ctl_json_str(s, "created_at",
		    "-"));
		ctl_table_cell(t, NULL, "%s", who);
		ctl_table_cell(t, NULL, "%s", ctl_json_str(s, "kind", "-"));
		ctl_table_cell(t, NULL, "%s", ctl_json_str(s, "priority", "-"));
		ctl_table_cell(t, NULL, "%s", ctl_json_str(s, "status", "-"));
		ctl_table_cell(t, NULL, "%s", ctl_json_str(s, "reason", ""));
	}
	ctl_table_print(t, stdout);
	ctl_table_free(t);
}

/* A JSON value on stdout, compact, one line. */
void
ctl_print_json(json_t *o)
{
	char	*s;

	if ((s = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) {
		ctl_warnx("out of memory");
		exit(CTL_EXIT_FAIL);
	}
	printf("%s\n", s);
	free(s);
}

/* A reply body on stdout as it came, ending in a newline. */
void
ctl_print_raw(const char *body, size_t len)
{
	fwrite(body, 1, len, stdout);
	if (len == 0 || body[len - 1] != '\n')
		putchar('\n');
}

/*
 * Flush standard output.  Returns rc, or CTL_EXIT_FAIL if what was
 * printed could not all be written (reported).
 */
int
ctl_stdout_done(int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctl_warn("standard output");
		return (CTL_EXIT_FAIL);
	}
	return (rc);
}
