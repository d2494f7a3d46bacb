/*
 * Unit tests for daemon/common/config.c: the built-in defaults, every key of
 * every section, size and time suffixes, and the "FILE:LINE: message"
 * errors for unknown keys and sections, bad values, out-of-range values
 * and syntax errors.  Configuration files are written into a mkdtemp
 * directory.
 */
#include "build.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "unit_common.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

#define assert_near(a, b) do {						\
	double	got_ = (a), want_ = (b);				\
	if (!(got_ - want_ < 1e-9 && want_ - got_ < 1e-9))		\
		fail_msg("%s = %.12g, expected %.12g", #a, got_, want_); \
} while (0)

static struct tmpdb	tconf;
static const char	*dir = tconf.dir, *conf = tconf.path;

static int
setup(void **state)
{
	(void)state;
	return (tmpdir_make(&tconf, "config", "respite.conf"));
}

static int
teardown(void **state)
{
	char	path[160];

	(void)state;
	snprintf(path, sizeof path, "%s/log", dir);
	unlink(path);
	return (tmpdb_remove(&tconf));
}

static void
write_conf(const char *text)
{
	FILE	*f;

	if ((f = fopen(conf, "w")) == NULL)
		fail_msg("cannot write %s", conf);
	fputs(text, f);
	fclose(f);
}

/* Load text as a configuration file; it must load. */
static struct config *
load_ok(const char *text)
{
	struct config	*cf;
	char		*cause = NULL;

	write_conf(text);
	if ((cf = config_load(conf, &cause)) == NULL)
		fail_msg("refused: %s", cause);
	assert_null(cause);
	return (cf);
}

