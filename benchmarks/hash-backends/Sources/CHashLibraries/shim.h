#include <openssl/sha.h>
#include <sodium.h>
