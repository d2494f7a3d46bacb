/*
 * respite - asterisk: what its unit test and fuzz target reach of
 * plugins/asterisk/asterisk.c.
 */
#ifndef ASTERISK_H
#define ASTERISK_H

#include <stddef.h>
#include <stdint.h>

#include <respite/event.h>

#include "ami.h"

/* Most events one AMI event becomes. */
#define AST_EVENTS_MAX	2

int	asterisk_map(void *, const struct ami_msg *, int64_t,
	    struct respite_event *, size_t);

#endif
