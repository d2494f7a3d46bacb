/*
 * Unit tests for daemon/common/log.c: log_escape() (issue 13 item 10) and the
 * log_* functions that go through it.  A value from outside (a payload's
 * field quoted in a reason, a peer's header) must never split a log line
 * or forge one: control characters, invalid UTF-8, C1 controls, line
 * separators and bidirectional overrides are escaped, other UTF-8 and
 * quotes are kept, and a long value is cut whole characters at a time,
 * never past the buffer.
 */
#include "build.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/* log_escape(s) with room for len bytes: the result, and its length. */
static const char *
esc(const char *s, size_t len, size_t *n)
{
	static char	out[8192];

	assert_true(len <= sizeof out);
	memset(out, 'Z', sizeof out);
	*n = log_escape(s, out, len);
	assert_true(*n < len);
	assert_int_equal(strlen(out), *n);
	/* Nothing written past len. */
	if (len < sizeof out)
		assert_int_equal(out[len], 'Z');
	return (out);
}

static void
expect(const char *s, const char *want)
{
	size_t	n;

	assert_string_equal(esc(s, 4096, &n), want);
	assert_int_equal(n, strlen(want));
}

static void
test_controls(void **state)
{
	(void)state;
	expect("a\nb\rc\td", "a\\nb\\rc\\td");
	expect("x\x01y\x1b[31mred\x7f", "x\\x01y\\x1b[31mred\\x7f");
	/* A forged syslog priority after a line break stays on the line. */
	expect("open\n<3>fake line\r\a", "open\\n<3>fake line\\r\\x07");
	expect("\x1b]0;title\x07", "\\x1b]0;title\\x07");
	expect("", "");
}

static void
test_quotes_kept(void **state)
{
	(void)state;
	/* Quotes and backslashes are printable: kept as they are. */
	expect("unknown key \"a\" or 'b' \\ end", "unknown key \"a\" or 'b' "
	    "\\ end");
}

static void
test_utf8(void **state)
{
	(void)state;
	/* Valid UTF-8 is kept: 2, 3 and 4 bytes. */
	expect("Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5\xe6\x9c\xac "
	    "\xf0\x9f\x98\x80", "Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5"
	    "\xe6\x9c\xac \xf0\x9f\x98\x80");
	/* Invalid bytes: each as \xNN. */
	expect("a\xff" "b", "a\\xffb");
	expect("\xc3(", "\\xc3(");
	expect("\xc0\xaf", "\\xc0\\xaf");			/* overlong */
	expect("\xe0\x80\xaf", "\\xe0\\x80\\xaf");		/* overlong */
	expect("\xed\xa0\x80", "\\xed\\xa0\\x80");		/* surrogate */
	expect("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");	/* > U+10FFFF */
	expect("\xe6\x97", "\\xe6\\x97");			/* cut short */
	/* C1 controls, separators and bidi overrides: \uNNNN. */
	expect("a\xc2\x85" "b", "a\\u0085b");
	expect("\xc2\x9b" "31m", "\\u009b31m");
	expect("x\xe2\x80\xa8y\xe2\x80\xa9z", "x\\u2028y\\u2029z");
	expect("\xe2\x80\xae" "cba", "\\u202ecba");
	expect("\xe2\x81\xa6" "x\xe2\x81\xa9", "\\u2066x\\u2069");
}

