import SGPOSCodec
import SGPOSAudit

/// What `sgpos audit verify --json` prints: the same facts as its text lines, as one JSON
/// object (keys sorted, docs/OPERATIONS.md §7).
struct AuditVerifyDocument: Encodable {
    /// One verified outlet chain.
    struct Chain: Encodable {
        var outlet: UInt32
        var verifiedHeight: UInt64
        var transactions: Int
        /// The id of the block at `verifiedHeight` (hex).
        var head: String
    }

    /// One broken rule: the text line of the text form and, where known, its parts.
    struct Finding: Encodable {
        var text: String
        var rule: String
        var message: String
        var outlet: UInt32?
        var height: UInt64?
        var transactionIndex: Int?
        var transactionId: String?

        init(_ finding: AuditFinding) {
            text = finding.description
            rule = finding.rule
            message = finding.message
            outlet = finding.outletID
            height = finding.height
            transactionIndex = finding.transactionIndex
            transactionId = finding.transactionID?.hex
        }

        init(rule: String, message: String) {
            self.init(AuditFinding(rule: rule, message: message))
        }
    }

    /// One evidence file of the data directory, checked against the genesis.
    struct Evidence: Encodable {
        var file: String
        var proven: Bool
        var claim: String
    }

    /// The node's report aggregates against the chains: `agree`, `differ` (with the first
    /// `difference`), `absent` (the directory has none) or `unchecked` (the chains have
    /// findings, so they were not compared).
    struct Aggregates: Encodable {
        var status: String
        var difference: String?
    }

    /// Nil when the store could not be opened.
    var genesisId: String?
    /// True exactly when the command exits 0.
    var valid: Bool
    var chains: [Chain] = []
    var checkpointsVerified = 0
    var networkRootsVerified = 0
    var findings: [Finding] = []
    var evidence: [Evidence] = []
    var checkpointEvidence: [String] = []
    var validatorChanges: [String] = []
    var pointsClaims: [String] = []
    /// Per outlet, its blocks' lag behind the checkpoints' agreed time (docs/CONSENSUS.md §11).
    var time: [OutletTime] = []
    var reportAggregates = Aggregates(status: "unchecked")
    var transactionCount = 0
    var signaturesVerified = 0
    var seconds: Double

    /// The document of a finished audit.
    init(report: AuditReport, evidence: [EvidenceAudit.Item], aggregates: Aggregates, seconds: Double) {
        genesisId = report.genesisID.hex
        valid = report.isValid && aggregates.status != "differ"
        chains = report.chains.map {
            Chain(outlet: $0.outletID, verifiedHeight: $0.verifiedHeight, transactions: $0.transactions, head: $0.headID.hex)
        }
        checkpointsVerified = report.checkpointsVerified
        networkRootsVerified = report.networkRootsVerified
        findings = report.findings.map(Finding.init)
        self.evidence = evidence.map { Evidence(file: $0.file, proven: $0.proven, claim: $0.claim) }
        checkpointEvidence = report.checkpointEvidence
        validatorChanges = report.validatorChanges
        pointsClaims = report.pointsClaims
        time = report.time.map(OutletTime.init)
        reportAggregates = aggregates
        transactionCount = report.transactionCount
        signaturesVerified = report.signaturesVerified
        self.seconds = seconds
    }

    /// One outlet's time: blocks timed, the largest lag, the late windows, future blocks.
    struct OutletTime: Encodable {
        struct Lag: Encodable {
            var height: UInt64
            var blockTimeMs: UInt64
            var checkpoint: UInt64
            var checkpointTimeMs: UInt64
            var lagMs: Int64
            init(_ lag: OutletTimeReport.Lag) {
                height = lag.height
                blockTimeMs = lag.blockTimeMs
                checkpoint = lag.checkpointHeight
                checkpointTimeMs = lag.checkpointTimeMs
                lagMs = lag.lagMs
            }
        }
        struct Window: Encodable {
            var fromHeight: UInt64
            var toHeight: UInt64
            var blocks: Int
            var fromBlockTimeMs: UInt64
            var toBlockTimeMs: UInt64
            var largestLagMs: Int64
        }
        var outlet: UInt32
        var blocksTimed: Int
        var largestLag: Lag?
        var lateWindows: [Window]
        var futureBlocks: [Lag]
        init(_ report: OutletTimeReport) {
            outlet = report.outlet
            blocksTimed = report.blocksTimed
            largestLag = report.largest.map(Lag.init)
            lateWindows = report.lateWindows.map {
                Window(fromHeight: $0.first.height, toHeight: $0.last.height, blocks: $0.blocks, fromBlockTimeMs: $0.first.blockTimeMs,
                       toBlockTimeMs: $0.last.blockTimeMs, largestLagMs: $0.largestLagMs)
            }
            futureBlocks = report.futureBlocks.map(Lag.init)
        }
    }

    /// The document of an audit that could not open the store.
    init(storeError: String, seconds: Double) {
        valid = false
        findings = [Finding(rule: "store/open", message: storeError)]
        self.seconds = seconds
    }
}
