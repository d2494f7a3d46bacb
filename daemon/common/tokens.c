/*
 * respite - the tokens file.
 *
 * One token per line: "sha256:HEX ROLE LABEL".  Only the SHA-256 of a
 * token is kept: tokens are 256 random bits, so a fast hash is enough and
 * a stolen file gives nothing away.  Lookups hash what the client sent and
 * compare it with every entry in constant time (nettle's memeql_sec),
 * without stopping at the first match, so timing tells nothing about
 * which hashes exist.  Shared by respited (reads it) and respitectl
 * (appends and revokes).  '#' starts a comment line.
 */
#include "build.h"

#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "event.h"
#include "hex.h"
#include "tokens.h"
#include "xmalloc.h"

#define TOKEN_PREFIX	"rsp_"
#define LINE_MAX_LEN	1024

/*
 * Parse "ingest", "admin", "agent:ID" or "lead:TEAM[,TEAM...]".  Returns 0,
 * or -1 and a new string in *cause.
 */
int
token_role_parse(const char *text, struct token_role *r, char **cause)
{
	const char	*p;
	size_t		 n;

	memset(r, 0, sizeof *r);
	if (strcmp(text, "ingest") == 0) {
		r->kind = TOKEN_INGEST;
		return (0);
	}
	if (strcmp(text, "admin") == 0) {
		r->kind = TOKEN_ADMIN;
		return (0);
	}
	if (strncmp(text, "agent:", 6) == 0) {
		r->kind = TOKEN_AGENT;
		if (!event_name_valid(text + 6))
			goto bad;
		snprintf(r->agent, sizeof r->agent, "%s", text + 6);
		return (0);
	}
	if (strncmp(text, "lead:", 5) == 0) {
		r->kind = TOKEN_LEAD;
		for (p = text + 5; ; p += n + 1) {
			n = strcspn(p, ",");
			if (n == 0 || n > 64 || r->nteams == TOKEN_TEAMS_MAX)
				goto bad;
			memcpy(r->teams[r->nteams], p, n);
			r->teams[r->nteams][n] = '\0';
			if (!event_name_valid(r->teams[r->nteams]))
				goto bad;
			r->nteams++;
			if (p[n] == '\0')
				break;
		}
		return (0);
	}
bad:
	xasprintf(cause, "role \"%s\": expected ingest, admin, agent:ID or "
	    "lead:TEAM[,TEAM...] (ids of [A-Za-z0-9._@-], at most %d teams)",
	    text, TOKEN_TEAMS_MAX);
	return (-1);
}

/* Does a lead role cover team? */
int
token_role_has_team(const struct token_role *r, const char *team)
{
	size_t	i;

	for (i = 0; i < r->nteams; i++)
		if (strcmp(r->teams[i], team) == 0)
			return (1);
	return (0);
}

/* Labels: 1-64 chars of [A-Za-z0-9._@-]. */
int
token_label_valid(const char *label)
{
	return (event_name_valid(label));
}

void
token_hash(const char *token, size_t len, uint8_t *out)
{
	struct sha256_ctx	ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)token);
	sha256_digest(&ctx, TOKEN_HASH_LEN, out);
}

static int
unhex(const char *s, uint8_t *out, size_t n)
{
	if (hex_decode(s, n, out) == -1)
		return (-1);
	return (s[2 * n] == '\0' ? 0 : -1);
}

/*
 * Load path into tf (emptied first).  A missing file means no tokens.
 * Returns 0, or -1 and "PATH:LINE: message" in *cause.
 */
int
token_file_load(const char *path, struct token_file *tf, char **cause)
{
	struct token_entry	 e;
	char			 line[LINE_MAX_LEN + 2], hash[80], role[TOKEN_ROLE_MAX + 2];
	char			 label[TOKEN_LABEL_MAX + 2], extra[2], *why = NULL;
	FILE			*f;
	int			 lineno = 0;
	size_t			 i;

	memset(tf, 0, sizeof *tf);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return (0);
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			xasprintf(cause, "%s:%d: line too long", path, lineno);
			goto fail;
		}
		line[strcspn(line, "\r\n")] = '\0';
		i = strspn(line, " \t");
		if (line[i] == '\0' || line[i] == '#')
			continue;
		memset(&e, 0, sizeof e);
		if (sscanf(line, "%79s %601s %65s %1s", hash, role, label,
		    extra) != 3 || strncmp(hash, "sha256:", 7) != 0 ||
		    unhex(hash + 7, e.hash, TOKEN_HASH_LEN) == -1 ||
		    strlen(role) > TOKEN_ROLE_MAX || !token_label_valid(label)) {
			xasprintf(cause, "%s:%d: expected \"sha256:HEX ROLE "
			    "LABEL\"", path, lineno);
			goto fail;
		}
		if (token_role_parse(role, &e.role, &why) == -1) {
			xasprintf(cause, "%s:%d: %s", path, lineno, why);
			free(why);
			goto fail;
		}
		/* Both lengths were checked above. */
		memcpy(e.role_text, role, strlen(role) + 1);
		memcpy(e.label, label, strlen(label) + 1);
		tf->v = xreallocarray(tf->v, tf->n + 1, sizeof *tf->v);
		tf->v[tf->n++] = e;
	}
	fclose(f);
	return (0);

