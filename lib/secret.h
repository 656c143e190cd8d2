/* secret.h - passwords and client secrets from a private file or an environment variable. */
#ifndef OIS_SECRET_H
#define OIS_SECRET_H

/*
 * Read a secret: from file when set (refused with OIS_ECONFIG when it is
 * group- or world-readable or not a regular file; one trailing newline is
 * dropped), else from the environment variable env. Neither set, or the
 * variable unset or empty: OIS_ECONFIG. The secret is never logged; messages
 * name only the file or variable. *out is owned by the caller: free it with
 * ois_secret_free, which wipes it first.
 */
int ois_secret_read(const char *file, const char *env, char **out);
void ois_secret_free(char *secret);

#endif
