import Synchronization

/// A block appended to this node's own chain or replicated from a peer, as
/// `GET /v1/events` announces it (docs/WEB.md, "Back office").
public struct BlockEvent: Codable, Sendable, Equatable {
    public var outletId: UInt32
    public var height: UInt64
    /// The transactions the block holds.
    public var transactions: Int

    public init(outletId: UInt32, height: UInt64, transactions: Int) {
        self.outletId = outletId
        self.height = height
        self.transactions = transactions
    }
}

/// Why a stream of block events was not opened: ``streamsMax`` streams are open, or the
/// node is shutting down. Stable codes: 730 too many streams, 731 shutting down.
public struct BlockEventStreamRefusal: Error, Sendable, Equatable {
    /// 730: ``BlockEventHub/streamsMax`` streams are open; 731: the node is shutting down.
    public let code: Int
    /// What the problem document says.
    public let message: String

    static func full(_ max: Int) -> Self { Self(code: 730, message: "\(max) event streams are open on this node (the limit); try again later") }
    static let shuttingDown = Self(code: 731, message: "the node is shutting down")
}

/// Fans out ``BlockEvent``s to the open event streams, bounded in every way:
///
/// - at most ``streamsMax`` streams at once (one more is refused);
/// - each stream holds at most one undelivered event per outlet: a newer block of an
///   outlet replaces the one its reader has not taken yet (a slow reader gets the latest
///   height of each outlet, never a growing queue), and at most ``bufferMax`` outlets
///   (beyond, the oldest is dropped);
/// - ``shutdown()`` ends every stream and refuses new ones (graceful shutdown).
///
/// Publishing never waits: it is called where blocks are committed and replicated.
public final class BlockEventHub: Sendable {
    /// Streams open at once; one more is refused (the API's 503, code 730).
    public let streamsMax: Int
    /// Undelivered events a stream holds (one per outlet; beyond, the oldest is dropped).
    public let bufferMax: Int

    private struct Stream {
        var pending: [BlockEvent] = []
        var waiter: CheckedContinuation<[BlockEvent]?, Never>?
    }
    private struct State {
        var streams: [Int: Stream] = [:]
        var nextID = 0
        var closed = false
    }
    private let state = Mutex(State())

    public init(streamsMax: Int = 32, bufferMax: Int = 64) {
        self.streamsMax = streamsMax
        self.bufferMax = bufferMax
    }

    /// Streams open now.
    public var openStreams: Int { state.withLock { $0.streams.count } }

    /// Opens a stream; throws ``BlockEventStreamRefusal`` at the limit or after shutdown.
    public func subscribe() throws(BlockEventStreamRefusal) -> BlockEventSubscription {
        let result: Result<Int, BlockEventStreamRefusal> = state.withLock { state in
            if state.closed { return .failure(.shuttingDown) }
            guard state.streams.count < streamsMax else { return .failure(.full(streamsMax)) }
            state.nextID += 1
            state.streams[state.nextID] = Stream()
            return .success(state.nextID)
        }
        return BlockEventSubscription(hub: self, id: try result.get())
    }

    /// Hands `event` to every open stream (coalescing per outlet); never waits.
    public func publish(_ event: BlockEvent) {
        let ready: [(CheckedContinuation<[BlockEvent]?, Never>, [BlockEvent])] = state.withLock { state in
            var ready: [(CheckedContinuation<[BlockEvent]?, Never>, [BlockEvent])] = []
            for id in state.streams.keys {
                state.streams[id]!.pending.removeAll { $0.outletId == event.outletId }
                state.streams[id]!.pending.append(event)
                if state.streams[id]!.pending.count > bufferMax { state.streams[id]!.pending.removeFirst() }
                if let waiter = state.streams[id]!.waiter {
                    ready.append((waiter, state.streams[id]!.pending))
                    state.streams[id]!.waiter = nil
                    state.streams[id]!.pending = []
                }
            }
            return ready
        }
        for (waiter, events) in ready { waiter.resume(returning: events) }
    }

    /// Ends every stream (their readers get nil) and refuses new ones.
    public func shutdown() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.streams = [:] }
            return state.streams.values.compactMap(\.waiter)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// The events of stream `id` not yet taken, waiting for one if there are none: nil when
    /// the stream is closed; empty when the waiting task is cancelled.
    fileprivate func next(_ id: Int) async -> [BlockEvent]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[BlockEvent]?, Never>) in
                let ready: [BlockEvent]?? = state.withLock { state in
                    guard var stream = state.streams[id] else { return .some(nil) }
                    if !stream.pending.isEmpty {
                        defer { state.streams[id]!.pending = [] }
                        return .some(stream.pending)
                    }
                    if Task.isCancelled { return .some([]) }
                    stream.waiter = continuation
                    state.streams[id] = stream
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[BlockEvent]?, Never>? in
                defer { state.streams[id]?.waiter = nil }
                return state.streams[id]?.waiter
            }
            waiter?.resume(returning: [])
        }
    }

    fileprivate func close(_ id: Int) {
        let waiter = state.withLock { $0.streams.removeValue(forKey: id)?.waiter }
        waiter?.resume(returning: nil)
    }
}

/// One open stream of a ``BlockEventHub``: read it with ``next()``, end it with ``close()``.
public final class BlockEventSubscription: Sendable {
    private let hub: BlockEventHub
    private let id: Int

    fileprivate init(hub: BlockEventHub, id: Int) {
        self.hub = hub
        self.id = id
    }

    /// The events published since the last call (at most one per outlet, oldest first),
    /// waiting until there is one: nil once the stream is closed or the hub shut down;
    /// empty if the calling task is cancelled while it waits.
    public func next() async -> [BlockEvent]? { await hub.next(id) }

    /// Ends the stream and frees its place.
    public func close() { hub.close(id) }
}
