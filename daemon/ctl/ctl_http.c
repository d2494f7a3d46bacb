/*
 * respite - respitectl's HTTP client: one libcurl easy handle per command.
 *
 * Every command that talks to respited goes through here, so the address
 * ($RESPITE_URL, --url), the token (--token-file, sent as Authorization:
 * Bearer and wiped from memory afterwards), the timeouts, the retries and
 * the exit statuses are the same everywhere.  One handle serves all the
 * requests of a command, so `status`, which asks for each agent in turn,
 * reuses one kept-alive connection.
 *
 * The exit statuses: a 2xx is CTL_EXIT_OK; any other reply is
 * CTL_EXIT_FAIL, reported by the caller (replay maps the server's error to
 * a file line, the others use ctl_http_report()); no reply at all is
 * CTL_EXIT_UNAVAILABLE; a 503 or 429 that outlasts the retries is
 * CTL_EXIT_TEMPFAIL.  Transport failures are retried only where the
 * caller says so: replay, whose batches are idempotent through event ids,
 * waits for a daemon that is starting; a lead's command answers at once.
 */
#include "build.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "ctl.h"
#include "xmalloc.h"

#define HTTP_CONNECT_TIMEOUT	5L		/* seconds */
#define HTTP_TIMEOUT		120L		/* a whole request */
#define HTTP_REPLY_MAX		(64 * 1024 * 1024)
#define HTTP_RETRIES_DEFAULT	3
#define HTTP_BACKOFF_FIRST	0.25		/* seconds, doubling */
#define HTTP_BACKOFF_MAX	5.0
#define HTTP_RETRY_AFTER_MAX	30.0

struct ctl_http {
	char		*base;		/* scheme://host[:port][/prefix] */
	char		*token;		/* NULL: none */
	CURL		*curl;
	char		 errbuf[CURL_ERROR_SIZE];
	char		*url;		/* of the latest request */
	char		*reply;		/* its body, NUL-terminated */
	size_t		 rlen, reply_max;
	long		 status;	/* 0: no reply */
	double		 retry_after;	/* < 0: none given */
	int		 retries, retry_transport, quiet;
	void		(*notice)(void *);
	void		*notice_arg;
};

/* Read the token file: its first line, trimmed.  Returns NULL on error. */
static char *
read_token(const char *path)
{
	FILE	*f;
	char	*line = NULL, *p;
	size_t	 cap = 0;
	ssize_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		ctl_warn("token file %s", path);
		return (NULL);
	}
	n = getline(&line, &cap, f);
	fclose(f);
	if (n == -1) {
		ctl_warnx("token file %s: the file is empty", path);
		free(line);
		return (NULL);
	}
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	for (p = line; isspace((unsigned char)*p); p++)
		;
	if (*p == '\0' || strpbrk(p, "\r\n") != NULL) {
		ctl_warnx("token file %s: no token on its first line", path);
		explicit_bzero(line, cap);
		free(line);
		return (NULL);
	}
	memmove(line, p, strlen(p) + 1);
	return (line);
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct ctl_http	*h = arg;
	size_t		 n = size * nmemb;

	if (h->rlen + n > h->reply_max)
		return (0);	/* aborts the transfer: not our server */
	h->reply = xreallocarray(h->reply, h->rlen + n + 1, 1);
	memcpy(h->reply + h->rlen, data, n);
	h->rlen += n;
	h->reply[h->rlen] = '\0';
	return (n);
}

static size_t
header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct ctl_http	*h = arg;
	size_t		 n = size * nmemb;
	char		 buf[64];
	double		 v;

	if (n > 12 && n < sizeof buf && strncasecmp(data, "Retry-After:",
	    12) == 0) {
		memcpy(buf, data + 12, n - 12);
		buf[n - 12] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		if (ctl_parse_double(buf + strspn(buf, " \t"), 0,
		    HTTP_RETRY_AFTER_MAX * 100, &v) == 0)
			h->retry_after = fmin(v, HTTP_RETRY_AFTER_MAX);
	}
	return (n);
}

/*
 * A handle for the daemon at opts->url, with the token of
 * opts->token_file.  Returns CTL_EXIT_OK and *out, or CTL_EXIT_USAGE (a
 * URL that is not http(s)) or CTL_EXIT_FAIL (a bad token file, no
 * libcurl), reported.
 */
