/*
 * respite - zendesk: the Zendesk webhook adapter
 * (POST /v1/webhooks/zendesk).
 *
 * Zendesk sends two kinds of body, and the adapter reads both:
 *
 * - Event webhooks (subscribed to zen:event-type:...): an envelope with
 *   "type", "id", "time", the ticket in "detail" and the change in
 *   "event".  agent_assignment_changed gives ticket.assigned;
 *   status_changed to SOLVED (or to CLOSED from anything but SOLVED)
 *   gives ticket.handled; comment_added by a non-staff author, public,
 *   gives message.received; a messaging event from an end user too.
 *   Ids are the envelope's, so a redelivery is a duplicate.  Agents are
 *   Zendesk user ids here: map them with an agents file.
 * - Trigger and automation webhooks, whose JSON the admin writes with
 *   placeholders: flat ticket_* members (docs/helpdesks.md, "Zendesk",
 *   has the body to paste).  "respite_event" may say what the trigger means
 *   (ticket.assigned, ticket.handled, message.received); without it a
 *   solved ticket is handled and one with an assignee is assigned.
 *
 * With a secret, X-Zendesk-Webhook-Signature must be the base64
 * HMAC-SHA256 of X-Zendesk-Webhook-Signature-Timestamp followed directly
 * by the raw body, the time stamp at most max_age old.
 */
#include "build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <respite/plugin.h>

#include "webhook.h"

#define EVENT_PREFIX	"zen:event-type:"

/* Zendesk's via channels, native ("native_messaging") and as shown. */
static const struct wh_channel_map zendesk_channels[] = {
	{ "phone", RESPITE_CH_PHONE },
	{ "voice", RESPITE_CH_PHONE },
	{ "messenger", RESPITE_CH_MESSAGING },
	{ "messaging", RESPITE_CH_MESSAGING },
	{ "whatsapp", RESPITE_CH_MESSAGING },
	{ "wechat", RESPITE_CH_MESSAGING },
	{ "telegram", RESPITE_CH_MESSAGING },
	{ "sms", RESPITE_CH_MESSAGING },
	{ "line", RESPITE_CH_MESSAGING },
	{ "chat", RESPITE_CH_CHAT },
	{ "mail", RESPITE_CH_EMAIL },
	{ "twitter", RESPITE_CH_SOCIAL },
	{ "facebook", RESPITE_CH_SOCIAL },
	{ "instagram", RESPITE_CH_SOCIAL },
	{ NULL, RESPITE_CH_NONE }
};

static int
zendesk_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	return (wh_plain_init(cf, "X-Zendesk-Webhook-Signature (HMAC-SHA256)",
	    instance, error));
}

static int
zendesk_verify(struct wh_config *zd, const struct respite_webhook *req,
    char **error)
{
	const char	*sig, *ts;
	uint8_t		 want[WH_DIGEST_MAX], got[WH_DIGEST_MAX];
	size_t		 len;
	int64_t		 ms = 0;
	int		 n;

	sig = req->header(req, "X-Zendesk-Webhook-Signature");
	ts = req->header(req, "X-Zendesk-Webhook-Signature-Timestamp");
	if (sig == NULL || ts == NULL)
		return (wh_unauthorized(error, "%s is missing: sign the "
		    "webhook in Zendesk and put its signing secret in "
		    "[plugin.%s] secret", sig == NULL ?
		    "X-Zendesk-Webhook-Signature" :
		    "X-Zendesk-Webhook-Signature-Timestamp", zd->name));
	len = wh_hmac(WH_SHA256, zd->secret, zd->secret_len, ts,
	    strlen(ts), req->body, req->body_len, want);
	if ((n = wh_base64_decode(sig, got, sizeof got)) == -1 ||
	    !wh_equal(want, len, got, (size_t)n))
		return (wh_unauthorized(error, "X-Zendesk-Webhook-Signature "
		    "does not match: the webhook's signing secret in Zendesk "
		    "and [plugin.%s] secret differ", zd->name));
	if (zd->max_age_ms > 0 && wh_time_parse(ts, &ms) == -1)
		return (wh_unauthorized(error, "X-Zendesk-Webhook-Signature-"
		    "Timestamp: not a time stamp this adapter can read "
		    "(max_age = 0 turns the freshness check off)"));
	if (wh_check_fresh(zd, ms, req->now_ms, error) == -1)
		return (RESPITE_WEBHOOK_UNAUTHORIZED);
	return (0);
}

