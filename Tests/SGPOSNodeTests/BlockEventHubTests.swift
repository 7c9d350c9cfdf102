import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
@testable import SGPOSNode
import Synchronization
import Testing

/// `GET /v1/events` is bounded (docs/WEB.md, "Back office"): a fixed number of streams, one
/// undelivered event per outlet per stream (a slow reader gets the latest, never a growing
/// queue), every stream ended on shutdown; the SSE text is what a browser parses.
@Suite struct BlockEventHubTests {
    @Test func streamsBeyondTheLimitAreRefused() throws {
        let hub = BlockEventHub(streamsMax: 2)
        let first = try hub.subscribe()
        let second = try hub.subscribe()
        #expect(hub.openStreams == 2)
        #expect(throws: BlockEventStreamRefusal.self) { try hub.subscribe() }
        do {
            _ = try hub.subscribe()
        } catch {
            #expect(error.code == 730 && error.message.contains("2 event streams"))
        }
        // A closed stream frees its place.
        first.close()
        #expect(hub.openStreams == 1)
        let third = try hub.subscribe()
        #expect(hub.openStreams == 2)
        second.close()
        third.close()
        #expect(hub.openStreams == 0)
    }

    @Test func aSlowReaderGetsTheLatestEventPerOutletNotAQueue() async throws {
        let hub = BlockEventHub(streamsMax: 4, bufferMax: 3)
        let stream = try hub.subscribe()
        for height in 1...1_000 { hub.publish(BlockEvent(outletId: 2, height: UInt64(height), transactions: 1)) }
        hub.publish(BlockEvent(outletId: 1, height: 7, transactions: 3))
        hub.publish(BlockEvent(outletId: 2, height: 1_001, transactions: 2))
        let events = await stream.next()
        #expect(events == [BlockEvent(outletId: 1, height: 7, transactions: 3), BlockEvent(outletId: 2, height: 1_001, transactions: 2)])
        // Never more outlets than bufferMax: the oldest is dropped.
        for outlet in 1...10 { hub.publish(BlockEvent(outletId: UInt32(outlet), height: 1, transactions: 1)) }
        let bounded = await stream.next()
        #expect(bounded?.map(\.outletId) == [8, 9, 10])
        stream.close()
    }

    @Test func aWaitingReaderIsWokenAndEndsOnShutdown() async throws {
        let hub = BlockEventHub()
        let stream = try hub.subscribe()
        let reader = Task { await stream.next() }
        try await Task.sleep(for: .milliseconds(50))
        hub.publish(BlockEvent(outletId: 3, height: 9, transactions: 4))
        #expect(await reader.value == [BlockEvent(outletId: 3, height: 9, transactions: 4)])
        let waiting = Task { await stream.next() }
        try await Task.sleep(for: .milliseconds(50))
        hub.shutdown()
        #expect(await waiting.value == nil, "a stream ends on shutdown")
        #expect(hub.openStreams == 0)
        #expect(throws: BlockEventStreamRefusal.self) { try hub.subscribe() }
    }

    @Test func cancellingAWaitingReaderReturnsAtOnce() async throws {
        let hub = BlockEventHub()
        let stream = try hub.subscribe()
        let waiting = Task { await stream.next() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(await waiting.value == [])
        // The stream still works afterwards.
        hub.publish(BlockEvent(outletId: 1, height: 2, transactions: 1))
        #expect(await stream.next() == [BlockEvent(outletId: 1, height: 2, transactions: 1)])
        stream.close()
        #expect(await stream.next() == nil)
    }

    /// Collects what the route writes.
    struct Collector: ResponseBodyWriter {
        let target: Written
        func write(_ buffer: ByteBuffer) async throws { target.text.withLock { $0 += String(buffer: buffer) } }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    final class Written: Sendable {
        let text = Mutex("")
    }

    @Test func theStreamIsServerSentEventsWithHeartbeats() async throws {
        let hub = BlockEventHub()
        let stream = try hub.subscribe()
        let written = Written()
        let writing = Task {
            var writer: any ResponseBodyWriter = Collector(target: written)
            try await NodeAPI.stream(stream, to: &writer, heartbeat: .milliseconds(100))
        }
        // Idle until a heartbeat was written (however slow the machine), then an event.
        for _ in 0..<1_000 where !written.text.withLock({ $0.contains(": heartbeat") }) { try await Task.sleep(for: .milliseconds(10)) }
        hub.publish(BlockEvent(outletId: 2, height: 42, transactions: 5))
        for _ in 0..<1_000 where !written.text.withLock({ $0.contains("event: block") }) { try await Task.sleep(for: .milliseconds(10)) }
        stream.close()
        try await writing.value
        let text = written.text.withLock { $0 }
        #expect(text.hasPrefix(": sgpos block events\nretry: 2000\n\n"))
        #expect(text.contains(": heartbeat\n\n"), "a comment while idle")
        #expect(text.contains("event: block\ndata: {\"height\":42,\"outletId\":2,\"transactions\":5}\n\n"))
    }
}
