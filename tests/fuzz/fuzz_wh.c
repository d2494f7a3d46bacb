/*
 * respite - a fake daemon for the webhook adapters' fuzz targets
 * (fuzz_wh.h): it initialises the adapter once for each section the
 * flags can ask for, answers its header() calls from the input, and
 * checks each event it emits the way the daemon would need it to be
 * (api_webhooks.c validates them further; ids, text and agent must be
 * usable strings).  A request without a valid signature must never get
 * through when a secret is set.
 */
#include "build.h"

#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "apierr.h"
#include "event.h"
#include "fuzz.h"
#include "fuzz_wh.h"
#include "log.h"
#include "plugins.h"
#include "secret.h"

#define F_SECRET	0x01
#define F_SIGN		0x02
#define F_FIELD_SHIFT	2
#define F_FIELD		0x0c
#define F_AGENTS	0x10
#define F_IGNORE	0x20
#define F_REFUSE	0x80
#define F_INSTANCE	(F_SECRET | F_FIELD | F_AGENTS | F_IGNORE)

/* The agents file of the 0x10 flag (keys as in the seed corpora). */
static const char fuzz_agents[] =
    "# fuzz: KEY AGENT [TEAM]\n"
    "anna@example.com           anna      support-de\n"
    "42                         bert      phone-1\n"
    "\"Carla Diaz\"               carla\n"
    "dora                       dora      chat-team\n";

struct fuzz_wh {
	const struct fuzz_wh_target	*t;
	const char			*hname[FUZZ_WH_HEADERS];
	char				*hvalue[FUZZ_WH_HEADERS];
	size_t				 nemitted;
	int				 refuse;
	int				 refused;
};

static struct {
	int	 done;
	int	 rc;
	void	*instance;
} instances[F_INSTANCE + 1];
static char	agents_path[4096];

static void
agents_unlink(void)
{
	unlink(agents_path);
}

