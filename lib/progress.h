/* progress.h - one progress line on a terminal, rewritten in place, for long reads. */
#ifndef OIS_PROGRESS_H
#define OIS_PROGRESS_H

/*
 * "oisync-extract: alice@firm.example: contacts: 1200 of ~10000 items" on
 * stderr, rewritten with '\r' at most ten times a second and cleared by
 * ois_progress_end. Only when stderr is a terminal: in a pipe or a log file
 * nothing is ever written. The strings are borrowed: they must outlive p.
 */
struct ois_progress {
	int on;                  /* stderr is a terminal */
	int shown;               /* a line is on the screen */
	const char *account;
	const char *what;        /* "contacts", "calendar" */
	unsigned long done;
	unsigned long total;     /* 0: unknown */
	double last;             /* when the line was last written */
};

void ois_progress_init(struct ois_progress *p, const char *account, const char *what);
/* The expected number of items (an estimate: shown with '~'); 0 for unknown. */
void ois_progress_total(struct ois_progress *p, unsigned long total);
/* done items so far; draws once the read has taken 0.5 s, then at most every 0.1 s. */
void ois_progress_update(struct ois_progress *p, unsigned long done);
/* Clear the line (if one was drawn). Safe to call twice. */
void ois_progress_end(struct ois_progress *p);

#endif
