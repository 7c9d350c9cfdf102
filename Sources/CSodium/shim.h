// System library shim: the Debian package installs <sodium.h> (see scripts/bootstrap).
#include <sodium.h>