static void
agents_init(void)
{
	const char	*tmp;
	int		 fd;

	if ((fd = memfd_create("respite-fuzz-agents", 0)) != -1) {
		snprintf(agents_path, sizeof agents_path, "/proc/self/fd/%d",
		    fd);
		if (access(agents_path, R_OK) != 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd == -1) {
		if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
			tmp = "/tmp";
		snprintf(agents_path, sizeof agents_path,
		    "%s/respite-fuzz-agents.XXXXXX", tmp);
		if ((fd = mkstemp(agents_path)) == -1) {
			fprintf(stderr, "fuzz: %s: %s\n", agents_path,
			    strerror(errno));
			abort();
		}
	}
	if (write(fd, fuzz_agents, sizeof fuzz_agents - 1) !=
	    (ssize_t)(sizeof fuzz_agents - 1))
		abort();
	/* A memfd stays open for good; a temporary file goes at exit. */
	if (strncmp(agents_path, "/proc/", 6) != 0) {
		close(fd);
		atexit(agents_unlink);
	}
}

/* The adapter configured as flags ask, or NULL if its init refused. */
static void *
instance_get(const struct fuzz_wh_target *t, unsigned int flags)
{
	static const char *const fields[] = { "email", "login", "id",
	    "name" };
	struct respite_config_item	 items[16];
	struct respite_plugin_config	 cf;
	unsigned int			 k = flags & F_INSTANCE;
	char				*error = NULL;
	size_t				 n = 0, i;

	if (instances[k].done)
		return (instances[k].rc == 0 ? instances[k].instance : NULL);
	if (agents_path[0] == '\0') {
		static const uint8_t	key[SECRET_INSTALL_LEN] = { 0x52, 0x53 };

		/* Keep the adapters' warnings out of the output. */
		log_init(LOG_TO_STDERR, LOG_LEVEL_ERROR);
		agents_init();
		/* As respited before it loads them: fixed, to replay. */
		plugins_set_install_secret(key);
	}
	memset(items, 0, sizeof items);
	if (flags & F_SECRET) {
		items[n].key = "secret";
		items[n++].value = FUZZ_WH_SECRET;
	}
	items[n].key = "agent_field";
	items[n++].value = fields[(flags & F_FIELD) >> F_FIELD_SHIFT];
	if (flags & F_AGENTS) {
		items[n].key = "agents";
		items[n++].value = agents_path;
	}
	if (flags & F_IGNORE) {
		items[n].key = "unmapped";
		items[n++].value = "ignore";
	}
	for (i = 0; t->extra[i] != NULL && t->extra[i + 1] != NULL; i += 2) {
		items[n].key = t->extra[i];
		items[n++].value = t->extra[i + 1];
	}
	for (i = 0; i < n; i++)
		items[i].line = (int)i + 2;
	memset(&cf, 0, sizeof cf);
	cf.name = t->pl->name;
	cf.items = items;
	cf.nitems = n;
	instances[k].rc = t->pl->init(&cf, &instances[k].instance, &error);
	instances[k].done = 1;
	/* Only unmapped = ignore without an agents file is refused. */
	FUZZ_CHECK((instances[k].rc == 0) ==
	    (!(flags & F_IGNORE) || (flags & F_AGENTS)));
	FUZZ_CHECK((instances[k].rc == 0) == (error == NULL));
	free(error);
	return (instances[k].rc == 0 ? instances[k].instance : NULL);
}

static const char *
header_cb(const struct respite_webhook *req, const char *name)
{
	const struct fuzz_wh	*w = req->daemon;
	size_t			 i;

	FUZZ_CHECK(name != NULL);
	for (i = 0; i < FUZZ_WH_HEADERS && w->hname[i] != NULL; i++)
		if (strcasecmp(w->hname[i], name) == 0)
			return (w->hvalue[i]);
	return (NULL);
}

/* Is s (len bytes) text the daemon can put in JSON? */
static int
utf8_valid(const char *s, size_t len)
{
	json_t	*v;

	if ((v = json_stringn(s, len)) == NULL)
		return (0);
	json_decref(v);
	return (1);
}

static int
emit_cb(const struct respite_webhook *req, const struct respite_event *ev,
    char **error)
{
	struct fuzz_wh	*w = req->daemon;

	FUZZ_CHECK(ev->type > RESPITE_EV_NONE && ev->type < RESPITE_EV_COUNT);
	FUZZ_CHECK(event_name_valid(ev->agent));
	FUZZ_CHECK(ev->team[0] == '\0' || event_name_valid(ev->team));
	FUZZ_CHECK(strnlen(ev->id, sizeof ev->id) < sizeof ev->id);
	FUZZ_CHECK(utf8_valid(ev->id, strlen(ev->id)));
	FUZZ_CHECK(strnlen(ev->ticket, sizeof ev->ticket) < sizeof ev->ticket);
	FUZZ_CHECK(utf8_valid(ev->ticket, strlen(ev->ticket)));
	FUZZ_CHECK(strnlen(ev->lang, sizeof ev->lang) < sizeof ev->lang);
	FUZZ_CHECK(strnlen(ev->tz, sizeof ev->tz) < sizeof ev->tz);
	FUZZ_CHECK(ev->channel >= RESPITE_CH_NONE &&
	    ev->channel < RESPITE_CH_COUNT);
	FUZZ_CHECK(ev->ts_ms >= 0);
	FUZZ_CHECK(ev->severity <= 1);
	if (ev->text != NULL) {
		FUZZ_CHECK(ev->type == RESPITE_EV_MESSAGE_RECEIVED);
		FUZZ_CHECK(ev->text_len <= RESPITE_TEXT_MAX);
		FUZZ_CHECK(strlen(ev->text) == ev->text_len);
		FUZZ_CHECK(utf8_valid(ev->text, ev->text_len));
	}
	if (w->refuse && w->nemitted == 1) {
		w->refused = 1;
		return (respite_error(error, "events[1].agent: refused by "
		    "the fuzz target"));
	}
	w->nemitted++;
	return (0);
}

/*
 * What api_webhooks.c answers with error: a 400 or 401 body through
 * api_fail(), or the reason of a 202.  Both must be JSON.
 */
static void
check_error(int rc, const char *error)
{
	struct api_error	 err;
	json_error_t		 je;
	json_t			*o;
	char			*s;

	if (rc == RESPITE_WEBHOOK_IGNORED) {
		FUZZ_CHECK(utf8_valid(error, strlen(error)));
		return;
	}
	api_error_set(&err, 400, "bad_json", -1, NULL, "%s", error);
	s = api_error_json(&err);
	FUZZ_CHECK((o = json_loads(s, 0, &je)) != NULL);
	json_decref(o);
	free(s);
}

/* The lines of a header block: values for w->hname, in order. */
static size_t
parse_headers(struct fuzz_wh *w, const uint8_t *p, size_t len)
{
	const uint8_t	*nl;
	size_t		 off = 0, i = 0, n;

	while (off < len) {
		if ((nl = memchr(p + off, '\n', len - off)) == NULL)
			return (off);	/* no body: the rest is a header */
		n = (size_t)(nl - (p + off));
		if (n == 0)
			return (off + 1);
		if (i < FUZZ_WH_HEADERS && w->hname[i] != NULL) {
			if ((w->hvalue[i] = strndup((const char *)p + off,
			    n)) == NULL)
				abort();
		}
		i++;
		off += n + 1;
	}
	return (off);
}

int
fuzz_wh_run(const struct fuzz_wh_target *t, const uint8_t *data,
    size_t size)
{
	struct respite_webhook	 req;
	struct fuzz_wh		 w;
	void			*instance;
	unsigned int		 flags;
	char			*error = NULL;
	size_t			 off, i;
	int			 rc, signed_ok;

	if (size == 0)
		return (0);
	flags = data[0];
	if ((instance = instance_get(t, flags)) == NULL) {
		FUZZ_SAY("flags 0x%02x: init refused", flags);
		return (0);
	}
	memset(&w, 0, sizeof w);
	w.t = t;
	for (i = 0; i < FUZZ_WH_HEADERS && t->headers[i] != NULL; i++)
		w.hname[i] = t->headers[i];
	w.refuse = (flags & F_REFUSE) != 0;
	off = 1 + parse_headers(&w, data + 1, size - 1);
	signed_ok = (flags & F_SECRET) && (flags & F_SIGN);
	if (signed_ok)
		t->sign(w.hvalue, (const char *)data + off, size - off);

	memset(&req, 0, sizeof req);
	req.method = "POST";
	req.path = "";
	req.query = "";
	/* The body ends where the input does, so ASan sees an overread. */
	req.body = (const char *)data + off;
	req.body_len = size - off;
	req.now_ms = FUZZ_NOW_MS;
	req.header = header_cb;
	req.emit = emit_cb;
	req.daemon = &w;
	rc = t->pl->webhook(instance, &req, &error);

	FUZZ_CHECK(rc == RESPITE_WEBHOOK_OK || rc == RESPITE_WEBHOOK_IGNORED ||
	    rc == RESPITE_WEBHOOK_BAD || rc == RESPITE_WEBHOOK_UNAUTHORIZED);
	if ((flags & F_SECRET) && !signed_ok) {
		/* Nobody without the secret gets an event in. */
		FUZZ_CHECK(rc == RESPITE_WEBHOOK_UNAUTHORIZED);
		FUZZ_CHECK(w.nemitted == 0);
	}
	if (rc == RESPITE_WEBHOOK_OK)
		FUZZ_CHECK(w.nemitted > 0 && error == NULL);
	if (rc == RESPITE_WEBHOOK_BAD || rc == RESPITE_WEBHOOK_UNAUTHORIZED)
		FUZZ_CHECK(error != NULL);
	if (rc == RESPITE_WEBHOOK_IGNORED)
		FUZZ_CHECK(w.nemitted == 0);
	/* An event the daemon refused fails the whole request. */
	if (w.refused)
		FUZZ_CHECK(rc == RESPITE_WEBHOOK_BAD);
	if (error != NULL) {
		FUZZ_CHECK(strnlen(error, 65536) < 65536);
		check_error(rc, error);
	}
	FUZZ_SAY("flags 0x%02x: status %d, %zu events%s%s", flags, rc,
	    w.nemitted, error != NULL ? ": " : "", error != NULL ? error : "");
	free(error);
	for (i = 0; i < FUZZ_WH_HEADERS; i++)
		free(w.hvalue[i]);
	return (0);
}

/* prefix and the hex digits of d (n bytes): a new string. */
char *
fuzz_wh_hex(const uint8_t *d, size_t n, const char *prefix)
{
	size_t	plen = strlen(prefix), i;
	char	*s;

	if ((s = malloc(plen + 2 * n + 1)) == NULL)
		abort();
	memcpy(s, prefix, plen);
	for (i = 0; i < n; i++)
		snprintf(s + plen + 2 * i, 3, "%02x", d[i]);
	s[plen + 2 * n] = '\0';
	return (s);
}

/* a then b: a new string. */
char *
fuzz_wh_strcat(const char *a, const char *b)
{
	char	*s;

	if (asprintf(&s, "%s%s", a, b) == -1)
		abort();
	return (s);
}
