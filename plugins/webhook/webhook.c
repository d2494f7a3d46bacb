/*
 * respite - webhook: a sink that POSTs each suggestion change to URLs.
 *
 *	[plugins]
 *	load = webhook
 *	[plugin.webhook]
 *	url = https://tools.example.com/respite
 *	url = https://hooks.slack.com/services/T000/B000/XXXX slack
 *	on = raised			# raised reopened answered expired | all
 *	audience = all			# agent lead | all
 *	header = Authorization: Bearer abc	# repeatable
 *	secret = s3cret			# signs each POST (X-Respite-Signature)
 *	secret_file = webhook-secret	# ... or its first line (a file, or
 *					# a systemd credential)
 *	header_file = /etc/respite/h	# a header line from a file
 *	url_file = slack-url		# a url line from a file
 *	timeout = 10			# seconds per attempt
 *	retries = 5			# after the first attempt
 *	retry_delay = 1			# seconds, doubled each retry ...
 *	retry_max_delay = 300		# ... up to this
 *	queue = 1000			# changes waiting per URL, oldest dropped
 *	max_age = 3600			# skip changes older than this (replays)
 *
 * Every URL is a target with its own queue, sent in order, one request
 * in flight at a time, so a slow or dead receiver delays only its own
 * queue and never the event loop: libcurl's multi interface runs on
 * respited's libevent loop (the hiperfifo pattern: libcurl tells us which
 * sockets to watch and when to call it back; we tell it when they are
 * ready).  A failed attempt (no connection, a timeout, 408, 429 or 5xx)
 * is retried after retry_delay, doubled each time; other 4xx answers and
 * exhausted retries drop that change with a warning.  The queue lives in
 * memory: changes not yet delivered at shutdown are counted in the log
 * and lost (the suggestions themselves are in the database and the API).
 *
 * Each POST carries X-Respite-Delivery: ID.STATUS.UPDATED_MS, the
 * suggestion's id, its status after the change and the change's time in
 * epoch ms: the same for the same change on a retry, after a restart and
 * from any node of a cluster, so a receiver drops a duplicate by it
 * (cluster mode sends a change at least once: README "Cluster mode").
 *
 * Format `json` (the default) posts
 *	{"type": "suggestion.raised", "suggestion": {... API object ...}}
 * and format `slack` posts {"text": "alice: take a 5-minute break (3
 * hostile messages in 20 minutes)"}, which Slack, Mattermost, Rocket.Chat
 * and Microsoft Teams' incoming webhooks take.  Log lines name a URL by
 * scheme and host only: a Slack URL's path is its secret.  What carries
 * a secret (secret, a header, a URL) may come from a file instead of the
 * world-readable configuration: secret_file, header_file and url_file
 * name files (or systemd credentials) whose first line is the value;
 * messages about them never quote it.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>
#include <nettle/hmac.h>

#include <respite/plugin.h>

#include "sink.h"

enum format {
	FMT_JSON = 0,
	FMT_SLACK
};

/* One suggestion change waiting for a target. */
struct item {
	struct item	*next;
	char		 id[32];
	char		 change[16];
	char		 delivery[80];	/* X-Respite-Delivery */
	uint64_t	 ticket;	/* respite_sink_hold()'s */
	char		*body;
	size_t		 len;
};

struct whsink;

struct target {
	struct whsink		*ws;
	char			*url;
	char			 label[128];	/* scheme://host/... for logs */
	enum format		 format;
	struct item		*head, *tail;
	size_t			 n;
	CURL			*easy;		/* the head in flight, or NULL */
	struct curl_slist	*hdrs;
	char			 errbuf[CURL_ERROR_SIZE];
	struct event		*retry;		/* back-off timer */
	int			 tries;		/* attempts made on head */
	int			 failing;	/* a failure was logged */
	unsigned long		 dropped;	/* since the last report */
	unsigned long		 sent;
};

struct settings {
	struct sink_filter	 filter;
	enum format		 format;
	char			**headers;
	size_t			 nheaders;
	char			*secret;
	double			 timeout;
	double			 retry_delay;
	double			 retry_max;
	long			 retries;
	long			 queue;
	double			 max_age;
};

/* A socket libcurl asked us to watch. */
struct sockev {
	struct sockev	*next;
	curl_socket_t	 fd;
	struct event	*ev;
};

