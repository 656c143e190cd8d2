/* http_tally.c - a process's requests and throttling waits, left for oisync-run's metrics. */
#include "http.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct ois_http_tally tally;
static int registered;

/*
 * One line appended to $OISYNC_TALLY at exit: oisync-run sets it per user
 * and adds the lines up for its metrics, with no text tool. One write of a
 * short line with O_APPEND, so the stages of one user never mix lines.
 */
static void write_tally(void)
{
	const char *path = getenv("OISYNC_TALLY");
	if (!path || !*path || !tally.requests)
		return;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return; /* metrics are best effort: the sync itself is done */
	char line[128];
	int n = snprintf(line, sizeof(line), "%lu %lu %ld\n", tally.requests, tally.throttle_waits, tally.throttle_ms);
	if (n > 0 && write(fd, line, (size_t)n) != n) {
		/* nothing to do: a short tally only makes the metrics low */
	}
	close(fd);
}

void ois_http_tally_request(void)
{
	if (!registered) {
		registered = 1;
		atexit(write_tally);
	}
	tally.requests++;
}

void ois_http_tally_wait(long ms, int throttled)
{
	if (!throttled)
		return;
	tally.throttle_waits++;
	tally.throttle_ms += ms;
}

void ois_http_tally_get(struct ois_http_tally *t)
{
	*t = tally;
}
