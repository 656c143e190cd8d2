/* arena.h - many small strings that live and die together, without a malloc each. */
#ifndef OIS_ARENA_H
#define OIS_ARENA_H

#include <stddef.h>

/*
 * Strings are carved from chunks of about a megabyte and freed only all
 * at once, by ois_arena_release: for a reader that holds many records to
 * the end of a run (a full read holds 100,000 of them), a malloc per string
 * costs as much time as the reading, and a header per string memory.
 * A zeroed struct is an empty arena; _release on it is safe.
 */
struct ois_arena {
	struct ois_arena_chunk *chunks;
	char *cur;
	size_t left;
};

/* A copy of s[0..n) with a NUL after it, owned by the arena. */
char *ois_arena_strndup(struct ois_arena *a, const char *s, size_t n);
/* Free every string of the arena; it is empty and reusable. */
void ois_arena_release(struct ois_arena *a);

#endif