/* Load text; it must fail with "FILE:" followed by what. */
static void
load_bad(const char *text, const char *what)
{
	struct config	*cf;
	char		*cause = NULL, want[512];

	write_conf(text);
	snprintf(want, sizeof want, "%s:%s", conf, what);
	cf = config_load(conf, &cause);
	if (cf != NULL) {
		config_free(cf);
		fail_msg("accepted:\n%s", text);
	}
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

static void
check_defaults(const struct config *cf)
{
	assert_int_equal(cf->nlisten, 1);
	assert_string_equal(cf->listen[0], "127.0.0.1:7878");
	assert_int_equal(cf->max_body, 4 * 1024 * 1024);
	assert_int_equal(cf->max_batch, 10000);
	assert_int_equal(cf->max_connections, 1024);
	assert_int_equal(cf->max_clock_skew_s, 300);
	assert_int_equal(cf->idle_timeout_s, 60);
	assert_int_equal(cf->request_timeout_s, 30);
	assert_int_equal(cf->sync_full, 1);
	assert_int_equal(cf->commit_max_events, 20000);
	assert_int_equal(cf->log_level, LOG_LEVEL_INFO);
	assert_string_equal(cf->timezone, "UTC");
	assert_int_equal(cf->day_starts_at_min, 240);
	assert_int_equal(cf->natural_break_min, 5);
	assert_near(cf->hostile_threshold, 0.5);
	assert_near(cf->exposure_half_life_min, 30);
	assert_near(cf->weight_phone, 1.5);
	assert_near(cf->weight_chat, 1.0);
	assert_near(cf->weight_email, 0.7);
	assert_near(cf->weight_social, 1.0);
	assert_near(cf->weight_messaging, 0.9);
	assert_near(cf->weight_other, 1.0);
}

static void
test_defaults(void **state)
{
	struct config	*cf;
	char		*cause = NULL;

	(void)state;
	unsetenv("STATE_DIRECTORY");
	cf = config_load(NULL, &cause);
	assert_non_null(cf);
	assert_null(cause);
	assert_null(cf->file);
	check_defaults(cf);
	assert_string_equal(cf->storage_path,
	    LOCALSTATEDIR "/lib/respite/respite.db");
	config_free(cf);

	cf = config_defaults();
	check_defaults(cf);
	config_free(cf);

	/* An empty file, or one of comments only, is all defaults. */
	cf = load_ok("");
	check_defaults(cf);
	assert_string_equal(cf->file, conf);
	config_free(cf);
	cf = load_ok("; nothing\n# here\n\n[server]\n[model]\n");
	check_defaults(cf);
	config_free(cf);
	config_free(NULL);
}

static void
test_state_directory(void **state)
{
	struct config	*cf;

	(void)state;
	setenv("STATE_DIRECTORY", "/srv/respite", 1);
	assert_string_equal(config_default_storage_path(),
	    "/srv/respite/respite.db");
	setenv("STATE_DIRECTORY", "/a/one:/b/two", 1);
	assert_string_equal(config_default_storage_path(), "/a/one/respite.db");
	cf = config_defaults();
	assert_string_equal(cf->storage_path, "/a/one/respite.db");
	config_free(cf);
	setenv("STATE_DIRECTORY", "", 1);
	assert_string_equal(config_default_storage_path(),
	    LOCALSTATEDIR "/lib/respite/respite.db");
	unsetenv("STATE_DIRECTORY");
}

static void
test_every_key(void **state)
{
	struct config	*cf;

	(void)state;
	cf = load_ok(
	    "[server]\n"
	    "listen = 0.0.0.0:8080\n"
	    "max_body = 8M\n"
	    "max_batch = 500\n"
	    "max_connections = 200\n"
	    "max_clock_skew = 2m\n"
	    "idle_timeout = 90s\n"
	    "request_timeout = 1h\n"
	    "\n"
	    "[storage]\n"
	    "path = /srv/respite/events.db\n"
	    "synchronous = normal\n"
	    "commit_max_events = 5000\n"
	    "\n"
	    "[log]\n"
	    "level = debug\n"
	    "\n"
	    "[model]\n"
	    "timezone = Europe/Berlin\n"
	    "day_starts_at = 05:30\n"
	    "natural_break_min = 10\n"
	    "hostile_threshold = 0.7\n"
	    "exposure_half_life_min = 45\n"
	    "weight_phone = 2\n"
	    "weight_chat = 1.25\n"
	    "weight_email = 0.5\n"
	    "weight_social = 0.8\n"
	    "weight_messaging = 0.75\n"
	    "weight_other = 0\n");
	assert_int_equal(cf->nlisten, 1);
	assert_string_equal(cf->listen[0], "0.0.0.0:8080");
	assert_int_equal(cf->max_body, 8 * 1024 * 1024);
	assert_int_equal(cf->max_batch, 500);
	assert_int_equal(cf->max_connections, 200);
	assert_int_equal(cf->max_clock_skew_s, 120);
	assert_int_equal(cf->idle_timeout_s, 90);
	assert_int_equal(cf->request_timeout_s, 3600);
	assert_string_equal(cf->storage_path, "/srv/respite/events.db");
	assert_int_equal(cf->sync_full, 0);
	assert_int_equal(cf->commit_max_events, 5000);
	assert_int_equal(cf->log_level, LOG_LEVEL_DEBUG);
	assert_string_equal(cf->timezone, "Europe/Berlin");
	assert_int_equal(cf->day_starts_at_min, 330);
	assert_int_equal(cf->natural_break_min, 10);
	assert_near(cf->hostile_threshold, 0.7);
	assert_near(cf->exposure_half_life_min, 45);
	assert_near(cf->weight_phone, 2);
	assert_near(cf->weight_chat, 1.25);
	assert_near(cf->weight_email, 0.5);
	assert_near(cf->weight_social, 0.8);
	assert_near(cf->weight_messaging, 0.75);
	assert_near(cf->weight_other, 0);
	assert_string_equal(cf->file, conf);
	config_free(cf);
}

static void
test_repeated_listen(void **state)
{
	struct config	*cf;
	char		 text[1024];
	size_t		 n, i;

	(void)state;
	/* The first listen line replaces the default, later ones add. */
	cf = load_ok("[server]\nlisten = 127.0.0.1:9000\n"
	    "max_batch = 5\nlisten = [::1]:9000\n");
	assert_int_equal(cf->nlisten, 2);
	assert_string_equal(cf->listen[0], "127.0.0.1:9000");
	assert_string_equal(cf->listen[1], "[::1]:9000");
	config_free(cf);

	/* Sixteen are allowed, the seventeenth is line 18. */
	n = (size_t)snprintf(text, sizeof text, "[server]\n");
	for (i = 0; i < 16; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
		    "listen = 127.0.0.1:%zu\n", 9000 + i);
	cf = load_ok(text);
	assert_int_equal(cf->nlisten, 16);
	assert_string_equal(cf->listen[15], "127.0.0.1:9015");
	config_free(cf);
	snprintf(text + n, sizeof text - n, "listen = 127.0.0.1:9016\n");
	load_bad(text, "18: at most 16 listen lines");

	load_bad("[server]\nlisten = localhost\n", "2: listen: expected "
	    "a numeric HOST:PORT, [IPV6]:PORT or *:PORT with a port from 1 "
	    "to 65535, got \"localhost\"");
	load_bad("[server]\nlisten = localhost:7878\n", "2: listen: expected "
	    "a numeric HOST:PORT, [IPV6]:PORT or *:PORT with a port from 1 "
	    "to 65535, got \"localhost:7878\"");
	load_bad("[server]\nlisten = 127.0.0.1:\n", "2: listen: expected "
	    "a numeric HOST:PORT, [IPV6]:PORT or *:PORT with a port from 1 "
	    "to 65535, got \"127.0.0.1:\"");
	load_bad("[server]\nlisten = 127.0.0.1:0\n", "2: listen: expected "
	    "a numeric HOST:PORT, [IPV6]:PORT or *:PORT with a port from 1 "
	    "to 65535, got \"127.0.0.1:0\"");
	load_bad("[server]\nlisten =\n", "2: listen: expected "
	    "a numeric HOST:PORT, [IPV6]:PORT or *:PORT with a port from 1 "
	    "to 65535, got \"\"");
	cf = load_ok("[server]\nlisten = *:9000\n");
	config_free(cf);
}

static void
test_sizes(void **state)
{
	static const struct {
		const char	*value;
		size_t		 bytes;
	} ok[] = {
		{ "4M", 4194304 },
		{ "4m", 4194304 },
		{ "4MiB", 4194304 },
		{ "4MB", 4194304 },
		{ "4 M", 4194304 },
		{ "512K", 524288 },
		{ "512k", 524288 },
		{ "1.5K", 1536 },
		{ "1G", 1073741824 },
		{ "1024", 1024 },
		{ "65536", 65536 },
	};
	struct config	*cf;
	char		 text[128];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(text, sizeof text, "[server]\nmax_body = %s\n",
		    ok[i].value);
		cf = load_ok(text);
		if (cf->max_body != ok[i].bytes)
			fail_msg("max_body = %s gave %zu, expected %zu",
			    ok[i].value, cf->max_body, ok[i].bytes);
		config_free(cf);
	}
	load_bad("[server]\nmax_body = 4X\n",
	    "2: max_body: invalid value \"4X\"");
	load_bad("[server]\nmax_body = 4T\n",
	    "2: max_body: invalid value \"4T\"");
	load_bad("[server]\nmax_body = 4Mx\n",
	    "2: max_body: invalid value \"4Mx\"");
	load_bad("[server]\nmax_body = M\n",
	    "2: max_body: invalid value \"M\"");
	load_bad("[server]\nmax_body = 1000.5\n",
	    "2: max_body: invalid value \"1000.5\"");
	load_bad("[server]\nmax_body = 1023\n",
	    "2: max_body: 1023 is out of range (1024 to 1073741824)");
	load_bad("[server]\nmax_body = 2G\n",
	    "2: max_body: 2G is out of range (1024 to 1073741824)");
}

