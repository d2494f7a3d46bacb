/*
 * respite - zammad: the Zammad webhook adapter (POST /v1/webhooks/zammad).
 *
 * Zammad sends a webhook from a trigger, with its default payload: the
 * whole ticket (owner, state, times) and the article that fired the
 * trigger.  A trigger does not say what changed, so the adapter reads
 * the state each time and leans on stable event ids for the rest:
 *
 *	ticket with an owner		ticket.assigned, id by ticket, owner
 *					and last_owner_update_at: repeated
 *					triggers are duplicates
 *	article by the customer		message.received with its text (HTML
 *	(not internal)			made plain), id by article
 *	state in closed_states		ticket.handled, id by ticket and
 *					close_at, duration from accounted
 *					time or the live-channel rule
 *
 * A custom payload (ticket number and a notification text) names no
 * agent and is ignored.  With a secret, X-Hub-Signature must be
 * "sha1=" and the hex HMAC-SHA1 of the raw body (Zammad's "HMAC SHA1
 * Signature Token"); Zammad sends no time stamp, so there is no
 * freshness window.
 *
 * Keys beyond the common ones (respite.conf(5)):
 *	closed_states = closed		states that mean handled
 *	time_unit = 60			seconds per unit of Zammad's time
 *					accounting (0: do not use it)
 */
#include "build.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <respite/plugin.h>

#include "webhook.h"

#define ZAMMAD_STATES_MAX	16

struct zammad {
	struct wh_config	 cf;
	char			*states[ZAMMAD_STATES_MAX];
	size_t			 nstates;
	double			 time_unit_s;
};

static const char *const zammad_keys[] = { "closed_states", "time_unit",
    NULL };

/* Zammad's article types (and a ticket's create_article_type). */
static const struct wh_channel_map zammad_channels[] = {
	{ "phone", RESPITE_CH_PHONE },
	{ "email", RESPITE_CH_EMAIL },
	{ "chat", RESPITE_CH_CHAT },
	{ "sms", RESPITE_CH_MESSAGING },
	{ "whatsapp", RESPITE_CH_MESSAGING },
	{ "telegram", RESPITE_CH_MESSAGING },
	{ "signal", RESPITE_CH_MESSAGING },
	{ "twitter", RESPITE_CH_SOCIAL },
	{ "facebook", RESPITE_CH_SOCIAL },
	{ "instagram", RESPITE_CH_SOCIAL },
	{ NULL, RESPITE_CH_NONE }
};

static void
zammad_clear(struct zammad *z)
{
	size_t	i;

	wh_config_clear(&z->cf);
	for (i = 0; i < z->nstates; i++)
		free(z->states[i]);
	z->nstates = 0;
}

static int
zammad_configure(struct zammad *z, const struct respite_plugin_config *cf,
    char **error)
{
	const char	*v;
	char		*copy, *p, *w, *end;

	memset(z, 0, sizeof *z);
	if (wh_config_parse(cf, zammad_keys, &z->cf, error) == -1)
		return (-1);
	z->time_unit_s = 60;
	if ((v = respite_config_get(cf, "time_unit")) != NULL) {
		errno = 0;
		z->time_unit_s = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || errno != 0 ||
		    !isfinite(z->time_unit_s) || z->time_unit_s < 0 ||
		    z->time_unit_s > 86400) {
			respite_error(error, "time_unit: expected seconds per "
			    "Zammad time unit (60 for minutes, 0 to ignore "
			    "accounted time), got \"%s\"", v);
			goto fail;
		}
	}
	if ((v = respite_config_get(cf, "closed_states")) == NULL)
		v = "closed";
	if ((copy = strdup(v)) == NULL)
		abort();
	for (p = copy; (w = strsep(&p, ",")) != NULL;) {
		w += strspn(w, " \t");
		w[strcspn(w, "\t")] = '\0';
		while (*w != '\0' && w[strlen(w) - 1] == ' ')
			w[strlen(w) - 1] = '\0';
		if (*w == '\0')
			continue;
		if (z->nstates == ZAMMAD_STATES_MAX) {
			free(copy);
			respite_error(error, "closed_states: at most %d states",
			    ZAMMAD_STATES_MAX);
			goto fail;
		}
		if ((z->states[z->nstates++] = strdup(w)) == NULL)
			abort();
	}
	free(copy);
	if (z->nstates == 0) {
		respite_error(error, "closed_states: name at least one state "
		    "(comma-separated, e.g. closed, merged)");
		goto fail;
	}
	return (0);

fail:
	zammad_clear(z);
	return (-1);
}

