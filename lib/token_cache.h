/* token_cache.h - an OAuth token kept between processes of a run (InterAction, Microsoft Graph). */
#ifndef OIS_TOKEN_CACHE_H
#define OIS_TOKEN_CACHE_H

/*
 * Every process of a run (extract, apply, for every user) needs the same
 * client-credentials token; fetching one per process cost a request per
 * process. The token is kept in one file, mode 0600 in the state folder,
 * with its expiry (wall-clock seconds) and a key: a digest of the token URL,
 * the client id and the secret, so a changed configuration or secret never
 * uses a token it did not get.
 *
 * _load: 0 with *token (owned; wipe it) and *seconds_left, or -1 when there
 * is no usable token: no file, another key, expired, or a file that is not a
 * regular 0600 file of ours (ignored, never trusted).
 * _store: write it atomically (a temporary file renamed over); a failure is
 * only a debug message, the run goes on with its token.
 */
int ois_token_cache_load(const char *path, const char *key, char **token, double *seconds_left);
void ois_token_cache_store(const char *path, const char *key, const char *token, double seconds_left);

#endif