static void
test_seconds(void **state)
{
	static const struct {
		const char	*value;
		long		 s;
	} ok[] = {
		{ "30", 30 },
		{ "30s", 30 },
		{ "2m", 120 },
		{ "10min", 600 },
		{ "1.5m", 90 },
		{ "1h", 3600 },
		{ "24h", 86400 },
		{ "0", 0 },
	};
	struct config	*cf;
	char		 text[128];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(text, sizeof text, "[server]\nmax_clock_skew = %s\n",
		    ok[i].value);
		cf = load_ok(text);
		if (cf->max_clock_skew_s != ok[i].s)
			fail_msg("max_clock_skew = %s gave %ld, expected %ld",
			    ok[i].value, cf->max_clock_skew_s, ok[i].s);
		config_free(cf);
	}
	load_bad("[server]\nmax_clock_skew = 2d\n",
	    "2: max_clock_skew: invalid value \"2d\"");
	load_bad("[server]\nmax_clock_skew = 5H\n",
	    "2: max_clock_skew: invalid value \"5H\"");
	load_bad("[server]\nmax_clock_skew = 1.5\n",
	    "2: max_clock_skew: invalid value \"1.5\"");
	load_bad("[server]\nmax_clock_skew = soon\n",
	    "2: max_clock_skew: invalid value \"soon\"");
	load_bad("[server]\nmax_clock_skew = 25h\n",
	    "2: max_clock_skew: 25h is out of range (0 to 86400)");
	load_bad("[server]\nmax_clock_skew = -1\n",
	    "2: max_clock_skew: -1 is out of range (0 to 86400)");
	load_bad("[server]\nidle_timeout = 0\n",
	    "2: idle_timeout: 0 is out of range (1 to 3600)");
	load_bad("[server]\nrequest_timeout = 2h\n",
	    "2: request_timeout: 2h is out of range (1 to 3600)");
}

