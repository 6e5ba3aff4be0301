// OpenSSL initialised lazily, before any shared object's constructor can do it eagerly.
//
// Why: Debian's cpp-httplib (the admin server) is built with OpenSSL support, and its shared
// object initialises OpenSSL when it is loaded, whether or not Ferry uses TLS: it loads every
// error string of libcrypto, registers every cipher and digest name and reads openssl.cnf.
// That touches 1.4 MiB of libcrypto (measured with /proc/<pid>/smaps: 3.1 MiB resident
// instead of 1.7), which is most of the difference between an http-only Ferry and the idle-RSS
// target of 10 MiB.
//
// How: an entry in .preinit_array runs before the constructors of the shared objects (the
// ELF loader runs preinit functions of the executable first; they are honoured only in an
// executable, which is why this file is part of `ferry` and not of the core library). It runs
// OpenSSL's one-time initialisation steps in their "skip" form, so the later calls made by
// cpp-httplib and by libssl find them done:
// - libcrypto's error strings: TLS handshake errors keep their text, because libssl's own
//   strings (SSL_R_*) are still loaded; errors from the crypto layer (reading PEM files, keys)
//   are described by core/net/tls.cc itself and carry the OpenSSL code for `openssl errstr`.
// - openssl.cnf: loaded by core/net/tls.cc when the first TLS context is created, so a system
//   TLS policy still applies to every TLS connection Ferry makes or accepts.
// - the cipher and digest name tables: TLS in OpenSSL 3 fetches algorithms from providers and
//   never looks them up by these names.

#include <openssl/crypto.h>

namespace {

void initOpenSslLazily(int, char**, char**) {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ADD_ALL_CIPHERS, nullptr);
}

__attribute__((section(".preinit_array"), used)) void (*openSslEarlyInit)(int, char**, char**) =
    initOpenSslLazily;

}  // namespace