static int
zammad_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	struct zammad	*z;

	if ((z = calloc(1, sizeof *z)) == NULL)
		abort();
	if (zammad_configure(z, cf, error) == -1) {
		free(z);
		return (-1);
	}
	wh_config_warn(&z->cf, "X-Hub-Signature (HMAC-SHA1)");
	*instance = z;
	return (0);
}

static void
zammad_fini(void *instance)
{
	struct zammad	*z = instance;

	zammad_clear(z);
	free(z);
}

static int
zammad_reload(void *instance, const struct respite_plugin_config *cf,
    char **error)
{
	struct zammad	*z = instance, fresh;

	if (zammad_configure(&fresh, cf, error) == -1)
		return (-1);
	zammad_clear(z);
	*z = fresh;
	respite_log(RESPITE_LOG_INFO, "reloaded");
	return (0);
}

/* Names of a Zammad user object (or just an id), for wh_agent(). */
struct zperson {
	struct wh_person	p;
	char			id[32];
	char			name[256];
};

static const struct wh_person *
zammad_person(json_t *user, json_t *id_only, struct zperson *zp)
{
	const char	*first, *last;

	memset(zp, 0, sizeof *zp);
	if (json_is_object(user)) {
		zp->p.v[WH_EMAIL] = wh_str(user, "email");
		zp->p.v[WH_LOGIN] = wh_str(user, "login");
		zp->p.v[WH_ID] = wh_scalar(user, "id", zp->id, sizeof zp->id);
		first = wh_str(user, "firstname");
		last = wh_str(user, "lastname");
		if (first != NULL || last != NULL) {
			snprintf(zp->name, sizeof zp->name, "%s%s%s",
			    first != NULL ? first : "",
			    first != NULL && last != NULL ? " " : "",
			    last != NULL ? last : "");
			zp->p.v[WH_NAME] = zp->name;
		}
	}
	if (zp->p.v[WH_ID] == NULL)
		zp->p.v[WH_ID] = wh_scalar(id_only, "", zp->id, sizeof zp->id);
	/* User 1 ("-") is Zammad's nobody: an unassigned ticket. */
	if (zp->p.v[WH_ID] == NULL || strcmp(zp->p.v[WH_ID], "1") == 0 ||
	    (zp->p.v[WH_LOGIN] != NULL && strcmp(zp->p.v[WH_LOGIN], "-") == 0))
		return (NULL);
	return (&zp->p);
}

static int
zammad_closed(const struct zammad *z, json_t *ticket)
{
	const char	*state = wh_str(ticket, "state");
	size_t		 i;

	if (state == NULL)
		state = wh_str(ticket, "state.name");
	for (i = 0; state != NULL && i < z->nstates; i++)
		if (wh_strcaseeq(state, z->states[i]))
			return (1);
	return (0);
}

/* Accounted time of the ticket in seconds, or 0. */
static double
zammad_accounted(const struct zammad *z, json_t *ticket)
{
	json_t	*v = wh_get(ticket, "time_unit");
	double	 units = 0;

	if (json_is_number(v))
		units = json_number_value(v);
	else if (json_is_string(v))
		units = strtod(json_string_value(v), NULL);
	if (!isfinite(units) || units <= 0)
		return (0);
	return (units * z->time_unit_s);
}

