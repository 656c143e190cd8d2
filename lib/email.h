/* email.h - what an e-mail address is: SMTP, Exchange's legacy X.500 form, or invalid (oisync-transform(1), E-MAIL ADDRESSES). */
#ifndef OIS_EMAIL_H
#define OIS_EMAIL_H

#include <stddef.h>

/*
 * Byte rules only (no Unicode tables), so that reconcile, which links no
 * utf8proc, asks the same question transform did.
 */

/*
 * 1 when a is Exchange's legacy address (legacyExchangeDN, routing type
 * EX): "/o=ExchangeLabs/ou=.../cn=Recipients/cn=...", with or without an
 * "EX:" prefix: a path of "/name=value" parts, which no SMTP address is.
 */
int ois_email_x500(const char *a);

/*
 * 1 when a is an SMTP address one can send to: one "@", a non-empty local
 * part of printable characters without white space or the specials
 * ()<>,;:\"[], no leading, trailing or doubled dot; a domain of labels of
 * letters, digits and hyphens (or UTF-8 bytes, for IDN), none empty or
 * starting or ending with a hyphen. One label is enough: "ann@localhost"
 * is deliverable, and a rule about top-level domains would go stale. Deliberately not the whole of
 * RFC 5322 (quoted local parts, address literals): contact lists do not
 * hold those, and a value that fails is kept anyway, only flagged.
 */
int ois_email_valid(const char *a);

/*
 * The SMTP address a display string carries, as a new string the caller
 * frees, or NULL: s itself when it is one ("ann@x.example"), else the
 * first "<...>" or "(...)" that holds one ("Ann Lee <ann@x.example>",
 * "Ann Lee (ann@x.example)", Outlook's Email1DisplayName form). Used only
 * to resolve an X.500 address from what the same item carries.
 */
char *ois_email_smtp_in(const char *s);

#endif
