/*
 * respite - asterisk: an Asterisk Manager Interface client (a source
 * plugin, ABI 1.3).
 *
 * respited connects to [plugin.asterisk] ami = HOST:PORT on its own loop
 * (a bufferevent; no thread), reads the banner, logs in with username and
 * secret (Action: Login, Events: on), and maps the queue events (API.md,
 * "The phone channel"; README "Phone"):
 *
 *	AgentConnect		ticket.assigned, channel phone, ticket the
 *				call's Linkedid
 *	AgentComplete		ticket.handled, duration_s = TalkTime
 *	QueueMemberPause	Paused 1: break start; 0: break end
 *	QueueMemberAdded	login (to the member's first queue)
 *	QueueMemberRemoved	logout (from the member's last queue)
 *
 * Other events are ignored.  The agent is MemberName, mapped as the
 * helpdesk adapters map names (agent_field name by default, agents
 * file); ts is the event's Timestamp (timestampevents = yes), else the
 * time of receipt.  Event ids: Linkedid, MemberName and the event for
 * calls (a transferred call is a new contact of the second agent);
 * MemberName, the event and Timestamp for the others when there is a
 * Timestamp.  The members' queues and pauses are kept, so a repeated
 * event changes nothing; and ids make a reconnect that repeats events
 * store nothing twice.  At each login (start, restart, reconnect) an
 * Action: QueueStatus fills them in from Asterisk's QueueMember answers,
 * making no event.
 *
 * A lost link is retried with back-off (1 s doubling to 60 s; 60 s after
 * a refused login), a silent one (no byte for three pings) dropped; each
 * change of the link is one log line and /healthz "plugins":
 * {"asterisk": {"ami": "up" | "down"}}.
 */
#include "build.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <jansson.h>

#include <respite/plugin.h>

#include "ami.h"
#include "asterisk.h"
#include "webhook.h"

/* Back-off between attempts, ms. */
#define AST_RETRY_MIN_MS	1000
#define AST_RETRY_MAX_MS	60000
/* A ping while up; no byte for AST_SILENT pings drops the link. */
#define AST_PING_MS		20000
#define AST_SILENT		3
/* Members whose queues and pause are kept, and queues of each. */
#define AST_MEMBERS_MAX		5000
#define AST_QUEUES_MAX		16
/* Longest id part taken from a header (Linkedid, MemberName). */
#define AST_ID_PART_MAX		80
/* Most unsent bytes to Asterisk (actions are small). */
#define AST_OUT_MAX		4096
/* How long a connection may take to be made, or a write to go out. */
#define AST_CONNECT_S		10

enum ast_link {
	AST_DOWN = 0,		/* waiting to retry */
	AST_CONNECTING,
	AST_LOGIN,		/* banner or login response awaited */
	AST_UP
};

struct ast_member {
	uint64_t	key;		/* hash of MemberName */
	int		paused;
	size_t		nq;
	uint64_t	q[AST_QUEUES_MAX];	/* hashes of queue names */
};

struct asterisk {
	struct wh_config		 cf;
	char				*host;
	int				 port;
	char				*username;
	char				 team[RESPITE_NAME_MAX + 1];

	const struct respite_source	*src;
	struct event_base		*base;
	struct evdns_base		*dns;
	struct bufferevent		*bev;
	struct event			*retry;
	struct event			*ping;
	enum ast_link			 link;
	int				 retry_ms;
	int				 refused;	/* last login refused */
	int				 drop;		/* close after this read */
	int				 silent;	/* pings without a byte */
	struct ami_parser		 parser;

	struct ast_member		*members;
	size_t				 nmembers;
	size_t				 cmembers;
};

static const char *const asterisk_keys[] = { "ami", "username", "team",
    NULL };

static void	ast_connect(struct asterisk *);
static void	ast_close(struct asterisk *, const char *, int);

/* ------------------------------------------------------------ settings */

static void
ast_clear(struct asterisk *as)
{
	wh_config_clear(&as->cf);
	free(as->host);
	free(as->username);
	as->host = NULL;
	as->username = NULL;
}

