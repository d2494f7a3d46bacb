/*
 * respite - public event definitions.
 *
 * The normalized event every ingest path (HTTP, webhook adapters, replay)
 * produces and every later stage consumes.  This header is part of the
 * plugin ABI: it includes nothing but <stdint.h> and <stddef.h>, and new
 * members are only ever appended.
 */
#ifndef RESPITE_EVENT_H
#define RESPITE_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum respite_event_type {
	RESPITE_EV_NONE = 0,
	RESPITE_EV_AGENT_LOGIN,
	RESPITE_EV_AGENT_LOGOUT,
	RESPITE_EV_BREAK_START,
	RESPITE_EV_BREAK_END,
	RESPITE_EV_TICKET_ASSIGNED,
	RESPITE_EV_TICKET_HANDLED,
	RESPITE_EV_MESSAGE_RECEIVED,
	RESPITE_EV_MESSAGE_FLAGGED,
	RESPITE_EV_COUNT
};

enum respite_channel {
	RESPITE_CH_NONE = 0,
	RESPITE_CH_PHONE,
	RESPITE_CH_CHAT,
	RESPITE_CH_EMAIL,
	RESPITE_CH_SOCIAL,
	RESPITE_CH_MESSAGING,
	RESPITE_CH_OTHER,
	RESPITE_CH_COUNT
};

/* Hostility categories, a bit mask. */
#define RESPITE_CAT_INSULT		0x01u
#define RESPITE_CAT_THREAT		0x02u
#define RESPITE_CAT_PROFANITY		0x04u
#define RESPITE_CAT_IDENTITY_ATTACK	0x08u
#define RESPITE_CAT_HARASSMENT		0x10u
#define RESPITE_CAT_OTHER		0x20u

#define RESPITE_ID_MAX		128	/* event and ticket ids */
#define RESPITE_NAME_MAX	64	/* agent and team ids */
#define RESPITE_LANG_MAX	35	/* BCP 47 tag */
#define RESPITE_TZ_MAX		63	/* IANA zone name */
#define RESPITE_TEXT_MAX	16384	/* message text, bytes */

struct respite_event {
	enum respite_event_type	 type;
	char			 id[RESPITE_ID_MAX + 1];	/* "" if none */
	char			 agent[RESPITE_NAME_MAX + 1];
	char			 team[RESPITE_NAME_MAX + 1];	/* "" if none */
	int64_t			 ts_ms;		/* event time, epoch ms */
	int64_t			 received_ms;	/* time of receipt, epoch ms */
	enum respite_channel	 channel;
	char			 ticket[RESPITE_ID_MAX + 1];	/* "" if none */
	double			 duration_s;	/* < 0 if absent */
	double			 severity;	/* < 0 if absent */
	unsigned int		 categories;	/* RESPITE_CAT_* */
	char			 lang[RESPITE_LANG_MAX + 1];
	char			 tz[RESPITE_TZ_MAX + 1];
	/*
	 * Message text: borrowed, valid only while the event is being
	 * ingested.  It is never copied, stored or logged.
	 */
	const char		*text;
	size_t			 text_len;
};

#endif /* RESPITE_EVENT_H */
