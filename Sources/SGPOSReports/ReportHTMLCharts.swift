import SGPOSRetail

/// The report pages' inline SVG charts and the calendar months the GST pages split by.
extension ReportHTML {
    // MARK: - Charts

    /// A column chart: one group of columns per label, one column per series; a value below
    /// zero goes down from the zero line. Integer geometry throughout.
    static func columnChart(_ caption: String, labels: [String], series: [(name: String, color: String)], values: [[Int64]],
                            empty: String = "Nothing to draw.") -> String {
        guard !labels.isEmpty else { return figure(caption, note(empty)) }
        let width: Int64 = 720, height: Int64 = 250
        let rotate = labels.contains { $0.count > 3 } && labels.count > 8
        let all = values.flatMap { $0 }
        let left: Int64 = 80, right: Int64 = 8, top: Int64 = series.count > 1 || all.contains { $0 < 0 } ? 36 : 20, bottom: Int64 = rotate ? 52 : 24
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let slot = plotWidth / Int64(labels.count)
        let (up, down, span) = extent(all)
        let zeroY = top + scaled(up, of: span, plotHeight)
        var svg = "<svg viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(caption))\">\n"
        let legend = series.count > 1 || down > 0 ? series + (down > 0 ? [("below zero", "#c53030")] : []) : []
        if !legend.isEmpty {
            for (index, item) in legend.enumerated() {
                let x = left + Int64(index) * 140
                svg += "<rect x=\"\(x)\" y=\"6\" width=\"10\" height=\"10\" fill=\"\(item.color)\"></rect>"
                    + "<text x=\"\(x + 14)\" y=\"15\">\(escape(item.name))</text>\n"
            }
        }
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(width - right)\" y2=\"\(top)\" stroke=\"#ccc\"></line>\n"
        svg += "<text x=\"\(left - 4)\" y=\"\(top + 4)\" text-anchor=\"end\">\(escape(ReportMoney.text(all.max().map { max($0, 0) } ?? 0)))</text>\n"
        if down > 0 {
            svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - right)\" y2=\"\(top + plotHeight)\" stroke=\"#ccc\"></line>\n"
            svg += "<text x=\"\(left - 4)\" y=\"\(top + plotHeight + 4)\" text-anchor=\"end\">\(escape(ReportMoney.text(all.min() ?? 0)))</text>\n"
        }
        // The zero line's label, unless the top or bottom label is too near to read it.
        if zeroY - top >= 12 && (down == 0 || top + plotHeight - zeroY >= 12) {
            svg += "<text x=\"\(left - 4)\" y=\"\(zeroY + 4)\" text-anchor=\"end\">0.00</text>\n"
        }
        // Columns at most 64 wide, each group centred in its slot; a column wide enough is labelled with its value.
        let barWidth = min(max(slot * 4 / 5 / Int64(max(series.count, 1)), 1), 64)
        let groupWidth = barWidth * Int64(max(series.count, 1))
        for (index, label) in labels.enumerated() {
            let slotX = left + Int64(index) * slot
            for (position, value) in (index < values.count ? values[index] : []).enumerated() where position < series.count {
                let length = scaled(value.magnitude, of: span, plotHeight)
                guard length > 0 else { continue }
                let x = slotX + (slot - groupWidth) / 2 + Int64(position) * barWidth
                let color = value < 0 ? "#c53030" : series[position].color
                svg += "<rect x=\"\(x)\" y=\"\(value < 0 ? zeroY : zeroY - length)\" width=\"\(barWidth)\" height=\"\(length)\" fill=\"\(color)\">"
                    + "<title>\(escape("\(label) \(series[position].name): \(ReportMoney.text(value))"))</title></rect>\n"
                if barWidth >= 48 {
                    svg += "<text x=\"\(x + barWidth / 2)\" y=\"\(value < 0 ? zeroY - 3 : zeroY - length - 3)\" text-anchor=\"middle\">\(ReportMoney.text(value))</text>\n"
                }
            }
            let centre = slotX + slot / 2, y = top + plotHeight + 14
            svg += rotate
                ? "<text x=\"\(centre)\" y=\"\(y)\" text-anchor=\"end\" transform=\"rotate(-45 \(centre) \(y))\">\(escape(short(label, 12)))</text>\n"
                : "<text x=\"\(centre)\" y=\"\(y)\" text-anchor=\"middle\">\(escape(short(label, 12)))</text>\n"
        }
        svg += "<line x1=\"\(left)\" y1=\"\(zeroY)\" x2=\"\(width - right)\" y2=\"\(zeroY)\" stroke=\"#333\"></line>\n</svg>\n"
        return figure(caption, svg)
    }

    /// A bar chart: one horizontal bar per row, its label on the left and `text` on the
    /// right; a value below zero goes left from the zero line.
    static func barChart(_ caption: String, rows: [(label: String, value: Int64, text: String)], empty: String) -> String {
        guard !rows.isEmpty else { return figure(caption, note(empty)) }
        let width: Int64 = 720, labelWidth: Int64 = 200, textWidth: Int64 = 180, row: Int64 = 20
        let area = width - labelWidth - textWidth - 16
        let height = Int64(rows.count) * row + 8
        let (_, down, span) = extent(rows.map { $0.value })
        let zeroX = labelWidth + 8 + scaled(down, of: span, area)
        var svg = "<svg viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(caption))\">\n"
        for (index, item) in rows.enumerated() {
            let y = 4 + Int64(index) * row
            svg += "<text x=\"\(labelWidth)\" y=\"\(y + 14)\" text-anchor=\"end\">\(escape(short(item.label)))</text>\n"
            let length = scaled(item.value.magnitude, of: span, area)
            if length > 0 {
                svg += "<rect x=\"\(item.value < 0 ? zeroX - length : zeroX)\" y=\"\(y + 3)\" width=\"\(length)\" height=\"\(row - 6)\" "
                    + "fill=\"\(item.value < 0 ? "#c53030" : "#2b6cb0")\"><title>\(escape("\(item.label): \(item.text)"))</title></rect>\n"
            }
            svg += "<text x=\"\(width - textWidth)\" y=\"\(y + 14)\">\(escape(item.text))</text>\n"
        }
        svg += "<line x1=\"\(zeroX)\" y1=\"0\" x2=\"\(zeroX)\" y2=\"\(height)\" stroke=\"#333\"></line>\n</svg>\n"
        return figure(caption, svg)
    }

    static func figure(_ caption: String, _ content: String) -> String {
        "<figure>\n<figcaption>\(escape(caption))</figcaption>\n" + content + "</figure>\n"
    }

    // MARK: - Months

    /// How many calendar months `range` touches.
    static func monthCount(_ range: ReportRange) -> Int {
        let months = (range.to.year - range.from.year) * 12 + (range.to.month - range.from.month) + 1
        return months > Int64(Int.max) ? Int.max : Int(max(months, 1))
    }

    /// The calendar months of `range`, the first and last cut to it, each for the range's outlets.
    static func monthRanges(_ range: ReportRange) -> [ReportRange] {
        var ranges: [ReportRange] = []
        var year = range.from.year, month = range.from.month
        while (year, month) <= (range.to.year, range.to.month) {
            let (nextYear, nextMonth) = month == 12 ? (year + 1, Int64(1)) : (year, month + 1)
            let last = CivilTime.date(fromDays: CivilTime.days(from: CivilTime.Date(year: nextYear, month: nextMonth, day: 1)) - 1)
            let first = CivilTime.Date(year: year, month: month, day: 1)
            ranges.append(ReportRange(from: max(first, range.from), to: min(last, range.to), outlets: range.outlets))
            (year, month) = (nextYear, nextMonth)
        }
        return ranges
    }
}