static int
ast_configure(struct asterisk *as, const struct respite_plugin_config *cf,
    char **error)
{
	const char	*v, *colon;
	char		*end;
	long		 port = 5038;

	if (wh_config_parse(cf, asterisk_keys, &as->cf, error) == -1)
		return (-1);
	if (respite_config_get(cf, "agent_field") == NULL)
		as->cf.field = WH_NAME;
	if ((v = respite_config_get(cf, "ami")) == NULL || *v == '\0' ||
	    strlen(v) > 255 || strcspn(v, " \t\r\n/") != strlen(v)) {
		respite_error(error, "ami: expected HOST:PORT of the Asterisk "
		    "Manager Interface (e.g. pbx.example:5038), got %s%s%s",
		    v != NULL ? "\"" : "", v != NULL ? v : "none",
		    v != NULL ? "\"" : "");
		goto fail;
	}
	if (*v == '[') {
		if ((colon = strchr(v, ']')) == NULL) {
			respite_error(error, "ami: \"%s\": an IPv6 address "
			    "needs its closing ]", v);
			goto fail;
		}
		if ((as->host = strndup(v + 1, (size_t)(colon - v - 1))) ==
		    NULL)
			abort();
		colon = colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = strrchr(v, ':');
		if ((as->host = strndup(v, colon != NULL ?
		    (size_t)(colon - v) : strlen(v))) == NULL)
			abort();
	}
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || errno != 0 ||
		    port < 1 || port > 65535) {
			respite_error(error, "ami: \"%s\": the port must be 1 "
			    "to 65535", v);
			goto fail;
		}
	}
	if (*as->host == '\0') {
		respite_error(error, "ami: \"%s\": no host", v);
		goto fail;
	}
	as->port = (int)port;
	if ((v = respite_config_get(cf, "username")) == NULL || *v == '\0' ||
	    strlen(v) > 80 || strcspn(v, "\r\n") != strlen(v)) {
		respite_error(error, "username: expected the manager.conf user "
		    "respited logs in as (a [section] with read = agent,call)");
		goto fail;
	}
	if ((as->username = strdup(v)) == NULL)
		abort();
	if (as->cf.secret == NULL || strcspn(as->cf.secret, "\r\n") !=
	    as->cf.secret_len) {
		respite_error(error, "secret: expected the manager.conf user's "
		    "secret (or secret_file), one line");
		goto fail;
	}
	if ((v = respite_config_get(cf, "team")) != NULL &&
	    (strlen(v) > RESPITE_NAME_MAX || wh_agent_id(v, as->team,
	    sizeof as->team) == -1 || strcmp(v, as->team) != 0)) {
		respite_error(error, "team: \"%s\" is not a respite team id "
		    "(1-64 of A-Za-z0-9._@-)", v);
		goto fail;
	}
	return (0);

fail:
	ast_clear(as);
	return (-1);
}

static int
asterisk_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	struct asterisk	*as;

	if ((as = calloc(1, sizeof *as)) == NULL)
		abort();
	if (ast_configure(as, cf, error) == -1) {
		free(as);
		return (-1);
	}
	as->retry_ms = AST_RETRY_MIN_MS;
	ami_parser_init(&as->parser, 1);
	*instance = as;
	return (0);
}

/* ------------------------------------------------------------ members */

static uint64_t
ast_hash(const char *s)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h);
}

/* The member's state, made if new (NULL when the table is full). */
static struct ast_member *
ast_member(struct asterisk *as, const char *name, int *isnew)
{
	uint64_t	key = ast_hash(name);
	size_t		i;

	*isnew = 0;
	for (i = 0; i < as->nmembers; i++)
		if (as->members[i].key == key)
			return (&as->members[i]);
	if (as->nmembers == AST_MEMBERS_MAX)
		return (NULL);
	if (as->nmembers == as->cmembers) {
		struct ast_member	*v;

		as->cmembers = as->cmembers != 0 ? as->cmembers * 2 : 16;
		if ((v = reallocarray(as->members, as->cmembers,
		    sizeof *v)) == NULL)
			abort();
		as->members = v;
	}
	memset(&as->members[as->nmembers], 0, sizeof *as->members);
	as->members[as->nmembers].key = key;
	*isnew = 1;
	return (&as->members[as->nmembers++]);
}

