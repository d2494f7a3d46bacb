/* respite-notify: the agent's own week as text (--summary). */
#ifndef WEEK_H
#define WEEK_H

#include <stdio.h>

#include <jansson.h>

#include "ntext.h"

int	week_print(FILE *, const char *, json_t *, json_t *, enum ntext_lang);

#endif
