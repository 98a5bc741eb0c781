/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sched_bench: in-memory scheduler cost. Loads a CIB once, then times N calls of
 * ha_plan_compute() with CLOCK_MONOTONIC and prints median/min/max in ms, and the
 * same in CPU time (CLOCK_PROCESS_CPUTIME_ID), which time slices lost to other jobs
 * on a shared machine do not inflate. XML parsing is timed once and reported apart;
 * it is not part of the scheduling figure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ha/cib.h>
#include <ha/plan.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static double cpu_ms(void)
{
	return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static double median_of(double *t, long n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}


static void print_diag(const ha_diag *d)
{
	for (size_t i = 0; d && i < ha_diag_count(d); i++)
		fprintf(stderr, "  %s\n", ha_diag_message(d, i));
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sched_bench [-n RUNS] [-l] [-s] CIB.xml\n"
		   "  -n RUNS  timed ha_plan_compute() calls (default 11, at least 1)\n"
		   "  -l       load with HA_CIB_LENIENT\n"
		   "  -s       load with HA_CIB_NO_SCHEMA (shows what validation costs)\n");
}

int main(int argc, char **argv)
{
	unsigned flags = 0;
	long runs = 11;
	int opt, rc;

	while ((opt = getopt(argc, argv, "n:lsh")) != -1) {
		switch (opt) {
		case 'n':
			runs = strtol(optarg, NULL, 10);
			break;
		case 'l':
			flags |= HA_CIB_LENIENT;
			break;
		case 's':
			flags |= HA_CIB_NO_SCHEMA;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || runs < 1 || runs > 100000) {
		usage(stderr);
		return 2;
	}

	ha_diag *diag = NULL;
	ha_cib *cib = NULL;
	double *t = calloc((size_t)runs, sizeof(*t));
	double *c = calloc((size_t)runs, sizeof(*c));

	if (!t || !c || ha_diag_new(&diag) < 0) {
		fprintf(stderr, "sched_bench: out of memory\n");
		free(t);
		free(c);
		return 1;
	}
	double t0 = now_ms();

	rc = ha_cib_load_file(argv[optind], flags, &cib, diag);
	double load_ms = now_ms() - t0;

	if (rc < 0) {
		fprintf(stderr, "sched_bench: %s: %s\n", argv[optind], ha_strerror(rc));
		print_diag(diag);
		goto out;
	}
	/* One "now" for every run: the runs must do identical work. */
	int64_t when = (int64_t)time(NULL);

	for (long i = 0; i < runs; i++) {
		ha_plan *plan = NULL;

		ha_diag_clear(diag);
		double c0 = cpu_ms();
		t0 = now_ms();
		rc = ha_plan_compute(cib, when, &plan, diag);
		t[i] = now_ms() - t0;
		c[i] = cpu_ms() - c0;
		if (rc < 0) {
			fprintf(stderr, "sched_bench: ha_plan_compute: %s\n", ha_strerror(rc));
			print_diag(diag);
			goto out;
		}
		ha_plan_free(plan);
	}
	double median = median_of(t, runs), cpu_median = median_of(c, runs);

	printf("load_ms %.3f\n", load_ms);
	printf("plan_ms median %.3f min %.3f max %.3f runs %ld\n", median, t[0], t[runs - 1], runs);
	printf("plan_cpu_ms median %.3f min %.3f max %.3f runs %ld\n", cpu_median, c[0],
	       c[runs - 1], runs);
	rc = 0;
out:
	ha_cib_free(cib);
	ha_diag_free(diag);
	free(t);
	free(c);
	return rc < 0 ? 1 : 0;
}
