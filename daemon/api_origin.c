/*
 * respite - every request is first judged as a browser's (origin.c):
 * 403 forbidden for another site's page, or for a foreign Host in open
 * mode; CORS for an origin listed in [server] allow_origins.
 *
 * CORS headers go only to a listed origin: the daemon's own page needs
 * none, and any other origin gets a 403 before anything else.  A listed
 * origin's replies carry Access-Control-Allow-Origin (its own value, not
 * "*") and Vary: Origin, and its preflight (OPTIONS with
 * Access-Control-Request-Method; it carries no token) is answered 200
 * with the methods and headers the API uses.  No
 * Access-Control-Allow-Credentials: the API's credential is a bearer
 * token the page sends itself, never a cookie.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "api_handlers.h"
#include "log.h"
#include "origin.h"
#include "stats.h"

static const char R_BROWSER[] = "(browser check)";

/*
 * Judge req; returns 1 if it was answered here (403, or a preflight), 0
 * if routing goes on.
 */
int
api_origin_check(struct api *api, struct http_conn *c,
    const struct http_request *req)
{
	struct origin_request	 r;
	const char		*why, *mode, *dest;
	char			 hdr[HTTP_CORS_MAX];
	int			 get, open_mode;
	enum origin_verdict	 v;

	get = strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0;
	mode = http_header_get(req, "Sec-Fetch-Mode");
	dest = http_header_get(req, "Sec-Fetch-Dest");
	memset(&r, 0, sizeof r);
	r.origin = http_header_get(req, "Origin");
	r.host = http_header_get(req, "Host");
	r.fetch_site = http_header_get(req, "Sec-Fetch-Site");
	/* A link from another site to the page: it holds no data. */
	r.page_navigation = get && api_www_is_page(req->path) &&
	    mode != NULL && strcmp(mode, "navigate") == 0 &&
	    (dest == NULL || strcmp(dest, "document") == 0);
	open_mode = api->auth == NULL || auth_is_open(api->auth);
	v = origin_judge(&r, api->cf->allow_origins, api->cf->nallow_origins,
	    open_mode, &why);
	if (v == ORIGIN_FORBIDDEN) {
		log_debug("http: %s: %s %s: refused: %s", http_conn_peer(c),
		    req->method, req->path, why);
		api_fail(c, R_BROWSER, 403, "forbidden", NULL, "%s", why);
		return (1);
	}
	if (v != ORIGIN_LISTED)
		return (0);
	/* normalize() passed it: no CR, LF or anything but an origin. */
	snprintf(hdr, sizeof hdr, "Access-Control-Allow-Origin: %s\r\n"
	    "Vary: Origin\r\n", r.origin);
	(void)http_conn_set_cors(c, hdr);
	if (strcmp(req->method, "OPTIONS") == 0 &&
	    http_header_get(req, "Access-Control-Request-Method") != NULL) {
		stats_http(R_BROWSER, 200);
		http_reply(c, 200, "text/plain; charset=utf-8", "", 0,
		    "Access-Control-Allow-Methods: GET, HEAD, POST\r\n"
		    "Access-Control-Allow-Headers: Authorization, "
		    "Content-Type, Last-Event-ID\r\n"
		    "Access-Control-Max-Age: 600\r\n");
		return (1);
	}
	return (0);
}
