import Glibc
import Synchronization

/// Shared/exclusive access to an LMDB environment's map size, built on the project's one
/// lock type (`Mutex`): every transaction holds the gate shared; growing the map holds it
/// exclusively, since `mdb_env_set_mapsize` needs no transaction open in this process.
///
/// A waiting resize goes first: once one is asked for, threads that hold no share wait,
/// so readers in a tight loop cannot starve it. A thread that already holds a share may
/// take another (a transaction opened inside another), so nesting never deadlocks.
/// Resizes are rare (the map doubles), so waiters yield the processor instead of
/// sleeping on a condition.
final class ResizeGate: Sendable {
    private let state = Mutex(ResizeGateState())

    /// Runs `body` with the gate held shared.
    func shared<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let thread = UInt(pthread_self())
        while !state.withLock({ state in
            guard !state.resizing || state.holders[thread] != nil else { return false }
            state.holders[thread, default: 0] += 1
            return true
        }) {
            sched_yield()
        }
        defer {
            state.withLock { state in
                let held = state.holders[thread] ?? 0
                assert(held > 0, "a thread left a gate it did not hold")
                state.holders[thread] = held > 1 ? held - 1 : nil
            }
        }
        return try body()
    }

    /// Runs `body` with the gate held exclusively: no share held, none given out. The
    /// calling thread must hold no share.
    func exclusive<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let thread = UInt(pthread_self())
        while !state.withLock({ state in
            guard !state.resizing else { return false }
            precondition(state.holders[thread] == nil, "a resize asked for by a thread inside a transaction would wait for itself")
            state.resizing = true
            return true
        }) {
            sched_yield()
        }
        while !state.withLock({ $0.holders.isEmpty }) { sched_yield() }
        defer { state.withLock { $0.resizing = false } }
        return try body()
    }
}

/// Who holds a ``ResizeGate``.
struct ResizeGateState {
    /// Shares held, by thread.
    var holders: [UInt: Int] = [:]
    /// A resize is waiting for the holders to leave, or running.
    var resizing = false
}