static void
test_counts_and_reals(void **state)
{
	struct config	*cf;

	(void)state;
	cf = load_ok("[server]\nmax_batch = 1\nmax_connections = 100000\n"
	    "[storage]\ncommit_max_events = 1000000\n"
	    "[model]\nnatural_break_min = 120\nhostile_threshold = 0\n"
	    "exposure_half_life_min = 1440\nweight_phone = 10\n");
	assert_int_equal(cf->max_batch, 1);
	assert_int_equal(cf->max_connections, 100000);
	assert_int_equal(cf->commit_max_events, 1000000);
	assert_int_equal(cf->natural_break_min, 120);
	assert_near(cf->hostile_threshold, 0);
	assert_near(cf->exposure_half_life_min, 1440);
	assert_near(cf->weight_phone, 10);
	config_free(cf);

	load_bad("[server]\nmax_batch = 0\n",
	    "2: max_batch: 0 is out of range (1 to 1000000)");
	load_bad("[server]\nmax_batch = 1000001\n",
	    "2: max_batch: 1000001 is out of range (1 to 1000000)");
	load_bad("[server]\nmax_batch = -5\n",
	    "2: max_batch: -5 is out of range (1 to 1000000)");
	load_bad("[server]\nmax_batch = many\n",
	    "2: max_batch: invalid value \"many\"");
	load_bad("[server]\nmax_batch = 2.5\n",
	    "2: max_batch: invalid value \"2.5\"");
	load_bad("[server]\nmax_batch = 10K\n",
	    "2: max_batch: invalid value \"10K\"");
	load_bad("[server]\nmax_batch =\n",
	    "2: max_batch: invalid value \"\"");
	load_bad("[server]\nmax_connections = 100001\n",
	    "2: max_connections: 100001 is out of range (1 to 100000)");
	load_bad("[storage]\ncommit_max_events = 0\n",
	    "2: commit_max_events: 0 is out of range (1 to 1000000)");
	load_bad("[model]\nnatural_break_min = 121\n",
	    "2: natural_break_min: 121 is out of range (1 to 120)");
	load_bad("[model]\nhostile_threshold = 1.5\n",
	    "2: hostile_threshold: 1.5 is out of range (0 to 1)");
	load_bad("[model]\nhostile_threshold = 0.5x\n",
	    "2: hostile_threshold: invalid value \"0.5x\"");
	load_bad("[model]\nhostile_threshold = nan\n",
	    "2: hostile_threshold: invalid value \"nan\"");
	load_bad("[model]\nexposure_half_life_min = 0.5\n",
	    "2: exposure_half_life_min: 0.5 is out of range (1 to 1440)");
	load_bad("[model]\nweight_email = 11\n",
	    "2: weight_email: 11 is out of range (0 to 10)");
	load_bad("[model]\nweight_chat = -0.1\n",
	    "2: weight_chat: -0.1 is out of range (0 to 10)");
	load_bad("[model]\nweight_social = inf\n",
	    "2: weight_social: invalid value \"inf\"");
}

