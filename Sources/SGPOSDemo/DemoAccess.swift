import Foundation
import SGPOSChain
import SGPOSClient
import SGPOSCommandSupport
import SGPOSCrypto
import SGPOSTill

extension DemoCommand {
    /// Reads need request signatures and the registry's roles decide what each key reads
    /// (docs/API.md, "Request signatures"): the auditor registered on the first outlet's
    /// chain reads another outlet's books at the last node; the same read unsigned is 401,
    /// and by a till 403. Returns the number of problems.
    func showRequestSignatures(nodes: DemoNodes, network: DemoNetwork, tills: [OutletID: [TillSession]]) async throws -> Int {
        guard let last = nodes.nodes.last, let firstOutlet = network.genesis.outlets.first?.id,
              let till = tills[firstOutlet]?.first else { return 0 }
        let auditor = try KeyFile.load("\(network.directory)/keys/auditor.key")
        let plain = NodeClient(baseURL: last.client.baseURL, timeoutSeconds: 5, attemptsMax: 3)
        var problems = 0
        let books = try await plain.signed(by: auditor).books(outlet: firstOutlet)
        var line = "== request signatures: auditor-hq (registered on outlet \(firstOutlet)'s chain) reads outlet \(firstOutlet)'s books at node \(last.outlet): "
            + "last Z-report \(books.lastZNumber), grand total S$\(books.grandTotalSales)"
        for (who, client, expected) in [("unsigned", plain, 401), ("\(till.principal) of outlet \(firstOutlet)", plain.signed(by: till.key), 403)] {
            do {
                _ = try await client.books(outlet: firstOutlet)
                line += "; FAIL \(who) read them"
                problems += 1
            } catch let failure as NodeClient.Failure where failure.status == expected {
                line += "; \(who): \(expected)"
            }
        }
        print(line)
        return problems
    }
}
