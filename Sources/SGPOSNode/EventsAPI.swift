import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// `GET /v1/events` (docs/API.md; docs/WEB.md, "Back office"): server-sent events
/// (`text/event-stream`), one `event: block` per block appended or replicated here, with
/// `{"height","outletId","transactions"}` as data, and a comment line every 15 s so that
/// proxies and the reader know the stream is alive (and a gone reader is noticed).
/// Signed like the reports of this outlet: its operators, auditors, admins. Bounded by
/// ``BlockEventHub``: 32 streams at once (then 503, code 730), one undelivered event per
/// outlet per stream; every stream ends on graceful shutdown.
extension NodeAPI {
    /// Time between the heartbeat comments of an idle stream.
    static let eventHeartbeat: Duration = .seconds(15)

    func addEventRoutes(to router: RecordingRouter) {
        let here = node.outletID
        let hub = node.blockEvents
        router.get("/v1/events") { request, _ in
            try self.auth.authorize(request, body: nil, .outletManager(here))
            let subscription: BlockEventSubscription
            do {
                subscription = try hub.subscribe()
            } catch let error as BlockEventStreamRefusal {
                return problem(.serviceUnavailable, "overloaded", error.code, error.message)
            }
            var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
            headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                defer { subscription.close() }
                try await withGracefulShutdownHandler {
                    try await Self.stream(subscription, to: &writer, heartbeat: Self.eventHeartbeat)
                } onGracefulShutdown: {
                    subscription.close()
                }
                try await writer.finish(nil)
            })
        }
    }

    /// Writes the stream's events until it is closed (or the reader goes away: a write fails).
    static func stream(_ subscription: BlockEventSubscription, to writer: inout any ResponseBodyWriter, heartbeat: Duration) async throws {
        try await writer.write(ByteBuffer(string: ": sgpos block events\nretry: 2000\n\n"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        while let events = await next(subscription, heartbeat: heartbeat) {
            if events.isEmpty {
                try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                continue
            }
            var text = ""
            for event in events {
                text += "event: block\ndata: \(String(decoding: try encoder.encode(event), as: UTF8.self))\n\n"
            }
            try await writer.write(ByteBuffer(string: text))
        }
    }

    /// The next events of `subscription`, or empty after `heartbeat` without any; nil when
    /// it is closed. Events taken while the timer won are kept, never lost.
    static func next(_ subscription: BlockEventSubscription, heartbeat: Duration) async -> [BlockEvent]? {
        await withTaskGroup(of: [BlockEvent]?.self) { group in
            group.addTask { await subscription.next() }
            group.addTask {
                try? await Task.sleep(for: heartbeat)
                return []
            }
            var events: [BlockEvent] = []
            var closed = false
            if let first = await group.next() {
                if let first { events += first } else { closed = true }
            }
            group.cancelAll()
            for await rest in group {
                if let rest { events += rest } else { closed = true }
            }
            return closed && events.isEmpty ? nil : events
        }
    }
}