/* A Zendesk user id (or names) for wh_agent(). */
struct zdperson {
	struct wh_person	p;
	char			id[32];
};

static const struct wh_person *
zendesk_user_id(json_t *o, const char *path, struct zdperson *zp)
{
	memset(zp, 0, sizeof *zp);
	if ((zp->p.v[WH_ID] = wh_scalar(o, path, zp->id, sizeof zp->id)) ==
	    NULL)
		return (NULL);
	return (&zp->p);
}

/* The first of paths that is a string or a number, into buf. */
static const char *
first_scalar(json_t *o, const char *const *paths, char *buf, size_t len)
{
	const char	*v;

	for (; *paths != NULL; paths++)
		if ((v = wh_scalar(o, *paths, buf, len)) != NULL)
			return (v);
	return (NULL);
}

static const char *
first_str(json_t *o, const char *const *paths)
{
	const char	*v;

	for (; *paths != NULL; paths++)
		if ((v = wh_str(o, *paths)) != NULL)
			return (v);
	return (NULL);
}

static int
first_time(json_t *o, const char *const *paths, int64_t *ms)
{
	for (; *paths != NULL; paths++)
		if (wh_time(o, *paths, ms) == 0)
			return (0);
	return (-1);
}

/*
 * The text of a comment placeholder: {{ticket.latest_public_comment}}
 * starts with a rule of dashes, the author and the date, which are
 * skipped.
 */
static const char *
zendesk_comment_text(const char *s)
{
	const char	*p = s, *nl;

	if (strncmp(p, "----------", 10) != 0)
		return (s);
	if ((nl = strchr(p, '\n')) == NULL)
		return (s);
	p = nl + 1;
	p += strspn(p, "\r\n");
	if ((nl = strchr(p, '\n')) == NULL)	/* author, date */
		return (s);
	p = nl + 1;
	p += strspn(p, "\r\n");
	return (p);
}

/* An event webhook: one change, the ticket in "detail". */
static int
zendesk_event(struct wh_config *zd, struct wh_result *res, json_t *root,
    const char *type, char **error)
{
	struct respite_event	 ev;
	struct zdperson		 zp;
	const struct wh_person	*who;
	enum respite_channel	 ch;
	json_t			*detail, *event;
	const char		*cur, *prev, *text;
	char			 eid[128], tid[64];
	int64_t			 ts = 0, created = 0;

	detail = json_object_get(root, "detail");
	event = json_object_get(root, "event");
	if (wh_scalar(root, "id", eid, sizeof eid) == NULL)
		return (respite_error(error, "%s: expected the envelope's id",
		    type));
	if (wh_scalar(detail, "id", tid, sizeof tid) == NULL) {
		const char	*subject = wh_str(root, "subject");

		if (subject == NULL || strncmp(subject, "zen:ticket:", 11) !=
		    0 || snprintf(tid, sizeof tid, "%s", subject + 11) >=
		    (int)sizeof tid) {
			wh_ignore(res, "%s: not about a ticket", type);
			return (0);
		}
	}
	wh_time(root, "time", &ts);
	wh_time(detail, "created_at", &created);
	ch = wh_channel(zendesk_channels, wh_str(detail, "via.channel"));
	type += strlen(EVENT_PREFIX);

	if (strcmp(type, "ticket.comment_added") == 0 ||
	    json_is_object(wh_get(event, "message"))) {
		int	customer;

		if (json_is_object(wh_get(event, "comment"))) {
			customer = !wh_bool(event, "comment.author.is_staff") &&
			    (wh_get(event, "comment.is_public") == NULL ||
			    wh_bool(event, "comment.is_public"));
			text = wh_str(event, "comment.body");
		} else {
			customer = wh_strcaseeq(wh_str(event, "actor.type"),
			    "end_user");
			text = wh_str(event, "message.body");
		}
		if (!customer) {
			wh_ignore(res, "ticket %s: a comment by staff, or "
			    "private", tid);
			return (0);
		}
		who = zendesk_user_id(detail, "assignee_id", &zp);
		wh_event_init(&ev, RESPITE_EV_MESSAGE_RECEIVED, ch, ts);
		snprintf(ev.ticket, sizeof ev.ticket, "%s", tid);
		wh_event_id(zd, &ev, "event:%s", eid);
		return (wh_emit_message(res, &ev, who, text, text != NULL ?
		    strlen(text) : 0, -1, error) == -1 ? -1 : 0);
	} else if (strcmp(type, "ticket.agent_assignment_changed") == 0) {
		if ((who = zendesk_user_id(event, "current", &zp)) == NULL) {
			wh_ignore(res, "ticket %s was unassigned", tid);
			return (0);
		}
		wh_event_init(&ev, RESPITE_EV_TICKET_ASSIGNED, ch, ts);
	} else if (strcmp(type, "ticket.status_changed") == 0) {
		cur = wh_str(event, "current");
		prev = wh_str(event, "previous");
		if (!wh_strcaseeq(cur, "solved") && !(wh_strcaseeq(cur,
		    "closed") && !wh_strcaseeq(prev, "solved"))) {
			wh_ignore(res, "ticket %s: status %s is not solved",
			    tid, cur != NULL ? cur : "(none)");
			return (0);
		}
		who = zendesk_user_id(detail, "assignee_id", &zp);
		wh_event_init(&ev, RESPITE_EV_TICKET_HANDLED, ch, ts);
		ev.duration_s = wh_duration(zd, ch, created,
		    ts > 0 ? ts : res->req->now_ms, 0);
	} else {
		wh_ignore(res, "event type %.80s is not used", type);
		return (0);
	}
	snprintf(ev.ticket, sizeof ev.ticket, "%s", tid);
	wh_event_id(zd, &ev, "event:%s", eid);
	return (wh_emit(res, &ev, who, error) == -1 ? -1 : 0);
}

