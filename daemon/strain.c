/*
 * respite - the strain score.
 *
 * strain = round(100 x sum of weight x clamp(position)), each factor's
 * position being where its metric sits between the bounds of MODEL.md.
 * The factors are returned with the score so the API can show why a
 * score is what it is.  Levels here have no memory; the 5-point
 * hysteresis on the way down belongs to the model's level tracking.
 */
#include "build.h"

#include <math.h>
#include <string.h>

#include "strain.h"

static void
factor(struct strain_factor *f, double value, double lo, double hi,
    double weight)
{
	double	pos = hi > lo ? (value - lo) / (hi - lo) : 0;

	if (pos < 0)
		pos = 0;
	if (pos > 1)
		pos = 1;
	f->value = value;
	f->position = pos;
	f->points = 100.0 * weight * pos;
}

/* MODEL.md's defaults. */
void
strain_params_default(struct strain_params *p)
{
	p->sustainable_load = 12;
	p->intensity_lo = 0.5;
	p->intensity_hi = 1.5;
	p->intensity_w = 0.30;
	p->occupancy_lo = 0.60;
	p->occupancy_hi = 0.95;
	p->occupancy_w = 0.25;
	p->continuous_hi = 120;
	p->continuous_w = 0.20;
	p->exposure_hi = 2.0;
	p->exposure_w = 0.25;
	p->elevated = 40;
	p->high = 60;
	p->critical = 80;
	p->hysteresis = 5;
}

/* Compute the four factors and the score from m. */
void
strain_compute(const struct agent_metrics *m, const struct strain_params *p,
    struct strain *s)
{
	double	sum;

	factor(&s->intensity, m->weighted_load_last_hour / p->sustainable_load,
	    p->intensity_lo, p->intensity_hi, p->intensity_w);
	factor(&s->occupancy, m->occupancy_last_hour, p->occupancy_lo,
	    p->occupancy_hi, p->occupancy_w);
	factor(&s->continuous, (double)m->continuous_work_min, 0,
	    p->continuous_hi, p->continuous_w);
	factor(&s->exposure, m->hostility_exposure, 0, p->exposure_hi,
	    p->exposure_w);
	sum = s->intensity.points + s->occupancy.points +
	    s->continuous.points + s->exposure.points;
	/* Half up, with a little slack for 70.75 computed as 70.7499999. */
	s->score = (int)floor(sum + 0.5 + 1e-9);
	if (s->score > 100)
		s->score = 100;
}

/* The level of a score, with no memory. */
enum strain_level
strain_level_of(const struct strain_params *p, int score)
{
	if (score >= p->critical)
		return (STRAIN_CRITICAL);
	if (score >= p->high)
		return (STRAIN_HIGH);
	if (score >= p->elevated)
		return (STRAIN_ELEVATED);
	return (STRAIN_OK);
}

/*
 * The level after cur given a new score: up at once, down only once the
 * score is hysteresis points below the threshold of the current level, so
 * a score wobbling around 60 does not flap between elevated and high.
 */
enum strain_level
strain_level_next(const struct strain_params *p, enum strain_level cur,
    int score)
{
	enum strain_level	raw = strain_level_of(p, score), down;

	if (raw >= cur)
		return (raw);
	down = strain_level_of(p, score + p->hysteresis);
	return (down < cur ? down : cur);
}

const char *
strain_level_name(enum strain_level l)
{
	switch (l) {
	case STRAIN_ELEVATED:
		return ("elevated");
	case STRAIN_HIGH:
		return ("high");
	case STRAIN_CRITICAL:
		return ("critical");
	default:
		return ("ok");
	}
}

/* The level named name (strain_level_name()), or -1. */
int
strain_level_from_name(const char *name)
{
	int	l;

	for (l = STRAIN_OK; l <= STRAIN_CRITICAL; l++)
		if (strcmp(name, strain_level_name((enum strain_level)l)) == 0)
			return (l);
	return (-1);
}
