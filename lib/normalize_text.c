/* normalize_text.c - the string rules of canonical data: NFC, white space, line breaks, e-mail case. */
#include "normalize.h"
#include "buf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

/*
 * NFC first, so "e" + U+0301 and U+00E9 (macOS, some web forms and the
 * InterAction web client send decomposed text; Outlook composed) compare
 * equal. utf8proc_NFC only fails on invalid UTF-8, which the record reader
 * has already refused, so the fallback is the text as it is.
 */
static char *nfc(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p && *p < 0x80)
		p++;
	if (!*p) /* ASCII is NFC already: most strings skip utf8proc */
		return ois_xstrdup(s);
	utf8proc_uint8_t *r = utf8proc_NFC((const utf8proc_uint8_t *)s);
	return r ? (char *)r : ois_xstrdup(s);
}

/* White space: ASCII's, NEL, and Unicode's space and separator categories (NBSP too). */
static int is_space(utf8proc_int32_t cp)
{
	if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0x85)
		return 1;
	if (cp < 0x80)
		return 0;
	utf8proc_category_t c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

/* Length of the code point at s (at most len bytes), its value in *cp; 1 for a stray byte. */
static size_t next_cp(const char *s, size_t len, utf8proc_int32_t *cp)
{
	utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, cp);
	if (n <= 0) {
		*cp = (unsigned char)*s;
		return 1;
	}
	return (size_t)n;
}

/* Append s[0..len) to out trimmed, with every run of white space as one space. */
static void clean_span(const char *s, size_t len, struct ois_buf *out)
{
	size_t i = 0, start = out->len;
	int pending = 0;
	while (i < len) {
		utf8proc_int32_t cp;
		size_t n = next_cp(s + i, len - i, &cp);
		if (is_space(cp)) {
			pending = 1;
		} else {
			if (pending && out->len > start)
				ois_buf_add(out, " ", 1);
			pending = 0;
			ois_buf_add(out, s + i, n);
		}
		i += n;
	}
}

char *ois_text_clean(const char *s)
{
	char *n = nfc(s);
	struct ois_buf out = OIS_BUF_INIT;
	clean_span(n, strlen(n), &out);
	free(n);
	return ois_buf_detach(&out, NULL);
}

char *ois_text_clean_notes(const char *s)
{
	char *n = nfc(s);
	size_t len = strlen(n), i = 0, keep = 0;
	struct ois_buf out = OIS_BUF_INIT;
	while (i < len) {
		utf8proc_int32_t cp;
		size_t k = next_cp(n + i, len - i, &cp);
		if (cp == '\r') {
			/* CRLF (Outlook, Windows) and a lone CR (old Mac text) are one LF. */
			ois_buf_add(&out, "\n", 1);
			if (i + 1 < len && n[i + 1] == '\n')
				k = 2;
		} else {
			ois_buf_add(&out, n + i, k);
			if (!is_space(cp))
				keep = out.len;
		}
		i += k;
	}
	free(n);
	char *r = ois_buf_detach(&out, NULL);
	r[keep] = '\0';
	return r;
}

char *ois_text_clean_lines(const char *s)
{
	char *n = nfc(s);
	struct ois_buf out = OIS_BUF_INIT, line = OIS_BUF_INIT;
	const char *p = n;
	for (;;) {
		size_t len = strcspn(p, "\r\n");
		ois_buf_reset(&line);
		clean_span(p, len, &line);
		if (line.len) {
			if (out.len)
				ois_buf_add(&out, "\n", 1);
			ois_buf_add(&out, line.data, line.len);
		}
		p += len;
		if (!*p)
			break;
		p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
	}
	free(n);
	ois_buf_release(&line);
	return ois_buf_detach(&out, NULL);
}

char *ois_email_clean(const char *s)
{
	char *c = ois_text_clean(s);
	const char *p = c;
	/*
	 * Exchange's proxy addresses say "SMTP:", its legacy ones "EX:/o=...";
	 * links and vCards "mailto:". The X.500 path itself is kept: it is
	 * what the source holds when it carried no SMTP address.
	 */
	if (!strncasecmp(p, "mailto:", 7))
		p += 7;
	else if (!strncasecmp(p, "smtp:", 5))
		p += 5;
	else if (!strncasecmp(p, "ex:/", 4))
		p += 3;
	while (*p == ' ')
		p++;
	struct ois_buf low = OIS_BUF_INIT;
	size_t len = strlen(p), i = 0;
	while (i < len) {
		utf8proc_int32_t cp;
		size_t n = next_cp(p + i, len - i, &cp);
		utf8proc_uint8_t enc[4];
		utf8proc_ssize_t k = utf8proc_encode_char(utf8proc_tolower(cp), enc);
		ois_buf_add(&low, enc, (size_t)k);
		i += n;
	}
	free(c);
	char *l = ois_buf_detach(&low, NULL);
	/* Lower-casing can leave a decomposed sequence behind; compose again. */
	char *r = nfc(l);
	free(l);
	return r;
}
