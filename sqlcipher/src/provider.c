/*
 * SQLCipher with Satchel's crypto provider, off Apple platforms (D65).
 *
 * The amalgamation and the provider are one translation unit, so the provider fills in the
 * very `sqlcipher_provider` struct SQLCipher declares: SQLCipher's supported route for a
 * provider of one's own (SQLCIPHER_CRYPTO_CUSTOM names the set-up function below). The
 * primitives are Rust (src/provider.rs: the RustCrypto crates, which use the CPU's AES and
 * SHA instructions where it has them); this file only maps SQLCipher's calls onto them.
 */
#include "sqlcipher.c"

/* src/provider.rs: 0 on success, anything else on failure. */
extern int satchel_crypto_random(unsigned char *buffer, int length);
extern int satchel_crypto_hmac(int algorithm, const unsigned char *key, int key_sz,
                               const unsigned char *in, int in_sz,
                               const unsigned char *in2, int in2_sz, unsigned char *out);
extern int satchel_crypto_kdf(int algorithm, const unsigned char *pass, int pass_sz,
                              const unsigned char *salt, int salt_sz, int workfactor,
                              int key_sz, unsigned char *key);
extern int satchel_crypto_cipher(int encrypt, const unsigned char *key, int key_sz,
                                 const unsigned char *iv, const unsigned char *in, int in_sz,
                                 unsigned char *out);
extern int satchel_crypto_hmac_size(int algorithm);
extern const char *satchel_crypto_version(void);

static int satchel_status(int rc) { return rc == 0 ? SQLITE_OK : SQLITE_ERROR; }

static const char *satchel_get_provider_name(void *ctx) { return "rustcrypto"; }

static const char *satchel_get_provider_version(void *ctx) { return satchel_crypto_version(); }

/* The operating system's random source needs no seeding from SQLCipher. */
static int satchel_add_random(void *ctx, const void *buffer, int length) { return SQLITE_OK; }

static int satchel_random(void *ctx, void *buffer, int length) {
  return satchel_status(satchel_crypto_random((unsigned char *)buffer, length));
}

static int satchel_hmac(void *ctx, int algorithm, const unsigned char *hmac_key, int key_sz,
                        const unsigned char *in, int in_sz, const unsigned char *in2,
                        int in2_sz, unsigned char *out) {
  if(in == NULL || out == NULL) return SQLITE_ERROR;
  return satchel_status(satchel_crypto_hmac(algorithm, hmac_key, key_sz, in, in_sz, in2, in2_sz, out));
}

static int satchel_kdf(void *ctx, int algorithm, const unsigned char *pass, int pass_sz,
                       const unsigned char *salt, int salt_sz, int workfactor, int key_sz,
                       unsigned char *key) {
  return satchel_status(
      satchel_crypto_kdf(algorithm, pass, pass_sz, salt, salt_sz, workfactor, key_sz, key));
}

static int satchel_cipher(void *ctx, int mode, const unsigned char *key, int key_sz,
                          const unsigned char *iv, const unsigned char *in, int in_sz,
                          unsigned char *out) {
  return satchel_status(
      satchel_crypto_cipher(mode == SQLCIPHER_ENCRYPT, key, key_sz, iv, in, in_sz, out));
}

static const char *satchel_get_cipher(void *ctx) { return "aes-256-cbc"; }
static int satchel_get_key_sz(void *ctx) { return 32; }
static int satchel_get_iv_sz(void *ctx) { return 16; }
static int satchel_get_block_sz(void *ctx) { return 16; }
static int satchel_get_hmac_sz(void *ctx, int algorithm) { return satchel_crypto_hmac_size(algorithm); }

/* Stateless: nothing to set up per database, nothing to tear down. */
static int satchel_ctx_init(void **ctx) { return SQLITE_OK; }
static int satchel_ctx_free(void **ctx) { return SQLITE_OK; }
static int satchel_fips_status(void *ctx) { return 0; }

int satchel_provider_setup(sqlcipher_provider *p) {
  p->init = NULL;
  p->shutdown = NULL;
  p->get_provider_name = satchel_get_provider_name;
  p->add_random = satchel_add_random;
  p->random = satchel_random;
  p->hmac = satchel_hmac;
  p->kdf = satchel_kdf;
  p->cipher = satchel_cipher;
  p->get_cipher = satchel_get_cipher;
  p->get_key_sz = satchel_get_key_sz;
  p->get_iv_sz = satchel_get_iv_sz;
  p->get_block_sz = satchel_get_block_sz;
  p->get_hmac_sz = satchel_get_hmac_sz;
  p->ctx_init = satchel_ctx_init;
  p->ctx_free = satchel_ctx_free;
  p->fips_status = satchel_fips_status;
  p->get_provider_version = satchel_get_provider_version;
  return SQLITE_OK;
}