static void
test_long_and_cut(void **state)
{
	char	*big;
	size_t	 n, i;

	(void)state;
	big = malloc(100001);
	assert_non_null(big);
	memset(big, 'a', 100000);
	big[100000] = '\0';
	/* Cut to the room there is, NUL-terminated. */
	assert_int_equal(strspn(esc(big, 100, &n), "a"), 99);
	assert_int_equal(n, 99);
	/* Every byte escaped (\x01 is 4): whole escapes only. */
	memset(big, '\x01', 100000);
	esc(big, 4096, &n);
	assert_int_equal(n, 4092);
	esc(big, 4095, &n);
	assert_int_equal(n, 4092);
	esc(big, 4097, &n);
	assert_int_equal(n, 4096);
	/* Never inside an escape ... */
	assert_string_equal(esc("aaaa\n", 6, &n), "aaaa");
	assert_string_equal(esc("aaaa\n", 7, &n), "aaaa\\n");
	/* ... nor inside a character. */
	assert_string_equal(esc("ab\xe2\x82\xac", 5, &n), "ab");
	assert_string_equal(esc("ab\xe2\x82\xac", 6, &n), "ab\xe2\x82\xac");
	assert_string_equal(esc("ab\xe2\x80\xae", 8, &n), "ab");
	/* Room for the NUL only. */
	assert_string_equal(esc("abc", 1, &n), "");
	/* No room at all: nothing written. */
	big[0] = 'Q';
	assert_int_equal(log_escape("abc", big, 0), 0);
	assert_int_equal(big[0], 'Q');
	/* Mixed long UTF-8: cut on a character boundary. */
	for (i = 0; i + 3 <= 30000; i += 3)
		memcpy(big + i, "\xe6\x97\xa5", 3);
	big[i] = '\0';
	esc(big, 1000, &n);
	assert_int_equal(n, 999);
	esc(big, 1001, &n);
	assert_int_equal(n, 999);
	free(big);
}

/*
 * Every log_* function escapes: stderr (as journald reads it) gets one
 * line a call, each starting with its <N> priority, whatever the
 * arguments carried.  fatal() and fatalx() exit, so they run in a child.
 */
static const char	 hostile[] = "st\n<3>forged line\r\x1b[2K\xe2\x80\xae";

static void
log_all(int fatal_kind)
{
	errno = EINVAL;
	switch (fatal_kind) {
	case 1:
		fatal("fatal %s", hostile);
	case 2:
		fatalx("fatalx %s", hostile);
	default:
		break;
	}
	log_warn("warn %s", hostile);
	log_warnx("warnx %s", hostile);
	log_info("info %s", hostile);
	log_debug("debug %s", hostile);
}

/* stderr into a new unlinked file, whose descriptor this returns. */
static int
stderr_capture(int *saved)
{
	char	path[] = "/tmp/test_log.XXXXXX";
	int	fd;

	assert_true((fd = mkstemp(path)) != -1);
	unlink(path);
	fflush(stderr);
	*saved = dup(2);
	assert_true(dup2(fd, 2) != -1);
	return (fd);
}

/* stderr back where it was, and logging as the tests start it. */
static void
stderr_restore(int saved)
{
	fflush(stderr);
	assert_true(dup2(saved, 2) != -1);
	close(saved);
	log_init(LOG_TO_STDERR, LOG_LEVEL_INFO);
}

/* What was captured (not empty) into buf, as a string; fd is closed. */
static ssize_t
stderr_read(int fd, char *buf, size_t size)
{
	ssize_t	r;

	r = pread(fd, buf, size - 1, 0);
	close(fd);
	assert_true(r > 0);
	buf[r] = '\0';
	return (r);
}

