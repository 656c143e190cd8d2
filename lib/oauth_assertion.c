/* oauth_assertion.c - an RS256 client assertion from a PEM certificate and key, with nettle (no OpenSSL). */
#include "oauth_assertion.h"
#include "buf.h"
#include "code.h"
#include "log.h"
#include "secret.h"
#include "util.h"

#include <json-c/json.h>
#include <nettle/asn1.h>
#include <nettle/base64.h>
#include <nettle/rsa.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* How long an assertion is good for: Microsoft accepts up to an hour; ten minutes covers a request. */
#define ASSERTION_LIFETIME 600

int ois_pem_block(const char *pem, const char *label, unsigned char **der, size_t *len)
{
	char *begin = ois_xasprintf("-----BEGIN %s-----", label), *end = ois_xasprintf("-----END %s-----", label);
	const char *b = pem ? strstr(pem, begin) : NULL;
	const char *e = b ? strstr(b, end) : NULL;
	int rc = -1;
	*der = NULL;
	*len = 0;
	if (e) {
		b += strlen(begin);
		struct base64_decode_ctx ctx;
		uint8_t *out = ois_xmalloc(BASE64_DECODE_LENGTH((size_t)(e - b)) + 1);
		size_t n = 0;
		base64_decode_init(&ctx);
		rc = 0;
		/* Line breaks and blanks between the base64 lines are not base64: skip them. */
		for (const char *p = b; p < e && !rc; p++) {
			if (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
				continue;
			int got = base64_decode_single(&ctx, out + n, (char)*p);
			if (got < 0)
				rc = -1;
			else
				n += (size_t)got;
		}
		if (!rc && (!base64_decode_final(&ctx) || n == 0))
			rc = -1;
		if (rc)
			free(out);
		else {
			*der = out;
			*len = n;
		}
	}
	free(begin);
	free(end);
	return rc;
}

/* PKCS #8 PrivateKeyInfo: SEQUENCE { version, AlgorithmIdentifier, OCTET STRING { RSAPrivateKey } }. */
static int pkcs8_inner(const uint8_t *der, size_t len, const uint8_t **inner, size_t *inner_len)
{
	struct asn1_der_iterator i;
	if (asn1_der_iterator_first(&i, len, der) != ASN1_ITERATOR_CONSTRUCTED || i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed_last(&i) != ASN1_ITERATOR_PRIMITIVE || i.type != ASN1_INTEGER ||
	    asn1_der_iterator_next(&i) != ASN1_ITERATOR_CONSTRUCTED || i.type != ASN1_SEQUENCE ||
	    asn1_der_iterator_next(&i) != ASN1_ITERATOR_PRIMITIVE || i.type != ASN1_OCTETSTRING)
		return -1;
	*inner = i.data;
	*inner_len = i.length;
	return 0;
}

static int read_key(const char *key_pem, struct rsa_public_key *pub, struct rsa_private_key *priv)
{
	unsigned char *der;
	size_t len;
	const uint8_t *k = NULL;
	size_t klen = 0;
	int rc = -1;
	if (!ois_pem_block(key_pem, "RSA PRIVATE KEY", &der, &len)) {
		k = der;
		klen = len;
	} else if (!ois_pem_block(key_pem, "PRIVATE KEY", &der, &len)) {
		if (pkcs8_inner(der, len, &k, &klen))
			k = NULL;
	} else {
		return -1;
	}
	/* The limit is the modulus size nettle accepts: 0 means any. */
	if (k && rsa_keypair_from_der(pub, priv, 0, klen, k))
		rc = 0;
	explicit_bzero(der, len);
	free(der);
	return rc;
}

static void b64url(struct ois_buf *out, const uint8_t *data, size_t len)
{
	struct base64_encode_ctx ctx;
	char *tmp = ois_xmalloc(BASE64_ENCODE_LENGTH(len) + BASE64_ENCODE_FINAL_LENGTH + 1);
	base64url_encode_init(&ctx);
	size_t n = base64_encode_update(&ctx, tmp, len, data);
	n += base64_encode_final(&ctx, tmp + n);
	/* JWS uses base64url without padding (RFC 7515, section 2). */
	while (n && tmp[n - 1] == '=')
		n--;
	ois_buf_add(out, tmp, n);
	free(tmp);
}

static void b64url_json(struct ois_buf *out, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	b64url(out, (const uint8_t *)s, strlen(s));
}

static void random_fill(void *ctx, size_t len, uint8_t *dst)
{
	(void)ctx;
	while (len) {
		ssize_t n = getrandom(dst, len, 0);
		if (n <= 0)
			OIS_BUG("getrandom failed");
		dst += n;
		len -= (size_t)n;
	}
}

static char *uuid4(void)
{
	uint8_t b[16];
	random_fill(NULL, sizeof(b), b);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	return ois_xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
			     b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int ois_oauth_client_assertion(const char *cert_pem, const char *key_pem, const char *client_id, const char *aud,
			       time_t now, char **jwt)
{
	unsigned char *cert;
	size_t cert_len;
	*jwt = NULL;
	if (ois_pem_block(cert_pem, "CERTIFICATE", &cert, &cert_len))
		return ois_fail(OIS_ECONFIG, "certificate_file holds no PEM CERTIFICATE block");
	uint8_t thumb[SHA1_DIGEST_SIZE];
	struct sha1_ctx sha1;
	sha1_init(&sha1);
	sha1_update(&sha1, cert_len, cert);
	sha1_digest(&sha1, sizeof(thumb), thumb);
	free(cert);

	struct rsa_public_key pub;
	struct rsa_private_key priv;
	rsa_public_key_init(&pub);
	rsa_private_key_init(&priv);
	if (read_key(key_pem, &pub, &priv)) {
		rsa_public_key_clear(&pub);
		rsa_private_key_clear(&priv);
		return ois_fail(OIS_ECONFIG, "key_file holds no unencrypted RSA private key (PEM, PKCS #1 or #8)");
	}

	struct ois_buf b = OIS_BUF_INIT, x5t = OIS_BUF_INIT;
	b64url(&x5t, thumb, sizeof(thumb));
	json_object *h = json_object_new_object();
	json_object_object_add(h, "alg", json_object_new_string("RS256"));
	json_object_object_add(h, "typ", json_object_new_string("JWT"));
	json_object_object_add(h, "x5t", json_object_new_string(x5t.data));
	ois_buf_release(&x5t);
	char *jti = uuid4();
	json_object *c = json_object_new_object();
	json_object_object_add(c, "aud", json_object_new_string(aud));
	json_object_object_add(c, "iss", json_object_new_string(client_id));
	json_object_object_add(c, "sub", json_object_new_string(client_id));
	json_object_object_add(c, "jti", json_object_new_string(jti));
	json_object_object_add(c, "nbf", json_object_new_int64((int64_t)now));
	json_object_object_add(c, "iat", json_object_new_int64((int64_t)now));
	json_object_object_add(c, "exp", json_object_new_int64((int64_t)now + ASSERTION_LIFETIME));
	free(jti);
	b64url_json(&b, h);
	ois_buf_adds(&b, ".");
	b64url_json(&b, c);
	json_object_put(h);
	json_object_put(c);

	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx sha;
	sha256_init(&sha);
	sha256_update(&sha, b.len, (const uint8_t *)b.data);
	sha256_digest(&sha, sizeof(digest), digest);
	mpz_t s;
	mpz_init(s);
	/* The _tr variant blinds the private-key operation against timing attacks. */
	int ok = rsa_sha256_sign_digest_tr(&pub, &priv, NULL, random_fill, digest, s);
	int rc = 0;
	if (ok) {
		size_t n = (mpz_sizeinbase(s, 2) + 7) / 8, k = pub.size;
		uint8_t *sig = ois_xcalloc(k ? k : 1, 1);
		/* RSASSA-PKCS1-v1_5: the signature is the modulus' size, leading zeros kept. */
		mpz_export(sig + (k - n), NULL, 1, 1, 1, 0, s);
		ois_buf_adds(&b, ".");
		b64url(&b, sig, k);
		free(sig);
		*jwt = ois_buf_detach(&b, NULL);
	} else {
		rc = ois_fail(OIS_ECONFIG, "cannot sign with the key in key_file");
	}
	mpz_clear(s);
	rsa_public_key_clear(&pub);
	rsa_private_key_clear(&priv);
	ois_buf_release(&b);
	return rc;
}
