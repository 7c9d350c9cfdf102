/// A QR Code Model 2 symbol (ISO/IEC 18004): the module grid of a payload at an error
/// correction level, in the smallest version 1–40 that holds it.
///
/// The payload is one segment: alphanumeric mode when every byte is one of
/// `0–9 A–Z space $ % * + - . / :` (uppercase payloads make smaller symbols), byte mode
/// otherwise (strings as their UTF-8 bytes, no ECI). The mask is the one of the eight
/// with the lowest penalty score unless one is forced.
///
/// ```swift
/// let code = try QRCode(encoding: "sgpos-pair:1/…", correction: .medium)
/// let svg = code.svg()
/// ```
public struct QRCode: Hashable, Sendable {
    /// Error correction level: the share of codewords that may be damaged.
    public enum Correction: Hashable, Sendable, CaseIterable {
        /// L, about 7 %.
        case low
        /// M, about 15 %.
        case medium
        /// Q, about 25 %.
        case quartile
        /// H, about 30 %.
        case high

        /// Row of the block tables.
        var tableIndex: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .quartile: 2
            case .high: 3
            }
        }

        /// The two level bits of the format information (L 01, M 00, Q 11, H 10).
        var formatIndicator: Int {
            switch self {
            case .low: 1
            case .medium: 0
            case .quartile: 3
            case .high: 2
            }
        }
    }

    /// How the payload's bytes are encoded.
    public enum Mode: Hashable, Sendable {
        /// 45 characters, two in 11 bits.
        case alphanumeric
        /// Any byte, 8 bits each.
        case byte
    }

    /// 1–40.
    public let version: Int
    /// The level the symbol was made at.
    public let correction: Correction
    /// The data mask, 0–7.
    public let mask: Int
    /// The segment's mode.
    public let mode: Mode
    /// Modules per side: 17 + 4 × version (no quiet zone).
    public let size: Int
    private let modules: [Bool]

    /// Encodes `payload`. `mask` forces a data mask (for known-answer tests); nil picks
    /// the one with the lowest penalty.
    /// - Throws: ``QRError`` 1100 when version 40 cannot hold the payload at `correction`,
    ///   1101 when `mask` is outside 0–7.
    public init(encoding payload: [UInt8], correction: Correction = .medium, mask: Int? = nil) throws(QRError) {
        if let mask, !(0...7).contains(mask) {
            throw .invalidMask("mask \(mask) is not one of 0–7")
        }
        let mode = QRDataEncoding.mode(for: payload)
        guard let version = QRDataEncoding.smallestVersion(count: payload.count, mode: mode, correction: correction) else {
            let capacity = QRTables.dataCodewords(version: 40, correction: correction)
            throw .payloadTooLong("\(payload.count) bytes do not fit a QR code at level \(correction) "
                + "(version 40 holds \(capacity) data codewords, mode and length included)")
        }
        let data = QRDataEncoding.codewords(payload, mode: mode, version: version, correction: correction)
        var matrix = QRMatrix(version: version)
        matrix.place(codewords: QRBlocks.interleave(data: data, version: version, correction: correction))

        var chosen = mask ?? 0
        if mask == nil {
            var lowest = Int.max
            for candidate in 0..<8 {
                QRMasks.apply(mask: candidate, to: &matrix)
                matrix.drawFormat(formatBits: QRFormat.formatBits(correction: correction, mask: candidate))
                let penalty = QRMasks.penalty(matrix)
                if penalty < lowest {
                    lowest = penalty
                    chosen = candidate
                }
                QRMasks.apply(mask: candidate, to: &matrix)  // undo
            }
        }
        QRMasks.apply(mask: chosen, to: &matrix)
        matrix.drawFormat(formatBits: QRFormat.formatBits(correction: correction, mask: chosen))

        self.version = version
        self.correction = correction
        self.mask = chosen
        self.mode = mode
        self.size = matrix.size
        self.modules = matrix.modules
    }

    /// Encodes the UTF-8 bytes of `text`.
    /// - Throws: ``QRError``, as the initializer of bytes.
    public init(encoding text: String, correction: Correction = .medium, mask: Int? = nil) throws(QRError) {
        try self.init(encoding: Array(text.utf8), correction: correction, mask: mask)
    }

    /// Whether the module at column `x`, row `y` (0-based from the top left) is dark;
    /// false outside the symbol (the quiet zone).
    public func module(_ x: Int, _ y: Int) -> Bool {
        guard x >= 0, x < size, y >= 0, y < size else { return false }
        return modules[y * size + x]
    }
}
