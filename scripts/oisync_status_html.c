/* oisync_status_html.c - oisync status --html: one static page, CSS inline, charts as inline SVG, no script. */
#include "oisync_status.h"
#include "config.h"

#include <stdio.h>

/* Text for HTML content and attribute values. */
static void esc(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc(*s, fp); break;
		}
	}
}

static void cell(FILE *fp, const char *s)
{
	fputs("<td>", fp);
	esc(fp, s ? s : "-");
	fputs("</td>", fp);
}

static void num(FILE *fp, long n)
{
	fprintf(fp, "<td class=\"n\">%ld</td>", n);
}

/* A run's outcome as a CSS class: one of three, whatever the row holds. */
static const char *outcome_class(const char *outcome)
{
	if (!outcome)
		return "failed";
	if (outcome[0] == 'o' && outcome[1] == 'k' && !outcome[2])
		return "ok";
	return outcome[0] == 'p' ? "partial" : "failed";
}

/*
 * The last runs as bars, oldest on the left: height for the run's length
 * against the user's longest, colour for its outcome, a title to hover.
 */
static void chart(FILE *fp, const struct status_user *su)
{
	enum { BAR = 7, GAP = 2, H = 24 };
	long longest = 1;
	for (size_t i = 0; i < su->nruns; i++)
		if (su->runs[i].seconds > longest)
			longest = su->runs[i].seconds;
	fprintf(fp, "<svg class=\"history\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"last %zu runs\">",
		STATUS_HISTORY * (BAR + GAP), H, STATUS_HISTORY * (BAR + GAP), H, su->nruns);
	for (size_t i = 0; i < su->nruns; i++) {
		const struct status_run *r = &su->runs[i];
		long h = r->seconds > 0 ? 3 + (H - 3) * r->seconds / longest : 3;
		size_t x = (su->nruns - 1 - i) * (BAR + GAP);
		fprintf(fp, "<rect class=\"%s\" x=\"%zu\" y=\"%ld\" width=\"%d\" height=\"%ld\"><title>",
			outcome_class(r->outcome), x, H - h, BAR, h);
		esc(fp, r->started);
		fputs(": ", fp);
		esc(fp, r->outcome);
		fprintf(fp, ", %ld s, %ld ok, %ld conflicts, %ld failed</title></rect>", r->seconds < 0 ? 0 : r->seconds,
			r->counts[OIS_OP_OK], r->counts[OIS_OP_CONFLICT], r->counts[OIS_OP_FAILED]);
	}
	fputs("</svg>", fp);
}

static const char style[] =
	"body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}"
	"h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}"
	"table{border-collapse:collapse}th,td{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left;"
	"white-space:nowrap}td.n{text-align:right}"
	"tr.failing{background:#fdecea}tr.failing td.outcome{color:#b71c1c;font-weight:bold}"
	"rect.ok{fill:#2e7d32}rect.partial{fill:#f9a825}rect.failed{fill:#c62828}"
	".generated,.problem{color:#666;font-size:.9em}";

void status_html(FILE *fp, const struct status *s)
{
	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>oisync status</title>"
		    "<style>%s</style></head><body>\n<h1>oisync status</h1>\n"
		    "<p class=\"generated\">Generated %s</p>\n", style, s->generated);
	fputs("<h2>Servers</h2>\n<table class=\"servers\"><thead><tr><th>Server</th><th>Users</th><th>Enabled</th>"
	      "<th>OK</th><th>Failing</th><th>Never run</th><th>Ops ok</th><th>Conflicts</th><th>Failed</th>"
	      "<th>Slowest</th></tr></thead><tbody>\n", fp);
	for (size_t k = 0; k < s->nservers; k++) {
		const struct status_server *sv = &s->servers[k];
		fputs("<tr data-server=\"", fp);
		esc(fp, sv->name);
		fputs("\">", fp);
		cell(fp, sv->name);
		num(fp, (long)sv->users);
		num(fp, (long)sv->enabled);
		num(fp, (long)sv->ok);
		num(fp, (long)sv->failing);
		num(fp, (long)sv->never);
		num(fp, sv->counts[OIS_OP_OK]);
		num(fp, sv->counts[OIS_OP_CONFLICT]);
		num(fp, sv->counts[OIS_OP_FAILED]);
		fputs("<td>", fp);
		for (size_t i = 0; i < STATUS_SLOWEST && sv->slowest[i]; i++) {
			fputs(i ? ", " : "", fp);
			esc(fp, sv->slowest[i]->u->id);
			fprintf(fp, " %ld s", sv->slowest[i]->runs[0].seconds);
		}
		fputs("</td></tr>\n", fp);
	}
	fputs("</tbody></table>\n<h2>Users</h2>\n<table class=\"users\" id=\"users\"><thead><tr><th>User</th>"
	      "<th>Outcome</th><th>Last runs</th><th>Last run</th><th>Last success</th><th>OK</th><th>Conflicts</th>"
	      "<th>Errors</th><th>Unsettled</th><th>Calendar</th><th>Enabled</th><th>Mailbox</th><th>Server</th>"
	      "</tr></thead><tbody>\n", fp);
	for (size_t i = 0; i < s->nusers; i++) {
		const struct status_user *su = &s->users[i];
		long unsettled = 0;
		for (int st = 0; st < OIS_OP_STATUSES; st++)
			unsettled += su->unsettled[st];
		fprintf(fp, "<tr class=\"user%s\" data-user=\"", su->failing ? " failing" : "");
		esc(fp, su->u->id);
		fputs("\">", fp);
		cell(fp, su->u->id);
		fputs("<td class=\"outcome\">", fp);
		esc(fp, status_outcome(su));
		if (su->problem) {
			fputs(" <span class=\"problem\">", fp);
			esc(fp, su->problem);
			fputs("</span>", fp);
		}
		/* The chart beside the outcome, where a narrow window still shows it. */
		fputs("</td><td>", fp);
		chart(fp, su);
		fputs("</td>", fp);
		cell(fp, su->nruns ? su->runs[0].started : NULL);
		cell(fp, su->last_success);
		num(fp, status_last(su, OIS_OP_OK));
		num(fp, status_last(su, OIS_OP_CONFLICT));
		num(fp, status_last(su, OIS_OP_FAILED));
		num(fp, unsettled);
		cell(fp, su->u->settings.calendar ? "on" : "off");
		cell(fp, su->u->enabled ? "yes" : "no");
		cell(fp, su->u->mailbox);
		cell(fp, su->u->server);
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table>\n</body></html>\n", fp);
}