struct whsink {
	struct settings		 set;
	struct target		**t;
	size_t			 nt;
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;		/* libcurl's timeout */
	struct sockev		*socks;
	int			 curl_inited;
};

static const char *const known[] = { "url", "on", "audience", "header",
    "secret", "timeout", "retries", "retry_delay", "retry_max_delay",
    "queue", "max_age", "format", "secret_file", "header_file", "url_file",
    NULL };

static void	send_next(struct target *);
static void	check_done(struct whsink *);

/*
 * Settings.
 */

static void
settings_clear(struct settings *s)
{
	size_t	i;

	for (i = 0; i < s->nheaders; i++) {
		explicit_bzero(s->headers[i], strlen(s->headers[i]));
		free(s->headers[i]);
	}
	free(s->headers);
	if (s->secret != NULL) {
		explicit_bzero(s->secret, strlen(s->secret));
		free(s->secret);
	}
	memset(s, 0, sizeof *s);
}

static int
format_parse(const char *key, const char *v, size_t n, enum format *f,
    char **error)
{
	if (n == 4 && strncmp(v, "json", n) == 0)
		*f = FMT_JSON;
	else if (n == 5 && strncmp(v, "slack", n) == 0)
		*f = FMT_SLACK;
	else
		return (respite_error(error, "%s: expected json or slack, got "
		    "\"%.*s\"", key, (int)n, v));
	return (0);
}

/* A header line "Name: value" with a token name and no line breaks. */
static int
header_ok(const char *h)
{
	const char	*colon = strchr(h, ':');
	const char	*p;

	if (colon == NULL || colon == h)
		return (0);
	for (p = h; p < colon; p++)
		if (!isalnum((unsigned char)*p) && strchr("!#$%&'*+-.^_`|~",
		    *p) == NULL)
			return (0);
	return (strpbrk(h, "\r\n") == NULL);
}

static int
settings_parse(const struct respite_plugin_config *cf, struct settings *s,
    char **error)
{
	const char	*v;
	size_t		 i;

	memset(s, 0, sizeof *s);
	s->timeout = 10;
	s->retries = 5;
	s->retry_delay = 1;
	s->retry_max = 300;
	s->queue = 1000;
	s->max_age = 3600;
	if (sink_check_keys(cf, known, error) == -1 ||
	    sink_filter_parse(cf, SINK_RAISED, &s->filter, error) == -1)
		goto fail;
	if ((v = respite_config_get(cf, "format")) != NULL &&
	    format_parse("format", v, strlen(v), &s->format, error) == -1)
		goto fail;
	if (respite_config_secret(cf, "secret", &s->secret, error) == -1)
		goto fail;
	if (s->secret != NULL && *s->secret == '\0') {
		respite_error(error, "secret: must not be empty (leave the key "
		    "out to send unsigned)");
		goto fail;
	}
	if (((v = respite_config_get(cf, "timeout")) != NULL &&
	    sink_seconds("timeout", v, 0.1, 600, &s->timeout, error) == -1) ||
	    ((v = respite_config_get(cf, "retries")) != NULL &&
	    sink_count("retries", v, 0, 100, &s->retries, error) == -1) ||
	    ((v = respite_config_get(cf, "retry_delay")) != NULL &&
	    sink_seconds("retry_delay", v, 0.01, 3600, &s->retry_delay,
	    error) == -1) ||
	    ((v = respite_config_get(cf, "retry_max_delay")) != NULL &&
	    sink_seconds("retry_max_delay", v, 0.01, 86400, &s->retry_max,
	    error) == -1) ||
	    ((v = respite_config_get(cf, "queue")) != NULL &&
	    sink_count("queue", v, 1, 1000000, &s->queue, error) == -1) ||
	    ((v = respite_config_get(cf, "max_age")) != NULL &&
	    sink_seconds("max_age", v, 0, 30 * 86400.0, &s->max_age,
	    error) == -1))
		goto fail;
	if (s->retry_max < s->retry_delay)
		s->retry_max = s->retry_delay;
	for (i = 0; i < cf->nitems; i++) {
		char	*h, **nh;
		int	 file;

		file = strcmp(cf->items[i].key, "header_file") == 0;
		if (strcmp(cf->items[i].key, "header") != 0 && !file)
			continue;
		v = cf->items[i].value;
		if (file) {
			if (respite_read_secret("header_file", v, &h,
			    error) == -1)
				goto fail;
		} else if ((h = strdup(v)) == NULL)
			goto oom;
		if (!header_ok(h)) {
			/* A header from a file may hold a token: not quoted. */
			if (file)
				respite_error(error, "line %d: header_file: the "
				    "first line of %s is not \"Name: value\"",
				    cf->items[i].line, v);
			else
				respite_error(error, "line %d: header: expected "
				    "\"Name: value\", got \"%s\"",
				    cf->items[i].line, v);
			explicit_bzero(h, strlen(h));
			free(h);
			goto fail;
		}
		if ((nh = reallocarray(s->headers, s->nheaders + 1,
		    sizeof *s->headers)) == NULL) {
			explicit_bzero(h, strlen(h));
			free(h);
			goto oom;
		}
		s->headers = nh;
		s->headers[s->nheaders++] = h;
	}
	return (0);

oom:
	respite_error(error, "out of memory");
fail:
	settings_clear(s);
	return (-1);
}