/* A trigger or automation body: flat ticket_* members. */
static int
zendesk_trigger(struct wh_config *zd, struct wh_result *res, json_t *root,
    char **error)
{
	static const char *const p_tid[] = { "ticket_id", "ticket.id", NULL };
	static const char *const p_status[] = { "ticket_status", "status",
	    "ticket.status", NULL };
	static const char *const p_via[] = { "ticket_via", "via",
	    "ticket_channel", "channel", "ticket.via", NULL };
	static const char *const p_email[] = { "assignee_email",
	    "ticket.assignee.email", NULL };
	static const char *const p_aid[] = { "assignee_id",
	    "ticket.assignee.id", NULL };
	static const char *const p_name[] = { "assignee_name",
	    "assignee_full_name", "ticket.assignee.name", NULL };
	static const char *const p_upd[] = { "updated_at",
	    "ticket_updated_at", "ticket.updated_at_with_timestamp", NULL };
	static const char *const p_created[] = { "created_at",
	    "ticket_created_at", "ticket.created_at_with_timestamp", NULL };
	static const char *const p_text[] = { "comment", "latest_comment",
	    "latest_public_comment", "ticket_latest_public_comment", NULL };
	static const char *const p_cid[] = { "comment_id", NULL };
	static const char *const p_spent[] = { "time_spent_s", NULL };
	struct respite_event	 ev;
	struct wh_person	 who;
	enum respite_channel	 ch;
	const char		*hint, *status, *text, *key;
	char			 tid[64], aid[32], cid[64], hash[24], spent[32];
	int64_t			 upd = 0, created = 0;
	int			 solved, closed, has_who;

	if (first_scalar(root, p_tid, tid, sizeof tid) == NULL) {
		wh_ignore(res, "no ticket_id: not a ticket payload respite "
		    "can use (see docs/helpdesks.md, \"Zendesk\")");
		return (0);
	}
	memset(&who, 0, sizeof who);
	who.v[WH_EMAIL] = first_str(root, p_email);
	who.v[WH_ID] = first_scalar(root, p_aid, aid, sizeof aid);
	who.v[WH_NAME] = first_str(root, p_name);
	has_who = who.v[WH_EMAIL] != NULL || who.v[WH_ID] != NULL ||
	    who.v[WH_NAME] != NULL;
	status = first_str(root, p_status);
	ch = wh_channel(zendesk_channels, first_str(root, p_via));
	if (first_time(root, p_upd, &upd) == -1)
		upd = 0;
	if (first_time(root, p_created, &created) == -1)
		created = 0;
	hint = wh_str(root, "respite_event");
	solved = wh_strcaseeq(status, "solved");
	closed = wh_strcaseeq(status, "closed");
	if (hint != NULL && strcmp(hint, "ticket.assigned") != 0 &&
	    strcmp(hint, "ticket.handled") != 0 &&
	    strcmp(hint, "message.received") != 0)
		return (respite_error(error, "respite_event: expected "
		    "ticket.assigned, ticket.handled or message.received, got "
		    "\"%.64s\"", hint));
	if (!has_who) {
		wh_ignore(res, "ticket %s has no assignee", tid);
		return (0);
	}
	key = who.v[WH_EMAIL] != NULL ? who.v[WH_EMAIL] :
	    who.v[WH_ID] != NULL ? who.v[WH_ID] : who.v[WH_NAME];

	if (hint != NULL ? strcmp(hint, "message.received") == 0 : 0) {
		if ((text = first_str(root, p_text)) != NULL)
			text = zendesk_comment_text(text);
		wh_event_init(&ev, RESPITE_EV_MESSAGE_RECEIVED, ch, upd);
		snprintf(ev.ticket, sizeof ev.ticket, "%s", tid);
		if (first_scalar(root, p_cid, cid, sizeof cid) != NULL)
			wh_event_id(zd, &ev, "%s:comment:%s", tid, cid);
		else {
			wh_text_id(zd, tid, text != NULL ? text : "",
			    text != NULL ? strlen(text) : 0, hash,
			    sizeof hash);
			wh_event_id(zd, &ev, "%s:comment:%s:%lld", tid,
			    hash, (long long)upd);
		}
		return (wh_emit_message(res, &ev, &who, text, text != NULL ?
		    strlen(text) : 0, -1, error) == -1 ? -1 : 0);
	}
	if (hint != NULL ? strcmp(hint, "ticket.handled") == 0 : solved) {
		double	accounted = 0;

		if (first_scalar(root, p_spent, spent, sizeof spent) != NULL)
			accounted = strtod(spent, NULL);
		wh_event_init(&ev, RESPITE_EV_TICKET_HANDLED, ch, upd);
		snprintf(ev.ticket, sizeof ev.ticket, "%s", tid);
		ev.duration_s = wh_duration(zd, ch, created,
		    upd > 0 ? upd : res->req->now_ms, accounted);
		if (upd > 0)
			wh_event_id(zd, &ev, "%s:solved:%lld", tid,
			    (long long)upd);
		else
			wh_event_id(zd, &ev, "%s:solved", tid);
		return (wh_emit(res, &ev, &who, error) == -1 ? -1 : 0);
	}
	if (hint == NULL && closed) {
		wh_ignore(res, "ticket %s is closed: it was counted when "
		    "solved", tid);
		return (0);
	}
	wh_event_init(&ev, RESPITE_EV_TICKET_ASSIGNED, ch, upd);
	snprintf(ev.ticket, sizeof ev.ticket, "%s", tid);
	wh_event_id(zd, &ev, "%s:assigned:%s", tid, key);
	return (wh_emit(res, &ev, &who, error) == -1 ? -1 : 0);
}

