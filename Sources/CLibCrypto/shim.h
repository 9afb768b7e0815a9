#ifndef PXELAB_CLIBCRYPTO_SHIM_H
#define PXELAB_CLIBCRYPTO_SHIM_H
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

/* OpenSSL's STACK_OF(X509) functions are macros Swift cannot call. */
static inline STACK_OF(X509) *pxelab_x509_stack_new(void) { return sk_X509_new_null(); }
static inline int pxelab_x509_stack_push(STACK_OF(X509) *stack, X509 *certificate) { return sk_X509_push(stack, certificate); }
static inline void pxelab_x509_stack_free(STACK_OF(X509) *stack) { sk_X509_pop_free(stack, X509_free); }

/* EVP_PKEY_CTX_set0_rsa_oaep_label takes ownership of memory from OPENSSL_malloc (a macro). */
static inline int pxelab_set_rsa_oaep_label(EVP_PKEY_CTX *context, const unsigned char *label, int length) {
    void *copy = OPENSSL_memdup(label, (size_t)length);
    if (copy == NULL) return 0;
    int status = EVP_PKEY_CTX_set0_rsa_oaep_label(context, copy, length);
    if (status <= 0) OPENSSL_free(copy);
    return status;
}

/* XN_FLAG_RFC2253 is a macro of macros. */
static inline int pxelab_print_name_rfc2253(BIO *bio, const X509_NAME *name) {
    return X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
}
#endif
