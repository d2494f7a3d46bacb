/*
 * respite - respitectl replay: post an NDJSON event file to respited.
 *
 * Lines are read one at a time and sent in batches to POST /v1/events as
 * application/x-ndjson, so a file of any size, or a pipe that is still
 * being written, streams through in bounded memory.  Every batch remembers
 * the file line of each of its events: the server's error `index` counts
 * the batch's non-empty lines, so it maps straight back to a line number.
 * Blank lines are skipped here exactly as the server would skip them
 * (whitespace only), and nothing else is checked: the server validates.
 *
 * --speed keeps the offsets between event times (divided by N), sending
 * together what falls due together; the events keep their own `ts`, which
 * is the model's clock.  --fast (the default) sends as fast as the server
 * commits.  503 and connection failures are retried with back-off (the
 * daemon may be starting or committing); a retried batch whose first
 * attempt did reach the server is acknowledged as duplicates, since the
 * server deduplicates on event ids.  A 4xx stops the replay: the batch
 * was refused as a whole and the events before it are stored, so fixing
 * the line and replaying again is safe.  The HTTP side (address, token,
 * retries, exit statuses) is ctl_http.c, shared with the other commands.
 */
#include "build.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "timeutil.h"
#include "xmalloc.h"

#define REPLAY_BATCH_DEFAULT	500
#define REPLAY_BATCH_MAX	10000		/* the server's max_batch */
#define REPLAY_BODY_MAX		(1024 * 1024)	/* well under max_body (4M) */
/* A line, at most: no event comes near it (text is 16 KiB at most). */
#define REPLAY_LINE_MAX		(1024 * 1024)
#define REPLAY_RETRIES_DEFAULT	8		/* about 20 s in all */
#define REPLAY_REPLY_MAX	(64 * 1024)

struct replay {
	const char	*name;		/* the file, for messages */
	FILE		*f;
	int		 fast;
	double		 speed;
	size_t		 batch_max;
	int		 retries;
	int		 quiet;
	int		 json;		/* the summary as JSON */
	const char	*url;		/* of the events route, for messages */
	struct ctl_http	*http;

	/* The batch being built, and the file line of each of its events. */
	char		*body;
	size_t		 len, cap;
	long		*lines;
	size_t		 n, lcap;

	/* Input. */
	char		*line;
	size_t		 linecap;
	long		 lineno;

	/* Progress. */
	uint64_t	 total;		/* non-blank lines; 0: unknown */
	int64_t		 last_ts;	/* ts of the last line, -1: unknown */
	int64_t		 cur_ts;	/* ts of the latest line sent */
	int64_t		 batch_ts;	/* ts of the batch's latest line */
	uint64_t	 sent, accepted, duplicates;
	double		 t0, shown;
	int		 tty, decile, drawn, printed;
	uint64_t	 printed_sent;
};

/* ---------------------------------------------------------------- input */

static int
is_blank(const char *p, size_t len)
{
	while (len > 0 && isspace((unsigned char)*p))
		p++, len--;
	return (len == 0);
}

/*
 * Read one line of f into *buf (grown as needed, never past max + 1
 * bytes), with its newline if it has one; NUL-terminated.  Returns its
 * length, 0 at the end, -1 on a read error, or -2 for a line longer than
 * max: reading stops there, so a huge line never sits in memory (the
 * rest of it is left unread).
 */
