/* Names of event types, channels and categories (API.md) and back. */
#ifndef EVENT_H
#define EVENT_H

#include <respite/event.h>

const char	*event_type_name(enum respite_event_type);
enum respite_event_type event_type_parse(const char *);
const char	*event_channel_name(enum respite_channel);
enum respite_channel event_channel_parse(const char *);
unsigned int	 event_category_parse(const char *);
const char	*event_category_name(unsigned int);
int		 event_name_valid(const char *);

#endif