fail:
	fclose(f);
	token_file_clear(tf);
	return (-1);
}

void
token_file_clear(struct token_file *tf)
{
	free(tf->v);
	memset(tf, 0, sizeof *tf);
}

/*
 * The entry whose hash matches token (len bytes), or NULL.  Every entry is
 * compared, in constant time each.
 */
const struct token_entry *
token_file_find(const struct token_file *tf, const char *token, size_t len)
{
	const struct token_entry	*found = NULL;
	uint8_t				 h[TOKEN_HASH_LEN];
	size_t				 i;

	token_hash(token, len, h);
	for (i = 0; i < tf->n; i++)
		if (memeql_sec(h, tf->v[i].hash, TOKEN_HASH_LEN) &&
		    found == NULL)
			found = &tf->v[i];
	return (found);
}

/* A new random token "rsp_" + 43 base64url chars into buf.  0 or -1. */
int
token_new(char *buf, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_";
	uint8_t		r[32];
	size_t		i, k, bits = 0, nbits = 0;
	ssize_t		n;

	if (len < sizeof TOKEN_PREFIX + 44)
		return (-1);
	for (i = 0; i < sizeof r; i += (size_t)n)
		if ((n = getrandom(r + i, sizeof r - i, 0)) <= 0)
			return (-1);
	k = strlen(TOKEN_PREFIX);
	memcpy(buf, TOKEN_PREFIX, k);
	for (i = 0; i < sizeof r; i++) {
		bits = (bits << 8) | r[i];
		nbits += 8;
		while (nbits >= 6) {
			buf[k++] = b64[(bits >> (nbits - 6)) & 63];
			nbits -= 6;
		}
	}
	if (nbits > 0)
		buf[k++] = b64[(bits << (6 - nbits)) & 63];
	buf[k] = '\0';
	explicit_bzero(r, sizeof r);
	return (0);
}

/*
 * Append a line for token with role and label to path (created 0644 if
 * missing).  The label must not be in use.  Returns 0 or -1 with *cause.
 */
int
token_file_append(const char *path, const char *token, const char *role,
    const char *label, char **cause)
{
	struct token_file	 tf;
	struct token_role	 r;
	uint8_t			 h[TOKEN_HASH_LEN];
	char			*why = NULL;
	size_t			 i;
	int			 fd;
	FILE			*f;

	if (token_role_parse(role, &r, &why) == -1) {
		*cause = why;
		return (-1);
	}
	if (!token_label_valid(label)) {
		xasprintf(cause, "label \"%s\": must be 1-64 chars of "
		    "[A-Za-z0-9._@-]", label);
		return (-1);
	}
	if (token_file_load(path, &tf, cause) == -1)
		return (-1);
	for (i = 0; i < tf.n; i++) {
		if (strcmp(tf.v[i].label, label) == 0) {
			xasprintf(cause, "label \"%s\" is already in %s",
			    label, path);
			token_file_clear(&tf);
			return (-1);
		}
	}
	token_file_clear(&tf);
	/*
	 * 0644: the file holds only hashes of 256-bit random tokens, roles
	 * and labels, and the daemon may run as another (dynamic) user.
	 */
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) == -1 || (f = fdopen(fd, "a")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	token_hash(token, strlen(token), h);
	fprintf(f, "sha256:");
	for (i = 0; i < TOKEN_HASH_LEN; i++)
		fprintf(f, "%02x", h[i]);
	fprintf(f, " %s %s\n", role, label);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

/*
 * Remove the line with label from path (rewritten through a temporary
 * file and rename, so readers never see half a file).  0, or -1.
 */
int
token_file_revoke(const char *path, const char *label, char **cause)
{
	char		 line[LINE_MAX_LEN + 2], lab[TOKEN_LABEL_MAX + 2];
	char		 h[80], role[TOKEN_ROLE_MAX + 2], *tmp;
	FILE		*in, *out;
	struct stat	 st;
	int		 found = 0, fd;

	if ((in = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	xasprintf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	if (fstat(fileno(in), &st) == -1 || (fd = open(tmp, O_WRONLY |
	    O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777)) == -1 ||
	    (out = fdopen(fd, "w")) == NULL) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		fclose(in);
		free(tmp);
		return (-1);
	}
	while (fgets(line, sizeof line, in) != NULL) {
		if (sscanf(line, "%79s %601s %65s", h, role, lab) == 3 &&
		    line[0] != '#' && strcmp(lab, label) == 0) {
			found = 1;
			continue;
		}
		fputs(line, out);
	}
	fclose(in);
	if (fflush(out) != 0 || fsync(fileno(out)) != 0 || fclose(out) != 0 ||
	    !found || rename(tmp, path) == -1) {
		if (!found)
			xasprintf(cause, "no token labelled \"%s\" in %s", label,
			    path);
		else
			xasprintf(cause, "%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return (-1);
	}
	free(tmp);
	return (0);
}
