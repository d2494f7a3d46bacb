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

#include "strain.h"

static void
factor(struct strain_factor *f, double value, double lo, double hi,
    double weight)
{
	double	pos = (value - lo) / (hi - lo);

	if (pos < 0)
		pos = 0;
	if (pos > 1)
		pos = 1;
	f->value = value;
	f->position = pos;
	f->points = 100.0 * weight * pos;
}

/*
 * Compute the four factors and the score from m; sustainable is the
 * sustainable weighted load per hour (12).
 */
void
strain_compute(const struct agent_metrics *m, double sustainable,
    struct strain *s)
{
	double	sum;

	factor(&s->intensity, m->weighted_load_last_hour / sustainable, 0.5,
	    1.5, 0.30);
	factor(&s->occupancy, m->occupancy_last_hour, 0.60, 0.95, 0.25);
	factor(&s->continuous, (double)m->continuous_work_min, 0, 120, 0.20);
	factor(&s->exposure, m->hostility_exposure, 0, 2.0, 0.25);
	sum = s->intensity.points + s->occupancy.points +
	    s->continuous.points + s->exposure.points;
	/* Half up, with a little slack for 70.75 computed as 70.7499999. */
	s->score = (int)floor(sum + 0.5 + 1e-9);
	if (s->score > 100)
		s->score = 100;
}

enum strain_level
strain_level_of(int score)
{
	if (score >= 80)
		return (STRAIN_CRITICAL);
	if (score >= 60)
		return (STRAIN_HIGH);
	if (score >= 40)
		return (STRAIN_ELEVATED);
	return (STRAIN_OK);
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
