#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Standard output, line-buffered: each line reaches a file or a pipe as it is printed
/// (a long command's progress read by `tee`, or by a test that kills a stuck command and
/// shows how far it got). Call once, at the start of a command, before it starts tasks.
public func lineBufferStandardOutput() {
    #if canImport(Glibc)
    setvbuf(stdout, nil, _IOLBF, 0)
    #endif
}
