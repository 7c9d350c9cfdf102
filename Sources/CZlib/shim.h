#include <zlib.h>

// deflateInit2 and inflateInit are macros (they pass the library version and the
// stream's size); Swift calls these instead.
static inline int sgpos_deflate_init(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY);
}
static inline int sgpos_inflate_init(z_stream *stream) {
    return inflateInit(stream);
}