static int
ast_queue_find(const struct ast_member *m, uint64_t q)
{
	size_t	i;

	for (i = 0; i < m->nq; i++)
		if (m->q[i] == q)
			return ((int)i);
	return (-1);
}

/* ------------------------------------------------------------ mapping */

/* An id part from AMI: printable UTF-8, no ':' games, bounded. */
static int
ast_id_part(const char *s)
{
	json_t	*v;
	size_t	 i;

	if (s == NULL || *s == '\0' || strlen(s) > AST_ID_PART_MAX)
		return (0);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (0);
	if ((v = json_string(s)) == NULL)
		return (0);
	json_decref(v);
	return (1);
}

/* Timestamp: "1772443860.123456" (seconds, micro); 0 if none or bad. */
static int64_t
ast_time(const char *s)
{
	int64_t	sec = 0, ms = 0;
	int	i, d;

	if (s == NULL || *s < '0' || *s > '9')
		return (0);
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i >= 12)
			return (0);
		sec = sec * 10 + (s[i] - '0');
	}
	if (s[i] == '.') {
		for (i++, d = 0; s[i] >= '0' && s[i] <= '9'; i++, d++)
			if (d < 3)
				ms = ms * 10 + (s[i] - '0');
		while (d++ < 3)
			ms *= 10;
	}
	if (s[i] != '\0' || sec == 0)
		return (0);
	return (sec * 1000 + ms);
}

/* A number of seconds (TalkTime): -1 if not one. */
static double
ast_seconds(const char *s)
{
	char	*end;
	long	 n;

	if (s == NULL || *s < '0' || *s > '9')
		return (-1);
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > WH_DURATION_MAX)
		return (-1);
	return ((double)n);
}

/* The agent (and team) of a member; -1 if the event names none usable. */
static int
ast_agent(struct asterisk *as, const struct ami_msg *m,
    struct respite_event *ev)
{
	struct wh_person	who;

	memset(&who, 0, sizeof who);
	who.v[WH_NAME] = ami_get(m, "MemberName");
	who.v[WH_ID] = ami_get(m, "Interface");
	if (wh_agent(&as->cf, &who, ev->agent, sizeof ev->agent, ev->team,
	    sizeof ev->team) == -1)
		return (-1);
	if (ev->team[0] == '\0')
		snprintf(ev->team, sizeof ev->team, "%s", as->team);
	return (0);
}

/*
 * One member of a QueueStatus answer (sent at each login, so after a
 * restart or a reconnect): its queue and pause join the members' state,
 * and no event is made (respited has the member's events already, or
 * nothing to learn from a state without a time).  So a member in two
 * queues who leaves one after respited restarted is not logged out, and
 * a pause repeated is no second break.  Asterisk names the member in
 * Name (MemberName in some versions).
 */
static void
ast_queue_status(struct asterisk *as, const struct ami_msg *m)
{
	struct ast_member	*mb;
	const char		*member, *queue, *paused;
	uint64_t		 q;
	int			 isnew;

	if ((member = ami_get(m, "MemberName")) == NULL)
		member = ami_get(m, "Name");
	if (!ast_id_part(member) || (queue = ami_get(m, "Queue")) == NULL ||
	    (mb = ast_member(as, member, &isnew)) == NULL)
		return;
	q = ast_hash(queue);
	if (ast_queue_find(mb, q) == -1 && mb->nq < AST_QUEUES_MAX)
		mb->q[mb->nq++] = q;
	if ((paused = ami_get(m, "Paused")) != NULL &&
	    (strcmp(paused, "1") == 0 || strcmp(paused, "0") == 0))
		mb->paused = *paused == '1';
}

/*
 * The events of one AMI message at now (epoch ms) into out (max of
 * them, at least AST_EVENTS_MAX); returns how many.  Keeps the members'
 * queues and pauses.  Not static: the unit test and the fuzz target
 * call it.
 */
