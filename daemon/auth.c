/*
 * respite - authentication and authorization.
 *
 * Requests carry "Authorization: Bearer TOKEN"; tokens live hashed in the
 * tokens file (tokens.c).  The file is re-read on SIGHUP and when it
 * changes (checked every AUTH_WATCH_S seconds by its inode, size and
 * mtime; no inotify, so it works on any file system and across editors'
 * rename-on-save).  With no tokens at all the daemon is open — every
 * request is admin — which respited allows only on loopback listeners.
 *
 * Each token has a token bucket (rate per second, burst) kept by label;
 * past it a request gets 429 with Retry-After.  The role checks below
 * implement the table of API.md; routes call them and answer 403.
 */
#include "build.h"

#include <sys/stat.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "log.h"
#include "xmalloc.h"

#define AUTH_WATCH_S	2

struct bucket {
	char		label[TOKEN_LABEL_MAX + 1];
	double		tokens;
	int64_t		at;
};

struct auth {
	char			*path;
	struct auth_limits	 limits;
	struct token_file	 tf;
	struct bucket		*buckets;	/* parallel to tf.v */
	struct event		*watch;
	struct stat		 seen;
	int			 have_seen;
	int			 open_allowed;	/* loopback listeners only */
	int			 broken;	/* unreadable while open: closed */
	void			(*change_cb)(void *);	/* after a reload */
	void			*change_arg;
};

static void
watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct auth	*au = arg;
	struct stat	 st;
	char		*cause = NULL;
	int		 exists;

	(void)fd;
	(void)what;
	exists = stat(au->path, &st) == 0;
	if (exists == au->have_seen && (!exists ||
	    (st.st_ino == au->seen.st_ino && st.st_size == au->seen.st_size &&
	    st.st_mtim.tv_sec == au->seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == au->seen.st_mtim.tv_nsec)))
		return;
	if (auth_reload(au, &cause) == -1) {
		log_warnx("auth: %s changed but cannot be read, keeping the "
		    "old tokens: %s", au->path, cause);
		free(cause);
		/* Do not retry until it changes again. */
		au->have_seen = exists;
		if (exists)
			au->seen = st;
		return;
	}
	log_info("auth: %s changed: %zu tokens", au->path, au->tf.n);
}

struct auth *
auth_new(struct event_base *base, const char *path,
    const struct auth_limits *limits)
{
	struct auth	*au;
	struct timeval	 tv = { AUTH_WATCH_S, 0 };

	au = xcalloc(1, sizeof *au);
	au->path = xstrdup(path);
	au->limits = *limits;
	if (base != NULL) {
		au->watch = event_new(base, -1, EV_PERSIST, watch_cb, au);
		event_add(au->watch, &tv);
	}
	return (au);
}

void
auth_free(struct auth *au)
{
	if (au == NULL)
		return;
	if (au->watch != NULL)
		event_free(au->watch);
	token_file_clear(&au->tf);
	free(au->buckets);
	free(au->path);
	free(au);
}

/* New file name or limits (SIGHUP); the caller reloads. */
void
auth_set(struct auth *au, const char *path, const struct auth_limits *limits)
{
	if (strcmp(au->path, path) != 0) {
		free(au->path);
		au->path = xstrdup(path);
		au->have_seen = 0;
	}
	au->limits = *limits;
}

/*
 * (Re-)read the tokens file.  On error the old tokens stay and -1 is
 * returned with *cause.  Buckets of labels still present are kept.
 */
int
auth_reload(struct auth *au, char **cause)
{
	struct token_file	 tf;
	struct bucket		*b;
	struct stat		 st;
	size_t			 i, j;

	if (token_file_load(au->path, &tf, cause) == -1) {
		/*
		 * Fail closed: a daemon running open must not stay open
		 * because the file that now holds tokens cannot be read.
		 */
		if (au->tf.n == 0)
			au->broken = 1;
		return (-1);
	}
	au->broken = 0;
	b = xcalloc(tf.n + 1, sizeof *b);
	for (i = 0; i < tf.n; i++) {
		snprintf(b[i].label, sizeof b[i].label, "%s", tf.v[i].label);
		b[i].tokens = au->limits.burst;
		for (j = 0; j < au->tf.n; j++)
			if (strcmp(au->buckets[j].label, b[i].label) == 0)
				b[i] = au->buckets[j];
	}
	token_file_clear(&au->tf);
	free(au->buckets);
	au->tf = tf;
	au->buckets = b;
	if ((au->have_seen = stat(au->path, &st) == 0))
		au->seen = st;
	if (au->change_cb != NULL)
		au->change_cb(au->change_arg);
	return (0);
}

/*
 * Call cb(arg) after each successful reload, from SIGHUP or from the
 * watch of the file: open streams are judged again (api_stream.c).
 */