/*
 * "https://hooks.slack.com/..." from a URL, for log lines: no user
 * name, password, path or query, which may be secrets.
 */
static void
url_label(const char *url, char *buf, size_t len)
{
	const char	*sep = strstr(url, "://"), *host, *end, *p;
	int		 slen;

	slen = sep != NULL ? (int)(sep + 3 - url) : 0;
	host = url + slen;
	end = host + strcspn(host, "/?#");
	for (p = host; p < end; p++)
		if (*p == '@')
			host = p + 1;
	snprintf(buf, len, "%.*s%.*s%s", slen, url, (int)(end - host), host,
	    *end != '\0' ? "/..." : "");
}

/*
 * Targets.
 */

static void
item_free(struct item *it)
{
	free(it->body);
	free(it);
}

/* Delivered or given up on: confirmed to the daemon, then freed. */
static void
item_done(struct item *it)
{
	respite_sink_done(it->ticket);
	item_free(it);
}

static struct item *
pop(struct target *t)
{
	struct item	*it = t->head;

	if (it != NULL) {
		t->head = it->next;
		if (t->head == NULL)
			t->tail = NULL;
		t->n--;
	}
	return (it);
}

/* Stop the request in flight, if any. */
static void
abort_easy(struct target *t)
{
	if (t->easy == NULL)
		return;
	curl_multi_remove_handle(t->ws->multi, t->easy);
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
	curl_slist_free_all(t->hdrs);
	t->hdrs = NULL;
}

/*
 * Free t; confirm gives its undelivered changes up (a url removed),
 * else they stay unconfirmed (a shutdown: in cluster mode the next
 * leader sends them).
 */
static void
target_free(struct target *t, const char *why, int confirm)
{
	struct item	*it;
	size_t		 n = t->n;

	abort_easy(t);
	while ((it = pop(t)) != NULL) {
		if (confirm)
			item_done(it);
		else
			item_free(it);
	}
	if (n > 0 && why != NULL)
		respite_log(RESPITE_LOG_WARNING, "%s: %zu suggestion change%s "
		    "not delivered (%s)", t->label, n, n == 1 ? "" : "s", why);
	if (t->retry != NULL)
		event_free(t->retry);
	if (t->url != NULL)
		explicit_bzero(t->url, strlen(t->url));
	free(t->url);
	free(t);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct target	*t = arg;

	(void)fd;
	(void)what;
	send_next(t);
}

/*
 * Parse "URL [json|slack]" into a new target (fmt: the default format).
 * file: the spec is the first line of that url_file, which is not quoted
 * in messages (a Slack URL's path is its secret).
 */
static struct target *
target_new(struct whsink *ws, const char *spec, enum format fmt, int line,
    const char *file, char **error)
{
	struct target	*t;
	const char	*sp;
	size_t		 n;

	n = strcspn(spec, " \t");
	if (!(n > 7 && strncmp(spec, "http://", 7) == 0) &&
	    !(n > 8 && strncmp(spec, "https://", 8) == 0)) {
		if (file != NULL)
			respite_error(error, "line %d: url_file: the first "
			    "line of %s is not http:// or https:// and a host, "
			    "optionally followed by json or slack", line, file);
		else
			respite_error(error, "line %d: url: expected http:// "
			    "or https:// and a host, optionally followed by "
			    "json or slack, got \"%s\"", line, spec);
		return (NULL);
	}
	sp = spec + n + strspn(spec + n, " \t");
	if (*sp != '\0' && format_parse(file != NULL ? "url_file" : "url",
	    sp, strlen(sp), &fmt, error) == -1)
		return (NULL);
	if ((t = calloc(1, sizeof *t)) == NULL ||
	    (t->url = strndup(spec, n)) == NULL) {
		free(t);
		respite_error(error, "out of memory");
		return (NULL);
	}
	t->ws = ws;
	t->format = fmt;
	url_label(t->url, t->label, sizeof t->label);
	if (ws->base != NULL &&
	    (t->retry = evtimer_new(ws->base, retry_cb, t)) == NULL) {
		free(t->url);
		free(t);
		respite_error(error, "cannot make a timer");
		return (NULL);
	}
	return (t);
}