int
asterisk_map(void *instance, const struct ami_msg *m, int64_t now,
    struct respite_event *out, size_t max)
{
	struct asterisk		*as = instance;
	struct ast_member	*mb;
	const char		*name, *member, *stamp, *linked, *queue, *v;
	enum respite_event_type	 type = RESPITE_EV_NONE;
	struct respite_event	 ev;
	int64_t			 ts;
	int			 isnew, i, n = 0;

	(void)now;
	if (max < AST_EVENTS_MAX || (name = ami_get(m, "Event")) == NULL)
		return (0);
	if (strcmp(name, "QueueMember") == 0) {
		ast_queue_status(as, m);
		return (0);
	}
	member = ami_get(m, "MemberName");
	if (!ast_id_part(member))
		return (0);
	stamp = ami_get(m, "Timestamp");
	ts = ast_time(stamp);
	if (ts == 0)
		stamp = NULL;
	wh_event_init(&ev, RESPITE_EV_NONE, RESPITE_CH_NONE, ts);
	if (ast_agent(as, m, &ev) == -1)
		return (0);

	if (strcmp(name, "AgentConnect") == 0 ||
	    strcmp(name, "AgentComplete") == 0) {
		linked = ami_get(m, "Linkedid");
		if (!ast_id_part(linked))
			return (0);
		for (i = 0; linked[i] != '\0'; i++)
			if (!((linked[i] >= '0' && linked[i] <= '9') ||
			    (linked[i] >= 'a' && linked[i] <= 'z') ||
			    (linked[i] >= 'A' && linked[i] <= 'Z') ||
			    linked[i] == '.' || linked[i] == '-' ||
			    linked[i] == '_'))
				return (0);
		ev.channel = RESPITE_CH_PHONE;
		snprintf(ev.ticket, sizeof ev.ticket, "%s", linked);
		wh_event_id(&as->cf, &ev, "%s:%s:%s", linked, member, name);
		if (strcmp(name, "AgentConnect") == 0)
			ev.type = RESPITE_EV_TICKET_ASSIGNED;
		else {
			ev.type = RESPITE_EV_TICKET_HANDLED;
			ev.duration_s = ast_seconds(ami_get(m, "TalkTime"));
			if (ev.duration_s < 0)
				ev.duration_s = 0;
		}
		out[n++] = ev;
		return (n);
	}

	if (strcmp(name, "QueueMemberPause") == 0) {
		if ((v = ami_get(m, "Paused")) == NULL ||
		    (strcmp(v, "1") != 0 && strcmp(v, "0") != 0))
			return (0);
		mb = ast_member(as, member, &isnew);
		if (mb != NULL && !isnew && mb->paused == (*v == '1'))
			return (0);	/* a repeat: no change */
		if (mb != NULL)
			mb->paused = *v == '1';
		type = *v == '1' ? RESPITE_EV_BREAK_START :
		    RESPITE_EV_BREAK_END;
	} else if (strcmp(name, "QueueMemberAdded") == 0) {
		if ((queue = ami_get(m, "Queue")) == NULL)
			return (0);
		mb = ast_member(as, member, &isnew);
		if (mb != NULL) {
			uint64_t	q = ast_hash(queue);

			if (ast_queue_find(mb, q) != -1)
				return (0);	/* already in it */
			if (mb->nq < AST_QUEUES_MAX)
				mb->q[mb->nq++] = q;
			if (mb->nq > 1)
				return (0);	/* logged in already */
			mb->paused = 0;
		}
		type = RESPITE_EV_AGENT_LOGIN;
	} else if (strcmp(name, "QueueMemberRemoved") == 0) {
		if ((queue = ami_get(m, "Queue")) == NULL)
			return (0);
		mb = ast_member(as, member, &isnew);
		if (mb != NULL) {
			int	k = ast_queue_find(mb, ast_hash(queue));

			if (k != -1)
				mb->q[k] = mb->q[--mb->nq];
			if (mb->nq > 0)
				return (0);	/* still in a queue */
			mb->paused = 0;
		}
		type = RESPITE_EV_AGENT_LOGOUT;
	} else
		return (0);

