/* The trend (API.md "trend", MODEL.md "Weeks, not only shifts"). */
#ifndef TREND_H
#define TREND_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

#define TREND_WINDOW_DAYS	7	/* the last completed days */
#define TREND_BASELINE_DAYS	28	/* the days before them */
#define TREND_BASELINE_MIN	7	/* fewer days with records: ok */
#define TREND_SIGNALS		4
#define TREND_REASON_LEN	160

/* The thresholds of MODEL.md ([trend] in respite.conf). */
struct trend_params {
	double	high_strain_min;	/* minutes at high+ for a day: 30 */
	double	high_strain_margin;	/* days over the baseline: 2 */
	double	hostile_factor;		/* times the baseline: 2 */
	double	hostile_min;		/* and at least: 5 */
	double	skipped_share;		/* percent dismissed or expired: 60 */
	double	skipped_min;		/* over at least suggestions: 5 */
	double	skipped_margin;		/* points over the baseline: 20 */
	double	long_day_min;		/* worked minutes: 600 */
	double	long_stretch_min;	/* a stretch without a break: 360 */
	double	long_stretch_days;	/* days with one: 3 */
};

enum trend_risk {
	TREND_OK,
	TREND_ELEVATED,
	TREND_HIGH
};

struct trend_signal {
	const char	*name;
	double		 value;
	double		 baseline;
	char		 reason[TREND_REASON_LEN];
};

struct trend {
	int			 window_days;
	int			 baseline_days;		/* with records */
	enum trend_risk		 risk;
	size_t			 nsignals;
	struct trend_signal	 signals[TREND_SIGNALS];
};

void		 trend_params_default(struct trend_params *);
void		 trend_params_from_config(const struct config *,
		    struct trend_params *);
void		 trend_compute(const struct store_day *, size_t, int64_t,
		    const struct trend_params *, struct trend *);
const char	*trend_risk_name(enum trend_risk);

#endif
