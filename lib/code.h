/* code.h - failure codes that never change meaning, and their exit statuses. */
#ifndef OIS_CODE_H
#define OIS_CODE_H

#include <sysexits.h>

/*
 * Library functions return 0 on success or one of these negative codes, and
 * have already logged why. Each is the negated sysexits(3) status a main
 * should exit with, so ois_exit_status() is a plain mapping. Never renumber.
 */
enum ois_code {
	OIS_OK = 0,
	OIS_EFAIL = -1,                /* generic failure: exit 1 */
	OIS_ECONFLICT = -2,            /* the item moved on (If-Match/ChangeKey): exit 1 */
	OIS_ENOTFOUND = -3,            /* the item is gone: exit 1 */
	OIS_EUSAGE = -EX_USAGE,        /* 64: bad command line */
	OIS_EDATA = -EX_DATAERR,       /* 65: bad input data */
	OIS_ENOINPUT = -EX_NOINPUT,    /* 66: an input file cannot be opened */
	OIS_EUNAVAIL = -EX_UNAVAILABLE,/* 69: a server is down or failing */
	OIS_ESOFTWARE = -EX_SOFTWARE,  /* 70: internal error */
	OIS_EOS = -EX_OSERR,           /* 71: the system failed us (fork, ...) */
	OIS_EIO = -EX_IOERR,           /* 74: reading or writing a file failed */
	OIS_ETEMP = -EX_TEMPFAIL,      /* 75: try again later: throttled, locked */
	OIS_EPERM = -EX_NOPERM,        /* 77: authentication or access denied */
	OIS_ECONFIG = -EX_CONFIG,      /* 78: bad configuration */
	/*
	 * Not failures a main exits with: each tells the caller what to do next,
	 * where it arises, and is not logged as an error. One that escapes maps
	 * to exit 1.
	 */
	OIS_ESYNCSTATE = -10, /* the server forgot the sync state or cursor (EWS
	                       * ErrorInvalidSyncStateData, InterAction 410):
	                       * read the folder whole */
	OIS_ETOOMANY = -11,   /* a range holds more than the server answers at
	                       * once: ask for a smaller one */
};

/* Exit status for a return code: 0 stays 0, a negative code its sysexits value. */
static inline int ois_exit_status(int rc)
{
	if (rc >= 0)
		return rc;
	return rc > -64 ? 1 : -rc;
}

#endif
