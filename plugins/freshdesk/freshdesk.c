/*
 * respite - freshdesk: the Freshdesk webhook adapter
 * (POST /v1/webhooks/freshdesk).
 *
 * Freshdesk's automation rules post a body the admin writes with
 * placeholders, conventionally {"freshdesk_webhook": {...}} with
 * triggered_event ("{ticket_action:created}", "{status:{from:2,to:4}}",
 * "{note_type:public}", ...), ticket_id, ticket_status and the like
 * (docs/helpdesks.md, "Freshdesk", has the body to paste, which adds the
 * agent's email, the source and the latest public comment):
 *
 *	ticket created			message.received (the description is
 *					the customer's first message), and
 *					ticket.assigned if an agent is set
 *	responder changed, or		ticket.assigned
 *	  respite_event ticket.assigned
 *	status to Resolved (4), or to	ticket.handled; closing a resolved
 *	  Closed (5) from another	ticket is not counted again
 *	respite_event message.received	message.received with the latest
 *	  (a "customer replies" rule)	public comment
 *
 * Notes, priority and other changes are ignored, and so is anything
 * for a ticket without an agent.  Freshdesk sends no ids and does not
 * sign: event ids come from the ticket (and, for a reply, from a keyed
 * hash of its text), and the secret is a shared one that must arrive
 * in the header named by secret_header (default X-Respite-Secret).
 */
#include "build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <respite/plugin.h>

#include "webhook.h"

struct freshdesk {
	struct wh_config	 cf;
	char			*header;	/* secret_header */
};

static const char *const freshdesk_keys[] = { "secret_header", NULL };

static const struct wh_channel_map freshdesk_channels[] = {
	{ "phone", RESPITE_CH_PHONE },
	{ "whatsapp", RESPITE_CH_MESSAGING },
	{ "sms", RESPITE_CH_MESSAGING },
	{ "chat", RESPITE_CH_CHAT },
	{ "bot", RESPITE_CH_CHAT },
	{ "mail", RESPITE_CH_EMAIL },
	{ "twitter", RESPITE_CH_SOCIAL },
	{ "facebook", RESPITE_CH_SOCIAL },
	{ "instagram", RESPITE_CH_SOCIAL },
	{ "forum", RESPITE_CH_SOCIAL },
	{ NULL, RESPITE_CH_NONE }
};

static void
freshdesk_clear(struct freshdesk *fd)
{
	wh_config_clear(&fd->cf);
	free(fd->header);
	fd->header = NULL;
}

static int
freshdesk_configure(struct freshdesk *fd,
    const struct respite_plugin_config *cf, char **error)
{
	const char	*v;
	size_t		 i;

	memset(fd, 0, sizeof *fd);
	if (wh_config_parse(cf, freshdesk_keys, &fd->cf, error) == -1)
		return (-1);
	if ((v = respite_config_get(cf, "secret_header")) == NULL)
		v = "X-Respite-Secret";
	for (i = 0; v[i] != '\0'; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' &&
		    v[i] != '_')
			break;
	if (i == 0 || v[i] != '\0' || i > 64 ||
	    strcasecmp(v, "Authorization") == 0) {
		wh_config_clear(&fd->cf);
		return (respite_error(error, "secret_header: expected a header "
		    "name such as X-Respite-Secret (not Authorization, which "
		    "carries the respite token), got \"%s\"", v));
	}
	if ((fd->header = strdup(v)) == NULL)
		abort();
	return (0);
}

static int
freshdesk_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	struct freshdesk	*fd;
	char			 how[128];

	if ((fd = calloc(1, sizeof *fd)) == NULL)
		abort();
	if (freshdesk_configure(fd, cf, error) == -1) {
		free(fd);
		return (-1);
	}
	snprintf(how, sizeof how, "the shared secret in %s", fd->header);
	wh_config_warn(&fd->cf, how);
	*instance = fd;
	return (0);
}

static void
freshdesk_fini(void *instance)
{
	struct freshdesk	*fd = instance;

	freshdesk_clear(fd);
	free(fd);
}

static int
freshdesk_reload(void *instance, const struct respite_plugin_config *cf,
    char **error)
{
	struct freshdesk	*fd = instance, fresh;

	if (freshdesk_configure(&fresh, cf, error) == -1)
		return (-1);
	freshdesk_clear(fd);
	*fd = fresh;
	respite_log(RESPITE_LOG_INFO, "reloaded");
	return (0);
}

