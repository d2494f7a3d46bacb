/*
 * A fake daemon for the webhook adapters' unit tests: it initialises an
 * adapter's descriptor with a [plugin.NAME] section, posts a body with
 * headers, and collects the events the adapter emits (copying their text,
 * which a real daemon classifies and drops).
 */
#ifndef WH_TEST_H
#define WH_TEST_H

#include <stddef.h>
#include <stdint.h>

#include <respite/plugin.h>

#define WHT_EVENTS	16
#define WHT_HEADERS	8

struct wht_event {
	struct respite_event	 ev;
	char			*text;		/* copy, or NULL */
};

struct wht {
	const struct respite_plugin	*pl;
	void				*instance;
	struct respite_webhook		 req;
	const char			*hname[WHT_HEADERS];
	char				*hvalue[WHT_HEADERS];
	size_t				 nh;
	struct wht_event		 ev[WHT_EVENTS];
	size_t				 n;
	char				*error;
	int				 status;
	int				 refuse;	/* emit fails */
};

void		 wht_install_secret(const char *);
int		 wht_init(struct wht *, const struct respite_plugin *,
		    const char *const *, char **);
struct wht	*wht_start(const struct respite_plugin *,
		    const char *const *);
void		 wht_variant(struct wht *, int64_t, const char *, size_t,
		    const char *, const char *, int, size_t);

/*
 * In an adapter's test, which declares its respite_plugin and a NOW: the
 * adapter started with a section, and a body's variant posted at NOW.
 */
#define START(...)		wht_start(&respite_plugin, (__VA_ARGS__))
#define VARIANT(t, ...)		wht_variant((t), NOW, __VA_ARGS__)
void		 wht_free(struct wht *);
void		 wht_header(struct wht *, const char *, const char *);
void		 wht_clear(struct wht *);
int		 wht_post(struct wht *, const char *, size_t, int64_t);
int		 wht_post_str(struct wht *, const char *, int64_t);
char		*wht_load(const char *, size_t *);
char		*wht_load_own(const char *, size_t *);
char		*wht_json_edit(const char *, size_t, const char *,
		    const char *, size_t *);
void		 wht_hmac_hex(int, const char *, const char *, size_t,
		    const char *, size_t, char *);
void		 wht_hmac_b64(const char *, const char *, size_t,
		    const char *, size_t, char *);
int64_t		 wht_ms(const char *);

/*
 * Without ../shared/data the test says so and passes: cmocka's skip()
 * prints "not ok ... # SKIP", which automake's TAP driver counts as a
 * failure.
 */
#define WHT_SKIP_NO_SHARED() do {					\
	print_message("# skipped: ../shared/data/webhooks not found "	\
	    "(SHARED_DATA=%s); the real vendor payloads are not "	\
	    "tested\n", getenv("SHARED_DATA") != NULL ?			\
	    getenv("SHARED_DATA") : "(unset)");				\
	return;								\
} while (0)

#endif
