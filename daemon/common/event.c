/*
 * respite - event names.
 *
 * The wire names of API.md next to the enums of <respite/event.h>.  The
 * enum values are also what the events table stores, so their order never
 * changes (new values are appended).
 */
#include "build.h"

#include <string.h>

#include "event.h"

static const char *const type_names[RESPITE_EV_COUNT] = {
	[RESPITE_EV_AGENT_LOGIN] = "agent.login",
	[RESPITE_EV_AGENT_LOGOUT] = "agent.logout",
	[RESPITE_EV_BREAK_START] = "agent.break_start",
	[RESPITE_EV_BREAK_END] = "agent.break_end",
	[RESPITE_EV_TICKET_ASSIGNED] = "ticket.assigned",
	[RESPITE_EV_TICKET_HANDLED] = "ticket.handled",
	[RESPITE_EV_MESSAGE_RECEIVED] = "message.received",
	[RESPITE_EV_MESSAGE_FLAGGED] = "message.flagged",
};

static const char *const channel_names[RESPITE_CH_COUNT] = {
	[RESPITE_CH_PHONE] = "phone",
	[RESPITE_CH_CHAT] = "chat",
	[RESPITE_CH_EMAIL] = "email",
	[RESPITE_CH_SOCIAL] = "social",
	[RESPITE_CH_MESSAGING] = "messaging",
	[RESPITE_CH_OTHER] = "other",
};

static const struct {
	const char	*name;
	unsigned int	 bit;
} category_names[] = {
	{ "insult", RESPITE_CAT_INSULT },
	{ "threat", RESPITE_CAT_THREAT },
	{ "profanity", RESPITE_CAT_PROFANITY },
	{ "identity_attack", RESPITE_CAT_IDENTITY_ATTACK },
	{ "harassment", RESPITE_CAT_HARASSMENT },
	{ "other", RESPITE_CAT_OTHER },
};

const char *
event_type_name(enum respite_event_type t)
{
	if (t <= RESPITE_EV_NONE || t >= RESPITE_EV_COUNT)
		return ("unknown");
	return (type_names[t]);
}

/* Returns RESPITE_EV_NONE for a name that is not a type. */
enum respite_event_type
event_type_parse(const char *name)
{
	int	t;

	for (t = RESPITE_EV_NONE + 1; t < RESPITE_EV_COUNT; t++)
		if (strcmp(type_names[t], name) == 0)
			return ((enum respite_event_type)t);
	return (RESPITE_EV_NONE);
}

const char *
event_channel_name(enum respite_channel c)
{
	if (c <= RESPITE_CH_NONE || c >= RESPITE_CH_COUNT)
		return (NULL);
	return (channel_names[c]);
}

/* Returns RESPITE_CH_NONE for a name that is not a channel. */
enum respite_channel
event_channel_parse(const char *name)
{
	int	c;

	for (c = RESPITE_CH_NONE + 1; c < RESPITE_CH_COUNT; c++)
		if (strcmp(channel_names[c], name) == 0)
			return ((enum respite_channel)c);
	return (RESPITE_CH_NONE);
}

/* Returns the category's bit, or 0 for an unknown name. */
unsigned int
event_category_parse(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof category_names / sizeof category_names[0]; i++)
		if (strcmp(category_names[i].name, name) == 0)
			return (category_names[i].bit);
	return (0);
}

/* The name of a single category bit, or NULL. */
const char *
event_category_name(unsigned int bit)
{
	size_t	i;

	for (i = 0; i < sizeof category_names / sizeof category_names[0]; i++)
		if (category_names[i].bit == bit)
			return (category_names[i].name);
	return (NULL);
}

/* Agent and team ids: 1-64 chars of [A-Za-z0-9._@-]. */
int
event_name_valid(const char *s)
{
	size_t	n;

	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._@-");
	return (n >= 1 && n <= RESPITE_NAME_MAX && s[n] == '\0');
}
