/* Browsers are not trusted: Origin, Sec-Fetch-Site and Host (API.md). */
#ifndef ORIGIN_H
#define ORIGIN_H

#include <stddef.h>

/* The longest origin we compare or list: scheme://host:port. */
#define ORIGIN_MAX		255
/* The most [server] allow_origins entries. */
#define ORIGIN_ALLOW_MAX	64

/* What a browser's request may do. */
enum origin_verdict {
	ORIGIN_OK,		/* no browser origin, or the daemon's own */
	ORIGIN_LISTED,		/* from an origin of allow_origins: CORS */
	ORIGIN_FORBIDDEN	/* 403 forbidden */
};

/* The headers judged, each NULL if absent. */
struct origin_request {
	const char	*origin;	/* Origin */
	const char	*host;		/* Host */
	const char	*fetch_site;	/* Sec-Fetch-Site */
	int		 page_navigation; /* a top-level GET of a page file */
};

int	origin_normalize(const char *, char *, size_t);
int	origin_host_is_loopback(const char *);
enum origin_verdict origin_judge(const struct origin_request *,
	    char *const *, size_t, int, const char **);

#endif
