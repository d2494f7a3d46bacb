/*
 * respite - browsers are not trusted to keep pages apart (API.md
 * "Authentication").
 *
 * Any page a user visits can make the browser send a request to
 * respited: a text/plain POST is a "simple" request that is sent without
 * asking, and with DNS rebinding an attacker's name can point at
 * 127.0.0.1 so that the page may even read the answers.  Browsers tell us
 * where a request comes from (Origin, Sec-Fetch-Site), and the Host they
 * put on it is the name the page used.  So: a request from an origin that
 * is neither ours (http:// and the Host it was sent to) nor listed in
 * [server] allow_origins is refused, and so is one the browser itself
 * calls cross-site; in open mode, where nothing else keeps a page out,
 * only a loopback Host is served.  curl and other programs send neither
 * Origin nor Sec-Fetch-Site and are not affected.
 *
 * One exception: the page's own files (no data in them) may be opened
 * from a link on another site, a top-level navigation, which a browser
 * marks cross-site too; what the page then fetches is same-origin.
 *
 * Origins are compared normalized: scheme and host in lower case, the
 * scheme's default port left out (a browser's Origin never has it).
 */
#include "build.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "origin.h"

/*
 * Split a host[:port] at s into the host's length and the port (0 if
 * none).  A host is a name or IPv4 address ([A-Za-z0-9._-]) or an IPv6
 * address in brackets.  Returns 0, or -1 if malformed.
 */
static int
host_port(const char *s, size_t *hostlen, long *port)
{
	const char	*p;
	size_t		 n, i;
	long		 v = 0;

	if (*s == '[') {
		if ((p = strchr(s, ']')) == NULL || p == s + 1)
			return (-1);
		for (i = 1; s + i < p; i++)
			if (!isxdigit((unsigned char)s[i]) && s[i] != ':' &&
			    s[i] != '.')
				return (-1);
		n = (size_t)(p - s) + 1;
	} else {
		n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789._-");
		if (n == 0)
			return (-1);
	}
	*hostlen = n;
	*port = 0;
	p = s + n;
	if (*p == '\0')
		return (0);
	if (*p++ != ':' || *p == '\0' || strlen(p) > 5)
		return (-1);
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535)
		return (-1);
	*port = v;
	return (0);
}

/*
 * Normalize an origin "scheme://host[:port]" (scheme http or https, no
 * path) into out: lower case, without the scheme's default port.
 * Returns 0, or -1 if in is not such an origin or does not fit.
 */
int
origin_normalize(const char *in, char *out, size_t len)
{
	const char	*scheme, *h;
	size_t		 hostlen, i;
	long		 port, dflt;
	int		 n;

	if (strncasecmp(in, "http://", 7) == 0) {
		scheme = "http";
		dflt = 80;
		h = in + 7;
	} else if (strncasecmp(in, "https://", 8) == 0) {
		scheme = "https";
		dflt = 443;
		h = in + 8;
	} else
		return (-1);
	if (strlen(in) > ORIGIN_MAX || host_port(h, &hostlen, &port) == -1)
		return (-1);
	if (port == dflt)
		port = 0;
	n = port != 0 ?
	    snprintf(out, len, "%s://%.*s:%ld", scheme, (int)hostlen, h, port) :
	    snprintf(out, len, "%s://%.*s", scheme, (int)hostlen, h);
	if (n < 0 || (size_t)n >= len)
		return (-1);
	for (i = strlen(scheme) + 3; out[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return (0);
}

/* Is a Host header's host localhost, in 127.0.0.0/8 or [::1]? */
int
origin_host_is_loopback(const char *host)
{
	char			name[64];
	size_t			n;
	long			port;
	struct in_addr		a4;
	struct in6_addr		a6;

	if (host_port(host, &n, &port) == -1 || n >= sizeof name)
		return (0);
	if (*host == '[') {
		memcpy(name, host + 1, n - 2);
		name[n - 2] = '\0';
		return (inet_pton(AF_INET6, name, &a6) == 1 &&
		    IN6_IS_ADDR_LOOPBACK(&a6));
	}
	memcpy(name, host, n);
	name[n] = '\0';
	if (strcasecmp(name, "localhost") == 0)
		return (1);
	return (inet_pton(AF_INET, name, &a4) == 1 &&
	    (ntohl(a4.s_addr) >> 24) == 127);
}

/*
 * Judge a request by its headers.  allow: the normalized origins of
 * [server] allow_origins; open_mode: no tokens.  Returns the verdict; for
 * ORIGIN_FORBIDDEN *why says why (a static string).
 */
enum origin_verdict
origin_judge(const struct origin_request *r, char *const *allow,
    size_t nallow, int open_mode, const char **why)
{
	char	origin[ORIGIN_MAX + 1], own[ORIGIN_MAX + 1], buf[ORIGIN_MAX + 8];
	size_t	i;

	*why = NULL;
	if (open_mode && r->host != NULL && !origin_host_is_loopback(r->host)) {
		*why = "open mode serves only a Host of localhost, "
		    "127.0.0.0/8 or [::1] (a page could reach us through "
		    "DNS rebinding)";
		return (ORIGIN_FORBIDDEN);
	}
	if (r->origin != NULL) {
		if (origin_normalize(r->origin, origin, sizeof origin) == -1)
			goto foreign;
		if (r->host != NULL && strlen(r->host) <= ORIGIN_MAX) {
			snprintf(buf, sizeof buf, "http://%s", r->host);
			if (origin_normalize(buf, own, sizeof own) == 0 &&
			    strcmp(origin, own) == 0)
				goto same;
		}
		for (i = 0; i < nallow; i++)
			if (strcmp(origin, allow[i]) == 0)
				return (ORIGIN_LISTED);
		goto foreign;
	}
same:
	if (r->fetch_site != NULL && strcasecmp(r->fetch_site,
	    "cross-site") == 0 && !r->page_navigation) {
		*why = "a cross-site request from a browser (Sec-Fetch-Site: "
		    "cross-site) is refused; list its origin in [server] "
		    "allow_origins to allow it";
		return (ORIGIN_FORBIDDEN);
	}
	return (ORIGIN_OK);

foreign:
	*why = "a request from another origin is refused (Origin is not this "
	    "daemon's); list it in [server] allow_origins to allow it";
	return (ORIGIN_FORBIDDEN);
}
