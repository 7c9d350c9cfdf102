// System library shim: the Debian package installs <lmdb.h> (see scripts/bootstrap).
#include <lmdb.h>
