/* The tokens file: bearer tokens stored only as SHA-256 hashes, with roles. */
#ifndef TOKENS_H
#define TOKENS_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_HASH_LEN		32	/* SHA-256 */
#define TOKEN_LABEL_MAX		64
#define TOKEN_ROLE_MAX		600	/* "lead:" and up to ~8 teams */
#define TOKEN_TEAMS_MAX		16

enum token_kind {
	TOKEN_INGEST = 0,
	TOKEN_AGENT,		/* agent:ID */
	TOKEN_LEAD,		/* lead:TEAM[,TEAM...] */
	TOKEN_ADMIN
};

/* A parsed role. */
struct token_role {
	enum token_kind	 kind;
	char		 agent[65];			/* TOKEN_AGENT */
	char		 teams[TOKEN_TEAMS_MAX][65];	/* TOKEN_LEAD */
	size_t		 nteams;
};

struct token_entry {
	uint8_t			hash[TOKEN_HASH_LEN];
	char			role_text[TOKEN_ROLE_MAX + 1];
	struct token_role	role;
	char			label[TOKEN_LABEL_MAX + 1];
};

struct token_file {
	struct token_entry	*v;
	size_t			 n;
};

int	token_role_parse(const char *, struct token_role *, char **);
int	token_role_has_team(const struct token_role *, const char *);
int	token_label_valid(const char *);
int	token_file_load(const char *, struct token_file *, char **);
void	token_file_clear(struct token_file *);
const struct token_entry *token_file_find(const struct token_file *,
	    const char *, size_t);
int	token_new(char *, size_t);
void	token_hash(const char *, size_t, uint8_t *);
int	token_file_append(const char *, const char *, const char *,
	    const char *, char **);
int	token_file_revoke(const char *, const char *, char **);

#endif
