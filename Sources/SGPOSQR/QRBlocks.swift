/// Splits data codewords into the error correction blocks of a version and level,
/// appends each block's Reed–Solomon codewords and interleaves them (ISO/IEC 18004 7.6).
enum QRBlocks {
    static func interleave(data: [UInt8], version: Int, correction: QRCode.Correction) -> [UInt8] {
        let level = correction.tableIndex
        let blocks = QRTables.blockCount[level][version]
        let eccLength = QRTables.eccCodewordsPerBlock[level][version]
        let rawCodewords = QRTables.rawDataModules(version: version) / 8
        precondition(data.count == rawCodewords - eccLength * blocks, "wrong number of data codewords")
        let shortBlocks = blocks - rawCodewords % blocks  // the rest are one data codeword longer
        let shortBlockLength = rawCodewords / blocks      // data + ecc of a short block
        let generator = ReedSolomon.generator(degree: eccLength)

        var dataBlocks = [[UInt8]]()
        var eccBlocks = [[UInt8]]()
        var offset = 0
        for index in 0..<blocks {
            let length = shortBlockLength - eccLength + (index < shortBlocks ? 0 : 1)
            let block = Array(data[offset..<(offset + length)])
            offset += length
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(of: block, generator: generator))
        }

        var result = [UInt8]()
        result.reserveCapacity(rawCodewords)
        let longest = shortBlockLength - eccLength + (shortBlocks < blocks ? 1 : 0)
        for i in 0..<longest {
            for block in dataBlocks where i < block.count { result.append(block[i]) }
        }
        for i in 0..<eccLength {
            for block in eccBlocks { result.append(block[i]) }
        }
        return result
    }
}
