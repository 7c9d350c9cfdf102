import Foundation
import SGPOSChain
import SGPOSStore
import SGPOSTestSupport
import Testing

/// `sgpos bench scale` builds a data set that an auditor accepts, with the body mix it
/// promises, and reuses it on the next run instead of building it again.
@Suite struct BenchScaleTests {
    @Test func theScaleSetIsValidHasEveryKindOfDayAndIsReused() throws {
        let scratch = Scratch()
        let arguments = ["bench", "scale", "--outlets", "2", "--sales-per-outlet", "1500", "--sales-per-day", "1500",
                         "--members", "400", "--scale-dir", scratch.path, "--build-only"]
        let built = try CLI.run(arguments, timeoutSeconds: 300)
        #expect(built.status == 0 && built.output.contains("built in"), "\(built.output)\(built.error)")
        // The second run reuses the set and measures it: storage per sale and per database,
        // the audit in process and as children on one core and on two (and with a small
        // replay memory), the audit's ceiling, store opening and proof serving.
        let again = try CLI.run(Array(arguments.dropLast()), timeoutSeconds: 300)
        #expect(again.status == 0 && again.output.contains("reusing") && !again.output.contains("built in"), "\(again.output)\(again.error)")
        for figure in ["B per sale used", "per sale by database: blocks", "of all-core verify", "audit verify, round 3,",
                       "audit verify in process: median", "over 3 round(s)", "audit verify on 1 core: median", "speed-up", "of it anonymous",
                       "store open", "inclusion proof of a random transaction", "consistency proof", "--replay-memory 16"] {
            #expect(again.output.contains(figure), "\(figure): \(again.output)")
        }
        // The audit's ceiling samples every n-th transaction of every block: on a set below
        // its 40,000 that is every transaction the audit verified.
        let audited = again.output.components(separatedBy: "audit verify, round 1, ").dropFirst().first?
            .components(separatedBy: "): ").dropFirst().first?.components(separatedBy: " transactions").first
        #expect(audited.flatMap(Int.init) ?? 0 > 3_000, "\(again.output)")
        #expect(again.output.contains("the audit's ceiling: \(audited ?? "?") of the set's own transactions"), "\(again.output)")
        let data = scratch.path + "/2x1500/data"
        let audit = try CLI.run(["audit", "verify", data], timeoutSeconds: 300)
        #expect(audit.status == 0, "\(audit.output)\(audit.error)")
        // One day per outlet: blocks of 1,000 and 500 sales; with the second, 2 % of the
        // first block's sales refunded (20) and 0.5 % voided (5); 400 members enrolled; a
        // delivery, shift open and close, a day-close.
        let store = try LedgerStore.open(dataDirectory: data)
        let kinds = try store.environment.read { transaction -> [String: Int] in
            var kinds: [String: Int] = [:]
            for outlet: UInt32 in [1, 2] {
                let head = try store.head(outlet, transaction).height
                for height in 1...head {
                    for signed in try store.block(outlet, height: height, transaction)!.transactions {
                        if case .application(let type, _) = signed.envelope.body { kinds[String(type, radix: 16), default: 0] += 1 }
                    }
                }
            }
            return kinds
        }
        // sale 0x100, refund 0x101, void 0x102, receive 0x120, enrol 0x130, shift open/close 0x140/0x143, day-close 0x144
        #expect(kinds["100"] == 3_000 && kinds["130"] == 800 && kinds["120"] == 2 && kinds["140"] == 2 && kinds["143"] == 2 && kinds["144"] == 2, "\(kinds)")
        #expect(kinds["101"] == 2 * 20 && kinds["102"] == 2 * 5, "\(kinds)")
    }

    /// `sgpos bench catch-up`: a fresh node fetches and verifies a chain from its peer (two
    /// node processes), and a node killed with SIGKILL half way resumes from what it had
    /// committed (the bench fails if it was seen lower after the restart).
    @Test func aFreshNodeCatchesUpAndResumesAfterKill9() throws {
        let scratch = Scratch()
        let run = try CLI.run(["bench", "catch-up", "--chain-sales", "3000", "--rounds", "1", "--work-dir", scratch.path + "/catch-up"],
                              timeoutSeconds: 600)
        #expect(run.status == 0, "\(run.output)\(run.error)")
        for figure in ["of all-core verify (limit 0.80)", "kill -9 at outlet 1 height", "caught up to"] {
            #expect(run.output.contains(figure), "\(figure): \(run.output)")
        }
    }
}
