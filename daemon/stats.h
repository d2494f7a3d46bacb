/* Counters for GET /metrics (Prometheus text format). */
#ifndef STATS_H
#define STATS_H

#include <stdio.h>

#include <respite/event.h>

void	stats_event(enum respite_event_type);
void	stats_duplicate(void);
void	stats_reject(const char *);
void	stats_commit(double, int);
void	stats_http(const char *, int);
void	stats_write(FILE *);
void	stats_agent(int, int, int);
void	stats_write_agents(FILE *);
unsigned long long stats_events_total(void);

#endif
