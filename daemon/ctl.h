/* respitectl: the command table and helpers shared by its subcommands. */
#ifndef CTL_H
#define CTL_H

/* Exit statuses (sysexits(3) where one fits). */
#define CTL_EXIT_OK		0
#define CTL_EXIT_FAIL		1	/* the server refused, a file is bad */
#define CTL_EXIT_USAGE		2	/* bad command line */
#define CTL_EXIT_UNAVAILABLE	69	/* EX_UNAVAILABLE: no daemon reachable */

#define CTL_DEFAULT_URL		"http://127.0.0.1:7878"

struct ctl_cmd {
	const char	*name;
	const char	*usage;		/* arguments, after the name */
	const char	*summary;	/* one line for the command list */
	const char	*help;		/* the options, for COMMAND -h */
	int		(*exec)(int, char **);
};

/* respitectl.c */
void	ctl_usage_cmd(const struct ctl_cmd *, int) __attribute__((noreturn));
void	ctl_bad_option(const struct ctl_cmd *, int, char **)
	    __attribute__((noreturn));
void	ctl_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	ctl_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
int	ctl_parse_long(const char *, long long, long long, long long *);
int	ctl_parse_double(const char *, double, double, double *);
double	ctl_monotonic(void);

/* ctl_replay.c */
extern const struct ctl_cmd ctl_replay_cmd;

/* ctl_simulate.c */
extern const struct ctl_cmd ctl_simulate_cmd;

#endif
