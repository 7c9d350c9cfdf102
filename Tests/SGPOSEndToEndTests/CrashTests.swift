import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSStore
import Testing

/// Nothing acknowledged is lost: a real writer process appending signed sales is killed with SIGKILL at
/// random points; after every kill the store opens, the whole chain verifies, and
/// every transaction acknowledged before the kill is in it.
@Suite(.serialized) struct CrashTests {
    static let kills = 120

    @Test func sigkillAtRandomPointsLosesNothingAcknowledged() throws {
        let scratch = Scratch()
        let net = scratch.path + "/net"
        let node = scratch.path + "/node"
        #expect(try CLI.run(["genesis", "create", "--out", net]).status == 0)
        #expect(try CLI.run(["chain", "init", "--data", node, "--genesis", net + "/genesis.json", "--outlet", "3"]).status == 0)
        var generator = SystemRandomNumberGenerator()
        var acknowledged: [Hash256] = []
        var killedWithAcks = 0
        for round in 0..<Self.kills {
            let log = scratch.path + "/acks-\(round)"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = ["debug", "crash-writer", "--data", node, "--node-key", net + "/keys/outlet-3.key",
                                 "--admin-key", net + "/keys/admin-hq-admin.key", "--batch", "4"]
            process.standardOutput = FileHandle(forWritingAtPath: log)
            process.standardError = FileHandle.nullDevice
            try process.run()
            if round.isMultiple(of: 2) {
                // Kill somewhere in the write stream: after the first acknowledgement, however slow the
                // machine is to start the process.
                let acked = Self.waitForFirstAck(in: log, timeoutSeconds: 20)
                #expect(acked, "round \(round): the writer acknowledged nothing within 20 s")
                usleep(UInt32.random(in: 0...25_000, using: &generator))
            } else {
                // Kill anywhere from process start: opening the store, recovery, the first commit.
                usleep(UInt32.random(in: 5_000...60_000, using: &generator))
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "writer exited on its own in round \(round)")
            let lines = String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self).split(separator: "\n")
            let acks = lines.compactMap { line -> Hash256? in
                let fields = line.split(separator: " ")
                return fields.count == 3 && fields[0] == "ack" ? Hash256(hex: String(fields[1])) : nil
            }
            if !acks.isEmpty { killedWithAcks += 1 }
            acknowledged += acks

            let store = try LedgerStore.open(dataDirectory: node)
            let report = try AuditVerifier().verify(store: store)
            #expect(report.isValid, "round \(round): \(report.findings)")
            let missing = try store.environment.read { transaction in
                try acknowledged.filter { try store.location(of: $0, transaction) == nil }
            }
            #expect(missing.isEmpty, "round \(round): \(missing.count) acknowledged transactions lost")
            #expect(report.transactionCount >= acknowledged.count)
            if !report.isValid || !missing.isEmpty { break }
        }
        #expect(killedWithAcks >= Self.kills / 2, "too few rounds acknowledged anything; the test would prove little")
        print("crash test: \(Self.kills) SIGKILLs, \(acknowledged.count) acknowledged transactions, all present and verified")
    }

    /// Polls the writer's log until it holds an acknowledgement; bounded by `timeoutSeconds`.
    static func waitForFirstAck(in log: String, timeoutSeconds: Int) -> Bool {
        for _ in 0..<(timeoutSeconds * 1_000) {
            if let data = FileManager.default.contents(atPath: log),
               String(decoding: data, as: UTF8.self).contains("ack ") {
                return true
            }
            usleep(1_000)
        }
        return false
    }
}
