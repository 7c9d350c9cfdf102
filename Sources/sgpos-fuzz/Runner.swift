#if !FUZZING
import Foundation

/// `sgpos-fuzz` in a normal build: replays committed corpora and mutates them with a
/// seeded generator (`make test`); built with `-D FUZZING -sanitize=fuzzer` the same
/// targets run under libFuzzer instead (`make fuzz`, scripts/fuzz).
///
///     sgpos-fuzz replay DIR                  every file of DIR/<target>/ through its target
///     sgpos-fuzz mutate DIR N SEED           N seeded mutations of each target's corpus
@main
struct FuzzRunner {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard let command = arguments.first, let directory = arguments.dropFirst().first else {
            FileHandle.standardError.write(Data("usage: sgpos-fuzz replay DIR | mutate DIR N SEED\n".utf8))
            exit(2)
        }
        switch command {
        case "replay":
            for target in FuzzTarget.allCases {
                let inputs = try corpus(directory, target)
                var decoded = 0
                for (name, bytes) in inputs {
                    currentInput = "\(target.rawValue)/\(name)"
                    if target.run(bytes) { decoded += 1 }
                }
                print("\(target.rawValue): \(inputs.count) inputs replayed, \(decoded) decoded")
            }
        case "mutate":
            let rounds = Int(arguments.dropFirst(2).first ?? "") ?? 10_000
            var random = SplitMix64(seed: UInt64(arguments.dropFirst(3).first ?? "") ?? 1)
            for target in FuzzTarget.allCases {
                let inputs = try corpus(directory, target).map(\.1)
                guard !inputs.isEmpty else { continue }
                var decoded = 0
                for round in 0..<rounds {
                    let input = Mutator.mutate(inputs[Int(random.next() % UInt64(inputs.count))], &random)
                    currentInput = "\(target.rawValue) mutation \(round): \(input.map { String(format: "%02x", $0) }.joined())"
                    if target.run(input) { decoded += 1 }
                }
                print("\(target.rawValue): \(rounds) mutations, \(decoded) decoded")
            }
        default:
            FileHandle.standardError.write(Data("unknown command \(command)\n".utf8))
            exit(2)
        }
    }

    /// The files of DIR/<target>/, sorted by name.
    static func corpus(_ directory: String, _ target: FuzzTarget) throws -> [(String, [UInt8])] {
        let path = "\(directory)/\(target.rawValue)"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return try names.sorted().map { ($0, Array(try Data(contentsOf: URL(fileURLWithPath: "\(path)/\($0)")))) }
    }
}
#endif
