/* respitectl: the command table and helpers shared by its subcommands. */
#ifndef CTL_H
#define CTL_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Exit statuses (sysexits(3) where one fits). */
#define CTL_EXIT_OK		0
#define CTL_EXIT_FAIL		1	/* the server refused, a file is bad */
#define CTL_EXIT_USAGE		2	/* bad command line */
#define CTL_EXIT_UNAVAILABLE	69	/* EX_UNAVAILABLE: no daemon reachable */
#define CTL_EXIT_TEMPFAIL	75	/* EX_TEMPFAIL: 503 after the retries */

#define CTL_DEFAULT_URL		"http://127.0.0.1:7878"

struct ctl_cmd {
	const char	*name;
	const char	*usage;		/* arguments, after the name */
	const char	*summary;	/* one line for the command list */
	const char	*help;		/* the options, for COMMAND -h */
	int		(*exec)(int, char **);
};

/*
 * The options every command that talks to respited takes.  A command puts
 * CTL_COMMON_LONGOPTS into its getopt_long table and hands what getopt
 * returns to ctl_opts_set() first.
 */
struct ctl_opts {
	const char	*url;		/* borrowed: argv or the environment */
	const char	*token_file;
	int		 json;
};

#define CTL_OPT_URL		0x100
#define CTL_OPT_TOKEN_FILE	0x101
#define CTL_OPT_JSON		0x102
#define CTL_COMMON_LONGOPTS						\
	{ "url", required_argument, NULL, CTL_OPT_URL },		\
	{ "token-file", required_argument, NULL, CTL_OPT_TOKEN_FILE },	\
	{ "json", no_argument, NULL, CTL_OPT_JSON }
#define CTL_COMMON_USAGE	"[--url URL] [--token-file FILE] [--json]"
#define CTL_COMMON_HELP							\
	"  --url URL         respited's address (default $RESPITE_URL, else\n" \
	"                    " CTL_DEFAULT_URL ")\n"			\
	"  --token-file FILE send the token on FILE's first line as\n"	\
	"                    Authorization: Bearer\n"			\
	"  --json            print the server's JSON as it is, for scripts\n"

/* A connection to respited (ctl_http.c): one libcurl handle, kept alive. */
struct ctl_http;

/* respitectl.c */
void	ctl_usage_cmd(const struct ctl_cmd *, int) __attribute__((noreturn));
void	ctl_bad_option(const struct ctl_cmd *, int, char **)
	    __attribute__((noreturn));
const char *ctl_agent_arg(const struct ctl_cmd *, int, char **);
void	ctl_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	ctl_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
int	ctl_parse_long(const char *, long long, long long, long long *);
int	ctl_parse_double(const char *, double, double, double *);
void	ctl_opts_init(struct ctl_opts *);
int	ctl_opts_set(struct ctl_opts *, int, const char *);
void	ctl_sleep(double);

/* ctl_http.c */
int	ctl_http_open(const struct ctl_opts *, struct ctl_http **);
void	ctl_http_close(struct ctl_http *);
void	ctl_http_set_retries(struct ctl_http *, int, int);
void	ctl_http_set_quiet(struct ctl_http *, int);
void	ctl_http_set_reply_max(struct ctl_http *, size_t);
void	ctl_http_set_notice(struct ctl_http *, void (*)(void *), void *);
const char *ctl_http_base(const struct ctl_http *);
char	*ctl_http_escape(struct ctl_http *, const char *);
int	ctl_http_request(struct ctl_http *, const char *, const char *,
	    const char *, const char *, size_t);
long	ctl_http_status(const struct ctl_http *);
const char *ctl_http_url(const struct ctl_http *);
const char *ctl_http_reply(const struct ctl_http *, size_t *);
json_t	*ctl_http_reply_json(const struct ctl_http *);
int	ctl_http_show(const struct ctl_http *, int, json_t *,
	    void (*)(json_t *));
void	ctl_http_report(const struct ctl_http *, const char *);
int	ctl_http_get_json(struct ctl_http *, const char *, const char *,
	    json_t **);
int	ctl_http_post_json(struct ctl_http *, const char *, json_t *,
	    const char *, json_t **);

/* ctl_fmt.c */
struct ctl_table;
int	ctl_colour(void);
const char *ctl_level_colour(const char *);
struct ctl_table *ctl_table_new(const char *const *, const char *);
void	ctl_table_cell(struct ctl_table *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	ctl_table_print(struct ctl_table *, FILE *);
void	ctl_table_free(struct ctl_table *);
const char *ctl_json_str(json_t *, const char *, const char *);
double	ctl_json_num(json_t *, const char *);
void	ctl_sugg_who(json_t *, char *, size_t);
void	ctl_print_suggestions(json_t *);
void	ctl_print_json(json_t *);
void	ctl_print_raw(const char *, size_t);
int	ctl_stdout_done(int);

/* ctl_replay.c */
extern const struct ctl_cmd ctl_replay_cmd;

/* ctl_simulate.c */
extern const struct ctl_cmd ctl_simulate_cmd;

/* ctl_classify.c */
extern const struct ctl_cmd ctl_classify_cmd;

/* ctl_status.c */
extern const struct ctl_cmd ctl_status_cmd;

/* ctl_agent.c */
extern const struct ctl_cmd ctl_agent_cmd;

/* ctl_days.c */
extern const struct ctl_cmd ctl_days_cmd;

/* ctl_trend.c */
extern const struct ctl_cmd ctl_trend_cmd;

/* ctl_suggestions.c */
extern const struct ctl_cmd ctl_suggestions_cmd;

/* ctl_token.c */
extern const struct ctl_cmd ctl_token_cmd;

/* ctl_audit.c */
extern const struct ctl_cmd ctl_audit_cmd;

/* respitectl.c: -c CONF before the command, or NULL */
extern const char *ctl_config_path;

/* ctl_answer.c */
extern const struct ctl_cmd ctl_accept_cmd;
extern const struct ctl_cmd ctl_dismiss_cmd;
extern const struct ctl_cmd ctl_snooze_cmd;

#endif
