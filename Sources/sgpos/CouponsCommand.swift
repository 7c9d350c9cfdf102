import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSRetail
import SGPOSState

extension TillCommand {
    /// `sgpos till coupons`: a batch of single-use coupon codes. The codes are made here at
    /// random and printed (or written to a file) for the marketing team; only their SHA-256
    /// goes on chain (issue-coupons, FORMAT.md §13.2), so a code is secret until used.
    struct Coupons: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue single-use coupon codes of a campaign (signed by an operator or admin key); prints the codes.")
        @OptionGroup var connection: Connection
        @Option(help: "The campaign a `coupon \"CAMPAIGN\"` rule names (1-32 printable ASCII characters without spaces).") var campaign: String
        @Option(help: "How many codes (1-1000).") var count: Int
        @Option(help: "First day the codes are valid (YYYY-MM-DD, Singapore).") var validFrom: String
        @Option(help: "Last day the codes are valid (YYYY-MM-DD, Singapore).") var validUntil: String
        @Option(help: "Only this member may use them (default: anyone).") var member: String = ""
        @Option(help: "Write the codes to this file (one per line) instead of printing them.") var out: String?

        /// Unambiguous characters (no 0/O, 1/I): 12 of them carry 60 random bits.
        static let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")

        static func randomCode() -> String {
            var generator = SystemRandomNumberGenerator()
            let characters = (0..<12).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
            return String(characters[0..<4]) + "-" + String(characters[4..<8]) + "-" + String(characters[8..<12])
        }

        func run() async throws {
            guard (1...IssueCoupons.hashesMax).contains(count) else { throw CLIError("--count must be 1...\(IssueCoupons.hashesMax)") }
            guard let from = CivilTime.Date(iso: validFrom), let until = CivilTime.Date(iso: validUntil) else {
                throw CLIError("--valid-from and --valid-until are dates: YYYY-MM-DD")
            }
            var codes: [String] = []
            while codes.count < count {
                let code = Self.randomCode()
                if !codes.contains(code) { codes.append(code) }
            }
            let body = IssueCoupons(campaign: campaign, memberID: member, validFrom: CivilTime.days(from: from),
                                    validUntil: CivilTime.days(from: until), codeHashes: codes.map(CouponCode.hash))
            let (_, height, _) = try await connection.submit { _, _, _ in .issueCoupons(body) }
            let text = codes.joined(separator: "\n") + "\n"
            if let out {
                try text.write(toFile: out, atomically: true, encoding: .utf8)
                print("\(count) coupon(s) of \(campaign) issued in block \(height); codes written to \(out)")
            } else {
                print("\(count) coupon(s) of \(campaign) issued in block \(height), valid \(validFrom) to \(validUntil):")
                print(text, terminator: "")
            }
        }
    }
}
