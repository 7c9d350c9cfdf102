import Glibc
import SGPOSChain

/// Milliseconds since the epoch, from the system clock: block timestamps and envelope
/// times, chosen at the edge (node, CLI, demo). The state machine only ever sees them as
/// inputs. Integer all the way: the value ends up hashed and signed.
public func wallClockMs() -> TimestampMs {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return TimestampMs(now.tv_sec) * 1_000 + TimestampMs(now.tv_nsec / 1_000_000)
}
