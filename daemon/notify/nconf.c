/*
 * respite-notify - the configuration file.
 *
 * $XDG_CONFIG_HOME/respite/notify.conf (~/.config/respite/notify.conf
 * when XDG_CONFIG_HOME is unset), in the INI style of respite.conf:
 *
 *	[notify]
 *	url = http://respite.example:7878
 *	agent = alice
 *	token_file = ~/.config/respite/token
 *	level_notices = false
 *
 * Parsed with libinih as daemon/common/config.c does, and for the same reason
 * through a reader of our own that counts lines (Debian's inih passes no
 * line numbers to the handler): an unknown section or key, a bad value
 * or a syntax error is "FILE:LINE: message".  A missing default file is
 * no error (the command line may say everything); a file named with -c
 * must exist.  A relative token_file is taken from the configuration
 * file's directory, and "~/" from $HOME.
 */
#include "build.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>
#include <ini.h>

#include "nconf.h"
#include "ntext.h"

struct nconf_parse {
	struct nconf	*cf;
	FILE		*f;
	int		 line;
	int		 read_errno;
	char		*cause;
	int		 cause_line;
};

/* The default file's path (new string). */
char *
nconf_default_path(void)
{
	return (g_build_filename(g_get_user_config_dir(), "respite",
	    "notify.conf", NULL));
}

