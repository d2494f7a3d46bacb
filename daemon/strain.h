/* The strain score of MODEL.md: four factors, their positions and points. */
#ifndef STRAIN_H
#define STRAIN_H

#include "agent.h"

enum strain_level {
	STRAIN_OK = 0,
	STRAIN_ELEVATED,
	STRAIN_HIGH,
	STRAIN_CRITICAL
};

struct strain_factor {
	double		value;		/* the raw metric */
	double		position;	/* 0..1 between the bounds */
	double		points;		/* 100 x weight x position */
};

struct strain {
	struct strain_factor	intensity, occupancy, continuous, exposure;
	int			score;		/* 0..100, sum of points rounded */
};

void		 strain_compute(const struct agent_metrics *, double,
		    struct strain *);
enum strain_level strain_level_of(int);
const char	*strain_level_name(enum strain_level);

#endif