static int
zendesk_webhook(void *instance, const struct respite_webhook *req,
    char **error)
{
	struct wh_config		*zd = instance;
	struct wh_result	 res;
	json_t			*root;
	const char		*type;
	int			 rc;

	if (zd->secret != NULL &&
	    (rc = zendesk_verify(zd, req, error)) != 0)
		return (rc);
	if ((root = wh_parse(req, error)) == NULL)
		return (RESPITE_WEBHOOK_BAD);
	wh_result_init(&res, req, zd);
	type = wh_str(root, "type");
	if (type != NULL && strncmp(type, EVENT_PREFIX,
	    strlen(EVENT_PREFIX)) == 0)
		rc = zendesk_event(zd, &res, root, type, error);
	else
		rc = zendesk_trigger(zd, &res, root, error);
	json_decref(root);
	if (rc == -1) {
		wh_finish(&res, NULL);
		return (RESPITE_WEBHOOK_BAD);
	}
	return (wh_finish(&res, error));
}

RESPITE_PLUGIN_DECLARE(
	.name = "zendesk",
	.kind = RESPITE_PLUGIN_ADAPTER,
	.description = "Zendesk event and trigger webhooks "
	    "(X-Zendesk-Webhook-Signature)",
	.init = zendesk_init,
	.fini = wh_plain_fini,
	.reload = wh_plain_reload,
	.webhook = zendesk_webhook
);
