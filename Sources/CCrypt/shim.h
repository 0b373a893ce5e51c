#ifndef TANDEM_CCRYPT_SHIM_H
#define TANDEM_CCRYPT_SHIM_H
/* libxcrypt (Debian's libcrypt1): crypt_r(3) and crypt_gensalt_rn(3), the one password-hash
 * implementation the management endpoint and `tandem user` use (bcrypt $2b$/$2y$, sha512-crypt
 * $6$, md5-crypt $1$). */
#include <crypt.h>
#endif
