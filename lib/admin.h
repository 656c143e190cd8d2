/* admin.h - the oisync admin command: users, config values, configuration check. */
#ifndef OIS_ADMIN_H
#define OIS_ADMIN_H

/*
 * oisync [-c FILE] [-v] [--log-format text|json] COMMAND ...
 *   users [--server S] [--enabled]   one line per user: id, mailbox, server,
 *                                    yes|no, tab-separated
 *   config KEY                       print one value (see oisync(1))
 *   check                            load the configuration, the users and
 *                                    every secret; report each problem
 *   lockfile MAILBOX                 print the account's lock file (made when
 *                                    missing), for oisync-run's flock
 * The whole of main: parses argv, prints on stdout, closes it, and returns
 * the exit status (0, 1 for a value not set, 64 usage, 78 configuration).
 */
int ois_admin_main(int argc, char **argv);

#endif
