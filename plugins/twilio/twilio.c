/*
 * respite - twilio: the Twilio TaskRouter adapter
 * (POST /v1/webhooks/twilio).
 *
 * A TaskRouter Workspace posts each of its events to its Event Callback
 * URL as form parameters (EventType, Sid, Timestamp, TimestampMs, the
 * Worker*, Task* and ReservationSid fields), signed with
 * X-Twilio-Signature (form.c).  The mapping (API.md, "The phone
 * channel"; docs/helpdesks.md, "Twilio"):
 *
 *	reservation.accepted		ticket.assigned (ticket: TaskSid)
 *	reservation.wrapup, or		ticket.handled, one a reservation:
 *	  reservation.completed		  both have the id of ReservationSid,
 *					  the later one is a duplicate;
 *					  duration_s from the accepted time
 *					  this adapter kept, else TaskAge
 *	worker.activity.update		by WorkerActivityName: Offline a
 *					logout; a break activity, or one not
 *					available, a break start; an
 *					available one a break end (a login
 *					after Offline)
 *
 * Other event types are ignored.  The channel is TaskChannelUniqueName's;
 * the agent WorkerName (agent_field login; email and name are the worker
 * attributes email and full_name, id WorkerSid), the team the worker
 * attribute team (else team_name, Flex Insights'), else [plugin.twilio]
 * team.  Event time: TimestampMs, else Timestamp (epoch seconds).
 */
#include "build.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <respite/plugin.h>

#include "form.h"
#include "webhook.h"

/* Reservations whose accepted time is kept (a direct-mapped table). */
#define TW_SLOTS	16384
/* Activity names in a list key, and the longest. */
#define TW_NAMES_MAX	32
#define TW_NAME_LEN	64
/* Longest Twilio sid we take as part of an id (they are 34). */
#define TW_SID_MAX	64
/* Longest url. */
#define TW_URL_MAX	2048

struct tw_slot {
	char	sid[TW_SID_MAX + 1];
	int64_t	ts;			/* accepted, epoch ms */
};

struct tw_names {
	char	v[TW_NAMES_MAX][TW_NAME_LEN + 1];
	size_t	n;
};

struct twilio {
	struct wh_config	 cf;
	char			*url;
	char			 team[RESPITE_NAME_MAX + 1];
	struct tw_names		 breaks;
	struct tw_names		 available;
	struct tw_slot		*slots;		/* TW_SLOTS */
};

static const char *const twilio_keys[] = { "url", "team",
    "break_activities", "available_activities", NULL };

static int
twilio_names(const char *key, const char *v, struct tw_names *out,
    char **error)
{
	const char	*p = v, *e;
	size_t		 n;

	memset(out, 0, sizeof *out);
	while (*p != '\0') {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n > TW_NAME_LEN || out->n == TW_NAMES_MAX)
			return (respite_error(error, "%s: expected at most %d "
			    "activity names of at most %d bytes, separated by "
			    "commas", key, TW_NAMES_MAX, TW_NAME_LEN));
		memcpy(out->v[out->n], p, n);
		out->v[out->n++][n] = '\0';
		p = e;
	}
	return (0);
}

static int
names_has(const struct tw_names *l, const char *name)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], name) == 0)
			return (1);
	return (0);
}

static void
twilio_clear(struct twilio *tw)
{
	wh_config_clear(&tw->cf);
	free(tw->url);
	tw->url = NULL;
}

