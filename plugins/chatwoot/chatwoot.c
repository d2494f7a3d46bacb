/*
 * respite - chatwoot: the Chatwoot webhook adapter
 * (POST /v1/webhooks/chatwoot).
 *
 * Chatwoot posts one JSON object an event, named by its "event" member:
 *
 *	message_created, incoming,	message.received to the conversation's
 *	  not private			assignee, with the text; id by message
 *	conversation_created with an	ticket.assigned; id by conversation and
 *	  assignee; conversation_	assignee (one assignment an agent and
 *	  updated changing assignee_id	conversation)
 *	conversation_status_changed	ticket.handled; id by conversation and
 *	  (or _updated) to resolved	its time stamp, so a conversation
 *					reopened and resolved again counts again
 *
 * Everything else (outgoing and private messages, message_updated,
 * contact and widget events, unassigned conversations) is ignored.
 * With a secret, X-Chatwoot-Signature must be "sha256=" and the hex
 * HMAC-SHA256 of X-Chatwoot-Timestamp, ".", and the raw body, with the
 * time stamp at most max_age (300 s) old and 30 s ahead.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <respite/plugin.h>

#include "webhook.h"

/* Chatwoot's channel classes ("Channel::WebWidget", ...). */
static const struct wh_channel_map chatwoot_channels[] = {
	{ "webwidget", RESPITE_CH_CHAT },
	{ "email", RESPITE_CH_EMAIL },
	{ "whatsapp", RESPITE_CH_MESSAGING },
	{ "sms", RESPITE_CH_MESSAGING },
	{ "telegram", RESPITE_CH_MESSAGING },
	{ "::line", RESPITE_CH_MESSAGING },
	{ "voice", RESPITE_CH_PHONE },
	{ "facebook", RESPITE_CH_SOCIAL },
	{ "instagram", RESPITE_CH_SOCIAL },
	{ "twitter", RESPITE_CH_SOCIAL },
	{ "tiktok", RESPITE_CH_SOCIAL },
	{ NULL, RESPITE_CH_NONE }
};

static int
chatwoot_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	return (wh_plain_init(cf, "X-Chatwoot-Signature (HMAC-SHA256)",
	    instance, error));
}

/* X-Chatwoot-Timestamp and X-Chatwoot-Signature.  Returns 0 or status. */
static int
chatwoot_verify(struct wh_config *cw, const struct respite_webhook *req,
    char **error)
{
	const char	*ts, *sig;
	char		 msg[32];
	int64_t		 ms;

	ts = req->header(req, "X-Chatwoot-Timestamp");
	sig = req->header(req, "X-Chatwoot-Signature");
	if (ts == NULL || sig == NULL)
		return (wh_unauthorized(error, "%s is missing: this Chatwoot "
		    "does not sign its webhooks, or [plugin.%s] secret is set "
		    "but Chatwoot has none", ts == NULL ?
		    "X-Chatwoot-Timestamp" : "X-Chatwoot-Signature",
		    cw->name));
	while (*ts == ' ')
		ts++;
	if (strlen(ts) > 20 || strspn(ts, "0123456789") != strlen(ts) ||
	    wh_time_parse(ts, &ms) == -1)
		return (wh_unauthorized(error, "X-Chatwoot-Timestamp: "
		    "expected Unix seconds"));
	snprintf(msg, sizeof msg, "%s.", ts);
	if (!wh_check_hmac_hex(cw, WH_SHA256, sig, "sha256=", msg,
	    strlen(msg), req->body, req->body_len))
		return (wh_unauthorized(error, "X-Chatwoot-Signature does not "
		    "match: the webhook's secret in Chatwoot and "
		    "[plugin.%s] secret differ", cw->name));
	if (wh_check_fresh(cw, ms, req->now_ms, error) == -1)
		return (RESPITE_WEBHOOK_UNAUTHORIZED);
	return (0);
}

/* A Chatwoot user (the assignee) as names for wh_agent(). */
struct cperson {
	struct wh_person	p;
	char			id[32];
};