/* Our channel for ticket_source: a name, or Freshdesk's source number. */
static enum respite_channel
freshdesk_channel(const char *source)
{
	if (source != NULL && strspn(source, "0123456789") ==
	    strlen(source)) {
		switch (atoi(source)) {
		case 1:
		case 10:
			return (RESPITE_CH_EMAIL);
		case 3:
			return (RESPITE_CH_PHONE);
		case 7:
			return (RESPITE_CH_CHAT);
		case 5:
		case 6:
			return (RESPITE_CH_SOCIAL);
		default:
			return (RESPITE_CH_OTHER);
		}
	}
	return (wh_channel(freshdesk_channels, source));
}

/*
 * In triggered_event, the number after "to:" of the change named key
 * ("{status:{from:2,to:4}}"); -1 if it is not there.
 */
static long
change_to(const char *ev, const char *key)
{
	char		 pat[64];
	const char	*p, *to;

	snprintf(pat, sizeof pat, "%s:{", key);
	if ((p = strstr(ev, pat)) == NULL)
		return (-1);
	if ((to = strstr(p, "to:")) == NULL)
		return (-1);
	to += 3;
	return (isdigit((unsigned char)*to) ? strtol(to, NULL, 10) : -2);
}

/* A comment placeholder reads "Agent Name : <div>...": skip the name. */
static const char *
freshdesk_comment_text(const char *s)
{
	const char	*colon = strstr(s, " : ");

	if (colon != NULL && colon - s < 128 && memchr(s, '<', colon - s) ==
	    NULL && memchr(s, '\n', colon - s) == NULL && colon[3] == '<')
		return (colon + 3);
	return (s);
}

static int
freshdesk_payload(struct freshdesk *fd, struct wh_result *res, json_t *fw,
    char **error)
{
	static const char *const p_text[] = { "ticket_latest_public_comment",
	    "latest_public_comment", "comment", NULL };
	struct respite_event	 ev;
	struct wh_person	 who;
	enum respite_channel	 ch;
	const char		*trig, *hint, *key, *text = NULL;
	char			 tid[64], aid[32], hash[24], spent[32];
	int64_t			 upd = 0;
	long			 to, from;
	int			 created, handled, assigned, message, i;

	if (wh_scalar(fw, "ticket_id", tid, sizeof tid) == NULL) {
		wh_ignore(res, "no ticket_id: not a Freshdesk ticket payload "
		    "(see docs/helpdesks.md, \"Freshdesk\")");
		return (0);
	}
	trig = wh_str(fw, "triggered_event");
	if (trig == NULL)
		trig = "";
	hint = wh_str(fw, "respite_event");
	if (hint != NULL && strcmp(hint, "ticket.assigned") != 0 &&
	    strcmp(hint, "ticket.handled") != 0 &&
	    strcmp(hint, "message.received") != 0)
		return (respite_error(error, "respite_event: expected "
		    "ticket.assigned, ticket.handled or message.received, got "
		    "\"%.64s\"", hint));
	created = strstr(trig, "ticket_action:created") != NULL;
	to = change_to(trig, "status");
	from = -1;
	if (to >= 0) {
		const char	*f = strstr(trig, "status:{from:");

		if (f != NULL && isdigit((unsigned char)f[13]))
			from = strtol(f + 13, NULL, 10);
	}
	handled = (to == 4 || (to == 5 && from != 4)) ||
	    (hint != NULL && strcmp(hint, "ticket.handled") == 0);
	assigned = created || change_to(trig, "responder_id") >= 0 ||
	    change_to(trig, "agent") >= 0 || (hint != NULL &&
	    strcmp(hint, "ticket.assigned") == 0);
	message = created || (hint != NULL &&
	    strcmp(hint, "message.received") == 0);

	if (!handled && !assigned && !message) {
		if (strstr(trig, "note_type:") != NULL)
			wh_ignore(res, "a note (notes are written by agents)");
		else if (to == 5 && from == 4)
			wh_ignore(res, "ticket %s closed after it was "
			    "resolved: counted then", tid);
		else
			wh_ignore(res, "triggered_event %.80s is not used",
			    *trig != '\0' ? trig : "(none)");
		return (0);
	}

	memset(&who, 0, sizeof who);
	who.v[WH_EMAIL] = wh_str(fw, "ticket_agent_email");
	if (who.v[WH_EMAIL] == NULL)
		who.v[WH_EMAIL] = wh_str(fw, "agent_email");
	who.v[WH_NAME] = wh_str(fw, "ticket_agent_name");
	if (who.v[WH_NAME] == NULL)
		who.v[WH_NAME] = wh_str(fw, "agent_name");
	if ((who.v[WH_ID] = wh_scalar(fw, "ticket_agent_id", aid,
	    sizeof aid)) == NULL && (who.v[WH_ID] = wh_scalar(fw, "agent_id",
	    aid, sizeof aid)) == NULL)
		who.v[WH_ID] = wh_scalar(fw, "responder_id", aid, sizeof aid);
	if (who.v[WH_EMAIL] == NULL && who.v[WH_ID] == NULL &&
	    who.v[WH_NAME] == NULL) {
		wh_ignore(res, "ticket %s has no agent in the payload (add "
		    "\"ticket_agent_email\": \"{{ticket.agent.email}}\", see "
		    "docs/helpdesks.md)", tid);
		return (0);
	}
	key = who.v[WH_EMAIL] != NULL ? who.v[WH_EMAIL] :
	    who.v[WH_ID] != NULL ? who.v[WH_ID] : who.v[WH_NAME];
	ch = freshdesk_channel(wh_str(fw, "ticket_source") != NULL ?
	    wh_str(fw, "ticket_source") : wh_str(fw, "source"));
	if (wh_time(fw, "ticket_updated_at", &upd) == -1 &&
	    wh_time(fw, "updated_at", &upd) == -1)
		upd = 0;

	if (assigned) {
		wh_event_init(&ev, RESPITE_EV_TICKET_ASSIGNED, ch, upd);
		snprintf(ev.ticket, sizeof ev.ticket, "%s", tid);
		wh_event_id(&fd->cf, &ev, "%s:assigned:%s", tid, key);
		if (wh_emit(res, &ev, &who, error) == -1)
			return (-1);
	}
	if (message) {
		wh_event_init(&ev, RESPITE_EV_MESSAGE_RECEIVED, ch, upd);
		snprintf(ev.ticket, sizeof ev.ticket, "%s", tid);
		if (created && (hint == NULL ||
		    strcmp(hint, "message.received") != 0)) {
			text = wh_str(fw, "ticket_description");
			wh_event_id(&fd->cf, &ev, "%s:description", tid);
		} else {
			for (i = 0; p_text[i] != NULL && text == NULL; i++)
				text = wh_str(fw, p_text[i]);
			if (text != NULL)
				text = freshdesk_comment_text(text);
			wh_text_id(&fd->cf, tid, text != NULL ? text : "",
			    text != NULL ? strlen(text) : 0, hash,
			    sizeof hash);
			wh_event_id(&fd->cf, &ev, "%s:reply:%s", tid, hash);
		}
		if (wh_emit_message(res, &ev, &who, text, text != NULL ?
		    strlen(text) : 0, -1, error) == -1)
			return (-1);
	}
	if (handled) {
		double	accounted = 0;

		if (wh_scalar(fw, "time_spent_s", spent, sizeof spent) != NULL)
			accounted = strtod(spent, NULL);
		wh_event_init(&ev, RESPITE_EV_TICKET_HANDLED, ch, upd);
		snprintf(ev.ticket, sizeof ev.ticket, "%s", tid);
		/* No start time in the payload: accounted time, else 0. */
		ev.duration_s = wh_duration(&fd->cf, ch, 0, 0, accounted);
		if (upd > 0)
			wh_event_id(&fd->cf, &ev, "%s:resolved:%lld", tid,
			    (long long)upd);
		else
			wh_event_id(&fd->cf, &ev, "%s:resolved", tid);
		if (wh_emit(res, &ev, &who, error) == -1)
			return (-1);
	}
	return (0);
}