static void
test_words(void **state)
{
	struct config	*cf;

	(void)state;
	cf = load_ok("[storage]\nsynchronous = FULL\n[log]\nlevel = Warning\n"
	    "[model]\ntimezone = America/Los_Angeles\nday_starts_at = 00:00\n");
	assert_int_equal(cf->sync_full, 1);
	assert_int_equal(cf->log_level, LOG_LEVEL_WARNING);
	assert_string_equal(cf->timezone, "America/Los_Angeles");
	assert_int_equal(cf->day_starts_at_min, 0);
	config_free(cf);
	cf = load_ok("[log]\nlevel = error\n[model]\nday_starts_at = 23:59\n");
	assert_int_equal(cf->log_level, LOG_LEVEL_ERROR);
	assert_int_equal(cf->day_starts_at_min, 23 * 60 + 59);
	config_free(cf);

	load_bad("[storage]\nsynchronous = off\n",
	    "2: synchronous: expected full or normal, got \"off\"");
	load_bad("[log]\nlevel = loud\n", "2: level: expected error, warning, "
	    "info or debug, got \"loud\"");
	load_bad("[model]\ntimezone = Nope/Zone\n",
	    "2: timezone: unknown time zone \"Nope/Zone\"");
	load_bad("[model]\ntimezone = ../etc/passwd\n",
	    "2: timezone: unknown time zone \"../etc/passwd\"");
	load_bad("[storage]\npath =\n", "2: path: must not be empty");
}

static void
test_clock(void **state)
{
	static const char	*bad[] = { "4:00", "24:00", "12:60", "04:0x",
	    "0400", "04-00", "+4:00", " 4:00", "04:00:00", "noon", "-1:00",
	    "4:000" };
	char			 text[128], what[128];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, "[model]\nday_starts_at = %s\n",
		    bad[i]);
		/* inih strips the leading space. */
		snprintf(what, sizeof what, "2: day_starts_at: expected HH:MM, "
		    "got \"%s\"", bad[i][0] == ' ' ? bad[i] + 1 : bad[i]);
		load_bad(text, what);
	}
}

static void
test_unknown_key_and_section(void **state)
{
	(void)state;
	load_bad("[server]\nmax_batch = 5\nfoo = 1\n",
	    "3: unknown key \"foo\" in [server]");
	load_bad("# comment\n\n[server]\nlevel = debug\n",
	    "4: unknown key \"level\" in [server]");
	load_bad("[server]\nmax_batch = 5\n\n[nope]\nx = 1\n",
	    "5: unknown section [nope]");
	load_bad("max_batch = 5\n", "1: unknown section []");
	/* Names are case-sensitive. */
	load_bad("[Server]\nmax_batch = 5\n", "2: unknown section [Server]");
	load_bad("[server]\nMax_Batch = 5\n",
	    "2: unknown key \"Max_Batch\" in [server]");
}

static void
test_first_error_wins(void **state)
{
	(void)state;
	load_bad("[server]\nmax_batch = 0\nfoo = 1\n[nope]\nx = 1\n",
	    "2: max_batch: 0 is out of range (1 to 1000000)");
	load_bad("[server]\nmax_batch = 5\nfoo = 1\nmax_batch = 0\n",
	    "3: unknown key \"foo\" in [server]");
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	load_bad("[server\nmax_batch = 5\n", "1: syntax error (expected "
	    "[section] or key = value)");
	load_bad("[server]\nmax_batch 5\n", "2: syntax error (expected "
	    "[section] or key = value)");
	/* A syntax error before a bad key is reported as what it is. */
	load_bad("[server]\nmax_batch 5\nbogus = 1\n", "2: syntax error "
	    "(expected [section] or key = value)");
	load_bad("[server]\nmax_batch = 5\nnonsense\n[nope]\nx = 1\n",
	    "3: syntax error (expected [section] or key = value)");
}

static void
test_comments_and_spacing(void **state)
{
	struct config	*cf;

	(void)state;
	cf = load_ok("; leading comment\n"
	    "# hash comment\n"
	    "[server]   \n"
	    "   max_batch   =   50   ; inline comment\n"
	    "max_connections=7\n"
	    "max_body: 2K\n"
	    "\r\n"
	    "[model]\r\n"
	    "timezone = Europe/Berlin\r\n");
	assert_int_equal(cf->max_batch, 50);
	assert_int_equal(cf->max_connections, 7);
	assert_int_equal(cf->max_body, 2048);
	assert_string_equal(cf->timezone, "Europe/Berlin");
	config_free(cf);
}

