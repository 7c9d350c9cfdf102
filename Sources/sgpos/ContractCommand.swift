import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSCodec
import SGPOSContracts
import SGPOSOperations

/// `sgpos contract`: check and run loyalty and promotion rules (docs/CONTRACTS.md).
struct ContractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contract", abstract: "Check and run loyalty and promotion rules.", subcommands: [Check.self, Run.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Parse and type-check rules; print each static cost bound.")
        @Argument(help: "Rule files (.rules).") var files: [String]

        func run() throws {
            var failed = false
            for file in files {
                do {
                    let compiled = try RuleBuilder.compile(String(decoding: try readFile(file, what: "rule"), as: UTF8.self))
                    print("\(file): rule \"\(compiled.id)\" version \(compiled.rule.version), priority \(compiled.rule.priority): OK, static cost ≤ \(compiled.staticCost) ticks, source \(compiled.sourceHash.hex.prefix(16))…")
                } catch let error as ContractError {
                    print("\(file): \(error)")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run rules on a basket (JSON) in priority order; print the effects and costs as JSON.",
            discussion: """
                Basket: {"at": "2026-03-01T10:00:00+08:00", "lines": [{"sku": "A1", "category": "snacks", "qty": 3, "unitPrice": "1.05",
                "tax": "SR", "includesGst": true}],
                "member": {"id": "M1", "tier": "gold", "lifetimeSpend": "1200.00", "points": 500, "multiplier": 12500},
                "pointRates": {"snacks": 20000}, "outlet": 1, "gstRate": 900, "counters": {"rule-id": {"uses": 1}},
                "codes": ["WELCOME2"], "coupons": ["NEXT3"]}
                (multiplier, points and GST rates in basis points, 10000 / 10000 / 900 when absent; a line's tax SR and
                includesGst true when absent; outlet 1 when absent; codes: promotion codes keyed in; coupons: the
                campaigns of the coupons keyed in, one per coupon)
                """)
        @Argument(help: "Rule files (.rules) or directories of them.") var files: [String]
        @Option(help: "Basket JSON file (- for standard input).") var basket: String = "-"

        func run() throws {
            var rules: [CompiledRule] = []
            for path in files {
                var isDirectory: ObjCBool = false
                let paths = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
                    ? try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".rules") }.sorted().map { path + "/" + $0 }
                    : [path]
                for file in paths {
                    do {
                        rules.append(try RuleBuilder.compile(String(decoding: try readFile(file, what: "rule"), as: UTF8.self)))
                    } catch let error as ContractError {
                        throw CLIError("\(file): \(error)")
                    }
                }
            }
            let data = basket == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try readFile(basket, what: "basket")
            let trial = try JSON.decode(RuleTrial.self, from: data, what: "basket")
            do {
                print(try JSON.string(try trial.run(rules)))
            } catch let error as RequestError {
                throw CLIError(error.message)
            }
        }
    }
}