static int
twilio_configure(struct twilio *tw, const struct respite_plugin_config *cf,
    char **error)
{
	const char	*v;

	memset(tw, 0, sizeof *tw);
	if (wh_config_parse(cf, twilio_keys, &tw->cf, error) == -1)
		return (-1);
	/* WorkerName is the login Twilio knows a worker by. */
	if (respite_config_get(cf, "agent_field") == NULL)
		tw->cf.field = WH_LOGIN;
	v = respite_config_get(cf, "url");
	if (v == NULL || (strncasecmp(v, "https://", 8) != 0 &&
	    strncasecmp(v, "http://", 7) != 0) || strlen(v) > TW_URL_MAX ||
	    strcspn(v, " \t\r\n") != strlen(v)) {
		respite_error(error, "url: expected the public URL Twilio "
		    "calls (the Workspace's Event Callback URL, e.g. "
		    "https://respite.example/v1/webhooks/twilio), got %s%s%s: "
		    "the signature covers it", v != NULL ? "\"" : "",
		    v != NULL ? v : "none", v != NULL ? "\"" : "");
		goto fail;
	}
	if ((tw->url = strdup(v)) == NULL)
		abort();
	if ((v = respite_config_get(cf, "team")) != NULL &&
	    (strlen(v) > RESPITE_NAME_MAX || wh_agent_id(v, tw->team,
	    sizeof tw->team) == -1 || strcmp(v, tw->team) != 0)) {
		respite_error(error, "team: \"%s\" is not a respite team id "
		    "(1-64 of A-Za-z0-9._@-)", v);
		goto fail;
	}
	if ((v = respite_config_get(cf, "break_activities")) == NULL)
		v = "Break, Lunch";
	if (twilio_names("break_activities", v, &tw->breaks, error) == -1)
		goto fail;
	if ((v = respite_config_get(cf, "available_activities")) == NULL)
		v = "Available";
	if (twilio_names("available_activities", v, &tw->available,
	    error) == -1)
		goto fail;
	return (0);

fail:
	twilio_clear(tw);
	return (-1);
}

static int
twilio_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	struct twilio	*tw;

	if ((tw = calloc(1, sizeof *tw)) == NULL)
		abort();
	if (twilio_configure(tw, cf, error) == -1) {
		free(tw);
		return (-1);
	}
	if ((tw->slots = calloc(TW_SLOTS, sizeof *tw->slots)) == NULL)
		abort();
	wh_config_warn(&tw->cf, "X-Twilio-Signature (the auth token)");
	*instance = tw;
	return (0);
}

static void
twilio_fini(void *instance)
{
	struct twilio	*tw = instance;

	twilio_clear(tw);
	free(tw->slots);
	free(tw);
}

static int
twilio_reload(void *instance, const struct respite_plugin_config *cf,
    char **error)
{
	struct twilio	*tw = instance, fresh;

	if (twilio_configure(&fresh, cf, error) == -1)
		return (-1);
	fresh.slots = tw->slots;	/* accepted times stay */
	twilio_clear(tw);
	*tw = fresh;
	respite_log(RESPITE_LOG_INFO, "reloaded");
	return (0);
}

/* ------------------------------------------------------------ mapping */

/* A Twilio sid usable in an id: 1-64 of [A-Za-z0-9]. */
static const char *
tw_sid(const struct tw_form *f, const char *name)
{
	const char	*v = tw_form_get(f, name);
	size_t		 n;

	if (v == NULL)
		return (NULL);
	for (n = 0; v[n] != '\0'; n++)
		if (!((v[n] >= '0' && v[n] <= '9') || (v[n] >= 'a' &&
		    v[n] <= 'z') || (v[n] >= 'A' && v[n] <= 'Z')))
			return (NULL);
	return (n > 0 && n <= TW_SID_MAX ? v : NULL);
}

/*
 * A decimal integer parameter from 0 to max into *out; -1 if not one (a
 * number that would wrap is refused here, before any caller multiplies).
 */
static int
tw_int(const struct tw_form *f, const char *name, int64_t max, int64_t *out)
{
	const char	*v = tw_form_get(f, name);
	char		*end;
	long long	 n;

	if (v == NULL || *v < '0' || *v > '9')
		return (-1);
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > max)
		return (-1);
	*out = n;
	return (0);
}

/* The event's time (epoch ms): TimestampMs, else Timestamp; 0 if none. */
static int64_t
tw_time(const struct tw_form *f)
{
	int64_t	t;

	/* Up to the year 9999; the daemon checks the rest. */
	if (tw_int(f, "TimestampMs", 253402300799999LL, &t) == 0 && t > 0)
		return (t);
	if (tw_int(f, "Timestamp", 253402300799LL, &t) == 0 && t > 0)
		return (t * 1000);
	return (0);
}

