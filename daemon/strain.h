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

/* Bounds and weights of the four factors, and the level thresholds. */
struct strain_params {
	double		sustainable_load;	/* weighted tickets per hour */
	double		intensity_lo, intensity_hi, intensity_w;
	double		occupancy_lo, occupancy_hi, occupancy_w;
	double		continuous_hi, continuous_w;	/* minutes; from 0 */
	double		exposure_hi, exposure_w;	/* from 0 */
	int		elevated, high, critical;	/* level thresholds */
	int		hysteresis;			/* points, going down */
};

struct strain {
	struct strain_factor	intensity, occupancy, continuous, exposure;
	int			score;		/* 0..100, sum of points rounded */
};

void		 strain_params_default(struct strain_params *);
void		 strain_compute(const struct agent_metrics *,
		    const struct strain_params *, struct strain *);
enum strain_level strain_level_of(const struct strain_params *, int);
int		 strain_level_from_name(const char *);
enum strain_level strain_level_next(const struct strain_params *,
		    enum strain_level, int);
const char	*strain_level_name(enum strain_level);

#endif