int
ctl_http_open(const struct ctl_opts *opts, struct ctl_http **out)
{
	struct ctl_http	*h;
	const char	*url = opts->url;
	size_t		 ulen;

	*out = NULL;
	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) {
		ctl_warnx("--url %s: not an http:// or https:// URL", url);
		return (CTL_EXIT_USAGE);
	}
	h = xcalloc(1, sizeof *h);
	h->reply_max = HTTP_REPLY_MAX;
	h->retries = HTTP_RETRIES_DEFAULT;
	ulen = strlen(url);
	while (ulen > 0 && url[ulen - 1] == '/')
		ulen--;
	/* The address of the daemon; its events route is welcome too. */
	if (ulen >= 10 && strncmp(url + ulen - 10, "/v1/events", 10) == 0)
		ulen -= 10;
	h->base = xstrndup(url, ulen);
	if (opts->token_file != NULL &&
	    (h->token = read_token(opts->token_file)) == NULL)
		goto fail;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		ctl_warnx("cannot initialise libcurl");
		goto fail;
	}
	if ((h->curl = curl_easy_init()) == NULL) {
		ctl_warnx("cannot initialise libcurl");
		curl_global_cleanup();
		goto fail;
	}
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT,
	    "respitectl/" PACKAGE_VERSION);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, HTTP_CONNECT_TIMEOUT);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, HTTP_TIMEOUT);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	*out = h;
	return (CTL_EXIT_OK);

fail:
	ctl_http_close(h);
	return (CTL_EXIT_FAIL);
}

void
ctl_http_close(struct ctl_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL) {
		curl_easy_cleanup(h->curl);
		curl_global_cleanup();
	}
	if (h->token != NULL) {
		explicit_bzero(h->token, strlen(h->token));
		free(h->token);
	}
	free(h->base);
	free(h->url);
	free(h->reply);
	free(h);
}

/*
 * How often to retry a 503 or 429 (and, if transport is set, a request
 * that got no reply) before giving up.  The default is 3, for 503 only.
 */
void
ctl_http_set_retries(struct ctl_http *h, int retries, int transport)
{
	h->retries = retries;
	h->retry_transport = transport;
}

/* No "retrying in ..." messages. */
void
ctl_http_set_quiet(struct ctl_http *h, int quiet)
{
	h->quiet = quiet;
}

/* A longer reply is not from respited: the request fails. */
void
ctl_http_set_reply_max(struct ctl_http *h, size_t max)
{
	h->reply_max = max;
}

/* cb(arg) runs before each message on stderr (replay ends its line). */
void
ctl_http_set_notice(struct ctl_http *h, void (*cb)(void *), void *arg)
{
	h->notice = cb;
	h->notice_arg = arg;
}

/* The daemon's address, as normalised (borrowed). */
const char *
ctl_http_base(const struct ctl_http *h)
{
	return (h->base);
}

/* s percent-encoded for a path segment or query value (new string). */
char *
ctl_http_escape(struct ctl_http *h, const char *s)
{
	char	*e, *copy;

	if ((e = curl_easy_escape(h->curl, s, 0)) == NULL) {
		ctl_warnx("out of memory");
		exit(CTL_EXIT_FAIL);
	}
	copy = xstrdup(e);
	curl_free(e);
	return (copy);
}

static void
notice(const struct ctl_http *h)
{
	if (h->notice != NULL)
		h->notice(h->notice_arg);
}

/* Is a failed transfer worth another try (the daemon may come back)? */
static int
transport_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return (1);
	default:
		return (0);
	}
}

/* " (storage is failing)": the server's message about a 503, if any. */
static void
temp_detail(const struct ctl_http *h, char *buf, size_t len)
{
	json_t		*o;
	const char	*msg = NULL;

	o = ctl_http_reply_json(h);
	if (o != NULL)
		msg = json_string_value(json_object_get(json_object_get(o,
		    "error"), "message"));
	snprintf(buf, len, "%s%s%s", msg != NULL ? " (" : "", msg != NULL ?
	    msg : "", msg != NULL ? ")" : "");
	json_decref(o);
}

/*
 * One request: method "GET" or "POST", path (with its query) after the
 * base, and for a POST the body of content type ctype.  Returns
 * CTL_EXIT_OK for a 2xx reply; CTL_EXIT_FAIL for any other reply (not
 * reported: ctl_http_status() and ctl_http_reply() say what it was) or a
 * reply too large; CTL_EXIT_UNAVAILABLE when no reply came;
 * CTL_EXIT_TEMPFAIL when 503 or 429 outlasted the retries.  All but the
 * plain refusal are reported on stderr.
 */
