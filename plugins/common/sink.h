/*
 * respite - what the sink plugins share (plugins/common/sink.c).
 *
 * A small convenience library linked into the webhook and log sinks and
 * their unit test: checking a section's keys, which changes and which
 * audiences a sink passes on (the keys `on` and `audience`), and the one
 * sentence that says what a suggestion asks for ("alice: take a 5-minute
 * break (3 hostile messages in 20 minutes)").
 */
#ifndef SINK_H
#define SINK_H

#include <stddef.h>

#include <respite/plugin.h>

/* Kinds of change (struct respite_suggestion's change), as bits. */
#define SINK_RAISED	0x1u
#define SINK_REOPENED	0x2u
#define SINK_ANSWERED	0x4u
#define SINK_EXPIRED	0x8u
#define SINK_ALL	0xfu

/* Audiences, as bits. */
#define SINK_AGENT	0x1u
#define SINK_LEAD	0x2u

/* What a sink passes on. */
struct sink_filter {
	unsigned int	changes;	/* SINK_RAISED ... */
	unsigned int	audiences;	/* SINK_AGENT | SINK_LEAD */
};

int	 sink_check_keys(const struct respite_plugin_config *,
	    const char *const *, char **);
int	 sink_filter_parse(const struct respite_plugin_config *, unsigned int,
	    struct sink_filter *, char **);
int	 sink_filter_match(const struct sink_filter *,
	    const struct respite_suggestion *);
int	 sink_seconds(const char *, const char *, double, double, double *,
	    char **);
int	 sink_count(const char *, const char *, long, long, long *, char **);
size_t	 sink_text(const struct respite_suggestion *, char *, size_t);

#endif