/* An agent id as the API takes it: 1-64 of [A-Za-z0-9._@-]. */
int
nconf_agent_valid(const char *s)
{
	size_t	n = strlen(s);

	if (n == 0 || n > 64)
		return (0);
	return (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._@-") == n);
}

/* http://HOST[:PORT][/] or https://...; nothing after the address. */
int
nconf_url_valid(const char *s)
{
	const char	*host;

	if (g_ascii_strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (g_ascii_strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return (0);
	if (*host == '\0' || *host == '/')
		return (0);
	return (g_uri_is_valid(s, G_URI_FLAGS_NONE, NULL) &&
	    strpbrk(host, "?#") == NULL);
}

static int
parse_bool(const char *v, int *out)
{
	if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
	    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 ||
	    strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return (-1);
	return (0);
}

/* A path from the file: "~/" is $HOME, relative is next to the file. */
static char *
expand_path(const char *v, const char *file)
{
	char	*dir, *path;

	if (strncmp(v, "~/", 2) == 0)
		return (g_build_filename(g_get_home_dir(), v + 2, NULL));
	if (g_path_is_absolute(v) || file == NULL)
		return (g_strdup(v));
	dir = g_path_get_dirname(file);
	path = g_build_filename(dir, v, NULL);
	g_free(dir);
	return (path);
}

static int
nconf_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct nconf_parse	*np = arg;
	struct nconf		*cf = np->cf;

	if (np->cause != NULL)
		return (0);	/* keep only the first error */
	np->cause_line = np->line;
	if (strcmp(section, "notify") != 0) {
		np->cause = g_strdup_printf("unknown section [%s] (only "
		    "[notify])", section);
		return (0);
	}
	if (*value == '\0') {
		np->cause = g_strdup_printf("%s: empty value", name);
		return (0);
	}
	if (strcmp(name, "url") == 0) {
		if (!nconf_url_valid(value)) {
			np->cause = g_strdup_printf("url: expected "
			    "http://HOST:PORT, got \"%s\"", value);
			return (0);
		}
		g_free(cf->url);
		cf->url = g_strdup(value);
	} else if (strcmp(name, "agent") == 0) {
		if (!nconf_agent_valid(value)) {
			np->cause = g_strdup_printf("agent: must be 1-64 chars "
			    "of [A-Za-z0-9._@-], got \"%s\"", value);
			return (0);
		}
		g_free(cf->agent);
		cf->agent = g_strdup(value);
	} else if (strcmp(name, "token_file") == 0) {
		g_free(cf->token_file);
		cf->token_file = expand_path(value, cf->file);
	} else if (strcmp(name, "level_notices") == 0) {
		if (parse_bool(value, &cf->level_notices) == -1) {
			np->cause = g_strdup_printf("level_notices: expected "
			    "true or false, got \"%s\"", value);
			return (0);
		}
	} else if (strcmp(name, "lang") == 0) {
		if (strcasecmp(value, "auto") == 0)
			cf->lang = -1;
		else if ((strcasecmp(value, "en") == 0 ||
		    strcasecmp(value, "de") == 0))
			cf->lang = ntext_lang_parse(value);
		else {
			np->cause = g_strdup_printf("lang: expected auto, en or "
			    "de, got \"%s\"", value);
			return (0);
		}
	} else {
		np->cause = g_strdup_printf("unknown key \"%s\" in [notify]",
		    name);
		return (0);
	}
	return (1);
}

/* fgets() for inih, counting lines; a line too long is an error. */
static char *
nconf_reader(char *str, int num, void *arg)
{
	struct nconf_parse	*np = arg;
	size_t			 len;
	int			 c;

	if (fgets(str, num, np->f) == NULL) {
		if (ferror(np->f))
			np->read_errno = errno;
		return (NULL);
	}
	np->line++;
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' &&
	    (c = getc(np->f)) != '\n' && c != EOF) {
		while ((c = getc(np->f)) != '\n' && c != EOF)
			;
		if (np->cause == NULL) {
			np->cause = g_strdup_printf("line too long (at most %d "
			    "characters)", num - 2);
			np->cause_line = np->line;
		}
		*str = '\0';
	}
	return (str);
}

/*
 * Load file (must_exist: an error if it is missing) over the defaults.
 * Returns a new configuration, or NULL with *cause (new string) set.
 */
struct nconf *
nconf_load(const char *file, int must_exist, char **cause)
{
	struct nconf_parse	 np;
	struct nconf		*cf;
	int			 line;

	cf = g_new0(struct nconf, 1);
	cf->lang = -1;
	cf->url = g_strdup(NCONF_DEFAULT_URL);
	if (file == NULL)
		return (cf);
	memset(&np, 0, sizeof np);
	np.cf = cf;
	if ((np.f = fopen(file, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return (cf);
		*cause = g_strdup_printf("%s: %s", file, g_strerror(errno));
		goto fail;
	}
	cf->file = g_strdup(file);
	line = ini_parse_stream(nconf_reader, &np, nconf_handler, &np);
	fclose(np.f);
	if (np.read_errno != 0) {
		*cause = g_strdup_printf("%s: %s", file,
		    g_strerror(np.read_errno));
		goto fail;
	}
	if (np.cause != NULL && (line == 0 || np.cause_line <= line)) {
		*cause = g_strdup_printf("%s:%d: %s", file, np.cause_line,
		    np.cause);
		goto fail;
	}
	if (line != 0) {
		*cause = g_strdup_printf("%s:%d: syntax error (expected "
		    "[notify] or key = value)", file, line);
		goto fail;
	}
	return (cf);

fail:
	g_free(np.cause);
	nconf_free(cf);
	return (NULL);
}

void
nconf_free(struct nconf *cf)
{
	if (cf == NULL)
		return;
	g_free(cf->url);
	g_free(cf->agent);
	g_free(cf->token_file);
	g_free(cf->file);
	g_free(cf);
}

/*
 * The token in file: its first line, without surrounding blanks.
 * Returns a new string, or NULL with *cause set.  A file others may read
 * is used but warned about by the caller (*cause is then set too).
 */
char *
nconf_read_token(const char *file, char **cause)
{
	struct stat	 st;
	char		*text = NULL, *tok, *nl;
	GError		*err = NULL;

	*cause = NULL;
	if (!g_file_get_contents(file, &text, NULL, &err)) {
		*cause = g_strdup_printf("token file %s", err->message);
		g_error_free(err);
		return (NULL);
	}
	if ((nl = strpbrk(text, "\r\n")) != NULL)
		*nl = '\0';
	tok = g_strdup(g_strstrip(text));
	explicit_bzero(text, strlen(text));
	g_free(text);
	if (*tok == '\0' || strpbrk(tok, " \t") != NULL) {
		*cause = g_strdup_printf("token file %s: the first line must "
		    "be the token", file);
		g_free(tok);
		return (NULL);
	}
	if (stat(file, &st) == 0 && (st.st_mode & 077) != 0)
		*cause = g_strdup_printf("token file %s can be read by others "
		    "(chmod 600 it)", file);
	return (tok);
}
