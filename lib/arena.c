/* arena.c - strings carved from big chunks, freed together. */
#include "arena.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/*
 * A chunk is one huge page where the kernel has them: the strings of a big
 * read are written once into fresh memory, and a fault per 4 KiB page
 * cost as much as the copying.
 */
#define CHUNK ((size_t)2 << 20)

struct ois_arena_chunk {
	struct ois_arena_chunk *next;
	char data[];
};

static char *chunk_new(struct ois_arena *a, size_t size)
{
	struct ois_arena_chunk *c;
	if (size == CHUNK - sizeof(*c)) {
		void *p;
		if (posix_memalign(&p, CHUNK, CHUNK))
			OIS_BUG("out of memory");
		c = p;
#ifdef MADV_HUGEPAGE
		madvise(c, CHUNK, MADV_HUGEPAGE); /* a hint: without it, 512 faults */
#endif
	} else {
		c = ois_xmalloc(sizeof(*c) + size);
	}
	c->next = a->chunks;
	a->chunks = c;
	return c->data;
}

char *ois_arena_strndup(struct ois_arena *a, const char *s, size_t n)
{
	char *p;
	if (n + 1 > a->left) {
		if (n + 1 > CHUNK / 4) {
			/* A big one gets a chunk of its own: the current chunk's rest stays in use. */
			p = chunk_new(a, n + 1);
			goto copy;
		}
		a->left = CHUNK - sizeof(struct ois_arena_chunk);
		a->cur = chunk_new(a, a->left);
	}
	p = a->cur;
	a->cur += n + 1;
	a->left -= n + 1;
copy:
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void ois_arena_release(struct ois_arena *a)
{
	while (a->chunks) {
		struct ois_arena_chunk *next = a->chunks->next;
		free(a->chunks);
		a->chunks = next;
	}
	a->cur = NULL;
	a->left = 0;
}
