/* HTTP/1.1 request parsing: the request head, chunked bodies, query strings. */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HTTP_HEAD_MAX		16384	/* request line and headers, bytes */
#define HTTP_HEADERS_MAX	64

struct http_header {
	const char	*name;		/* points into head */
	const char	*value;
};

struct http_request {
	char			*head;		/* own copy of the head */
	const char		*method;
	const char		*target;	/* path and query, raw */
	char			*path;		/* decoded path, own */
	const char		*query;		/* raw query after '?', or "" */
	int			 minor;		/* HTTP/1.minor */
	struct http_header	 headers[HTTP_HEADERS_MAX];
	size_t			 nheaders;
	int64_t			 content_length;	/* -1 if none */
	int			 chunked;
	int			 keep_alive;
};

/* Errors carry the HTTP status to answer with. */
struct http_parse_error {
	int		 status;
	const char	*message;	/* static */
};

struct http_chunked {
	int		state;
	uint64_t	remaining;
	size_t		line;		/* bytes in the current size/trailer line */
};

ssize_t		 http_parse_head(const char *, size_t, struct http_request *,
		    struct http_parse_error *);
void		 http_request_clear(struct http_request *);
const char	*http_header_get(const struct http_request *, const char *);
ssize_t		 http_chunked_decode(struct http_chunked *, const char *,
		    size_t, char *, size_t *, int *);
int		 http_query_get(const char *, const char *, char *, size_t);
int		 http_percent_decode(const char *, size_t, char *, size_t);

#endif
