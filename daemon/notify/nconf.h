/* respite-notify: the configuration file (INI, libinih) and its checks. */
#ifndef NCONF_H
#define NCONF_H

#define NCONF_DEFAULT_URL	"http://127.0.0.1:7878"

struct nconf {
	char	*url;
	char	*agent;
	char	*token_file;	/* NULL: no token */
	int	 level_notices;
	int	 lang;		/* enum ntext_lang, -1: the locale's */
	char	*file;		/* the file read, NULL if none */
};

char		*nconf_default_path(void);
int		 nconf_agent_valid(const char *);
int		 nconf_url_valid(const char *);
struct nconf	*nconf_load(const char *, int, char **);
void		 nconf_free(struct nconf *);
char		*nconf_read_token(const char *, char **);

#endif