static enum respite_channel
tw_channel(const char *name)
{
	if (name == NULL)
		return (RESPITE_CH_OTHER);
	if (strcasecmp(name, "voice") == 0)
		return (RESPITE_CH_PHONE);
	if (strcasecmp(name, "chat") == 0)
		return (RESPITE_CH_CHAT);
	if (strcasecmp(name, "sms") == 0 || strcasecmp(name, "whatsapp") == 0)
		return (RESPITE_CH_MESSAGING);
	if (strcasecmp(name, "email") == 0)
		return (RESPITE_CH_EMAIL);
	return (RESPITE_CH_OTHER);
}

static struct tw_slot *
tw_slot(struct twilio *tw, const char *sid)
{
	uint32_t	h = 2166136261u;

	for (; *sid != '\0'; sid++)
		h = (h ^ (unsigned char)*sid) * 16777619u;
	return (&tw->slots[h % TW_SLOTS]);
}

/*
 * The worker of the callback as a wh_person (strings in attrs stay
 * valid while it lives), and its team by the attributes.
 */
static void
tw_worker(struct twilio *tw, const struct tw_form *f, json_t **attrs,
    struct wh_person *who, char *team, size_t tlen)
{
	const char	*a, *t;

	memset(who, 0, sizeof *who);
	*attrs = NULL;
	*team = '\0';
	who->v[WH_LOGIN] = tw_form_get(f, "WorkerName");
	who->v[WH_ID] = tw_form_get(f, "WorkerSid");
	if ((a = tw_form_get(f, "WorkerAttributes")) != NULL &&
	    (*attrs = json_loads(a, JSON_DECODE_ANY, NULL)) != NULL &&
	    json_is_object(*attrs)) {
		who->v[WH_EMAIL] = wh_str(*attrs, "email");
		who->v[WH_NAME] = wh_str(*attrs, "full_name");
		if ((t = wh_str(*attrs, "team")) == NULL)
			t = wh_str(*attrs, "team_name");
		if (t != NULL && wh_agent_id(t, team, tlen) == 0)
			return;
	}
	snprintf(team, tlen, "%s", tw->team);
}

/*
 * Emit ev for who (wh_emit()), with team unless the agents file gave
 * the agent one.
 */
static int
tw_emit(struct wh_result *res, struct respite_event *ev,
    const struct wh_person *who, const char *team, char **error)
{
	if (wh_agent(res->cf, who, ev->agent, sizeof ev->agent, ev->team,
	    sizeof ev->team) == -1)
		return (wh_emit(res, ev, who, error));	/* notes why */
	if (ev->team[0] == '\0')
		snprintf(ev->team, sizeof ev->team, "%s", team);
	if (res->req->emit(res->req, ev, error) == -1)
		return (-1);
	res->emitted++;
	return (1);
}

