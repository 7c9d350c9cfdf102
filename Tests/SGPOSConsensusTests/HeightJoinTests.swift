import SGPOSCrypto
import Testing
@testable import SGPOSConsensus

/// An idle network where one validator alone holds something to carry (an admin act
/// handed to its node only): the others join the height it starts, and a checkpoint
/// carries the act within a few heights, instead of waiting for new content at the others.
@Suite("Joining a started height")
struct HeightJoinTests {
    /// A validator's view: whether it holds the act; its proposals carry it when it does
    /// (value [1]) and are empty otherwise (value [0]).
    final class ActApp: CheckpointApplication {
        var holdsAct = false
        var carried = false
        var decided: [CommitCertificate] = []
        let validatorSet: ValidatorSet
        init(_ validators: ValidatorSet) { validatorSet = validators }
        func proposal(height: UInt64) -> [UInt8] { holdsAct && !carried ? [1] : [0] }
        func isValid(height: UInt64, value: [UInt8]) -> Bool { value == [0] || value == [1] }
        func committed(_ certificate: CommitCertificate) {
            decided.append(certificate)
            if certificate.value == [1] { carried = true }
        }
        func hasNewContent(height: UInt64) -> Bool { holdsAct && !carried }
        func validators(height: UInt64) -> ValidatorSet { validatorSet }
    }

    /// Four cores delivering each other's messages at once, timeouts on a virtual clock.
    struct Network {
        var cores: [TendermintCore]
        let apps: [ActApp]
        var messages: [(to: Int, from: UInt16, ConsensusMessage)] = []
        var timers: [(atMs: UInt64, core: Int, ScheduledTimeout)] = []
        var nowMs: UInt64 = 0

        mutating func handle(_ outputs: [ConsensusOutput], of core: Int) {
            for output in outputs {
                switch output {
                case .broadcast(let message):
                    for other in cores.indices where other != core { messages.append((other, UInt16(core), message)) }
                case .send(let to, let message): messages.append((Int(to), UInt16(core), message))
                case .schedule(let timeout, let afterMs): timers.append((nowMs + afterMs, core, timeout))
                case .decided, .evidence, .peerBehind: break
                }
            }
        }

        /// Runs until `done` or `untilMs` of virtual time; bounded in steps too.
        mutating func run(untilMs: UInt64, done: (Network) -> Bool) {
            for _ in 0..<200_000 where !done(self) {
                if !messages.isEmpty {
                    let (to, from, message) = messages.removeFirst()
                    handle(cores[to].receive(message, from: from, apps[to]), of: to)
                    continue
                }
                guard let next = timers.indices.min(by: { timers[$0].atMs < timers[$1].atMs }), timers[next].atMs <= untilMs else { return }
                let (atMs, core, timeout) = timers.remove(at: next)
                nowMs = max(nowMs, atMs)
                handle(cores[core].timeout(timeout, apps[core]), of: core)
            }
        }
    }

    let keys = (0..<4).map { SigningKey(seed: [UInt8](repeating: UInt8($0 + 1), count: 32))! }
    let chainID = Hash256.sha256(Array("test-chain".utf8))

    @Test func anActHeldByOneValidatorIsCarriedOnAnIdleNetwork() {
        let validators = ValidatorSet(keys.map(\.publicKey))
        let apps = (0..<4).map { _ in ActApp(validators) }
        var network = Network(cores: (0..<4).map { TendermintCore(chainID: chainID, validators: validators, key: keys[$0], store: MemoryValidatorStateStore()) },
                              apps: apps)
        for index in 0..<4 { network.handle(network.cores[index].start(apps[index]), of: index) }
        // Height 1 is decided (an empty checkpoint: nobody holds anything yet).
        network.run(untilMs: 60_000) { network in network.apps.allSatisfy { $0.decided.count == 1 } }
        #expect(apps.allSatisfy { $0.decided.count == 1 }, "height 1 was not decided")
        // Then the act reaches one node only, a validator that is not height 2's proposer.
        let proposer = Int(validators.proposer(height: 2, round: 0))
        let holder = (proposer + 1) % 4
        apps[holder].holdsAct = true
        network.run(untilMs: network.nowMs + 120_000) { network in network.apps.allSatisfy { $0.carried } }
        let decidedHeights = apps.map(\.decided.count)
        #expect(apps.allSatisfy { $0.carried }, "the act held by validator \(holder) alone was not carried within 120 s of idle time: heights decided \(decidedHeights)")
        // At most one height per proposer went by without it.
        #expect(apps[holder].decided.count <= 1 + 4, "\(apps[holder].decided.count) heights decided")
        // And with nothing left to carry, the network stays idle.
        let heights = apps.map(\.decided.count)
        network.run(untilMs: network.nowMs + 60_000) { _ in false }
        #expect(apps.map(\.decided.count) == heights, "an idle network grew its checkpoint chain")
    }
}
