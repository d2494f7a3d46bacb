/* Secrets: the installation's own (install-secret), and secret files. */
#ifndef SECRET_H
#define SECRET_H

#include <stdint.h>

/* Bytes of the installation secret. */
#define SECRET_INSTALL_LEN	32

char	*secret_install_path(const char *);
int	 secret_install_load(const char *, int, uint8_t *, char **);
int	 secret_file_read(const char *, const char *, char **, char **);

#endif
