extension QRCode {
    /// The symbol as a standalone SVG document: black modules on a white background, one
    /// `<path>` whose `d` draws each horizontal run of dark modules as one rectangle,
    /// in user units of one module, `shape-rendering="crispEdges"`.
    /// - Parameters:
    ///   - moduleSize: pixels per module for `width` and `height` (at least 1).
    ///   - quietZone: light modules around the symbol (the standard asks for 4).
    public func svg(moduleSize: Int = 4, quietZone: Int = 4) -> String {
        let moduleSize = max(1, moduleSize)
        let quietZone = max(0, quietZone)
        let side = size + 2 * quietZone
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard module(x, y) else {
                    x += 1
                    continue
                }
                var run = 1
                while x + run < size && module(x + run, y) { run += 1 }
                path += "M\(x + quietZone) \(y + quietZone)h\(run)v1h-\(run)z"
                x += run
            }
        }
        let pixels = side * moduleSize
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 \(side) \(side)\" "
            + "width=\"\(pixels)\" height=\"\(pixels)\" shape-rendering=\"crispEdges\">"
            + "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/>"
            + "<path fill=\"#000\" d=\"\(path)\"/></svg>"
    }
}