static int
tw_reservation(struct twilio *tw, struct wh_result *res,
    const struct tw_form *f, const char *type, char **error)
{
	struct respite_event	 ev;
	struct wh_person	 who;
	struct tw_slot		*slot;
	enum respite_channel	 ch;
	json_t			*attrs;
	const char		*rsid, *task;
	char			 team[RESPITE_NAME_MAX + 1];
	int64_t			 ts, age;
	double			 d;
	int			 accepted, rc;

	accepted = strcmp(type, "reservation.accepted") == 0;
	if ((rsid = tw_sid(f, "ReservationSid")) == NULL) {
		wh_ignore(res, "%s without a ReservationSid", type);
		return (0);
	}
	task = tw_sid(f, "TaskSid");
	ch = tw_channel(tw_form_get(f, "TaskChannelUniqueName"));
	ts = tw_time(f);
	tw_worker(tw, f, &attrs, &who, team, sizeof team);
	slot = tw_slot(tw, rsid);
	if (accepted) {
		wh_event_init(&ev, RESPITE_EV_TICKET_ASSIGNED, ch, ts);
		wh_event_id(&tw->cf, &ev, "%s:assigned", rsid);
		snprintf(slot->sid, sizeof slot->sid, "%s", rsid);
		slot->ts = ts > 0 ? ts : res->req->now_ms;
	} else {
		wh_event_init(&ev, RESPITE_EV_TICKET_HANDLED, ch, ts);
		wh_event_id(&tw->cf, &ev, "%s:handled", rsid);
		d = -1;
		if (strcmp(slot->sid, rsid) == 0)
			d = (double)((ts > 0 ? ts : res->req->now_ms) -
			    slot->ts) / 1000.0;
		else if (tw_int(f, "TaskAge", INT32_MAX, &age) == 0)
			d = (double)age;
		/* A reservation occupies the worker, on every channel. */
		ev.duration_s = d >= 0 && d <= tw->cf.max_duration_s ? d : 0;
		/* The first of wrapup and completed counts, the other is a
		 * duplicate: keep the time for a redelivery of the first. */
	}
	if (task != NULL)
		snprintf(ev.ticket, sizeof ev.ticket, "%s", task);
	rc = tw_emit(res, &ev, &who, team, error);
	json_decref(attrs);
	return (rc == -1 ? -1 : 0);
}

static int
tw_activity(struct twilio *tw, struct wh_result *res,
    const struct tw_form *f, char **error)
{
	struct respite_event	 ev;
	struct wh_person	 who;
	json_t			*attrs;
	const char		*sid, *now, *prev;
	char			 team[RESPITE_NAME_MAX + 1];
	enum respite_event_type	 type;
	int64_t			 ts;
	int			 login = 0, rc = 0;

	if ((sid = tw_sid(f, "Sid")) == NULL) {
		wh_ignore(res, "worker.activity.update without a Sid");
		return (0);
	}
	if ((now = tw_form_get(f, "WorkerActivityName")) == NULL ||
	    *now == '\0') {
		wh_ignore(res, "worker.activity.update without a "
		    "WorkerActivityName");
		return (0);
	}
	prev = tw_form_get(f, "WorkerPreviousActivityName");
	if (strcasecmp(now, "Offline") == 0)
		type = RESPITE_EV_AGENT_LOGOUT;
	else if (names_has(&tw->breaks, now) ||
	    !names_has(&tw->available, now)) {
		type = RESPITE_EV_BREAK_START;
		login = prev != NULL && strcasecmp(prev, "Offline") == 0;
	} else if (prev == NULL || strcasecmp(prev, "Offline") == 0)
		type = RESPITE_EV_AGENT_LOGIN;
	else if (names_has(&tw->available, prev) &&
	    !names_has(&tw->breaks, prev)) {
		wh_ignore(res, "activity %.64s after %.64s: both available",
		    now, prev);
		return (0);
	} else
		type = RESPITE_EV_BREAK_END;

	ts = tw_time(f);
	tw_worker(tw, f, &attrs, &who, team, sizeof team);
	if (login) {
		/* Offline to a break: on shift, but taking no contacts. */
		wh_event_init(&ev, RESPITE_EV_AGENT_LOGIN, RESPITE_CH_NONE, ts);
		wh_event_id(&tw->cf, &ev, "%s:login", sid);
		rc = tw_emit(res, &ev, &who, team, error);
	}
	if (rc != -1) {
		wh_event_init(&ev, type, RESPITE_CH_NONE, ts);
		wh_event_id(&tw->cf, &ev, "%s", sid);
		rc = tw_emit(res, &ev, &who, team, error);
	}
	json_decref(attrs);
	return (rc == -1 ? -1 : 0);
}

static int
twilio_payload(struct twilio *tw, struct wh_result *res,
    const struct tw_form *f, char **error)
{
	const char	*type = tw_form_get(f, "EventType");

	if (type == NULL) {
		wh_ignore(res, "no EventType: not a TaskRouter event callback "
		    "(see docs/helpdesks.md, \"Twilio\")");
		return (0);
	}
	if (strcmp(type, "reservation.accepted") == 0 ||
	    strcmp(type, "reservation.wrapup") == 0 ||
	    strcmp(type, "reservation.completed") == 0)
		return (tw_reservation(tw, res, f, type, error));
	if (strcmp(type, "worker.activity.update") == 0)
		return (tw_activity(tw, res, f, error));
	wh_ignore(res, "EventType %.64s is not used", type);
	return (0);
}

