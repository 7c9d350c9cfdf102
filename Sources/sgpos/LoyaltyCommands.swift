import ArgumentParser
import SGPOSCommandSupport
import SGPOSState

extension TillCommand {
    /// `sgpos till point-rates`: the operator's points rates by category (the "oracle" table).
    struct PointRates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "point-rates",
            abstract: "Set loyalty points rates by category (signed by an operator key; read by the rules as point_rate).")
        @OptionGroup var connection: Connection
        @Option(name: .customLong("rate"), help: "CATEGORY=PERCENT, e.g. snacks=200% or dairy=0% (repeat).") var rates: [String]
        @Option(help: "Why the rates change (recorded on chain).") var reason: String

        func run() async throws {
            var entries: [SetPointRates.Entry] = []
            for text in rates {
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, let basisPoints = parsePercent(parts[1]) else {
                    throw CLIError("--rate \(text): expected CATEGORY=PERCENT such as snacks=200% (up to two decimals)")
                }
                entries.append(.init(category: parts[0], basisPoints: basisPoints))
            }
            // One canonical order: categories ascending bytewise (the state machine requires it).
            entries.sort { Array($0.category.utf8).lexicographicallyPrecedes(Array($1.category.utf8)) }
            let (_, height, _) = try await connection.submit { _, _, _ in .setPointRates(SetPointRates(entries: entries, reason: reason)) }
            print("\(entries.count) points rate(s) set in block \(height)")
        }
    }

    /// `sgpos till member-multiplier`: a member's personal points multiplier.
    struct MemberMultiplier: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "member-multiplier",
            abstract: "Set a member's personal points multiplier (signed by an operator key; read by the rules as customer.multiplier).")
        @OptionGroup var connection: Connection
        @Option(help: "Member id.") var member: String
        @Option(help: "Multiplier as a percentage: 150% is 1.5×, 100% the default.") var multiplier: String
        @Option(help: "Why (recorded on chain).") var reason: String

        func run() async throws {
            guard let basisPoints = parsePercent(multiplier) else {
                throw CLIError("--multiplier \(multiplier): expected a percentage such as 150% (up to two decimals)")
            }
            let (_, height, _) = try await connection.submit { _, _, _ in
                .setMemberMultiplier(SetMemberMultiplier(memberID: member, basisPoints: basisPoints, reason: reason))
            }
            print("member \(member) multiplier \(multiplier) set in block \(height)")
        }
    }
}

/// "150%", "12.5%" or "0.01%" → basis points; nil for anything else (no floating point).
func parsePercent(_ text: String) -> Int64? {
    guard text.hasSuffix("%") else { return nil }
    let number = text.dropLast()
    let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    guard let whole = Int64(parts[0]), whole >= 0, whole <= 100_000, parts[0].allSatisfy(\.isNumber) else { return nil }
    var fraction: Int64 = 0
    if parts.count == 2 {
        guard (1...2).contains(parts[1].count), parts[1].allSatisfy(\.isNumber), let digits = Int64(parts[1]) else { return nil }
        fraction = parts[1].count == 1 ? digits * 10 : digits
    }
    return whole * 100 + fraction
}
