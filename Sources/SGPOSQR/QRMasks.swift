/// The eight data masks and the penalty rules that pick one (ISO/IEC 18004 7.8).
enum QRMasks {
    /// Whether mask `mask` inverts the module at column `x`, row `y`.
    static func inverts(mask: Int, x: Int, y: Int) -> Bool {
        switch mask {
        case 0: (x + y) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (x + y) % 3 == 0
        case 4: (x / 3 + y / 2) % 2 == 0
        case 5: x * y % 2 + x * y % 3 == 0
        case 6: (x * y % 2 + x * y % 3) % 2 == 0
        case 7: ((x + y) % 2 + x * y % 3) % 2 == 0
        default: preconditionFailure("mask \(mask) outside 0...7")
        }
    }

    /// XORs the mask into every non-function module (applying it twice undoes it).
    static func apply(mask: Int, to matrix: inout QRMatrix) {
        let size = matrix.size
        for y in 0..<size {
            for x in 0..<size where !matrix.isFunction[y * size + x] && inverts(mask: mask, x: x, y: y) {
                matrix.modules[y * size + x].toggle()
            }
        }
    }

    /// The penalty of a finished symbol (format information drawn):
    /// N1 = 3 (+1 per module beyond 5) for each run of ≥ 5 same-colour modules in a row or column,
    /// N2 = 3 for each 2×2 block of one colour,
    /// N3 = 40 for each dark-light-dark-light-dark pattern of runs n:n:3n:n:n with a light
    /// run of at least 4n before it, and 40 more with one after it (outside the symbol is light),
    /// N4 = 10 for each full 5 % the dark proportion deviates from 50 %.
    static func penalty(_ matrix: QRMatrix) -> Int {
        let size = matrix.size
        return matrix.modules.withUnsafeBufferPointer { modules in
            var score = 0
            var runs = [Int]()
            runs.reserveCapacity(size + 2)
            for horizontal in [true, false] {
                for a in 0..<size {
                    // Run lengths, alternately light and dark, starting and ending light (maybe empty).
                    runs.removeAll(keepingCapacity: true)
                    var colour = false
                    var length = 0
                    for b in 0..<size {
                        let module = horizontal ? modules[a * size + b] : modules[b * size + a]
                        if module == colour {
                            length += 1
                        } else {
                            runs.append(length)
                            colour = module
                            length = 1
                        }
                    }
                    runs.append(length)
                    if colour { runs.append(0) }
                    score += linePenalty(runs, border: size)
                }
            }
            for y in 0..<(size - 1) {
                for x in 0..<(size - 1) {
                    let colour = modules[y * size + x]
                    if colour == modules[y * size + x + 1], colour == modules[(y + 1) * size + x],
                       colour == modules[(y + 1) * size + x + 1] {
                        score += 3
                    }
                }
            }
            var dark = 0
            for module in modules where module { dark += 1 }
            let total = size * size
            // Smallest k with (45 − 5k) % ≤ dark ≤ (55 + 5k) %.
            let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
            return score + k * 10
        }
    }

    /// N1 and N3 of one row or column given as alternating light/dark run lengths that
    /// start and end with a light run; `border` stands for the light area outside.
    private static func linePenalty(_ runs: [Int], border: Int) -> Int {
        var score = 0
        for length in runs where length >= 5 {
            score += 3 + length - 5
        }
        let last = runs.count - 1
        var i = 1
        while i + 4 < last {
            let n = runs[i]
            if runs[i + 1] == n, runs[i + 2] == 3 * n, runs[i + 3] == n, runs[i + 4] == n {
                let before = runs[i - 1] + (i - 1 == 0 ? border : 0)
                let after = runs[i + 5] + (i + 5 == last ? border : 0)
                if before >= 4 * n { score += 40 }
                if after >= 4 * n { score += 40 }
            }
            i += 2
        }
        return score
    }
}