static void
test_long_lines(void **state)
{
	struct config	*cf;
	char		 text[1024], path[400];

	(void)state;
	/* A long path that fits inih's line buffer is kept whole. */
	memset(path, 'p', 180);
	path[0] = '/';
	path[180] = '\0';
	snprintf(text, sizeof text, "[storage]\npath = %s\n", path);
	cf = load_ok(text);
	assert_string_equal(cf->storage_path, path);
	config_free(cf);

	/* A longer one is refused on its own line, never cut short. */
	memset(path, 'p', 300);
	path[0] = '/';
	path[300] = '\0';
	snprintf(text, sizeof text, "[storage]\npath = %s\n[server]\n"
	    "max_batch = 5\n", path);
	load_bad(text, "2: line too long (at most 198 characters)");
	snprintf(text, sizeof text, "[storage]\npath = %s/x=y\n", path);
	load_bad(text, "2: line too long (at most 198 characters)");
	/* Errors after it do not hide it, nor it them when they come first. */
	snprintf(text, sizeof text, "[server]\nfoo = 1\npath = %s\n", path);
	load_bad(text, "2: unknown key \"foo\" in [server]");
}

static void
test_missing_or_unreadable_file(void **state)
{
	char	*cause = NULL, want[256], path[160];

	(void)state;
	snprintf(path, sizeof path, "%s/does-not-exist.conf", dir);
	assert_null(config_load(path, &cause));
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	assert_string_equal(cause, want);
	free(cause);

	/* A directory opens, but cannot be read: not an empty file. */
	cause = NULL;
	assert_null(config_load(dir, &cause));
	snprintf(want, sizeof want, "%s: Is a directory", dir);
	assert_string_equal(cause, want);
	free(cause);
}

static void
test_restart_keys_logged(void **state)
{
	struct config	*a, *b;
	char		 path[160], buf[2048];
	int		 fd, saved;
	ssize_t		 n;

	(void)state;
	a = load_ok("[server]\nlisten = 127.0.0.1:1\n[storage]\npath = /x\n");
	b = load_ok("[server]\nlisten = 127.0.0.1:2\n[storage]\npath = /y\n"
	    "synchronous = normal\n");

	snprintf(path, sizeof path, "%s/log", dir);
	log_init(1, LOG_LEVEL_INFO);
	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd != -1);
	dup2(fd, 2);
	close(fd);
	config_log_restart_keys(a, a);
	config_log_restart_keys(a, b);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);

	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf,
	    "<4>reload: [server] listen changed; needs a restart\n"
	    "<4>reload: [storage] path changed; needs a restart\n"
	    "<4>reload: [storage] synchronous changed; needs a restart\n");
	config_free(a);
	config_free(b);
}

/* [stream]: the limits of GET /v1/stream. */
static void
test_stream_keys(void **state)
{
	struct config	*cf;

	(void)state;
	cf = load_ok("[log]\nlevel = info\n");
	assert_int_equal(cf->stream_max_subscribers, 1000);
	assert_int_equal(cf->stream_buffer, 256 * 1024);
	config_free(cf);
	cf = load_ok("[stream]\nmax_subscribers = 0\nbuffer = 1M\n");
	assert_int_equal(cf->stream_max_subscribers, 0);
	assert_int_equal(cf->stream_buffer, 1024 * 1024);
	config_free(cf);
	load_bad("[stream]\nmax_subscribers = 1000001\n",
	    "2: max_subscribers: 1000001 is out of range (0 to 1000000)");
	load_bad("[stream]\nbuffer = 1023\n",
	    "2: buffer: 1023 is out of range (1024 to 1073741824)");
	load_bad("[stream]\nbuffer = lots\n",
	    "2: buffer: invalid value \"lots\"");
}

