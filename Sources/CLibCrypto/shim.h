// System library shim: the Debian package installs <openssl/evp.h> (see scripts/bootstrap).
#include <openssl/evp.h>
#include <openssl/sha.h>
