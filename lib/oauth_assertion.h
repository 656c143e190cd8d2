/* oauth_assertion.h - a signed client assertion (RFC 7523), as an Entra ID app with a certificate signs in. */
#ifndef OIS_OAUTH_ASSERTION_H
#define OIS_OAUTH_ASSERTION_H

#include <time.h>

/*
 * Microsoft's identity platform takes, instead of a client secret, a JWT
 * the app signs with its certificate's private key ("certificate
 * credentials"): header {"alg":"RS256","typ":"JWT","x5t":...} where x5t is
 * the base64url SHA-1 thumbprint of the certificate's DER; claims aud (the
 * token endpoint), iss and sub (the client id), jti (unique), nbf and iat
 * (now) and exp (now + 10 minutes).
 *
 * cert_pem is the certificate file's text (its first CERTIFICATE block),
 * key_pem the private key file's ("RSA PRIVATE KEY", PKCS #1, or
 * "PRIVATE KEY", PKCS #8, unencrypted). Returns 0 and *jwt (malloc'd, to
 * be wiped with ois_secret_free: it is a credential for ten minutes), or
 * OIS_ECONFIG after logging what is wrong with which (never the key).
 */
int ois_oauth_client_assertion(const char *cert_pem, const char *key_pem, const char *client_id, const char *aud,
			       time_t now, char **jwt);

/*
 * The DER bytes of the first PEM block labelled label ("CERTIFICATE") in
 * pem: 0 with *der (malloc'd) and *len, or -1 when there is none or its
 * base64 is broken.
 */
int ois_pem_block(const char *pem, const char *label, unsigned char **der, size_t *len);

#endif
