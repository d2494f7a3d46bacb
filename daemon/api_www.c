/*
 * respite - the team lead's web page: GET /, /index.html, /app.js,
 * /app.css and /icon.svg; and the agent's page: GET /agent (agent.html),
 * its script, style, service worker, web app manifest and icons; and
 * /common.js and /common.css, which both pages load.
 *
 * The files of daemon/www/ are compiled into respited (www_files.c, made
 * at build time by daemon/www/embed.sh), so the page needs nothing
 * installed and always matches the daemon that serves it.  They hold no
 * data and need no token: the page itself asks for one when the API
 * answers 401, and sends it on every API request it makes.
 *
 * Each reply carries its ETag (304 for a matching If-None-Match),
 * "Cache-Control: no-cache" (a browser may keep a copy but asks first,
 * so a new respited's page is seen at once) and a Content-Security-Policy
 * that lets the page load and connect to nothing but this origin: no
 * inline script or style, no other host, no framing.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "api_handlers.h"
#include "stats.h"
#include "www.h"

static const char R_WWW[] = "/ (web page)";

#define WWW_HEADERS \
	"Cache-Control: no-cache\r\n" \
	"Content-Security-Policy: default-src 'self'; base-uri 'none'; " \
	    "form-action 'self'; frame-ancestors 'none'\r\n" \
	"X-Content-Type-Options: nosniff\r\n" \
	"Referrer-Policy: no-referrer\r\n"

static const struct www_file *
www_find(const char *path)
{
	size_t	i;

	if (*path != '/')
		return (NULL);
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	else if (strcmp(path, "/agent") == 0)
		path = "/agent.html";	/* the agent's page */
	for (i = 0; i < www_nfiles; i++)
		if (strcmp(path + 1, www_files[i].name) == 0)
			return (&www_files[i]);
	return (NULL);
}

/* Does If-None-Match (a list of entity tags, or "*") name etag? */
static int
etag_matches(const char *inm, const char *etag)
{
	if (inm == NULL)
		return (0);
	/* A weak W/"x" names the same file: the tags are ours and exact. */
	return (strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL);
}

/* Is path one of the page's files? */
int
api_www_is_page(const char *path)
{
	return (www_find(path) != NULL);
}

/*
 * Answer req if its path is one of the page's files; returns 1 if it did,
 * 0 if the path is not ours.
 */
int
api_www(struct http_conn *c, const struct http_request *req)
{
	const struct www_file	*f;
	char			 hdr[512];
	int			 status;

	if ((f = www_find(req->path)) == NULL)
		return (0);
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		api_method_not_allowed(c, R_WWW, "GET, HEAD");
		return (1);
	}
	snprintf(hdr, sizeof hdr, "ETag: %s\r\n" WWW_HEADERS, f->etag);
	status = etag_matches(http_header_get(req, "If-None-Match"), f->etag) ?
	    304 : 200;
	stats_http(R_WWW, status);
	http_reply(c, status, f->type, (const char *)f->data, f->len, hdr);
	return (1);
}