int
ctl_http_request(struct ctl_http *h, const char *method, const char *path,
    const char *ctype, const char *body, size_t len)
{
	struct curl_slist	*hdrs = NULL, *l;
	CURLcode		 rc;
	char			*line, why[CURL_ERROR_SIZE + 64];
	char			 detail[256];
	int			 attempt, ret, temp;
	double			 delay;

	free(h->url);
	xasprintf(&h->url, "%s%s", h->base, path);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	/* No 100-continue round trip before a large body. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (ctype != NULL) {
		xasprintf(&line, "Content-Type: %s", ctype);
		hdrs = curl_slist_append(hdrs, line);
		free(line);
	}
	if (h->token != NULL) {
		xasprintf(&line, "Authorization: Bearer %s", h->token);
		hdrs = curl_slist_append(hdrs, line);
		explicit_bzero(line, strlen(line));
		free(line);
	}
	curl_easy_setopt(h->curl, CURLOPT_URL, h->url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	} else
		curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);

	for (attempt = 0;; attempt++) {
		free(h->reply);
		h->reply = NULL;
		h->rlen = 0;
		h->status = 0;
		h->retry_after = -1;
		h->errbuf[0] = '\0';
		rc = curl_easy_perform(h->curl);
		if (rc != CURLE_OK) {
			snprintf(why, sizeof why, "%s", h->errbuf[0] != '\0' ?
			    h->errbuf : curl_easy_strerror(rc));
			if (rc == CURLE_WRITE_ERROR) {
				notice(h);
				ctl_warnx("%s: a reply larger than %zu KiB: not "
				    "respited (is --url right?)", h->url,
				    h->reply_max / 1024);
				ret = CTL_EXIT_FAIL;
				goto out;
			}
			if (!transport_retryable(rc)) {
				notice(h);
				ctl_warnx("cannot talk to respited at %s: %s",
				    h->url, why);
				ret = CTL_EXIT_UNAVAILABLE;
				goto out;
			}
			if (!h->retry_transport) {
				notice(h);
				ctl_warnx("cannot reach respited at %s: %s (is "
				    "it running? --url, $RESPITE_URL)", h->url,
				    why);
				ret = CTL_EXIT_UNAVAILABLE;
				goto out;
			}
			temp = 0;
		} else {
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE,
			    &h->status);
			if (h->status >= 200 && h->status < 300) {
				ret = CTL_EXIT_OK;
				goto out;
			}
			if (h->status != 503 && h->status != 429) {
				ret = CTL_EXIT_FAIL;
				goto out;
			}
			snprintf(why, sizeof why, "HTTP %ld %s", h->status,
			    h->status == 503 ? "unavailable" : "rate limited");
			temp = 1;
		}
		if (attempt >= h->retries) {
			notice(h);
			if (temp) {
				temp_detail(h, detail, sizeof detail);
				ctl_warnx("respited at %s stays unavailable: %s%s;"
				    " gave up after %d attempt%s", h->url, why,
				    detail, attempt + 1, attempt == 0 ? "" : "s");
				ret = CTL_EXIT_TEMPFAIL;
			} else {
				ctl_warnx("cannot reach respited at %s: %s; gave "
				    "up after %d attempt%s (is it running? "
				    "--url, $RESPITE_URL)", h->url, why,
				    attempt + 1, attempt == 0 ? "" : "s");
				ret = CTL_EXIT_UNAVAILABLE;
			}
			goto out;
		}
		delay = HTTP_BACKOFF_FIRST * pow(2, attempt);
		if (delay > HTTP_BACKOFF_MAX)
			delay = HTTP_BACKOFF_MAX;
		if (h->retry_after >= 0)
			delay = h->retry_after;
		if (!h->quiet) {
			notice(h);
			ctl_warnx("%s: %s; retrying in %.2g s (%d/%d)", h->url,
			    why, delay, attempt + 1, h->retries);
		}
		ctl_sleep(delay);
	}

out:
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	for (l = hdrs; l != NULL; l = l->next)	/* one holds the token */
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(hdrs);
	return (ret);
}

/* The status of the latest reply; 0 if none came. */
long
ctl_http_status(const struct ctl_http *h)
{
	return (h->status);
}

/* The URL of the latest request (borrowed). */
const char *
ctl_http_url(const struct ctl_http *h)
{
	return (h->url);
}

/*
 * The body of the latest reply, NUL-terminated, or NULL; borrowed until
 * the next request.
 */