void
auth_set_change_cb(struct auth *au, void (*cb)(void *), void *arg)
{
	au->change_cb = cb;
	au->change_arg = arg;
}

/*
 * The role (as written in the file; borrowed until the next reload) of
 * the token with SHA-256 hash, or NULL if it is not (or no longer) there.
 */
const char *
auth_token_role(const struct auth *au, const uint8_t *hash)
{
	size_t	i;

	for (i = 0; i < au->tf.n; i++)
		if (memcmp(au->tf.v[i].hash, hash, TOKEN_HASH_LEN) == 0)
			return (au->tf.v[i].role_text);
	return (NULL);
}

int
auth_is_open(const struct auth *au)
{
	return (au->tf.n == 0 && au->open_allowed && !au->broken);
}

/*
 * May no tokens mean open mode?  Only when every listener is loopback;
 * otherwise an empty tokens file locks everyone out instead.
 */
void
auth_allow_open(struct auth *au, int allowed)
{
	au->open_allowed = allowed;
}

size_t
auth_ntokens(const struct auth *au)
{
	return (au->tf.n);
}

/*
 * Authenticate a request by its Authorization header (NULL if none).
 * Returns 0 with *p set; -1 with err (401, or 429 with *retry_after in
 * seconds).  open_allowed: whether no tokens means open (loopback only).
 */
int
auth_check(struct auth *au, const char *header, int64_t now,
    struct principal *p, struct api_error *err, int *retry_after)
{
	const struct token_entry	*e;
	struct bucket			*b;
	const char			*tok;
	double				 add;

	memset(p, 0, sizeof *p);
	*retry_after = 0;
	if (au->broken) {
		api_error_set(err, 401, "unauthorized", -1, NULL,
		    "the tokens file cannot be read (see the log); nobody is "
		    "let in until it can");
		return (-1);
	}
	if (au->tf.n == 0 && au->open_allowed) {
		p->kind = TOKEN_ADMIN;
		snprintf(p->label, sizeof p->label, "(open mode)");
		return (0);
	}
	if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0) {
		api_error_set(err, 401, "unauthorized", -1, NULL,
		    "a bearer token is required (Authorization: Bearer TOKEN)");
		return (-1);
	}
	tok = header + 7;
	while (*tok == ' ')
		tok++;
	if ((e = token_file_find(&au->tf, tok, strlen(tok))) == NULL) {
		api_error_set(err, 401, "unauthorized", -1, NULL,
		    "unknown or revoked token");
		return (-1);
	}
	p->kind = e->role.kind;
	p->role = &e->role;
	snprintf(p->label, sizeof p->label, "%s", e->label);
	memcpy(p->hash, e->hash, TOKEN_HASH_LEN);

	b = &au->buckets[e - au->tf.v];
	if (au->limits.rate > 0) {
		add = (double)(now - b->at) / 1000.0 * au->limits.rate;
		if (b->at == 0 || add < 0)
			add = au->limits.burst;
		b->tokens = fmin(au->limits.burst, b->tokens + add);
		b->at = now;
		if (b->tokens < 1.0) {
			*retry_after = (int)ceil((1.0 - b->tokens) /
			    au->limits.rate);
			if (*retry_after < 1)
				*retry_after = 1;
			api_error_set(err, 429, "rate_limited", -1, NULL,
			    "more than %g requests a second for this token; "
			    "retry in %d s", au->limits.rate, *retry_after);
			return (-1);
		}
		b->tokens -= 1.0;
	}
	return (0);
}

int
auth_is_admin(const struct principal *p)
{
	return (p->kind == TOKEN_ADMIN);
}

int
auth_may_ingest(const struct principal *p)
{
	return (p->kind == TOKEN_ADMIN || p->kind == TOKEN_INGEST);
}

/*
 * May p read agent id of team (team "" if unknown or the agent does not
 * exist: a lead then gets no, so existence does not leak)?
 */
int
auth_may_read_agent(const struct principal *p, const char *id,
    const char *team)
{
	switch (p->kind) {
	case TOKEN_ADMIN:
		return (1);
	case TOKEN_AGENT:
		return (strcmp(p->role->agent, id) == 0);
	case TOKEN_LEAD:
		return (*team != '\0' && token_role_has_team(p->role, team));
	default:
		return (0);
	}
}

/* May p act for agent id (breaks, answering its suggestions)? */
int
auth_may_act_as_agent(const struct principal *p, const char *id)
{
	return (p->kind == TOKEN_ADMIN ||
	    (p->kind == TOKEN_AGENT && strcmp(p->role->agent, id) == 0));
}

int
auth_may_read_team(const struct principal *p, const char *team)
{
	return (p->kind == TOKEN_ADMIN || (p->kind == TOKEN_LEAD &&
	    token_role_has_team(p->role, team)));
}
