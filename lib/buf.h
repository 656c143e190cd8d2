/* buf.h - a growable byte buffer with a size cap (as curl's dynbuf). */
#ifndef OIS_BUF_H
#define OIS_BUF_H

#include <stddef.h>

/*
 * data is always NUL-terminated once anything was added (len excludes the NUL).
 * max is the cap: an add that would pass it fails with -1 and leaves the
 * buffer as it was; 0 means no cap. The buffer owns data.
 * A zeroed struct (or OIS_BUF_INIT) is an empty buffer; _release on it is safe.
 */
struct ois_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define OIS_BUF_INIT { NULL, 0, 0, 0 }

void ois_buf_init(struct ois_buf *b, size_t max);
/* Free the contents; the buffer is empty and reusable (max is kept). */
void ois_buf_release(struct ois_buf *b);
/* Forget the contents but keep the allocation. */
void ois_buf_reset(struct ois_buf *b);
int ois_buf_add(struct ois_buf *b, const void *data, size_t len);
int ois_buf_adds(struct ois_buf *b, const char *s);
int ois_buf_addf(struct ois_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s with XML's five special characters escaped. */
int ois_buf_add_xml(struct ois_buf *b, const char *s);
/* Hand the contents over to the caller (never NULL) and empty the buffer. */
char *ois_buf_detach(struct ois_buf *b, size_t *len);

#endif