/*
 * Does the X-Twilio-Signature value given match f posted to us?  The
 * URL is [plugin.twilio] url, with the query string of the request when
 * url has none (Twilio signs the URL it called, ?token= and all); as
 * Twilio's own libraries do, the URL with the default port toggled is
 * tried too.
 */
static int
twilio_signed(const struct twilio *tw, const struct respite_webhook *req,
    const struct tw_form *f, const char *given)
{
	uint8_t	 want[TW_SIG_LEN], got[WH_DIGEST_MAX];
	char	*u, *alt;
	size_t	 ulen = strlen(tw->url), qlen = 0, alen;
	int	 n, ok;

	if ((n = wh_base64_decode(given, got, sizeof got)) == -1)
		return (0);
	if (req->query != NULL && *req->query != '\0' &&
	    strchr(tw->url, '?') == NULL)
		qlen = strlen(req->query);
	if ((u = malloc(ulen + 1 + qlen + 1)) == NULL ||
	    (alt = malloc(ulen + 1 + qlen + 8)) == NULL)
		abort();
	memcpy(u, tw->url, ulen + 1);
	if (qlen > 0) {
		u[ulen++] = '?';
		memcpy(u + ulen, req->query, qlen + 1);
		ulen += qlen;
	}
	tw_signature(tw->cf.secret, tw->cf.secret_len, u, ulen, "", 0, f,
	    want);
	ok = wh_equal(want, sizeof want, got, (size_t)n);
	if (!ok && (alen = tw_url_variant(u, alt, ulen + 8)) > 0) {
		tw_signature(tw->cf.secret, tw->cf.secret_len, alt, alen, "",
		    0, f, want);
		ok = wh_equal(want, sizeof want, got, (size_t)n);
	}
	free(u);
	free(alt);
	return (ok);
}

static int
twilio_webhook(void *instance, const struct respite_webhook *req,
    char **error)
{
	struct twilio	*tw = instance;
	struct wh_result res;
	struct tw_form	 f;
	const char	*given = NULL;
	char		*perr = NULL;
	int		 rc;

	if (tw->cf.secret != NULL &&
	    (given = req->header(req, "X-Twilio-Signature")) == NULL)
		return (wh_unauthorized(error, "X-Twilio-Signature is missing: "
		    "TaskRouter signs every callback; is this Twilio?"));
	if (tw_form_parse(req->body, req->body_len, &f, &perr) == -1) {
		if (tw->cf.secret != NULL) {
			rc = wh_unauthorized(error, "the body is not a form, "
			    "so X-Twilio-Signature cannot match: %s", perr);
			free(perr);
			return (rc);
		}
		*error = perr;
		return (RESPITE_WEBHOOK_BAD);
	}
	if (tw->cf.secret != NULL && !twilio_signed(tw, req, &f, given)) {
		tw_form_free(&f);
		return (wh_unauthorized(error, "X-Twilio-Signature does not "
		    "match: check [plugin.%s] secret (the auth token) and url "
		    "(exactly the Event Callback URL)", tw->cf.name));
	}
	wh_result_init(&res, req, &tw->cf);
	rc = twilio_payload(tw, &res, &f, error);
	tw_form_free(&f);
	if (rc == -1) {
		wh_finish(&res, NULL);
		return (RESPITE_WEBHOOK_BAD);
	}
	return (wh_finish(&res, error));
}

RESPITE_PLUGIN_DECLARE(
	.name = "twilio",
	.kind = RESPITE_PLUGIN_ADAPTER,
	.description = "Twilio TaskRouter event callbacks "
	    "(X-Twilio-Signature)",
	.init = twilio_init,
	.fini = twilio_fini,
	.reload = twilio_reload,
	.webhook = twilio_webhook
);
