/* respite-notify: the presenter, libnotify on a thread of its own. */
#ifndef POPUP_H
#define POPUP_H

struct popup;

enum popup_state {
	POPUP_OK,		/* a notification server answers */
	POPUP_GONE,		/* it went away; popups wait for it */
	POPUP_NO_BUS,		/* no D-Bus session bus */
	POPUP_NO_SERVER,	/* nothing owns org.freedesktop.Notifications */
	POPUP_NOT_ANSWERING	/* the start-up check took too long */
};

struct popup_caps {
	int	actions;
	int	body;
	int	body_markup;
};

struct popup_status {
	enum popup_state	state;
	struct popup_caps	caps;
	char			info[256];	/* server name, or what failed */
};

enum popup_urgency {
	POPUP_LOW = 0,
	POPUP_NORMAL = 1,
	POPUP_CRITICAL = 2
};

#define POPUP_ACTIONS_MAX	3

/* What one notification shows; popup_show() copies it all. */
struct popup_content {
	const char		*summary;
	const char		*body;
	const char		*icon;
	const char		*category;
	enum popup_urgency	 urgency;
	int			 timeout_ms;	/* -1 server default, 0 never */
	int			 transient;	/* not kept in a history */
	int			 silent;	/* suppress-sound */
	const char		*id_hint;	/* x-respite-id, or NULL */
	int			 nactions;
	struct {
		const char	*id;
		const char	*label;
	}			 actions[POPUP_ACTIONS_MAX];
};

/* Called on the main loop; key and action are borrowed for the call. */
struct popup_cbs {
	void	(*action)(const char *, const char *, void *);
	void	(*closed)(const char *, int, void *);	/* by the server */
	void	(*server)(const struct popup_status *, void *);
	void	 *arg;
};

struct popup	*popup_start(const struct popup_cbs *, int,
		    struct popup_status *);
void		 popup_show(struct popup *, const char *,
		    const struct popup_content *);
void		 popup_close(struct popup *, const char *);
void		 popup_stop(struct popup *, int);

#endif