	ev.type = type;
	if (stamp != NULL)
		wh_event_id(&as->cf, &ev, "%s:%s:%s", member, name, stamp);
	out[n++] = ev;
	return (n);
}

/* ------------------------------------------------------------ the link */

static void
ast_health(struct asterisk *as, const char *state)
{
	if (as->src != NULL)
		as->src->health(as->src, "ami", state);
}

static void
ast_send(struct asterisk *as, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ast_send(struct asterisk *as, const char *fmt, ...)
{
	struct evbuffer	*out;
	va_list		 ap;

	if (as->bev == NULL)
		return;
	out = bufferevent_get_output(as->bev);
	if (evbuffer_get_length(out) > AST_OUT_MAX) {
		as->drop = 1;
		return;
	}
	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
}

static void
ast_message(const struct ami_msg *m, void *arg)
{
	struct asterisk		*as = arg;
	struct respite_event	 ev[AST_EVENTS_MAX];
	const char		*resp, *id, *text;
	char			*error = NULL;
	int			 n;

	if (as->drop)
		return;
	if (m->banner) {
		if (as->link != AST_LOGIN ||
		    strncmp(m->h[0].value, "Asterisk Call Manager/", 22) != 0) {
			respite_log(RESPITE_LOG_ERROR, "%s:%d does not speak "
			    "the Asterisk Manager Interface (banner \"%.64s\"):"
			    " check [plugin.asterisk] ami", as->host, as->port,
			    m->h[0].value);
			as->refused = 1;
			as->drop = 1;
			return;
		}
		ast_send(as, "Action: Login\r\nActionID: respite-login\r\n"
		    "Username: %s\r\nSecret: %s\r\nEvents: on\r\n\r\n",
		    as->username, as->cf.secret);
		return;
	}
	resp = ami_get(m, "Response");
	id = ami_get(m, "ActionID");
	if (as->link == AST_LOGIN) {
		if (resp == NULL || id == NULL ||
		    strcmp(id, "respite-login") != 0)
			return;
		text = ami_get(m, "Message");
		if (strcasecmp(resp, "Success") != 0) {
			respite_log(RESPITE_LOG_ERROR, "AMI login to %s:%d as "
			    "%s refused (%.64s): check [plugin.asterisk] "
			    "username and secret, and the user's permit= in "
			    "manager.conf; retrying in %d s", as->host,
			    as->port, as->username, text != NULL ? text :
			    resp, AST_RETRY_MAX_MS / 1000);
			as->refused = 1;
			as->drop = 1;
			return;
		}
		as->link = AST_UP;
		as->refused = 0;
		as->retry_ms = AST_RETRY_MIN_MS;
		ast_health(as, "up");
		respite_log(RESPITE_LOG_INFO, "AMI link up: %s:%d as %s",
		    as->host, as->port, as->username);
		/* The members' queues and pauses as they are now. */
		ast_send(as, "Action: QueueStatus\r\nActionID: "
		    "respite-queues\r\n\r\n");
		return;
	}
	if (resp != NULL || as->link != AST_UP)
		return;		/* a pong, or an answer we did not ask */
	if ((n = asterisk_map(as, m, 0, ev, AST_EVENTS_MAX)) == 0)
		return;
	if (as->src->submit(as->src, ev, (size_t)n, &error) == -1) {
		respite_log(RESPITE_LOG_WARNING, "%s of %s not taken: %s",
		    ami_get(m, "Event"), ev[0].agent, error != NULL ? error :
		    "refused");
		free(error);
	}
}

static void
ast_read_cb(struct bufferevent *bev, void *arg)
{
	struct asterisk	*as = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		 buf[4096];
	ev_ssize_t	 n;

	as->silent = 0;
	while (!as->drop && (n = evbuffer_remove(in, buf, sizeof buf)) > 0)
		ami_parse(&as->parser, buf, (size_t)n, ast_message, as);
	if (as->drop)
		ast_close(as, as->refused ? NULL : "too much unsent to "
		    "Asterisk", as->refused);
}

static void
ast_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ast_connect(arg);
}