/* The targets of cf's url keys; old targets of the same URL are reused. */
static int
targets_parse(struct whsink *ws, const struct respite_plugin_config *cf,
    enum format fmt, struct target ***out, size_t *nout, char **error)
{
	struct target	**v = NULL, *t;
	size_t		  i, j, n = 0;
	const char	 *url;
	char		 *spec;

	for (i = 0; i < cf->nitems; i++) {
		if (strcmp(cf->items[i].key, "url_file") == 0) {
			if (respite_read_secret("url_file", cf->items[i].value,
			    &spec, error) == -1)
				goto fail;
			t = target_new(ws, spec, fmt, cf->items[i].line,
			    cf->items[i].value, error);
			explicit_bzero(spec, strlen(spec));
			free(spec);
		} else if (strcmp(cf->items[i].key, "url") == 0)
			t = target_new(ws, cf->items[i].value, fmt,
			    cf->items[i].line, NULL, error);
		else
			continue;
		if (t == NULL)
			goto fail;
		for (j = 0; j < n; j++)
			if (strcmp(v[j]->url, t->url) == 0) {
				respite_error(error, "line %d: url: %s is "
				    "given twice", cf->items[i].line,
				    t->label);
				target_free(t, NULL, 0);
				goto fail;
			}
		for (j = 0; j < ws->nt; j++)
			if (ws->t[j] != NULL &&
			    strcmp(ws->t[j]->url, t->url) == 0) {
				ws->t[j]->format = t->format;
				target_free(t, NULL, 0);
				t = ws->t[j];
				break;
			}
		if ((v = reallocarray(v, n + 1, sizeof *v)) == NULL) {
			respite_error(error, "out of memory");
			goto fail;
		}
		v[n++] = t;
	}
	if (n == 0) {
		url = cf->file != NULL ? cf->file : "the configuration";
		respite_error(error, "no url: give at least one \"url = "
		    "https://...\" (or url_file) in [plugin.%s] of %s",
		    cf->name, url);
		goto fail;
	}
	*out = v;
	*nout = n;
	return (0);

fail:
	/* Free the new ones only: reused ones still belong to ws. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < ws->nt; j++)
			if (ws->t[j] == v[i])
				break;
		if (j == ws->nt)
			target_free(v[i], NULL, 0);
	}
	free(v);
	return (-1);
}

/*
 * libcurl on the libevent loop.
 */

static void
sock_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct whsink	*ws = arg;
	int		 running, flags = 0;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(ws->multi, fd, flags, &running);
	check_done(ws);
}

static int
sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct whsink	 *ws = userp;
	struct sockev	 *se = socketp, **pp;
	short		  kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (se == NULL)
			return (0);
		for (pp = &ws->socks; *pp != NULL; pp = &(*pp)->next)
			if (*pp == se) {
				*pp = se->next;
				break;
			}
		event_free(se->ev);
		free(se);
		curl_multi_assign(ws->multi, fd, NULL);
		return (0);
	}
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (se == NULL) {
		if ((se = calloc(1, sizeof *se)) == NULL)
			return (-1);
		se->fd = fd;
		se->next = ws->socks;
		ws->socks = se;
		curl_multi_assign(ws->multi, fd, se);
	} else {
		event_free(se->ev);
		se->ev = NULL;
	}
	if ((se->ev = event_new(ws->base, fd, kind, sock_event_cb,
	    ws)) == NULL || event_add(se->ev, NULL) == -1)
		return (-1);
	return (0);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct whsink	*ws = arg;
	int		 running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(ws->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(ws);
}

static int
multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct whsink	*ws = userp;
	struct timeval	 tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(ws->timer);
		return (0);
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return (evtimer_add(ws->timer, &tv));
}

