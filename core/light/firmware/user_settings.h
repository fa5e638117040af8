/* wolfCrypt's configuration for the firmware (WOLFSSL_USER_SETTINGS): only what the
 * verifier needs — SHA-256, and Ed25519 verification (which uses SHA-512) — single
 * threaded, no file system, no random source, no error strings. No heap: every
 * allocation wolfCrypt would make goes to itc_fw_refuse_alloc, which counts it and
 * fails it; the firmware prints the count (0 for these operations: their contexts and
 * keys live on the stack or in the caller's object). */
#ifndef ITC_FIRMWARE_USER_SETTINGS_H
#define ITC_FIRMWARE_USER_SETTINGS_H

#include <stddef.h>

#define WOLFCRYPT_ONLY
#define SINGLE_THREADED
#define NO_FILESYSTEM
#define NO_WRITEV
#define NO_DEV_RANDOM
#define WC_NO_RNG
#define NO_ERROR_STRINGS
#define NO_WOLFSSL_DIR
#define WOLFSSL_GENERAL_ALIGNMENT 4
#define SIZEOF_LONG_LONG 8
#define NO_OLD_SHA_NAMES /* wolfCrypt would #define Sha256, the port's class name */
#define NO_OLD_WC_NAMES

#define HAVE_ED25519
#define WOLFSSL_SHA512
#define NO_ED25519_SIGN
#define NO_ED25519_KEY_EXPORT
#define NO_ED25519_MAKE_KEY

#define NO_RSA
#define NO_DH
#define NO_DSA
#define NO_DES3
#define NO_MD4
#define NO_MD5
#define NO_SHA
#define NO_HMAC
#define NO_AES
#define NO_ASN
#define NO_CODING
#define NO_PWDBASED
#define NO_OLD_TLS
#define NO_PSK
#define NO_RC4
#define NO_SIG_WRAPPER
#define WOLFSSL_NO_SHAKE256
#define WOLFSSL_NOSHA512_224
#define WOLFSSL_NOSHA512_256

#ifdef __cplusplus
extern "C" {
#endif
void* itc_fw_refuse_alloc(size_t size);
#ifdef __cplusplus
}
#endif
#define XMALLOC_OVERRIDE
#define XMALLOC(s, h, t) ((void)(h), (void)(t), itc_fw_refuse_alloc(s))
#define XFREE(p, h, t) ((void)(p), (void)(h), (void)(t))
#define XREALLOC(p, n, h, t) ((void)(p), (void)(h), (void)(t), itc_fw_refuse_alloc(n))

#endif
