/*
 * respite-notify - requests to respited's JSON API.
 *
 * The agent's status, the open suggestions, the answers and the end of a
 * break: short JSON requests on their own libsoup session (the stream
 * holds a connection for hours; these must never queue behind it), each
 * with a 15 s bound, all asynchronous on the main loop.  A request's
 * callback gets the status and the parsed body; for an error reply also
 * the API's error message, which is safe to log (never a token, never
 * anything the agent typed).
 */
#include "build.h"

#include <string.h>

#include <gio/gio.h>
#include <jansson.h>
#include <libsoup/soup.h>

#include "client.h"
#include "log.h"

#define CLIENT_TIMEOUT_S	15

struct client_req {
	struct client	*client;	/* NULL once abandoned */
	SoupMessage	*msg;
	GCancellable	*cancel;
	client_cb	 cb;
	void		*arg;
	void		(*arg_free)(void *);
	char		*what;		/* "POST /v1/..." for the log */
};

struct client {
	SoupSession	*session;
	char		*base;
	char		*auth;
	GList		*reqs;		/* in flight */
};

static void
req_free(struct client_req *r)
{
	if (r->arg_free != NULL)
		r->arg_free(r->arg);
	g_object_unref(r->msg);
	g_object_unref(r->cancel);
	g_free(r->what);
	g_free(r);
}

static void
done_cb(GObject *src, GAsyncResult *res, gpointer arg)
{
	struct client_req	*r = arg;
	GError			*err = NULL;
	GBytes			*bytes;
	json_t			*body = NULL, *m;
	const char		*msg = NULL;
	gconstpointer		 data;
	gsize			 len;
	int			 status;

	bytes = soup_session_send_and_read_finish(SOUP_SESSION(src), res, &err);
	if (r->client == NULL) {
		/* Abandoned by client_free(): nobody wants the answer. */
		g_clear_error(&err);
		if (bytes != NULL)
			g_bytes_unref(bytes);
		req_free(r);
		return;
	}
	r->client->reqs = g_list_remove(r->client->reqs, r);
	if (bytes == NULL) {
		log_debug("%s: %s", r->what, err->message);
		r->cb(0, NULL, err->message, r->arg);
		g_error_free(err);
		req_free(r);
		return;
	}
	status = (int)soup_message_get_status(r->msg);
	data = g_bytes_get_data(bytes, &len);
	if (len > 0)
		body = json_loadb(data, len, 0, NULL);
	if (status >= 400) {
		m = json_object_get(json_object_get(body, "error"), "message");
		msg = json_is_string(m) ? json_string_value(m) :
		    soup_message_get_reason_phrase(r->msg);
	}
	log_debug("%s: %d", r->what, status);
	r->cb(status, body, msg, r->arg);
	json_decref(body);
	g_bytes_unref(bytes);
	req_free(r);
}

/* A client of base ("http://host:port", copied) with token (or NULL). */
struct client *
client_new(const char *base, const char *token)
{
	struct client	*c;
	size_t		 n;

	c = g_new0(struct client, 1);
	c->session = soup_session_new_with_options("timeout", CLIENT_TIMEOUT_S,
	    "user-agent", "respite-notify/" PACKAGE_VERSION, NULL);
	c->base = g_strdup(base);
	n = strlen(c->base);
	while (n > 0 && c->base[n - 1] == '/')
		c->base[--n] = '\0';
	if (token != NULL)
		c->auth = g_strdup_printf("Bearer %s", token);
	return (c);
}

/*
 * method path (path starts with "/"; the caller has made it safe), with
 * body (stolen; NULL for none).  cb runs later on the main loop, once,
 * unless the client is freed first; arg_free (if not NULL) frees arg
 * either way.
 */
void
client_request(struct client *c, const char *method, const char *path,
    json_t *body, client_cb cb, void *arg, void (*arg_free)(void *))
{
	struct client_req	*r;
	SoupMessageHeaders	*h;
	GBytes			*bytes;
	char			*url, *text;

	r = g_new0(struct client_req, 1);
	r->client = c;
	r->cb = cb;
	r->arg = arg;
	r->arg_free = arg_free;
	r->cancel = g_cancellable_new();
	r->what = g_strdup_printf("%s %s", method, path);
	url = g_strconcat(c->base, path, NULL);
	r->msg = soup_message_new(method, url);
	g_free(url);
	if (r->msg == NULL)
		g_error("%s: not a URL: %s%s", __func__, c->base, path);
	h = soup_message_get_request_headers(r->msg);
	soup_message_headers_replace(h, "Accept", "application/json");
	if (c->auth != NULL)
		soup_message_headers_replace(h, "Authorization", c->auth);
	if (body != NULL) {
		if ((text = json_dumps(body, JSON_COMPACT)) == NULL)
			g_error("%s: out of memory", __func__);
		json_decref(body);
		bytes = g_bytes_new_take(text, strlen(text));
		soup_message_set_request_body_from_bytes(r->msg,
		    "application/json", bytes);
		g_bytes_unref(bytes);
	}
	c->reqs = g_list_prepend(c->reqs, r);
	soup_session_send_and_read_async(c->session, r->msg,
	    G_PRIORITY_DEFAULT, r->cancel, done_cb, r);
}

/*
 * Cancel what is in flight (no callback will run) and free.  The
 * cancelled requests finish on a later loop iteration.
 */
void
client_free(struct client *c)
{
	GList	*l;

	if (c == NULL)
		return;
	for (l = c->reqs; l != NULL; l = l->next) {
		struct client_req	*r = l->data;

		r->client = NULL;
		g_cancellable_cancel(r->cancel);
	}
	g_list_free(c->reqs);
	g_object_unref(c->session);
	if (c->auth != NULL) {
		explicit_bzero(c->auth, strlen(c->auth));
		g_free(c->auth);
	}
	g_free(c->base);
	g_free(c);
}
