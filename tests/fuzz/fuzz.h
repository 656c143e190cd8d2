/* fuzz.h - what every fuzz target shares: the libFuzzer entry point and a quiet start. */
#ifndef OIS_FUZZ_H
#define OIS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Called by libFuzzer (make fuzz) or by replay.c (make check) once per
 * input. Must free all it allocates: LeakSanitizer runs in both.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
