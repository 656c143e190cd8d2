/* test_oauth_assertion.c - the client assertion, checked by OpenSSL's command line, an implementation not ours. */
#include "unit.h"
#include "code.h"
#include "oauth_assertion.h"
#include "log.h"
#include "record.h"
#include "secret.h"
#include "util.h"

#include <json-c/json.h>
#include <nettle/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/oisync-jwt-XXXXXX";

static char *path(const char *name)
{
	return ois_xasprintf("%s/%s", dir, name);
}

static char *slurp(const char *name)
{
	char *p = path(name);
	FILE *f = fopen(p, "r");
	free(p);
	if (!f)
		return NULL;
	char *buf = ois_xcalloc(1, 65536);
	size_t n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void spit(const char *name, const void *data, size_t len)
{
	char *p = path(name);
	FILE *f = fopen(p, "w");
	free(p);
	if (!f || fwrite(data, 1, len, f) != len)
		unit_fail(__FILE__, __LINE__, "cannot write %s", name);
	if (f)
		fclose(f);
}

/* Run a shell command in dir; its exit status (stdout and stderr to out.txt). */
static int sh(const char *cmd)
{
	char *full = ois_xasprintf("cd '%s' && { %s; } >out.txt 2>&1", dir, cmd);
	int rc = system(full);
	free(full);
	return rc;
}

static unsigned char *unb64url(const char *s, size_t len, size_t *out_len)
{
	struct base64_decode_ctx ctx;
	unsigned char *out = ois_xmalloc(BASE64_DECODE_LENGTH(len) + 4);
	size_t n = BASE64_DECODE_LENGTH(len) + 4;
	base64url_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &n, out, len, s))
		n = 0;
	*out_len = n;
	return out;
}

static json_object *part(const char *jwt, int which)
{
	const char *p = jwt;
	for (int i = 0; i < which; i++)
		p = strchr(p, '.') + 1;
	size_t len = strcspn(p, "."), n;
	unsigned char *d = unb64url(p, len, &n);
	char *text = ois_xstrndup((const char *)d, n);
	json_object *o = json_tokener_parse(text);
	free(text);
	free(d);
	return o;
}

/* The assertion from cert.pem and KEY, checked field by field and by `openssl dgst -verify`. */
static void check_assertion(const char *key_file)
{
	char *cert = slurp("cert.pem"), *key = slurp(key_file), *jwt = NULL;
	CHECK(cert && key);
	CHECK_INT(ois_oauth_client_assertion(cert, key, "app-1", "https://login.example/t/oauth2/v2.0/token",
					     1767225600, &jwt),
		  0);
	if (!jwt)
		return;
	CHECK_INT((int)(strchr(strchr(jwt, '.') + 1, '.') != NULL), 1);
	json_object *h = part(jwt, 0), *c = part(jwt, 1);
	CHECK_STR(ois_json_str(h, "alg"), "RS256");
	CHECK_STR(ois_json_str(h, "typ"), "JWT");
	/* x5t: the certificate's SHA-1 thumbprint, as OpenSSL computes it. */
	CHECK_INT(sh("openssl x509 -in cert.pem -outform der | openssl dgst -sha1 -binary | base64 | "
		     "tr '+/' '-_' | tr -d '=\\n' >x5t.txt"),
		  0);
	char *x5t = slurp("x5t.txt");
	CHECK_STR(ois_json_str(h, "x5t"), x5t);
	free(x5t);
	CHECK_STR(ois_json_str(c, "aud"), "https://login.example/t/oauth2/v2.0/token");
	CHECK_STR(ois_json_str(c, "iss"), "app-1");
	CHECK_STR(ois_json_str(c, "sub"), "app-1");
	CHECK_INT(strlen(ois_json_str(c, "jti")), 36);
	json_object *v;
	CHECK(json_object_object_get_ex(c, "nbf", &v) && json_object_get_int64(v) == 1767225600);
	CHECK(json_object_object_get_ex(c, "exp", &v) && json_object_get_int64(v) == 1767225600 + 600);
	json_object_put(h);
	json_object_put(c);
	/* The signature over "header.claims", verified with the certificate's public key. */
	const char *dot = strrchr(jwt, '.');
	spit("data.txt", jwt, (size_t)(dot - jwt));
	size_t n;
	unsigned char *sig = unb64url(dot + 1, strlen(dot + 1), &n);
	CHECK_INT(n, 256); /* a 2048-bit modulus, leading zeros kept */
	spit("sig.bin", sig, n);
	free(sig);
	CHECK_INT(sh("openssl x509 -in cert.pem -pubkey -noout >pub.pem && "
		     "openssl dgst -sha256 -verify pub.pem -signature sig.bin data.txt"),
		  0);
	/* And a flipped byte of the data is refused: the check can fail. */
	jwt[0] ^= 1;
	spit("data.txt", jwt, (size_t)(dot - jwt));
	CHECK(sh("openssl dgst -sha256 -verify pub.pem -signature sig.bin data.txt") != 0);
	ois_secret_free(jwt);
	free(cert);
	free(key);
}

static void test_pkcs8_key(void)
{
	check_assertion("key.pem");
}

static void test_pkcs1_key(void)
{
	CHECK_INT(sh("openssl rsa -in key.pem -traditional -out key1.pem"), 0);
	char *k = slurp("key1.pem");
	CHECK(k && strstr(k, "BEGIN RSA PRIVATE KEY"));
	free(k);
	check_assertion("key1.pem");
}

/* What is not a certificate or an unencrypted RSA key is a configuration error naming the file's role. */
static void test_bad_files(void)
{
	char *cert = slurp("cert.pem"), *key = slurp("key.pem"), *jwt = NULL;
	CHECK_INT(ois_oauth_client_assertion(key, key, "a", "b", 0, &jwt), OIS_ECONFIG);
	CHECK_INT(ois_oauth_client_assertion(cert, cert, "a", "b", 0, &jwt), OIS_ECONFIG);
	CHECK_INT(sh("openssl pkey -in key.pem -aes256 -passout pass:x -out enc.pem"), 0);
	char *enc = slurp("enc.pem");
	CHECK_INT(ois_oauth_client_assertion(cert, enc, "a", "b", 0, &jwt), OIS_ECONFIG);
	CHECK(jwt == NULL);
	unsigned char *der;
	size_t len;
	CHECK_INT(ois_pem_block("-----BEGIN CERTIFICATE-----\n#!*\n-----END CERTIFICATE-----\n", "CERTIFICATE", &der, &len),
		  -1);
	free(enc);
	free(cert);
	free(key);
}

int main(void)
{
	ois_log_init("test_oauth_assertion");
	if (!mkdtemp(dir) ||
	    sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 -subj /CN=oisync-test")) {
		fprintf(stderr, "cannot make a test key and certificate with openssl in %s\n", dir);
		return 1;
	}
	UNIT_RUN(test_pkcs8_key);
	UNIT_RUN(test_pkcs1_key);
	UNIT_RUN(test_bad_files);
	char *rm = ois_xasprintf("rm -rf '%s'", dir);
	if (system(rm) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(rm);
	return unit_done();
}
