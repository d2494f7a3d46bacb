/*
 * respite - secrets: the installation's own, and those kept in files.
 *
 * The installation secret is 32 random bytes (getrandom(2)) made at the
 * first start and kept as 64 hex digits in the file install-secret next
 * to the database (the state directory), mode 0600.  Plugins key with it
 * what must not be guessed back from the database: the helpdesk
 * adapters' ids of message texts (issue 13 item 6), which keyed with
 * something public (the plugin's name) let anyone holding the database
 * test guesses of short texts.  It is made once and never changed: a new
 * one changes those ids, so a redelivery of an older message would no
 * longer be seen as a duplicate.  A file that cannot be read or is not
 * 64 hex digits stops start-up; `respited -t` checks it and creates
 * nothing.
 *
 * A secret_file names a file whose first line is a secret, so that the
 * secret need not sit in the configuration, which is world-readable under
 * systemd's DynamicUser= (issue 13 item 9).  A relative name is looked
 * up in $CREDENTIALS_DIRECTORY, where systemd puts what LoadCredential=
 * and SetCredentialEncrypted= give the unit.  Messages about these files
 * never quote what is in them.
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

#include "hex.h"
#include "log.h"
#include "secret.h"
#include "xmalloc.h"

#define SECRET_INSTALL_FILE	"install-secret"
/* The longest first line of a secret file. */
#define SECRET_LINE_MAX		4096

/* The directory of path ("." when it names none), new. */
static char *
dir_of(const char *path)
{
	const char	*p = strrchr(path, '/');

	if (p == NULL)
		return (xstrdup("."));
	if (p == path)
		return (xstrdup("/"));
	return (xstrndup(path, (size_t)(p - path)));
}

/* The install-secret file for the database at storage_path, new. */
char *
secret_install_path(const char *storage_path)
{
	char	*dir, *path;

	dir = dir_of(storage_path);
	xasprintf(&path, "%s/%s", dir, SECRET_INSTALL_FILE);
	free(dir);
	return (path);
}

/*
 * Read the install secret at path into key.  Returns 0, 1 when there is
 * no such file, or -1 with *cause.
 */
