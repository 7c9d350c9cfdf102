import Foundation
import Testing

extension NodeProcess {
    /// A small demo network made in `scratch` (2 outlets, a few sales) and outlet 1's node
    /// started alone on it, healthy: the fixture of the tests that probe one node. The
    /// caller stops it (`defer { node.stop() }`).
    static func ofSmallDemo(in scratch: Scratch, faultInjection: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) async throws -> NodeProcess {
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 2, sourceLocation: sourceLocation).status == 0, sourceLocation: sourceLocation)
        let node = try NodeProcess.start(demo: demo, outlet: 1, faultInjection: faultInjection)
        do {
            try await node.waitHealthy(peers: 0)
        } catch {
            node.stop()
            throw error
        }
        return node
    }
}
