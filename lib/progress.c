/* progress.c - a progress line on a terminal (stderr), never in a pipe or a log file. */
#include "progress.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define REDRAW_SECONDS 0.1
/* A read that ends within half a second never shows a line. */
#define FIRST_SECONDS 0.5

void ois_progress_init(struct ois_progress *p, const char *account, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->on = isatty(STDERR_FILENO);
	p->account = account;
	p->what = what;
	p->last = ois_monotonic_seconds();
}

void ois_progress_total(struct ois_progress *p, unsigned long total)
{
	p->total = total;
}

static void draw(struct ois_progress *p)
{
	/* "\033[K" clears what a longer earlier line left on the right. */
	if (p->total)
		fprintf(stderr, "\r%s: %s: %s: %lu of ~%lu items\033[K", ois_log_prog(), p->account ? p->account : "",
			p->what, p->done, p->total);
	else
		fprintf(stderr, "\r%s: %s: %s: %lu items\033[K", ois_log_prog(), p->account ? p->account : "",
			p->what, p->done);
	fflush(stderr);
	p->shown = 1;
}

void ois_progress_update(struct ois_progress *p, unsigned long done)
{
	p->done = done;
	if (!p->on)
		return;
	double now = ois_monotonic_seconds();
	if (now - p->last < (p->shown ? REDRAW_SECONDS : FIRST_SECONDS))
		return;
	p->last = now;
	draw(p);
}

void ois_progress_end(struct ois_progress *p)
{
	if (p->on && p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->shown = 0;
}