static int
install_read(const char *path, uint8_t *key, char **cause)
{
	struct stat	 st;
	char		 buf[SECRET_INSTALL_LEN * 2 + 8];
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT)
			return (1);
		xasprintf(cause, "install secret: cannot read %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		xasprintf(cause, "install secret: %s is not a regular file",
		    path);
		goto out;
	}
	while (len < sizeof buf && (n = read(fd, buf + len,
	    sizeof buf - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "install secret: cannot read %s: %s",
			    path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len != 2 * SECRET_INSTALL_LEN ||
	    hex_decode(buf, SECRET_INSTALL_LEN, key) == -1) {
		xasprintf(cause, "install secret: %s is corrupt (expected %d "
		    "hex digits and a line break): restore it from a backup, "
		    "or remove it to have a new one made (the ids of messages "
		    "without a helpdesk id change then, so a redelivery of an "
		    "older message is stored again)", path,
		    2 * SECRET_INSTALL_LEN);
		goto out;
	}
	if ((st.st_mode & 077) != 0)
		log_warnx("install secret: %s is readable by others (mode "
		    "%04o); it should be 0600", path,
		    (unsigned int)(st.st_mode & 07777));
	rc = 0;
out:
	explicit_bzero(buf, sizeof buf);
	close(fd);
	if (rc == -1)
		explicit_bzero(key, SECRET_INSTALL_LEN);
	return (rc);
}

/* Fill key with random bytes.  Returns 0, or -1 with *cause. */
static int
install_random(uint8_t *key, char **cause)
{
	size_t	i;
	ssize_t	n;

	for (i = 0; i < SECRET_INSTALL_LEN; i += (size_t)n)
		if ((n = getrandom(key + i, SECRET_INSTALL_LEN - i, 0)) <= 0) {
			if (n == -1 && errno == EINTR) {
				n = 0;
				continue;
			}
			xasprintf(cause, "install secret: getrandom: %s",
			    strerror(errno));
			return (-1);
		}
	return (0);
}

/*
 * Write a new install secret to path: a temporary file of mode 0600,
 * synced, then linked to path, so that a crash leaves either no file or
 * a whole one, and two starts at once agree (the second reads the
 * first's).  Its directory is the database's, made by store_open(),
 * which respited calls first.  Returns 0, or -1 with *cause.
 */
static int
install_create(const char *path, uint8_t *key, char **cause)
{
	char	*tmp, *dir, hex[SECRET_INSTALL_LEN * 2 + 2];
	size_t	 i, off;
	ssize_t	 n;
	int	 fd, dfd, rc = -1;

	if (install_random(key, cause) == -1)
		return (-1);
	for (i = 0; i < SECRET_INSTALL_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	hex[2 * SECRET_INSTALL_LEN] = '\n';
	xasprintf(&tmp, "%s.new", path);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		xasprintf(cause, "install secret: cannot create %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	for (off = 0; off < 2 * SECRET_INSTALL_LEN + 1; off += (size_t)n)
		if ((n = write(fd, hex + off, 2 * SECRET_INSTALL_LEN + 1 -
		    off)) <= 0) {
			if (n == -1 && errno == EINTR) {
				n = 0;
				continue;
			}
			break;
		}
	if (off != 2 * SECRET_INSTALL_LEN + 1 || fsync(fd) == -1) {
		xasprintf(cause, "install secret: cannot write %s: %s", tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (link(tmp, path) == -1) {
		int	saved = errno;

		unlink(tmp);
		if (saved == EEXIST) {
			/* Another start made it first: use that one. */
			rc = install_read(path, key, cause) == 0 ? 0 : -1;
			if (rc == -1 && *cause == NULL)
				xasprintf(cause, "install secret: %s "
				    "vanished", path);
			goto out;
		}
		xasprintf(cause, "install secret: cannot create %s: %s", path,
		    strerror(saved));
		goto out;
	}
	unlink(tmp);
	dir = dir_of(path);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	log_info("install secret: created %s", path);
	rc = 0;
out:
	explicit_bzero(hex, sizeof hex);
	free(tmp);
	if (rc == -1)
		explicit_bzero(key, SECRET_INSTALL_LEN);
	return (rc);
}

/*
 * The installation secret of the database at storage_path into key
 * (SECRET_INSTALL_LEN bytes): read, or made when there is none yet.
 * check (respited -t): read and checked if it is there, else a secret
 * for this run only, and nothing is written.  Returns 0, or -1 with
 * *cause.
 */
int
secret_install_load(const char *storage_path, int check, uint8_t *key,
    char **cause)
{
	char	*path;
	int	 rc;

	*cause = NULL;
	path = secret_install_path(storage_path);
	rc = install_read(path, key, cause);
	if (rc == 1)
		rc = check ? install_random(key, cause) :
		    install_create(path, key, cause);
	free(path);
	return (rc);
}

/*
 * The first line of the secret file path into *value (new; wipe it with
 * explicit_bzero() before free()).  A relative path is a name in
 * $CREDENTIALS_DIRECTORY (systemd's LoadCredential=).  key names the
 * setting for messages ("secret_file").  Returns 0, or -1 with *cause,
 * which never quotes the file.
 */
int
secret_file_read(const char *key, const char *path, char **value,
    char **cause)
{
	struct stat	 st;
	const char	*creds, *nl;
	char		*full, *buf;
	size_t		 len = 0, cap = SECRET_LINE_MAX + 2;
	ssize_t		 n;
	int		 fd, rc = -1;

	*value = NULL;
	*cause = NULL;
	if (path == NULL || *path == '\0') {
		xasprintf(cause, "%s: name a file, or a credential of "
		    "LoadCredential=", key);
		return (-1);
	}
	if (*path == '/')
		full = xstrdup(path);
	else {
		creds = getenv("CREDENTIALS_DIRECTORY");
		if (creds == NULL || *creds == '\0') {
			xasprintf(cause, "%s: \"%s\" is not an absolute path, "
			    "so it names a systemd credential, but "
			    "$CREDENTIALS_DIRECTORY is not set (give the unit "
			    "LoadCredential=%s:PATH, or name the file by its "
			    "absolute path)", key, path, path);
			return (-1);
		}
		if (strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0 ||
		    strstr(path, "/../") != NULL) {
			xasprintf(cause, "%s: \"%s\" leaves "
			    "$CREDENTIALS_DIRECTORY", key, path);
			return (-1);
		}
		xasprintf(&full, "%s/%s", creds, path);
	}
	/* O_NONBLOCK: a FIFO must not hold start-up; it is refused. */
	if ((fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		xasprintf(cause, "%s: cannot read %s: %s", key, full,
		    strerror(errno));
		free(full);
		return (-1);
	}
	buf = xcalloc(1, cap);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: %s is not a regular file", key, full);
		goto out;
	}
	/* Up to the first line break, at most SECRET_LINE_MAX bytes. */
	while (len < cap - 1 && memchr(buf, '\n', len) == NULL) {
		if ((n = read(fd, buf + len, cap - 1 - len)) == 0)
			break;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "%s: cannot read %s: %s", key, full,
			    strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if ((nl = memchr(buf, '\n', len)) != NULL)
		len = (size_t)(nl - buf);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len > SECRET_LINE_MAX) {
		xasprintf(cause, "%s: the first line of %s is longer than %d "
		    "bytes", key, full, SECRET_LINE_MAX);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		xasprintf(cause, "%s: the first line of %s holds a NUL byte",
		    key, full);
		goto out;
	}
	if (len == 0) {
		xasprintf(cause, "%s: the first line of %s is empty", key,
		    full);
		goto out;
	}
	*value = xstrndup(buf, len);
	rc = 0;
out:
	explicit_bzero(buf, cap);
	free(buf);
	close(fd);
	free(full);
	return (rc);
}