static int
freshdesk_webhook(void *instance, const struct respite_webhook *req,
    char **error)
{
	struct freshdesk	*fd = instance;
	struct wh_result	 res;
	json_t			*root, *fw;
	const char		*given;
	int			 rc;

	if (fd->cf.secret != NULL) {
		if ((given = req->header(req, fd->header)) == NULL)
			return (wh_unauthorized(error, "%s is missing: add it "
			    "to the webhook in Freshdesk with the value of "
			    "[plugin.%s] secret", fd->header, fd->cf.name));
		if (!wh_check_secret(&fd->cf, given))
			return (wh_unauthorized(error, "%s does not match "
			    "[plugin.%s] secret", fd->header, fd->cf.name));
	}
	if ((root = wh_parse(req, error)) == NULL)
		return (RESPITE_WEBHOOK_BAD);
	wh_result_init(&res, req, &fd->cf);
	fw = json_object_get(root, "freshdesk_webhook");
	if (!json_is_object(fw))
		fw = root;
	rc = freshdesk_payload(fd, &res, fw, error);
	json_decref(root);
	if (rc == -1) {
		wh_finish(&res, NULL);
		return (RESPITE_WEBHOOK_BAD);
	}
	return (wh_finish(&res, error));
}

RESPITE_PLUGIN_DECLARE(
	.name = "freshdesk",
	.kind = RESPITE_PLUGIN_ADAPTER,
	.description = "Freshdesk automation webhooks (shared secret header)",
	.init = freshdesk_init,
	.fini = freshdesk_fini,
	.reload = freshdesk_reload,
	.webhook = freshdesk_webhook
);
