/* The web page's files, compiled in (www_files.c, made by www/embed.sh). */
#ifndef WWW_H
#define WWW_H

#include <stddef.h>

struct www_file {
	const char		*name;		/* "app.js" */
	const char		*type;		/* Content-Type */
	const char		*etag;		/* "\"CRC-SIZE\"", quoted */
	const unsigned char	*data;
	size_t			 len;
};

extern const struct www_file	www_files[];
extern const size_t		www_nfiles;

#endif