static ssize_t
read_line(FILE *f, char **buf, size_t *cap, size_t max)
{
	size_t	n = 0;
	int	ch;

	for (;;) {
		if (n + 2 > *cap) {
			*cap = *cap == 0 ? 4096 : *cap * 2;
			if (*cap > max + 2)
				*cap = max + 2;
			*buf = xreallocarray(*buf, *cap, 1);
		}
		if ((ch = getc_unlocked(f)) == EOF)
			break;
		if (n == max)
			return (-2);
		(*buf)[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	(*buf)[n] = '\0';
	if (n == 0 && ferror(f))
		return (-1);
	return ((ssize_t)n);
}

/*
 * The next non-blank line into r->line (with its newline, if any) and its
 * number into *lineno.  Returns its length, 0 at the end, -1 on an error
 * (reported).
 */
static ssize_t
next_line(struct replay *r, long *lineno)
{
	ssize_t	n;

	for (;;) {
		errno = 0;
		n = read_line(r->f, &r->line, &r->linecap, REPLAY_LINE_MAX);
		if (n == -1 || (n >= 0 && ferror(r->f))) {
			ctl_warn("%s: reading line %ld", r->name,
			    r->lineno + 1);
			return (-1);
		}
		if (n == 0)
			return (0);
		r->lineno++;
		if (n == -2) {
			ctl_warnx("%s:%ld: line longer than %d MiB; stopped "
			    "there (no event comes near it)", r->name,
			    r->lineno, REPLAY_LINE_MAX / (1024 * 1024));
			return (-1);
		}
		if (!is_blank(r->line, (size_t)n)) {
			*lineno = r->lineno;
			return (n);
		}
	}
}

/* The event time of an NDJSON line, epoch ms; -1 if it has none. */
static int64_t
line_ts(const char *line, size_t len)
{
	json_t		*o, *v;
	json_error_t	 je;
	int64_t		 ms = -1;

	if ((o = json_loadb(line, len, JSON_DECODE_ANY, &je)) == NULL)
		return (-1);
	if (json_is_object(o) && (v = json_object_get(o, "ts")) != NULL) {
		if (json_is_string(v)) {
			if (time_parse_rfc3339(json_string_value(v), &ms) == -1)
				ms = -1;
		} else if (json_is_integer(v))
			ms = (int64_t)json_integer_value(v);
	}
	json_decref(o);
	return (ms);
}

/*
 * For a regular file: count the events and find the last one's time, for
 * the percentage and the ETA, then go back to where we were.
 */
static void
prescan(struct replay *r)
{
	struct stat	 st;
	off_t		 where;
	char		*line = NULL, *last = NULL;
	size_t		 cap = 0, lastcap = 0;
	ssize_t		 n, lastlen = 0;

	r->total = 0;
	r->last_ts = -1;
	if (fstat(fileno(r->f), &st) == -1 || !S_ISREG(st.st_mode))
		return;
	if ((where = ftello(r->f)) == -1)
		return;
	/* A line over the limit ends the count: replaying stops there. */
	while ((n = read_line(r->f, &line, &cap, REPLAY_LINE_MAX)) > 0) {
		if (is_blank(line, (size_t)n))
			continue;
		r->total++;
		if (!r->fast) {
			if ((size_t)n + 1 > lastcap) {
				lastcap = (size_t)n + 1;
				last = xreallocarray(last, lastcap, 1);
			}
			memcpy(last, line, (size_t)n);
			lastlen = n;
		}
	}
	if (last != NULL)
		r->last_ts = line_ts(last, (size_t)lastlen);
	free(line);
	free(last);
	clearerr(r->f);
	if (fseeko(r->f, where, SEEK_SET) == -1) {
		ctl_warn("%s: seek", r->name);
		r->total = 0;
	}
}

/* ---------------------------------------------------------------- progress */

static void
fmt_duration(double s, char *buf, size_t len)
{
	long	t = lround(s);

	if (t < 100)
		snprintf(buf, len, "%ld s", t);
	else if (t < 6000)
		snprintf(buf, len, "%ld min %ld s", t / 60, t % 60);
	else
		snprintf(buf, len, "%ld h %ld min", t / 3600, t / 60 % 60);
}

/*
 * The progress line on stderr: redrawn with \r at most ten times a second
 * on a terminal, else one line per 10 % (or per 10 s when the total is
 * unknown, as on a pipe).
 */
static void
progress(struct replay *r, int final)
{
	char	line[256], eta[32], pct[32];
	double	now, elapsed, rate, left = -1;
	int	decile;

	if (r->quiet)
		return;
	now = time_monotonic_s();
	elapsed = now - r->t0;
	rate = elapsed > 0 ? (double)r->sent / elapsed : 0;
	if (r->tty && !final && now - r->shown < 0.1)
		return;

	pct[0] = '\0';
	if (r->total > 0) {
		snprintf(pct, sizeof pct, " of %" PRIu64, r->total);
		if (r->fast && rate > 0)
			left = (double)(r->total - r->sent) / rate;
	}
	if (!r->fast && r->last_ts >= 0 && r->cur_ts >= 0)
		left = fmax(0, (double)(r->last_ts - r->cur_ts) / 1000.0 /
		    r->speed);
	if (final)
		left = 0;
	if (left >= 0)
		fmt_duration(left, eta, sizeof eta);
	else
		snprintf(eta, sizeof eta, "?");
	snprintf(line, sizeof line, "%" PRIu64 "%s events sent", r->sent, pct);
	if (r->total > 0)
		snprintf(line + strlen(line), sizeof line - strlen(line),
		    " (%d %%)", (int)(r->sent * 100 / r->total));
	snprintf(line + strlen(line), sizeof line - strlen(line), ", %"
	    PRIu64 " accepted, %" PRIu64 " duplicates, %.0f ev/s, ETA %s",
	    r->accepted, r->duplicates, rate, eta);

	if (r->tty) {
		fprintf(stderr, "\r%s\033[K", line);
		r->drawn = 1;
		if (final) {
			fputc('\n', stderr);
			r->drawn = 0;
		}
		r->shown = now;
		return;
	}
	if (final) {
		if (r->printed && r->printed_sent == r->sent)
			return;		/* the last line said it already */
	} else if (r->total > 0) {
		decile = (int)(r->sent * 10 / r->total);
		if (decile <= r->decile)
			return;
		r->decile = decile;
	} else if (now - r->shown < 10)
		return;
	fprintf(stderr, "%s\n", line);
	r->shown = now;
	r->printed = 1;
	r->printed_sent = r->sent;
}

/* Before another message: end a half-drawn progress line. */
static void
progress_break(struct replay *r)
{
	if (r->drawn) {
		fputc('\n', stderr);
		r->drawn = 0;
	}
}

/* ---------------------------------------------------------------- HTTP */

/* Before ctl_http's messages: end a half-drawn progress line. */
static void
notice_cb(void *arg)
{
	progress_break(arg);
}

/* The lines of the current batch, "line 7" or "lines 7-12". */
static void
batch_lines(const struct replay *r, char *buf, size_t len)
{
	if (r->n == 1)
		snprintf(buf, len, "line %ld", r->lines[0]);
	else
		snprintf(buf, len, "lines %ld-%ld", r->lines[0],
		    r->lines[r->n - 1]);
}

/* Report a refused batch: the server's error mapped to the file's line. */
static void
report_refusal(struct replay *r, long status)
{
	json_t		*o, *err, *v;
	const char	*code = NULL, *message = NULL, *field = NULL, *p;
	char		 where[64], fieldbuf[80];
	long		 index = -1;

	o = ctl_http_reply_json(r->http);
	if (o != NULL && (err = json_object_get(o, "error")) != NULL) {
		code = json_string_value(json_object_get(err, "code"));
		message = json_string_value(json_object_get(err, "message"));
		field = json_string_value(json_object_get(err, "field"));
		if ((v = json_object_get(err, "index")) != NULL &&
		    json_is_integer(v))
			index = (long)json_integer_value(v);
	}
	fieldbuf[0] = '\0';
	if (field != NULL)
		snprintf(fieldbuf, sizeof fieldbuf, " (field %s)", field);
	progress_break(r);
	if (code != NULL && (status == 401 || status == 403)) {
		ctl_warnx("%s: HTTP %ld %s: %s%s", r->url, status, code,
		    message != NULL ? message : "", status == 401 ?
		    " (--token-file FILE gives a token)" : "");
		json_decref(o);
		return;
	}
	if (code == NULL) {
		batch_lines(r, where, sizeof where);
		ctl_warnx("%s: %s: HTTP %ld from %s, not a respite API reply"
		    " (is --url right?)", r->name, where, status, r->url);
	} else if (index >= 0 && (size_t)index < r->n) {
		/* "events[3].agent: ..." counts in the batch: the line says. */
		if (message != NULL && strncmp(message, "events[", 7) == 0 &&
		    (p = strchr(message, ']')) != NULL) {
			message = p + 1;
			if (*message == '.')
				message++;
			else if (*message == ':')
				message += strspn(message, ": ");
		}
		ctl_warnx("%s:%ld: %s%s: %s", r->name, r->lines[index], code,
		    fieldbuf, message != NULL ? message : "");
	} else {
		batch_lines(r, where, sizeof where);
		ctl_warnx("%s: %s: %s%s: %s%s", r->name, where, code, fieldbuf,
		    message != NULL ? message : "",
		    strcmp(code, "too_large") == 0 ?
		    " (a smaller --batch may help)" : "");
	}
	if (r->sent == 0)
		ctl_warnx("stopped: nothing was stored");
	else
		ctl_warnx("stopped: the batch from line %ld on was refused as "
		    "a whole; the %" PRIu64 " events before it are stored (%"
		    PRIu64 " accepted, %" PRIu64 " duplicates)", r->lines[0],
		    r->sent, r->accepted, r->duplicates);
	json_decref(o);
}

/*
 * POST the batch, retrying what may pass.  Returns CTL_EXIT_OK, or
 * CTL_EXIT_FAIL, CTL_EXIT_UNAVAILABLE or CTL_EXIT_TEMPFAIL with the reason
 * reported.
 */
static int
post_batch(struct replay *r)
{
	json_t	*o;
	long	 status;
	int	 rc;

	rc = ctl_http_request(r->http, "POST", "/v1/events",
	    "application/x-ndjson", r->body, r->len);
	status = ctl_http_status(r->http);
	if (rc == CTL_EXIT_FAIL && status != 0) {
		report_refusal(r, status);
		return (CTL_EXIT_FAIL);
	}
	if (rc != CTL_EXIT_OK)
		return (rc);
	o = ctl_http_reply_json(r->http);
	if (o == NULL || !json_is_integer(json_object_get(o, "accepted")) ||
	    !json_is_integer(json_object_get(o, "duplicates"))) {
		progress_break(r);
		ctl_warnx("%s: HTTP %ld without {\"accepted\", \"duplicates\"} "
		    "(is --url a respited?)", r->url, status);
		json_decref(o);
		return (CTL_EXIT_FAIL);
	}
	r->accepted += (uint64_t)json_integer_value(json_object_get(o,
	    "accepted"));
	r->duplicates += (uint64_t)json_integer_value(json_object_get(o,
	    "duplicates"));
	r->sent += r->n;
	json_decref(o);
	return (CTL_EXIT_OK);
}

static int
flush(struct replay *r)
{
	int	rc;

	if (r->n == 0)
		return (CTL_EXIT_OK);
	if ((rc = post_batch(r)) != CTL_EXIT_OK)
		return (rc);
	r->len = 0;
	r->n = 0;
	r->cur_ts = r->batch_ts;
	progress(r, 0);
	return (CTL_EXIT_OK);
}

static void
batch_add(struct replay *r, const char *line, size_t len, long lineno)
{
	if (r->len + len + 1 > r->cap) {
		r->cap = r->len + len + 1 > 2 * r->cap ? r->len + len + 1 :
		    2 * r->cap;
		r->body = xreallocarray(r->body, r->cap, 1);
	}
	memcpy(r->body + r->len, line, len);
	r->len += len;
	if (len == 0 || line[len - 1] != '\n')
		r->body[r->len++] = '\n';
	if (r->n == r->lcap) {
		r->lcap = r->lcap ? r->lcap * 2 : 64;
		r->lines = xreallocarray(r->lines, r->lcap, sizeof *r->lines);
	}
	r->lines[r->n++] = lineno;
}

/* ---------------------------------------------------------------- replay */

static int
replay_run(struct replay *r)
{
	ssize_t		 len;
	long		 lineno;
	int		 rc;
	int64_t		 ts, first_ts = -1, due_ts = -1;
	double		 due = 0, now;

	r->t0 = time_monotonic_s();
	r->cur_ts = r->batch_ts = -1;
	for (;;) {
		if ((len = next_line(r, &lineno)) == -1)
			return (CTL_EXIT_FAIL);
		if (len == 0)
			break;
		if (!r->fast) {
			/*
			 * Due at the offset of its ts from the first one,
			 * divided by the speed.  A line without a ts, or
			 * with one earlier than the last, goes with what
			 * came before it.
			 */
			if ((ts = line_ts(r->line, (size_t)len)) >= 0) {
				if (first_ts < 0)
					first_ts = ts;
				if (ts > due_ts) {
					due = r->t0 + (double)(ts - first_ts) /
					    1000.0 / r->speed;
					due_ts = ts;
				}
			}
			now = time_monotonic_s();
			if (due > now && r->n > 0) {
				/* Send what is due before waiting. */
				if ((rc = flush(r)) != CTL_EXIT_OK)
					return (rc);
				now = time_monotonic_s();
			}
			while (due > now) {
				progress(r, 0);
				ctl_sleep(fmin(due - now, 0.1));
				now = time_monotonic_s();
			}
		}
		if (r->n > 0 && (r->n >= r->batch_max ||
		    r->len + (size_t)len + 1 > REPLAY_BODY_MAX)) {
			if ((rc = flush(r)) != CTL_EXIT_OK)
				return (rc);
		}
		batch_add(r, r->line, (size_t)len, lineno);
		r->batch_ts = due_ts;
	}
	if ((rc = flush(r)) != CTL_EXIT_OK)
		return (rc);
	progress(r, 1);
	return (CTL_EXIT_OK);
}

static const struct option replay_longopts[] = {
	{ "speed", required_argument, NULL, 's' },
	{ "fast", no_argument, NULL, 'f' },
	{ "batch", required_argument, NULL, 'b' },
	{ "retries", required_argument, NULL, 'r' },
	{ "token", required_argument, NULL, CTL_OPT_TOKEN_FILE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	CTL_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int
replay_exec(int argc, char **argv)
{
	struct replay	 r;
	struct ctl_opts	 opts;
	const char	*path;
	char		*url = NULL;
	long long	 v;
	int		 ch, rc = CTL_EXIT_FAIL, speed_set = 0, fast_set = 0;
	double		 elapsed;

	memset(&r, 0, sizeof r);
	r.fast = 1;
	r.speed = 1;
	r.batch_max = REPLAY_BATCH_DEFAULT;
	r.retries = REPLAY_RETRIES_DEFAULT;
	ctl_opts_init(&opts);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":qh", replay_longopts,
	    NULL)) != -1) {
		if (ctl_opts_set(&opts, ch, optarg))
			continue;
		switch (ch) {
		case 's':
			if (ctl_parse_double(optarg, 1e-3, 1e9, &r.speed) ==
			    -1) {
				ctl_warnx("--speed: a number above 0 (1 real "
				    "time, 60 an hour a minute), not \"%s\"",
				    optarg);
				return (CTL_EXIT_USAGE);
			}
			r.fast = 0;
			speed_set = 1;
			break;
		case 'f':
			fast_set = 1;
			break;
		case 'b':
			if (ctl_parse_long(optarg, 1, REPLAY_BATCH_MAX, &v) ==
			    -1) {
				ctl_warnx("--batch: a whole number from 1 to "
				    "%d, not \"%s\"", REPLAY_BATCH_MAX, optarg);
				return (CTL_EXIT_USAGE);
			}
			r.batch_max = (size_t)v;
			break;
		case 'r':
			if (ctl_parse_long(optarg, 0, 1000, &v) == -1) {
				ctl_warnx("--retries: a whole number from 0 to "
				    "1000, not \"%s\"", optarg);
				return (CTL_EXIT_USAGE);
			}
			r.retries = (int)v;
			break;
		case 'q':
			r.quiet = 1;
			break;
		case 'h':
			ctl_usage_cmd(&ctl_replay_cmd, 0);
			/* NOTREACHED */
		default:
			ctl_bad_option(&ctl_replay_cmd, ch, argv);
			/* NOTREACHED */
		}
	}
	if (speed_set && fast_set) {
		ctl_warnx("--speed and --fast exclude each other");
		return (CTL_EXIT_USAGE);
	}
	if (argc - optind != 1) {
		ctl_warnx(optind == argc ? "replay: which file? (- for stdin)" :
		    "replay: one file at a time");
		ctl_usage_cmd(&ctl_replay_cmd, CTL_EXIT_USAGE);
	}
	path = argv[optind];
	r.json = opts.json;
	if ((rc = ctl_http_open(&opts, &r.http)) != CTL_EXIT_OK)
		return (rc);
	rc = CTL_EXIT_FAIL;
	ctl_http_set_retries(r.http, r.retries, 1);
	ctl_http_set_quiet(r.http, r.quiet);
	ctl_http_set_reply_max(r.http, REPLAY_REPLY_MAX);
	ctl_http_set_notice(r.http, notice_cb, &r);
	xasprintf(&url, "%s/v1/events", ctl_http_base(r.http));
	r.url = url;

	if (strcmp(path, "-") == 0) {
		r.f = stdin;
		r.name = "stdin";
	} else {
		if ((r.f = fopen(path, "r")) == NULL) {
			ctl_warn("%s", path);
			goto out;
		}
		r.name = path;
	}
	r.tty = isatty(STDERR_FILENO);
	prescan(&r);

	rc = replay_run(&r);
	if (rc == CTL_EXIT_OK) {
		elapsed = time_monotonic_s() - r.t0;
		if (r.json)
			printf("{\"events\": %" PRIu64 ", \"accepted\": %"
			    PRIu64 ", \"duplicates\": %" PRIu64 ", "
			    "\"seconds\": %.3f}\n", r.sent, r.accepted,
			    r.duplicates, elapsed);
		else
			printf("replayed %" PRIu64 " events (%" PRIu64
			    " accepted, %" PRIu64 " duplicates) in %.2f s\n",
			    r.sent, r.accepted, r.duplicates, elapsed);
	}

out:
	ctl_http_close(r.http);
	if (r.f != NULL && r.f != stdin)
		fclose(r.f);
	free(url);
	free(r.body);
	free(r.lines);
	free(r.line);
	return (rc);
}

const struct ctl_cmd ctl_replay_cmd = {
	"replay",
	"[--fast | --speed N] [--batch N] [--retries N] [-q]\n"
	"           " CTL_COMMON_USAGE " FILE|-",
	"Post an NDJSON event file (- for stdin) to a running respited.",
	"  --fast            as fast as respited takes them (the default),\n"
	"                    with the events' times intact\n"
	"  --speed N         keep the offsets between event times, divided\n"
	"                    by N (1 real time, 60 an hour a minute)\n"
	"  --batch N         events per request (default 500, at most 10000)\n"
	"  --retries N       retries of a request that found no daemon, a 503\n"
	"                    or a 429 (default 8, with back-off: about 20 s)\n"
	"  -q, --quiet       no progress line\n"
	CTL_COMMON_HELP
	"  --token FILE      the same as --token-file\n"
	"\nWith --json the summary is {\"events\", \"accepted\", \"duplicates\",\n"
	"\"seconds\"}.  Stops at the first refused batch, naming the file line\n"
	"(exit 1); exits 69 if respited cannot be reached, 75 if it stays\n"
	"unavailable (503).\n",
	replay_exec
};