static void
ast_ping_cb(evutil_socket_t fd, short what, void *arg)
{
	struct asterisk	*as = arg;
	struct timeval	 tv = { AST_PING_MS / 1000, 0 };

	(void)fd;
	(void)what;
	if (as->link != AST_UP && as->link != AST_LOGIN)
		return;
	/* Up: pings get pongs.  Logging in: the answer is overdue. */
	if (++as->silent > AST_SILENT) {
		ast_close(as, as->link == AST_UP ? "silent for a minute" :
		    "no answer to the login for a minute", 0);
		return;
	}
	if (as->link == AST_UP)
		ast_send(as, "Action: Ping\r\nActionID: respite-ping\r\n"
		    "\r\n");
	evtimer_add(as->ping, &tv);
}

/*
 * Close the link (why: for the log line, NULL when said already) and
 * retry after the back-off; a refused login waits the longest.
 */
static void
ast_close(struct asterisk *as, const char *why, int refused)
{
	struct timeval	tv;
	int		was = as->link;

	if (as->bev != NULL) {
		bufferevent_free(as->bev);
		as->bev = NULL;
	}
	if (as->ping != NULL)
		evtimer_del(as->ping);
	as->link = AST_DOWN;
	as->drop = 0;
	ast_health(as, "down");
	if (refused)
		as->retry_ms = AST_RETRY_MAX_MS;
	if (why != NULL)
		respite_log(RESPITE_LOG_WARNING, "AMI link to %s:%d %s: %s; retrying in "
		    "%d s", as->host, as->port, was == AST_UP ? "lost" :
		    "not made", why, as->retry_ms / 1000);
	tv.tv_sec = as->retry_ms / 1000;
	tv.tv_usec = (as->retry_ms % 1000) * 1000;
	if (as->retry != NULL)
		evtimer_add(as->retry, &tv);
	if (!refused)
		as->retry_ms = as->retry_ms * 2 < AST_RETRY_MAX_MS ?
		    as->retry_ms * 2 : AST_RETRY_MAX_MS;
}

static void
ast_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct asterisk	*as = arg;
	struct timeval	 tv = { AST_PING_MS / 1000, 0 };
	char		 why[128];

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		as->link = AST_LOGIN;
		as->silent = 0;
		ami_parser_init(&as->parser, 1);
		evtimer_add(as->ping, &tv);
		return;
	}
	if (what & BEV_EVENT_EOF)
		snprintf(why, sizeof why, "closed by Asterisk");
	else if (what & BEV_EVENT_TIMEOUT)
		snprintf(why, sizeof why, "no answer within %d s",
		    AST_CONNECT_S);
	else if (what & BEV_EVENT_ERROR) {
		int	dns = bufferevent_socket_get_dns_error(as->bev);

		snprintf(why, sizeof why, "%s", dns != 0 ?
		    evutil_gai_strerror(dns) :
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	} else
		snprintf(why, sizeof why, "event 0x%x", (unsigned int)what);
	ast_close(as, why, 0);
}

static void
ast_connect(struct asterisk *as)
{
	struct sockaddr_storage	ss;
	struct timeval		connect_tv = { AST_CONNECT_S, 0 };
	int			sslen = sizeof ss;
	char			addr[300];

	if (as->bev != NULL || as->base == NULL)
		return;
	as->link = AST_CONNECTING;
	as->drop = 0;
	if ((as->bev = bufferevent_socket_new(as->base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		ast_close(as, "cannot make a socket", 0);
		return;
	}
	bufferevent_setcb(as->bev, ast_read_cb, NULL, ast_event_cb, as);
	bufferevent_set_timeouts(as->bev, NULL, &connect_tv);
	bufferevent_enable(as->bev, EV_READ | EV_WRITE);
	snprintf(addr, sizeof addr, strchr(as->host, ':') != NULL ?
	    "[%s]:%d" : "%s:%d", as->host, as->port);
	/* A literal address needs no resolver. */
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss,
	    &sslen) == 0) {
		if (bufferevent_socket_connect(as->bev,
		    (struct sockaddr *)&ss, sslen) == -1)
			ast_close(as, evutil_socket_error_to_string(
			    EVUTIL_SOCKET_ERROR()), 0);
		return;
	}
	if (as->dns == NULL && (as->dns = evdns_base_new(as->base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS)) == NULL) {
		ast_close(as, "no resolver (/etc/resolv.conf)", 0);
		return;
	}
	if (bufferevent_socket_connect_hostname(as->bev, as->dns, AF_UNSPEC,
	    as->host, as->port) == -1)
		ast_close(as, "cannot resolve the host", 0);
}

