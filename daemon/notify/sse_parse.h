/* respite-notify: the Server-Sent Events wire format (no I/O, no GLib). */
#ifndef SSE_PARSE_H
#define SSE_PARSE_H

#include <stddef.h>

#define SSE_ID_MAX	64	/* longer ids are ignored (respited's are numbers) */
#define SSE_EVENT_MAX	64	/* longer event types are cut */

/*
 * One dispatched event: its type ("message" when none was given), its
 * data (the data lines joined with "\n") and the last event id seen on
 * the stream so far ("" if none).  All three are borrowed for the call.
 */
typedef void	(*sse_event_cb)(const char *, const char *, const char *,
		    void *);
/* A retry: field, in milliseconds. */
typedef void	(*sse_retry_cb)(long, void *);

struct sse_parser {
	sse_event_cb	 on_event;
	sse_retry_cb	 on_retry;
	void		*arg;
	size_t		 max_line;	/* a longer line is an error */

	char		*line;
	size_t		 len, cap;
	int		 skip_lf;	/* the last byte was a CR */
	int		 started;	/* past a leading byte-order mark */
	char		*data;
	size_t		 dlen, dcap;
	int		 has_data;
	char		 event[SSE_EVENT_MAX + 1];
	char		 last_id[SSE_ID_MAX + 1];
};

void	sse_parser_init(struct sse_parser *, size_t, sse_event_cb,
	    sse_retry_cb, void *);
int	sse_parser_feed(struct sse_parser *, const char *, size_t);
void	sse_parser_reset(struct sse_parser *);
void	sse_parser_free(struct sse_parser *);

#endif
