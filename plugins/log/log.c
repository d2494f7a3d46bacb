/*
 * respite - log: a sink that writes one line per suggestion change to
 * respited's log (the journal under systemd, else stderr).
 *
 *	[plugins]
 *	load = log
 *	[plugin.log]
 *	on = all		# raised reopened answered expired | all
 *	audience = all		# agent lead | all
 *
 * A line reads
 *	plugin log: s-000012 raised recovery_break high agent=alice
 *	team=support: alice: take a 5-minute break (3 hostile messages in
 *	20 minutes)
 * (one line).  Suggestions hold no message text, so neither do the lines.
 */
#include <stdlib.h>
#include <string.h>

#include <respite/plugin.h>

#include "sink.h"

static const char *const known[] = { "on", "audience", NULL };

static int
logsink_parse(const struct respite_plugin_config *cf, struct sink_filter *f,
    char **error)
{
	if (sink_check_keys(cf, known, error) == -1)
		return (-1);
	return (sink_filter_parse(cf, SINK_ALL, f, error));
}

static int
logsink_init(const struct respite_plugin_config *cf, void **instance,
    char **error)
{
	struct sink_filter	*f;

	if ((f = calloc(1, sizeof *f)) == NULL)
		return (respite_error(error, "out of memory"));
	if (logsink_parse(cf, f, error) == -1) {
		free(f);
		return (-1);
	}
	*instance = f;
	return (0);
}

static void
logsink_fini(void *instance)
{
	free(instance);
}

static int
logsink_reload(void *instance, const struct respite_plugin_config *cf,
    char **error)
{
	struct sink_filter	f;

	if (logsink_parse(cf, &f, error) == -1)
		return (-1);
	*(struct sink_filter *)instance = f;
	return (0);
}

static void
logsink_deliver(void *instance, const struct respite_suggestion *s)
{
	char	text[512];

	if (!sink_filter_match(instance, s))
		return;
	sink_text(s, text, sizeof text);
	respite_log(RESPITE_LOG_INFO, "%s %s %s %s agent=%s team=%s: %s",
	    s->id, s->change, s->kind, s->priority,
	    *s->agent != '\0' ? s->agent : "-",
	    *s->team != '\0' ? s->team : "-", text);
}

RESPITE_PLUGIN_DECLARE(
	.name = "log",
	.kind = RESPITE_PLUGIN_SINK,
	.description = "one log line per suggestion change",
	.init = logsink_init,
	.fini = logsink_fini,
	.reload = logsink_reload,
	.deliver = logsink_deliver);