const char *
ctl_http_reply(const struct ctl_http *h, size_t *len)
{
	if (len != NULL)
		*len = h->rlen;
	return (h->reply);
}

/*
 * Show the latest reply, o parsed: with --json its body as it came, else
 * as print() formats it.  Returns ctl_stdout_done()'s status.
 */
int
ctl_http_show(const struct ctl_http *h, int json, json_t *o,
    void (*print)(json_t *))
{
	if (json)
		ctl_print_raw(h->reply != NULL ? h->reply : "", h->rlen);
	else
		print(o);
	return (ctl_stdout_done(CTL_EXIT_OK));
}

/* The body of the latest reply as a JSON object (new reference), or NULL. */
json_t *
ctl_http_reply_json(const struct ctl_http *h)
{
	json_t		*o;
	json_error_t	 je;

	if (h->reply == NULL)
		return (NULL);
	if ((o = json_loadb(h->reply, h->rlen, 0, &je)) == NULL)
		return (NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return (NULL);
	}
	return (o);
}

/*
 * Report a refused request: "respitectl: WHAT: CODE (field F): MESSAGE",
 * from the error object of API.md, with a hint for 401 and 403.  what may
 * be NULL.
 */
void
ctl_http_report(const struct ctl_http *h, const char *what)
{
	json_t		*o, *err;
	const char	*code = NULL, *message = NULL, *field = NULL;
	const char	*hint = "";
	char		 fieldbuf[80];

	o = ctl_http_reply_json(h);
	if (o != NULL && (err = json_object_get(o, "error")) != NULL) {
		code = json_string_value(json_object_get(err, "code"));
		message = json_string_value(json_object_get(err, "message"));
		field = json_string_value(json_object_get(err, "field"));
	}
	notice(h);
	if (code == NULL) {
		ctl_warnx("%s%sHTTP %ld from %s, not a respite API reply (is "
		    "--url right?)", what != NULL ? what : "", what != NULL ?
		    ": " : "", h->status, h->url);
		json_decref(o);
		return;
	}
	fieldbuf[0] = '\0';
	if (field != NULL)
		snprintf(fieldbuf, sizeof fieldbuf, " (field %s)", field);
	if (h->status == 401)
		hint = h->token != NULL ? " (the token was refused)" :
		    " (--token-file FILE gives a token)";
	else if (h->status == 403)
		hint = " (the token's role does not allow this)";
	ctl_warnx("%s%s%s%s: %s%s", what != NULL ? what : "", what != NULL ?
	    ": " : "", code, fieldbuf, message != NULL ? message : "", hint);
	json_decref(o);
}

/* The reply of a request that returned ok, as an object in *out. */
static int
reply_object(struct ctl_http *h, const char *what, json_t **out)
{
	if ((*out = ctl_http_reply_json(h)) == NULL) {
		notice(h);
		ctl_warnx("%s%sHTTP %ld from %s without a JSON object (is --url "
		    "a respited?)", what != NULL ? what : "", what != NULL ?
		    ": " : "", h->status, h->url);
		return (CTL_EXIT_FAIL);
	}
	return (CTL_EXIT_OK);
}

/*
 * GET path and parse the reply: returns CTL_EXIT_OK and the object in
 * *out (new reference), or another exit status with the reason reported
 * (what, if not NULL, says what was being done).
 */
int
ctl_http_get_json(struct ctl_http *h, const char *path, const char *what,
    json_t **out)
{
	int	rc;

	*out = NULL;
	if ((rc = ctl_http_request(h, "GET", path, NULL, NULL, 0)) !=
	    CTL_EXIT_OK) {
		if (rc == CTL_EXIT_FAIL && h->status != 0)
			ctl_http_report(h, what);
		return (rc);
	}
	return (reply_object(h, what, out));
}

/* POST body (borrowed) as JSON to path; otherwise as ctl_http_get_json. */
int
ctl_http_post_json(struct ctl_http *h, const char *path, json_t *body,
    const char *what, json_t **out)
{
	char	*s;
	int	 rc;

	*out = NULL;
	if ((s = json_dumps(body, JSON_COMPACT)) == NULL) {
		ctl_warnx("out of memory");
		return (CTL_EXIT_FAIL);
	}
	rc = ctl_http_request(h, "POST", path, "application/json", s,
	    strlen(s));
	free(s);
	if (rc != CTL_EXIT_OK) {
		if (rc == CTL_EXIT_FAIL && h->status != 0)
			ctl_http_report(h, what);
		return (rc);
	}
	return (reply_object(h, what, out));
}
