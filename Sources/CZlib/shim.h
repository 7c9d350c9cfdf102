#include <zlib.h>

// deflateInit2 and inflateInit are macros (they pass the library version and the
// stream's size); Swift calls these instead.
static inline int sgpos_deflate_init(z_stream *stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
static inline int sgpos_inflate_init(z_stream *stream) {
    return inflateInit(stream);
}