static int
asterisk_start(void *instance, const struct respite_source *src,
    char **error)
{
	struct asterisk	*as = instance;

	as->src = src;
	if ((as->base = respite_event_base()) == NULL)
		return (respite_error(error, "no event loop"));
	if ((as->retry = evtimer_new(as->base, ast_retry_cb, as)) == NULL ||
	    (as->ping = evtimer_new(as->base, ast_ping_cb, as)) == NULL)
		return (respite_error(error, "cannot make a timer"));
	ast_health(as, "down");
	respite_log(RESPITE_LOG_INFO, "connecting to the Asterisk Manager "
	    "Interface at %s:%d as %s", as->host, as->port, as->username);
	ast_connect(as);
	return (0);
}

static void
asterisk_stop(void *instance)
{
	struct asterisk	*as = instance;

	if (as->bev != NULL) {
		bufferevent_free(as->bev);
		as->bev = NULL;
	}
	if (as->retry != NULL)
		event_free(as->retry);
	if (as->ping != NULL)
		event_free(as->ping);
	as->retry = as->ping = NULL;
	if (as->dns != NULL)
		evdns_base_free(as->dns, 0);
	as->dns = NULL;
	as->link = AST_DOWN;
	as->src = NULL;
	as->base = NULL;
}

static void
asterisk_fini(void *instance)
{
	struct asterisk	*as = instance;

	asterisk_stop(as);
	ast_clear(as);
	free(as->members);
	free(as);
}

/*
 * SIGHUP: new settings; a changed address, user or secret reconnects at
 * once (the members' state stays).
 */
static int
asterisk_reload(void *instance, const struct respite_plugin_config *cf,
    char **error)
{
	struct asterisk	*as = instance, fresh;
	int		 same;

	memset(&fresh, 0, sizeof fresh);
	if (ast_configure(&fresh, cf, error) == -1)
		return (-1);
	same = strcmp(fresh.host, as->host) == 0 && fresh.port == as->port &&
	    strcmp(fresh.username, as->username) == 0 &&
	    fresh.cf.secret_len == as->cf.secret_len &&
	    memcmp(fresh.cf.secret, as->cf.secret, as->cf.secret_len) == 0;
	ast_clear(as);
	as->cf = fresh.cf;
	as->host = fresh.host;
	as->port = fresh.port;
	as->username = fresh.username;
	memcpy(as->team, fresh.team, sizeof as->team);
	respite_log(RESPITE_LOG_INFO, "reloaded%s", same ? "" :
	    "; reconnecting with the new settings");
	if (!same && as->base != NULL) {
		if (as->bev != NULL) {
			bufferevent_free(as->bev);
			as->bev = NULL;
		}
		if (as->ping != NULL)
			evtimer_del(as->ping);
		if (as->retry != NULL)
			evtimer_del(as->retry);
		as->link = AST_DOWN;
		as->retry_ms = AST_RETRY_MIN_MS;
		ast_health(as, "down");
		ast_connect(as);
	}
	return (0);
}

RESPITE_PLUGIN_DECLARE(
	.name = "asterisk",
	.kind = RESPITE_PLUGIN_SOURCE,
	.description = "Asterisk Manager Interface client (queue events)",
	.init = asterisk_init,
	.fini = asterisk_fini,
	.reload = asterisk_reload,
	.start = asterisk_start,
	.stop = asterisk_stop
);
