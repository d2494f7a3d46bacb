/* API errors: the {"error": {...}} body of API.md. */
#ifndef APIERR_H
#define APIERR_H

struct api_error {
	int		 status;	/* HTTP status */
	const char	*code;		/* "invalid_event", ... (static) */
	char		 message[256];
	long		 index;		/* -1 when it does not apply */
	char		 field[32];	/* "" when it does not apply */
};

void	 api_error_set(struct api_error *, int, const char *, long,
	    const char *, const char *, ...)
	    __attribute__((format(printf, 6, 7)));
char	*api_error_json(const struct api_error *);

#endif