static const struct wh_person *
chatwoot_assignee(json_t *conv, struct cperson *cp)
{
	json_t	*a = wh_get(conv, "meta.assignee");

	memset(cp, 0, sizeof *cp);
	if (json_is_object(a)) {
		cp->p.v[WH_EMAIL] = wh_str(a, "email");
		cp->p.v[WH_ID] = wh_scalar(a, "id", cp->id, sizeof cp->id);
		cp->p.v[WH_NAME] = wh_str(a, "available_name");
		if (cp->p.v[WH_NAME] == NULL)
			cp->p.v[WH_NAME] = wh_str(a, "name");
	} else
		cp->p.v[WH_ID] = wh_scalar(conv, "assignee_id", cp->id,
		    sizeof cp->id);
	if (cp->p.v[WH_EMAIL] == NULL && cp->p.v[WH_ID] == NULL &&
	    cp->p.v[WH_NAME] == NULL)
		return (NULL);
	return (&cp->p);
}

/* The conversation's number: "id" in webhooks is its display id. */
static const char *
chatwoot_conv_id(json_t *conv, char *buf, size_t len)
{
	const char	*id;

	if ((id = wh_scalar(conv, "id", buf, len)) == NULL)
		id = wh_scalar(conv, "display_id", buf, len);
	return (id);
}

/* The changed_attributes entry for attr, or NULL. */
static json_t *
chatwoot_changed(json_t *root, const char *attr)
{
	json_t	*changes = json_object_get(root, "changed_attributes"), *c, *v;
	size_t	 i;

	if (json_is_object(changes))
		return (json_object_get(changes, attr));
	json_array_foreach(changes, i, c) {
		if ((v = json_object_get(c, attr)) != NULL)
			return (v);
	}
	return (NULL);
}

/* The earliest time of the conversation: created_at or first message. */
static int64_t
chatwoot_start(json_t *conv)
{
	json_t	*msgs = json_object_get(conv, "messages"), *m;
	int64_t	 t, start = 0;
	size_t	 i;

	if (wh_time(conv, "created_at", &start) == 0)
		return (start);
	json_array_foreach(msgs, i, m) {
		if (wh_time(m, "created_at", &t) == 0 && (start == 0 ||
		    t < start))
			start = t;
	}
	return (start);
}

static int
chatwoot_message(struct wh_config *cw, struct wh_result *res, json_t *root,
    char **error)
{
	struct respite_event	 ev;
	struct cperson		 cp;
	const struct wh_person	*who;
	json_t			*conv, *mt;
	const char		*text;
	char			 cid[64], mid[32];
	int64_t			 ts = 0;

	mt = json_object_get(root, "message_type");
	if (!(json_is_string(mt) && wh_strcaseeq(json_string_value(mt),
	    "incoming")) && !(json_is_integer(mt) &&
	    json_integer_value(mt) == 0)) {
		wh_ignore(res, "not an incoming message (outgoing, activity "
		    "or template)");
		return (0);
	}
	if (wh_bool(root, "private")) {
		wh_ignore(res, "a private note");
		return (0);
	}
	conv = json_object_get(root, "conversation");
	if (wh_scalar(root, "id", mid, sizeof mid) == NULL ||
	    chatwoot_conv_id(conv, cid, sizeof cid) == NULL)
		return (respite_error(error, "message_created: expected the "
		    "message's id and conversation.id"));
	if ((who = chatwoot_assignee(conv, &cp)) == NULL) {
		wh_ignore(res, "conversation %s has no assignee", cid);
		return (0);
	}
	wh_time(root, "created_at", &ts);
	wh_event_init(&ev, RESPITE_EV_MESSAGE_RECEIVED, wh_channel(
	    chatwoot_channels, wh_str(conv, "channel")), ts);
	snprintf(ev.ticket, sizeof ev.ticket, "%s", cid);
	wh_event_id(cw, &ev, "message:%s", mid);
	text = wh_str(root, "content");
	return (wh_emit_message(res, &ev, who, text, text != NULL ?
	    strlen(text) : 0, -1, error) == -1 ? -1 : 0);
}

