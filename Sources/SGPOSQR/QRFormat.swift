/// Format and version information with their BCH codes (ISO/IEC 18004 7.9, 7.10).
enum QRFormat {
    /// The 15 format bits for a level and mask: 2 level bits and 3 mask bits, the
    /// BCH(15,5) remainder of generator 0x537, XORed with 0x5412.
    static func formatBits(correction: QRCode.Correction, mask: Int) -> Int {
        let data = correction.formatIndicator << 3 | mask
        var remainder = data
        for _ in 0..<10 {
            remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
        }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// The 18 version bits: 6 version bits and the BCH(18,6) remainder of generator 0x1F25.
    static func versionBits(_ version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 {
            remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
        }
        return version << 12 | remainder
    }
}