static size_t
discard_cb(char *ptr, size_t size, size_t n, void *arg)
{
	(void)ptr;
	(void)arg;
	return (size * n);
}

/* X-Respite-Signature: sha256=HEX of HMAC-SHA256(secret, ts "." body). */
static void
sign(const char *secret, const char *ts, const struct item *it,
    char *out, size_t len)
{
	struct hmac_sha256_ctx	ctx;
	uint8_t			mac[SHA256_DIGEST_SIZE];
	size_t			i, off;

	hmac_sha256_set_key(&ctx, strlen(secret), (const uint8_t *)secret);
	hmac_sha256_update(&ctx, strlen(ts), (const uint8_t *)ts);
	hmac_sha256_update(&ctx, 1, (const uint8_t *)".");
	hmac_sha256_update(&ctx, it->len, (const uint8_t *)it->body);
	hmac_sha256_digest(&ctx, sizeof mac, mac);
	explicit_bzero(&ctx, sizeof ctx);
	off = (size_t)snprintf(out, len, "X-Respite-Signature: sha256=");
	for (i = 0; i < sizeof mac && off + 2 < len; i++, off += 2)
		snprintf(out + off, len - off, "%02x", mac[i]);
}

static int
add_header(struct curl_slist **l, const char *h)
{
	struct curl_slist	*n;

	if ((n = curl_slist_append(*l, h)) == NULL)
		return (-1);
	*l = n;
	return (0);
}

/* Start sending the head of t's queue, unless busy or backing off. */
static void
send_next(struct target *t)
{
	struct whsink	*ws = t->ws;
	struct item	*it = t->head;
	char		 h[160], ts[32];
	size_t		 i;
	int		 rc = 0;

	if (it == NULL || t->easy != NULL || ws->multi == NULL ||
	    evtimer_pending(t->retry, NULL))
		return;
	if ((t->easy = curl_easy_init()) == NULL)
		goto fail;
	rc |= add_header(&t->hdrs, "Content-Type: application/json");
	snprintf(h, sizeof h, "User-Agent: respite/%s", respite_version());
	rc |= add_header(&t->hdrs, h);
	rc |= add_header(&t->hdrs, "Expect:");
	snprintf(h, sizeof h, "X-Respite-Suggestion: %s", it->id);
	rc |= add_header(&t->hdrs, h);
	snprintf(h, sizeof h, "X-Respite-Change: %s", it->change);
	rc |= add_header(&t->hdrs, h);
	snprintf(h, sizeof h, "X-Respite-Delivery: %s", it->delivery);
	rc |= add_header(&t->hdrs, h);
	if (ws->set.secret != NULL) {
		snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
		snprintf(h, sizeof h, "X-Respite-Timestamp: %s", ts);
		rc |= add_header(&t->hdrs, h);
		sign(ws->set.secret, ts, it, h, sizeof h);
		rc |= add_header(&t->hdrs, h);
	}
	for (i = 0; i < ws->set.nheaders; i++)
		rc |= add_header(&t->hdrs, ws->set.headers[i]);
	if (rc != 0)
		goto fail;
	t->errbuf[0] = '\0';
	curl_easy_setopt(t->easy, CURLOPT_URL, t->url);
	curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(t->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, it->body);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE, (long)it->len);
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->hdrs);
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS,
	    (long)(ws->set.timeout * 1000));
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	if (curl_multi_add_handle(ws->multi, t->easy) != CURLM_OK)
		goto fail;
	t->tries++;
	return;

fail:
	respite_log(RESPITE_LOG_ERROR, "%s: cannot start a request (out of "
	    "memory?); retrying later", t->label);
	abort_easy(t);
	if (t->retry != NULL) {
		struct timeval	tv = { 1, 0 };

		evtimer_add(t->retry, &tv);
	}
}

/* Is this outcome worth another attempt? */
static int
retryable(CURLcode res, long status)
{
	if (res != CURLE_OK)
		return (res != CURLE_URL_MALFORMAT &&
		    res != CURLE_UNSUPPORTED_PROTOCOL);
	return (status == 408 || status == 429 || status >= 500 ||
	    status < 200);
}