/* [privacy] audit_repeat_min: minutes a repeated read is audited once. */
static void
test_audit_repeat_min(void **state)
{
	struct config	*cf;

	(void)state;
	cf = config_defaults();
	assert_int_equal(cf->audit_repeat_min, 60);
	config_free(cf);
	cf = load_ok("[privacy]\naudit_repeat_min = 0\n");
	assert_int_equal(cf->audit_repeat_min, 0);
	config_free(cf);
	cf = load_ok("[privacy]\naudit_repeat_min = 1440\n");
	assert_int_equal(cf->audit_repeat_min, 1440);
	config_free(cf);
	load_bad("[privacy]\naudit_repeat_min = 1441\n",
	    "2: audit_repeat_min: 1441 is out of range (0 to 1440)");
	load_bad("[privacy]\naudit_repeat_min = -1\n",
	    "2: audit_repeat_min: -1 is out of range (0 to 1440)");
}

/* [cluster]: off without the section; its keys, bounds and names. */
static void
test_cluster_keys(void **state)
{
	struct config	*cf;

	(void)state;
	cf = load_ok("[log]\nlevel = info\n");
	assert_int_equal(cf->cluster, 0);
	assert_int_equal(cf->ncluster_nats, 0);
	assert_null(cf->cluster_node);
	assert_string_equal(cf->cluster_stream, "RESPITE");
	assert_int_equal(cf->cluster_replicas, 3);
	assert_int_equal(cf->cluster_ack_timeout_ms, 5000);
	assert_int_equal(cf->cluster_lease_ms, 5000);
	config_free(cf);
	cf = load_ok("[log]\nlevel = info\n[cluster]\n"
	    "nats = nats://127.0.0.1:4222, nats://127.0.0.1:4223\n"
	    "nats = tls://n3.example:4222 nats://127.0.0.1:4222\n"
	    "node = node_a-1\nstream = RESP_2-x\nreplicas = 1\n"
	    "ack_timeout_ms = 100\nlease_ms = 1000\n");
	assert_int_equal(cf->cluster, 1);
	assert_int_equal(cf->cluster_line, 4);
	assert_int_equal(cf->ncluster_nats, 3);	/* the repeated one once */
	assert_string_equal(cf->cluster_nats[2], "tls://n3.example:4222");
	assert_string_equal(cf->cluster_node, "node_a-1");
	assert_string_equal(cf->cluster_stream, "RESP_2-x");
	assert_int_equal(cf->cluster_replicas, 1);
	assert_int_equal(cf->cluster_ack_timeout_ms, 100);
	assert_int_equal(cf->cluster_lease_ms, 1000);
	config_free(cf);
	load_bad("[cluster]\nnode = a\n",
	    "2: [cluster] needs nats (the NATS servers) and node (this "
	    "node's name)");
	load_bad("[log]\nlevel = info\n[cluster]\nnats = nats://h:1\n",
	    "4: [cluster] needs nats (the NATS servers) and node (this "
	    "node's name)");
	load_bad("[cluster]\nnats = http://h:1\n",
	    "2: nats: \"http://h:1\" is not a NATS URL (nats://HOST:PORT or "
	    "tls://HOST:PORT)");
	load_bad("[cluster]\nnats = nats://\n",
	    "2: nats: \"nats://\" is not a NATS URL (nats://HOST:PORT or "
	    "tls://HOST:PORT)");
	load_bad("[cluster]\nnode = a.b\n",
	    "2: node: expected 1-64 of A-Z, a-z, 0-9, _ and -, got \"a.b\"");
	load_bad("[cluster]\nstream = RESPITE.>\n",
	    "2: stream: expected 1-64 of A-Z, a-z, 0-9, _ and -, got "
	    "\"RESPITE.>\"");
	load_bad("[cluster]\nreplicas = 6\n",
	    "2: replicas: 6 is out of range (1 to 5)");
	load_bad("[cluster]\nlease_ms = 999\n",
	    "2: lease_ms: 999 is out of range (1000 to 600000)");
	load_bad("[cluster]\nack_timeout_ms = 99\n",
	    "2: ack_timeout_ms: 99 is out of range (100 to 600000)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_state_directory),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_repeated_listen),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_counts_and_reals),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_unknown_key_and_section),
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_comments_and_spacing),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_missing_or_unreadable_file),
		cmocka_unit_test(test_restart_keys_logged),
		cmocka_unit_test(test_stream_keys),
		cmocka_unit_test(test_audit_repeat_min),
		cmocka_unit_test(test_cluster_keys),
	};

	return (cmocka_run_group_tests_name("config", tests, setup, teardown));
}
