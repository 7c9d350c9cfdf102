import ArgumentParser
import SGPOSCommandSupport
import SGPOSDemo

/// `sgpos`: keys, genesis, outlet chains, audit, demo and benchmarks.
@main
struct SGPOSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgpos",
        abstract: "SGPOS Ledger: signed, hash-chained outlet ledgers in LMDB.",
        discussion: "Formats: docs/FORMAT.md. Operations: docs/OPERATIONS.md.",
        version: "sgpos \(SGPOSVersion.current)",
        subcommands: [
            KeysCommand.self, GenesisCommand.self, ChainCommand.self, AuditCommand.self, ReportCommand.self, ExportCommand.self,
            QuoteCommand.self, TillCommand.self, NodeCommand.self, StatusCommand.self, DeviceCommand.self, ContractCommand.self, DemoCommand.self, BenchCommand.self, SimCommand.self, ValidatorsCommand.self, AllowanceCommand.self, RecallCommand.self, DebugCommand.self,
        ])
}