/* One request of t ended: move on, retry later, or give up. */
static void
finished(struct target *t, CURLcode res)
{
	struct settings	*set = &t->ws->set;
	struct timeval	 tv;
	struct item	*it;
	char		 why[CURL_ERROR_SIZE + 64];
	double		 delay;
	long		 status = 0;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	abort_easy(t);
	if (res == CURLE_OK && status >= 200 && status < 300) {
		if (t->failing || t->dropped > 0)
			respite_log(RESPITE_LOG_INFO, "%s: delivering again "
			    "(%lu change%s dropped meanwhile)", t->label,
			    t->dropped, t->dropped == 1 ? "" : "s");
		t->failing = 0;
		t->dropped = 0;
		t->tries = 0;
		t->sent++;
		item_done(pop(t));
		send_next(t);
		return;
	}
	if (res != CURLE_OK)
		snprintf(why, sizeof why, "%s", t->errbuf[0] != '\0' ?
		    t->errbuf : curl_easy_strerror(res));
	else
		snprintf(why, sizeof why, "HTTP %ld", status);
	if (!retryable(res, status) || t->tries > set->retries) {
		it = pop(t);
		respite_log(RESPITE_LOG_WARNING, "%s: gave up on %s %s after "
		    "%d attempt%s: %s", t->label, it->id, it->change, t->tries,
		    t->tries == 1 ? "" : "s", why);
		respite_sink_dropped(1);
		item_done(it);
		t->tries = 0;
		t->failing = 1;
		send_next(t);
		return;
	}
	delay = set->retry_delay * pow(2, t->tries - 1);
	if (delay > set->retry_max)
		delay = set->retry_max;
	if (!t->failing)
		respite_log(RESPITE_LOG_WARNING, "%s: %s; retrying %s %s "
		    "in %.3gs, then with back-off up to %.3gs (%zu more "
		    "waiting)", t->label, why, t->head->id, t->head->change,
		    delay, set->retry_max, t->n - 1);
	t->failing = 1;
	tv.tv_sec = (time_t)delay;
	tv.tv_usec = (suseconds_t)((delay - floor(delay)) * 1e6);
	evtimer_add(t->retry, &tv);
}

