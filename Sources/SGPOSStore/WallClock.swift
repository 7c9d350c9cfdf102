import Glibc
import SGPOSChain
import Synchronization

/// Milliseconds since the epoch, from the system clock: block timestamps and envelope
/// times, chosen at the edge (node, CLI, demo). The state machine only ever sees them as
/// inputs. Integer all the way: the value ends up hashed and signed.
public func wallClockMs() -> TimestampMs {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let ms = Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec / 1_000_000) + wallClockOffsetMs.load(ordering: .relaxed)
    return TimestampMs(max(0, ms))
}

/// Added to every reading of ``wallClockMs()``: 0, unless a clock drill shifts this
/// process's ledger clock (`sgpos node run --drill-clock-offset-ms`, docs/OPERATIONS.md,
/// "Clock drills"). Set once at start-up, before the first reading.
public let wallClockOffsetMs = Atomic<Int64>(0)
