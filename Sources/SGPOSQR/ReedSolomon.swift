/// Reed–Solomon error correction over GF(2⁸) with the QR field polynomial
/// x⁸ + x⁴ + x³ + x² + 1 (0x11D) and generator roots α⁰ … αⁿ⁻¹, α = 2.
enum ReedSolomon {
    /// Exponents of α: `exp[i]` = αⁱ, doubled so products of logarithms need no modulo.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 512)
        var value = 1
        for i in 0..<255 {
            table[i] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        for i in 255..<512 { table[i] = table[i - 255] }
        return table
    }()

    /// Logarithms base α (`log[0]` unused).
    static let log: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for i in 0..<255 { table[Int(exp[i])] = i }
        return table
    }()

    /// The product of `a` and `b` in GF(2⁸).
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return exp[log[Int(a)] + log[Int(b)]]
    }

    /// The coefficients of the generator polynomial of `degree`, highest power first,
    /// the leading 1 left out (so `degree` values).
    static func generator(degree: Int) -> [UInt8] {
        precondition(degree >= 1 && degree <= 255)
        var coefficients = [UInt8](repeating: 0, count: degree)
        coefficients[degree - 1] = 1  // the polynomial 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            // Multiply by (x − root): shift up and add root × the current coefficients.
            for j in 0..<degree {
                coefficients[j] = multiply(coefficients[j], root)
                if j + 1 < degree { coefficients[j] ^= coefficients[j + 1] }
            }
            root = multiply(root, 2)
        }
        return coefficients
    }

    /// The error correction codewords of `data`: the remainder of data · xⁿ divided by
    /// the generator of degree n.
    static func remainder(of data: [UInt8], generator: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ result[0]
            result.removeFirst()
            result.append(0)
            for i in 0..<result.count {
                result[i] ^= multiply(generator[i], factor)
            }
        }
        return result
    }
}