static void
check_done(struct whsink *ws)
{
	struct target	*t;
	CURLMsg		*msg;
	int		 left;

	while ((msg = curl_multi_info_read(ws->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		t = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
		if (t != NULL && t->easy == msg->easy_handle)
			finished(t, msg->data.result);
	}
}

/*
 * The body for one target.
 */

static char *
body_for(const struct respite_suggestion *s, enum format fmt, size_t *len)
{
	json_t	*j;
	char	 text[768], *out;
	int	 n;

	if (fmt == FMT_SLACK) {
		sink_text(s, text, sizeof text);
		j = json_pack("{s:s}", "text", text);
		out = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		*len = out != NULL ? strlen(out) : 0;
		return (out);
	}
	/* The daemon's JSON as it is; change is one of four words. */
	*len = strlen(s->change) + s->json_len + 40;
	if ((out = malloc(*len)) == NULL)
		return (NULL);
	n = snprintf(out, *len, "{\"type\":\"suggestion.%s\","
	    "\"suggestion\":%.*s}", s->change, (int)s->json_len, s->json);
	*len = (size_t)n;
	return (out);
}

static void
enqueue(struct target *t, const struct respite_suggestion *s)
{
	struct whsink	*ws = t->ws;
	struct item	*it, *old;

	if ((it = calloc(1, sizeof *it)) == NULL ||
	    (it->body = body_for(s, t->format, &it->len)) == NULL) {
		free(it);
		respite_log(RESPITE_LOG_ERROR, "%s: out of memory; %s not "
		    "queued", t->label, s->id);
		return;
	}
	snprintf(it->id, sizeof it->id, "%s", s->id);
	snprintf(it->change, sizeof it->change, "%s", s->change);
	/* The same for this change on every node, and on a re-send. */
	snprintf(it->delivery, sizeof it->delivery, "%s.%s.%lld", s->id,
	    s->status, (long long)s->updated_ms);
	it->ticket = respite_sink_hold();
	/* Full: drop the oldest waiting (the one in flight goes on). */
	if (t->n - (t->easy != NULL) >= (size_t)ws->set.queue) {
		if (t->easy == NULL) {
			old = pop(t);
			t->tries = 0;
		} else {
			old = t->head->next;
			t->head->next = old->next;
			if (t->tail == old)
				t->tail = t->head;
			t->n--;
		}
		if (t->dropped++ == 0)
			respite_log(RESPITE_LOG_WARNING, "%s: queue full (%ld); "
			    "dropping the oldest changes until it drains",
			    t->label, ws->set.queue);
		/* Counted and logged once a minute by the daemon. */
		respite_sink_dropped(1);
		item_done(old);
	}
	if (t->tail != NULL)
		t->tail->next = it;
	else
		t->head = it;
	t->tail = it;
	t->n++;
	send_next(t);
}

/*
 * The plugin.
 */

static void
whsink_fini(void *instance)
{
	struct whsink	*ws = instance;
	struct sockev	*se;
	size_t		 i;

	if (ws == NULL)
		return;
	for (i = 0; i < ws->nt; i++)
		target_free(ws->t[i], "shutdown", 0);
	free(ws->t);
	if (ws->multi != NULL)
		curl_multi_cleanup(ws->multi);
	while ((se = ws->socks) != NULL) {
		ws->socks = se->next;
		event_free(se->ev);
		free(se);
	}
	if (ws->timer != NULL)
		event_free(ws->timer);
	settings_clear(&ws->set);
	if (ws->curl_inited)
		curl_global_cleanup();
	free(ws);
}

static int
whsink_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	struct whsink	*ws;
	size_t		 i;

	if ((ws = calloc(1, sizeof *ws)) == NULL)
		return (respite_error(error, "out of memory"));
	ws->base = respite_event_base();
	if (settings_parse(cf, &ws->set, error) == -1 ||
	    targets_parse(ws, cf, ws->set.format, &ws->t, &ws->nt,
	    error) == -1) {
		whsink_fini(ws);
		return (-1);
	}
	/* Without a loop (respited -t) the section is only checked. */
	if (ws->base != NULL) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			whsink_fini(ws);
			return (respite_error(error, "cannot initialise "
			    "libcurl"));
		}
		ws->curl_inited = 1;
		if ((ws->multi = curl_multi_init()) == NULL ||
		    (ws->timer = evtimer_new(ws->base, timer_cb,
		    ws)) == NULL) {
			whsink_fini(ws);
			return (respite_error(error, "cannot set up libcurl"));
		}
		curl_multi_setopt(ws->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
		curl_multi_setopt(ws->multi, CURLMOPT_SOCKETDATA, ws);
		curl_multi_setopt(ws->multi, CURLMOPT_TIMERFUNCTION,
		    multi_timer_cb);
		curl_multi_setopt(ws->multi, CURLMOPT_TIMERDATA, ws);
	}
	for (i = 0; i < ws->nt; i++)
		respite_log(RESPITE_LOG_INFO, "posting to %s (%s)",
		    ws->t[i]->label, ws->t[i]->format == FMT_SLACK ? "slack" :
		    "json");
	*instance = ws;
	return (0);
}

static int
whsink_reload(void *instance, const struct respite_plugin_config *cf,
    char **error)
{
	struct whsink	 *ws = instance;
	struct settings	  set;
	struct target	**v;
	size_t		  i, j, n;

	if (settings_parse(cf, &set, error) == -1)
		return (-1);
	if (targets_parse(ws, cf, set.format, &v, &n, error) == -1) {
		settings_clear(&set);
		return (-1);
	}
	for (i = 0; i < ws->nt; i++) {
		for (j = 0; j < n; j++)
			if (v[j] == ws->t[i])
				break;
		if (j == n)
			target_free(ws->t[i], "its url was removed", 1);
	}
	free(ws->t);
	ws->t = v;
	ws->nt = n;
	settings_clear(&ws->set);
	ws->set = set;
	return (0);
}

static void
whsink_deliver(void *instance, const struct respite_suggestion *s)
{
	struct whsink	*ws = instance;
	struct timespec	 now;
	int64_t		 now_ms;
	size_t		 i;

	if (!sink_filter_match(&ws->set.filter, s))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (ws->set.max_age > 0 &&
	    s->updated_ms < now_ms - (int64_t)(ws->set.max_age * 1000)) {
		respite_log(RESPITE_LOG_DEBUG, "%s %s is older than max_age; "
		    "not posted", s->id, s->change);
		return;
	}
	for (i = 0; i < ws->nt; i++)
		enqueue(ws->t[i], s);
}

RESPITE_PLUGIN_DECLARE(
	.name = "webhook",
	.kind = RESPITE_PLUGIN_SINK,
	.description = "POSTs suggestion changes to URLs (JSON or Slack text)",
	.init = whsink_init,
	.fini = whsink_fini,
	.reload = whsink_reload,
	.deliver = whsink_deliver);
