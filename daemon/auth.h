/* Authentication (bearer tokens), rate limits, and what each role may do. */
#ifndef AUTH_H
#define AUTH_H

#include <stdint.h>

#include <event2/event.h>

#include "apierr.h"
#include "tokens.h"

struct auth;

/* Who is asking: a token's role, or admin in open mode. */
struct principal {
	enum token_kind		 kind;
	const struct token_role	*role;		/* NULL in open mode */
	char			 label[TOKEN_LABEL_MAX + 1];
	uint8_t			 hash[TOKEN_HASH_LEN];	/* zero in open mode */
};

struct auth_limits {
	double		rate;		/* requests per second per token */
	double		burst;
};

struct auth	*auth_new(struct event_base *, const char *,
		    const struct auth_limits *);
void		 auth_free(struct auth *);
int		 auth_reload(struct auth *, char **);
void		 auth_set(struct auth *, const char *, const struct auth_limits *);
int		 auth_is_open(const struct auth *);
void		 auth_allow_open(struct auth *, int);
size_t		 auth_ntokens(const struct auth *);
const char	*auth_token_role(const struct auth *, const uint8_t *);
void		 auth_set_change_cb(struct auth *, void (*)(void *), void *);
int		 auth_check(struct auth *, const char *, int64_t,
		    struct principal *, struct api_error *, int *);

int		 auth_is_admin(const struct principal *);
int		 auth_may_ingest(const struct principal *);
int		 auth_may_read_agent(const struct principal *, const char *,
		    const char *);
int		 auth_may_act_as_agent(const struct principal *, const char *);
int		 auth_may_read_team(const struct principal *, const char *);

#endif
