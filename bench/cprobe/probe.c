/*
 * probe.c — the precise probe: cmd/probe in C, for a figure of fork/exec without a Go
 * runtime start in it (a Go program takes a millisecond or more to reach main on a small
 * VM; a static C one a few microseconds). The first thing main does is read the wall
 * clock; it writes "probe SLOT NANOSECONDS\n" (internal/probeline's format) in one write to
 * stdout, the lateness it saw against PERIODIC_SLOT (RFC 3339 in UTC: 2024-07-01T12:00:00Z
 * or with up to 9 fractional digits, as the ticker writes it). Exit 2: no or a bad slot.
 *
 * Built by bench/run.sh, static when the C library allows it:
 *   cc -O2 -static -o bench/bin/probe-c bench/cprobe/probe.c
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* parse_slot reads an RFC 3339 UTC instant into nanoseconds since the epoch; 0 on error. */
static int parse_slot(const char *s, long long *out) {
	struct tm tm;
	int n = 0;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	           &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	long long frac = 0;
	int digits = 0;
	const char *p = s + n;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		if (digits == 0)
			return 0;
	}
	for (; digits < 9; digits++)
		frac *= 10;
	if (p[0] != 'Z' || p[1] != '\0')
		return 0;
	*out = (long long)timegm(&tm) * 1000000000LL + frac;
	return 1;
}

int main(void) {
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	const char *s = getenv("PERIODIC_SLOT");
	long long slot;
	if (s == NULL || !parse_slot(s, &slot)) {
		fprintf(stderr, "probe-c: PERIODIC_SLOT \"%s\": not RFC 3339 in UTC\n", s ? s : "");
		return 2;
	}
	long long late = (long long)now.tv_sec * 1000000000LL + now.tv_nsec - slot;
	char buf[128];
	int len = snprintf(buf, sizeof buf, "probe %s %lld\n", s, late);
	if (len <= 0 || len >= (int)sizeof buf || write(1, buf, (size_t)len) != len)
		return 1;
	return 0;
}
