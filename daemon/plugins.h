/* Loading plugins (include/respite/plugin.h) and calling them. */
#ifndef PLUGINS_H
#define PLUGINS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <respite/plugin.h>

#include "config.h"
#include "ingest.h"

struct event_base;
struct plugins;

/* Takes a source's events (api_source_submit()). */
typedef int	(*plugins_submit_fn)(void *, const char *,
		    const struct respite_event *, size_t, char **);

/* plugins.c */
struct plugins	*plugins_load(const struct config *, char **);
void		 plugins_free(struct plugins *);
void		 plugins_reload(struct plugins *, const struct config *);
void		 plugins_set_event_base(struct event_base *);
void		 plugins_set_install_secret(const uint8_t *);
size_t		 plugins_count(const struct plugins *, enum respite_plugin_kind);
const char	*plugins_name(const struct plugins *, enum respite_plugin_kind,
		    size_t);
int		 plugins_classify(const struct plugins *, const char *, size_t,
		    const char *, struct respite_classification *);
void		 plugins_classify_event(const struct plugins *,
		    struct respite_event *);
void		 plugins_classify_batch(const struct plugins *,
		    struct event_batch *);
int		 plugins_has_adapter(const struct plugins *, const char *);
unsigned int	 plugins_deliver(const struct plugins *,
		    const struct respite_suggestion *, uint64_t);
void		 plugins_set_sink_done(void (*)(uint64_t, void *), void *);
int		 plugins_webhook(const struct plugins *, const char *,
		    const struct respite_webhook *, char **);
void		 plugins_set_submit(plugins_submit_fn, void *);
int		 plugins_start(struct plugins *, char **);
void		 plugins_stop(struct plugins *);
json_t		*plugins_health(const struct plugins *);

#endif
