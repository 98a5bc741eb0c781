/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hactl simulate: run the scheduler offline on a CIB file and show the current
 * state, the transition and the resulting state (like `crm_simulate -S`), the
 * allocation scores, an explanation of one resource, or the placement as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hactl.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: hactl simulate --xml-file CIB.xml [options]\n"
		"\n"
		"Run the scheduler on CIB.xml (a Pacemaker-compatible CIB with configuration and\n"
		"status) and show what the cluster would do.\n"
		"\n"
		"  -x, --xml-file FILE     the CIB to simulate (required)\n"
		"  -s, --scores            print the allocation scores per resource and node\n"
		"  -e, --explain RSC       explain why RSC is (or will be) where it is\n"
		"  -o, --output FORMAT     text (default) or json (docs/json.md)\n"
		"  -O, --save-output FILE  write the resulting CIB (status as if every action\n"
		"                          succeeded) to FILE\n"
		"      --now EPOCH         the time to simulate at (seconds; default: now)\n"
		"      --lenient           unsupported elements that do not affect placement\n"
		"                          are warnings instead of errors\n"
		"  -h, --help              this text\n"
		"\n"
		"Exit codes: 0 success, 1 the transition cannot complete, 2 usage or invalid input.\n");
}

static int print(const ha_plan *plan, ha_plan_format_kind kind, const char *title)
{
	char *text = NULL;
	int rc = ha_plan_format(plan, kind, &text);
	if (rc < 0) {
		fprintf(stderr, "hactl simulate: cannot render the plan: %s\n", ha_strerror(rc));
		return rc;
	}
	if (title)
		printf("%s\n", title);
	fputs(text, stdout);
	free(text);
	return 0;
}

int hactl_simulate(int argc, char **argv)
{
	enum { OPT_NOW = 256, OPT_LENIENT };
	static const struct option opts[] = {
		{"xml-file", required_argument, NULL, 'x'},
		{"scores", no_argument, NULL, 's'},
		{"explain", required_argument, NULL, 'e'},
		{"output", required_argument, NULL, 'o'},
		{"save-output", required_argument, NULL, 'O'},
		{"now", required_argument, NULL, OPT_NOW},
		{"lenient", no_argument, NULL, OPT_LENIENT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL, *explain = NULL, *save = NULL;
	bool show_scores = false, as_json = false;
	unsigned flags = 0;
	int64_t now = (int64_t)time(NULL);
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "x:se:o:O:h", opts, NULL)) != -1) {
		switch (c) {
		case 'x': file = optarg; break;
		case 's': show_scores = true; break;
		case 'e': explain = optarg; break;
		case 'O': save = optarg; break;
		case 'o':
			if (!strcmp(optarg, "json"))
				as_json = true;
			else if (strcmp(optarg, "text") != 0) {
				fprintf(stderr, "hactl simulate: --output must be text or json, not '%s'\n",
					optarg);
				return HACTL_USAGE;
			}
			break;
		case OPT_NOW: {
			char *end;
			now = strtoll(optarg, &end, 10);
			if (*end || now < 0) {
				fprintf(stderr, "hactl simulate: --now takes seconds since the epoch, "
						"not '%s'\n", optarg);
				return HACTL_USAGE;
			}
			break;
		}
		case OPT_LENIENT: flags |= HA_CIB_LENIENT; break;
		case 'h': usage(stdout); return HACTL_OK;
		default: usage(stderr); return HACTL_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hactl simulate: unexpected argument '%s'\n", argv[optind]);
		return HACTL_USAGE;
	}
	if (!file) {
		fprintf(stderr, "hactl simulate: --xml-file is required (the CIB to simulate)\n");
		return HACTL_USAGE;
	}
	ha_diag *diag = NULL;
	ha_cib *cib = NULL;
	ha_plan *plan = NULL;
	int ret = HACTL_USAGE;
	ha_diag_new(&diag);
	int rc = ha_cib_load_file(file, flags, &cib, diag);
	if (rc < 0) {
		hactl_print_diag(diag);
		fprintf(stderr, "hactl simulate: %s: %s\n", file, ha_strerror(rc));
		goto out;
	}
	rc = ha_plan_compute(cib, now, &plan, diag);
	hactl_print_diag(diag);
	if (rc < 0) {
		fprintf(stderr, "hactl simulate: scheduling failed: %s\n", ha_strerror(rc));
		ret = HACTL_FAILED;
		goto out;
	}
	if (explain) {
		char *text = NULL;
		rc = ha_plan_explain(plan, explain, &text);
		if (rc == -ENOENT) {
			fprintf(stderr, "hactl simulate: '%s' is not a resource of %s\n", explain, file);
			goto out;
		}
		if (rc < 0)
			goto out;
		fputs(text, stdout);
		free(text);
	} else if (as_json) {
		if (print(plan, HA_FORMAT_JSON, NULL) < 0)
			goto out;
	} else {
		if (print(plan, HA_FORMAT_CURRENT, "Current cluster status:") < 0 ||
		    (show_scores && (printf("\n"), print(plan, HA_FORMAT_SCORES, "Allocation scores:")) < 0) ||
		    (printf("\n"), print(plan, HA_FORMAT_ACTIONS, "Transition Summary:")) < 0 ||
		    (printf("\n"), print(plan, HA_FORMAT_RESULT, "Revised Cluster Status:")) < 0)
			goto out;
	}
	if (show_scores && (as_json || explain)) {
		printf("\n");
		print(plan, HA_FORMAT_SCORES, "Allocation scores:");
	}
	if (save) {
		ha_plan_apply(plan, cib);
		ha_diag_clear(diag);
		rc = ha_cib_save_file(cib, save, diag);
		if (rc < 0) {
			hactl_print_diag(diag);
			fprintf(stderr, "hactl simulate: cannot write %s: %s\n", save, ha_strerror(rc));
			ret = HACTL_FAILED;
			goto out;
		}
	}
	ret = ha_plan_incomplete(plan) ? HACTL_FAILED : HACTL_OK;
out:
	ha_plan_free(plan);
	ha_cib_free(cib);
	ha_diag_free(diag);
	return ret;
}