static int
zammad_webhook(void *instance, const struct respite_webhook *req,
    char **error)
{
	struct zammad			*z = instance;
	struct wh_result		 res;
	struct respite_event		 ev;
	struct zperson			 zp;
	const struct wh_person		*owner;
	enum respite_channel		 ch;
	json_t				*root, *ticket, *article;
	const char			*sig, *type, *ctype, *body;
	char				 tref[64], aid[32], oid[32];
	int64_t				 t_owner = 0, t_upd = 0, t_close = 0;
	int64_t				 t_created = 0, t_art = 0;
	int				 rc = RESPITE_WEBHOOK_OK;

	if (z->cf.secret != NULL) {
		if ((sig = req->header(req, "X-Hub-Signature")) == NULL)
			return (wh_unauthorized(error, "X-Hub-Signature is "
			    "missing: set the webhook's HMAC SHA1 Signature "
			    "Token in Zammad to [plugin.%s] secret",
			    z->cf.name));
		if (!wh_check_hmac_hex(&z->cf, WH_SHA1, sig, "sha1=",
		    req->body, req->body_len, NULL, 0))
			return (wh_unauthorized(error, "X-Hub-Signature does "
			    "not match the body: the token in Zammad and "
			    "[plugin.%s] secret differ", z->cf.name));
	}
	if ((root = wh_parse(req, error)) == NULL)
		return (RESPITE_WEBHOOK_BAD);
	wh_result_init(&res, req, &z->cf);
	ticket = json_object_get(root, "ticket");
	article = json_object_get(root, "article");
	if (!json_is_object(ticket)) {
		wh_ignore(&res, "not Zammad's default trigger payload (no "
		    "\"ticket\" object); a custom payload names no agent");
		goto done;
	}
	if (wh_scalar(ticket, "number", tref, sizeof tref) == NULL &&
	    wh_scalar(ticket, "id", tref, sizeof tref) == NULL) {
		respite_error(error, "ticket: has neither number nor id");
		rc = RESPITE_WEBHOOK_BAD;
		goto done;
	}
	owner = zammad_person(json_object_get(ticket, "owner"),
	    json_object_get(ticket, "owner_id"), &zp);
	if (owner == NULL) {
		wh_ignore(&res, "ticket %s has no owner yet", tref);
		goto done;
	}
	snprintf(oid, sizeof oid, "%s", owner->v[WH_ID]);
	if (!json_is_object(article))
		article = NULL;
	type = article != NULL ? wh_str(article, "type") : NULL;
	if (type == NULL)
		type = wh_str(ticket, "create_article_type");
	ch = wh_channel(zammad_channels, type);
	wh_time(ticket, "last_owner_update_at", &t_owner);
	wh_time(ticket, "updated_at", &t_upd);
	wh_time(ticket, "close_at", &t_close);
	wh_time(ticket, "created_at", &t_created);

	/* The owner: a ticket assigned to an agent. */
	wh_event_init(&ev, RESPITE_EV_TICKET_ASSIGNED, ch,
	    t_owner > 0 ? t_owner : t_upd);
	snprintf(ev.ticket, sizeof ev.ticket, "%s", tref);
	if (t_owner > 0)
		wh_event_id(&z->cf, &ev, "%s:owner:%s:%lld", tref, oid,
		    (long long)t_owner);
	else
		wh_event_id(&z->cf, &ev, "%s:owner:%s", tref, oid);
	if (wh_emit(&res, &ev, owner, error) == -1)
		goto bad;

	/* The article, when a customer wrote it. */
	if (article != NULL && wh_strcaseeq(wh_str(article, "sender"),
	    "Customer") && !wh_bool(article, "internal") &&
	    wh_scalar(article, "id", aid, sizeof aid) != NULL) {
		body = wh_str(article, "body");
		ctype = wh_str(article, "content_type");
		wh_time(article, "created_at", &t_art);
		wh_event_init(&ev, RESPITE_EV_MESSAGE_RECEIVED,
		    wh_channel(zammad_channels, wh_str(article, "type")),
		    t_art);
		snprintf(ev.ticket, sizeof ev.ticket, "%s", tref);
		wh_event_id(&z->cf, &ev, "article:%s", aid);
		if (wh_emit_message(&res, &ev, owner, body, body != NULL ?
		    strlen(body) : 0, ctype == NULL ? -1 :
		    wh_strcaseeq(ctype, "text/html"), error) == -1)
			goto bad;
	} else if (article != NULL)
		wh_ignore(&res, "the article is not from the customer");

	/* A closed ticket: handled. */
	if (zammad_closed(z, ticket)) {
		int64_t	end = t_close > 0 ? t_close : t_upd;

		wh_event_init(&ev, RESPITE_EV_TICKET_HANDLED, ch, end);
		snprintf(ev.ticket, sizeof ev.ticket, "%s", tref);
		ev.duration_s = wh_duration(&z->cf, ch, t_owner > 0 ? t_owner :
		    t_created, end > 0 ? end : req->now_ms,
		    z->time_unit_s > 0 ? zammad_accounted(z, ticket) : 0);
		if (end > 0)
			wh_event_id(&z->cf, &ev, "%s:closed:%lld", tref,
			    (long long)end);
		else
			wh_event_id(&z->cf, &ev, "%s:closed", tref);
		if (wh_emit(&res, &ev, owner, error) == -1)
			goto bad;
	}

done:
	json_decref(root);
	if (rc != RESPITE_WEBHOOK_OK) {
		wh_finish(&res, NULL);
		return (rc);
	}
	return (wh_finish(&res, error));

bad:
	json_decref(root);
	wh_finish(&res, NULL);
	return (RESPITE_WEBHOOK_BAD);
}

RESPITE_PLUGIN_DECLARE(
	.name = "zammad",
	.kind = RESPITE_PLUGIN_ADAPTER,
	.description = "Zammad trigger webhooks (X-Hub-Signature)",
	.init = zammad_init,
	.fini = zammad_fini,
	.reload = zammad_reload,
	.webhook = zammad_webhook
);