static char *
captured(enum log_target target, size_t *nlines)
{
	char	*buf;
	FILE	*f;
	long	 size;
	pid_t	 pid;
	int	 fd, saved, st, k;
	size_t	 i;

	fd = stderr_capture(&saved);
	log_init(target, LOG_LEVEL_DEBUG);
	log_all(0);
	for (k = 1; k <= 2; k++) {
		/* The child's exit() must not write our buffers again. */
		fflush(NULL);
		if ((pid = fork()) == 0)
			log_all(k);
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	}
	stderr_restore(saved);
	assert_non_null(f = fdopen(fd, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	for (i = 0, *nlines = 0; buf[i] != '\0'; i++)
		if (buf[i] == '\n')
			(*nlines)++;
	return (buf);
}

static void
check_lines(const char *buf, int journal)
{
	const char	*p, *e;
	char		 line[512];
	int		 seen = 0;

	for (p = buf; *p != '\0'; p = e + 1) {
		e = strchr(p, '\n');
		assert_non_null(e);
		assert_true((size_t)(e - p) < sizeof line);
		memcpy(line, p, (size_t)(e - p));
		line[e - p] = '\0';
		if (journal)
			assert_true(line[0] == '<' && line[2] == '>');
		else
			assert_true(strncmp(line, "20", 2) == 0);
		assert_null(strchr(line, '\r'));
		assert_null(strchr(line, '\x1b'));
		assert_null(strstr(line, "\xe2\x80\xae"));
		assert_non_null(strstr(line, "st\\n<3>forged line\\r"
		    "\\x1b[2K\\u202e"));
		seen++;
	}
	assert_int_equal(seen, 6);
}

static void
test_log_paths(void **state)
{
	char	*buf;
	size_t	 n;

	(void)state;
	buf = captured(LOG_TO_JOURNAL, &n);
	assert_int_equal(n, 6);
	check_lines(buf, 1);
	/* log_warn and fatal add strerror(errno) after the escaped text. */
	assert_non_null(strstr(buf, "<4>warn st\\n"));
	assert_non_null(strstr(buf, "\\u202e: Invalid argument\n"));
	assert_non_null(strstr(buf, "<3>fatal st\\n"));
	assert_non_null(strstr(buf, "<3>fatalx st\\n"));
	assert_non_null(strstr(buf, "<7>debug st\\n"));
	free(buf);
	buf = captured(LOG_TO_STDERR, &n);
	assert_int_equal(n, 6);
	check_lines(buf, 0);
	free(buf);
}

/* A message longer than the line buffer is cut, still one line. */
static void
test_log_long_line(void **state)
{
	char	*big, buf[16384];
	ssize_t	 r;
	int	 fd, saved;

	(void)state;
	big = malloc(5000);
	assert_non_null(big);
	memset(big, '\n', 4999);
	big[4999] = '\0';
	fd = stderr_capture(&saved);
	log_init(LOG_TO_JOURNAL, LOG_LEVEL_DEBUG);
	log_warnx("%s", big);
	stderr_restore(saved);
	r = stderr_read(fd, buf, sizeof buf);
	/* "<4>", 1023 escaped line breaks (2 bytes each), "\n". */
	assert_int_equal(r, 3 + 2 * 1023 + 1);
	assert_ptr_equal(strchr(buf, '\n'), buf + r - 1);
	free(big);
}

/*
 * A command's lines (respite-notify --once): "NAME: message" at the
 * level set, log_write() at any level, log_exit() with its code.
 */
static void
test_log_command(void **state)
{
	char	 buf[1024];
	pid_t	 pid;
	int	 fd, saved, st;

	(void)state;
	fd = stderr_capture(&saved);
	log_set_name("respite-notify");
	log_init(LOG_TO_COMMAND, LOG_LEVEL_WARNING);
	log_info("not shown");
	log_warnx("a warning");
	log_write(LOG_LEVEL_ERROR, "%s: %s", "GLib", "a critical\n<3>x");
	log_write(LOG_LEVEL_DEBUG, "not shown either");
	fflush(NULL);
	if ((pid = fork()) == 0)
		log_exit(77, "refused (HTTP %d)", 403);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 77);
	log_set_name("respited");
	stderr_restore(saved);
	stderr_read(fd, buf, sizeof buf);
	assert_string_equal(buf, "respite-notify: a warning\n"
	    "respite-notify: GLib: a critical\\n<3>x\n"
	    "respite-notify: refused (HTTP 403)\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_quotes_kept),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_long_and_cut),
		cmocka_unit_test(test_log_paths),
		cmocka_unit_test(test_log_long_line),
		cmocka_unit_test(test_log_command),
	};

	return (cmocka_run_group_tests_name("log", tests, NULL, NULL));
}