static int
chatwoot_conversation(struct wh_config *cw, struct wh_result *res,
    json_t *root, const char *event, char **error)
{
	struct respite_event	 ev;
	struct cperson		 cp;
	const struct wh_person	*who;
	enum respite_channel	 ch;
	json_t			*chg;
	char			 cid[64];
	const char		*status;
	int64_t			 ts = 0;
	int			 assigned = 0, resolved = 0;

	if (chatwoot_conv_id(root, cid, sizeof cid) == NULL)
		return (respite_error(error, "%s: expected the conversation's "
		    "id", event));
	who = chatwoot_assignee(root, &cp);
	ch = wh_channel(chatwoot_channels, wh_str(root, "channel"));
	status = wh_str(root, "status");

	if (strcmp(event, "conversation_created") == 0)
		assigned = who != NULL;
	else if (strcmp(event, "conversation_updated") == 0) {
		chg = chatwoot_changed(root, "assignee_id");
		assigned = chg != NULL && who != NULL &&
		    !json_is_null(json_object_get(chg, "current_value"));
		chg = chatwoot_changed(root, "status");
		resolved = chg != NULL && json_is_string(json_object_get(chg,
		    "current_value")) && wh_strcaseeq(json_string_value(
		    json_object_get(chg, "current_value")), "resolved");
	} else
		resolved = wh_strcaseeq(status, "resolved") ||
		    strcmp(event, "conversation_resolved") == 0;

	if (!assigned && !resolved) {
		if (who == NULL)
			wh_ignore(res, "conversation %s has no assignee", cid);
		else
			wh_ignore(res, "%s: neither an assignment nor a "
			    "resolution", event);
		return (0);
	}
	if (who == NULL) {
		wh_ignore(res, "conversation %s has no assignee", cid);
		return (0);
	}
	if (assigned) {
		if (wh_time(root, "updated_at", &ts) == -1)
			wh_time(root, "timestamp", &ts);
		wh_event_init(&ev, RESPITE_EV_TICKET_ASSIGNED, ch, ts);
		snprintf(ev.ticket, sizeof ev.ticket, "%s", cid);
		wh_event_id(cw, &ev, "%s:assigned:%s", cid,
		    who->v[WH_ID] != NULL ? who->v[WH_ID] :
		    who->v[WH_EMAIL] != NULL ? who->v[WH_EMAIL] :
		    who->v[WH_NAME]);
		if (wh_emit(res, &ev, who, error) == -1)
			return (-1);
	}
	if (resolved) {
		if (wh_time(root, "updated_at", &ts) == -1 &&
		    wh_time(root, "timestamp", &ts) == -1)
			ts = 0;
		wh_event_init(&ev, RESPITE_EV_TICKET_HANDLED, ch, ts);
		snprintf(ev.ticket, sizeof ev.ticket, "%s", cid);
		ev.duration_s = wh_duration(cw, ch, chatwoot_start(root),
		    ts > 0 ? ts : res->req->now_ms, 0);
		if (ts > 0)
			wh_event_id(cw, &ev, "%s:resolved:%lld", cid,
			    (long long)ts);
		else
			wh_event_id(cw, &ev, "%s:resolved", cid);
		if (wh_emit(res, &ev, who, error) == -1)
			return (-1);
	}
	return (0);
}

static int
chatwoot_webhook(void *instance, const struct respite_webhook *req,
    char **error)
{
	struct wh_config		*cw = instance;
	struct wh_result	 res;
	json_t			*root;
	const char		*event;
	int			 rc;

	if (cw->secret != NULL &&
	    (rc = chatwoot_verify(cw, req, error)) != 0)
		return (rc);
	if ((root = wh_parse(req, error)) == NULL)
		return (RESPITE_WEBHOOK_BAD);
	wh_result_init(&res, req, cw);
	rc = 0;
	if ((event = wh_str(root, "event")) == NULL)
		wh_ignore(&res, "no \"event\": not a Chatwoot webhook");
	else if (strcmp(event, "message_created") == 0)
		rc = chatwoot_message(cw, &res, root, error);
	else if (strcmp(event, "conversation_created") == 0 ||
	    strcmp(event, "conversation_updated") == 0 ||
	    strcmp(event, "conversation_status_changed") == 0 ||
	    strcmp(event, "conversation_resolved") == 0)
		rc = chatwoot_conversation(cw, &res, root, event, error);
	else
		wh_ignore(&res, "event \"%.64s\" is not used", event);
	json_decref(root);
	if (rc == -1) {
		wh_finish(&res, NULL);
		return (RESPITE_WEBHOOK_BAD);
	}
	return (wh_finish(&res, error));
}

RESPITE_PLUGIN_DECLARE(
	.name = "chatwoot",
	.kind = RESPITE_PLUGIN_ADAPTER,
	.description = "Chatwoot webhooks (X-Chatwoot-Signature)",
	.init = chatwoot_init,
	.fini = wh_plain_fini,
	.reload = wh_plain_reload,
	.webhook = chatwoot_webhook
);
