import SGPOSCommandSupport
import Testing

/// The progress line's text (rate, ETA, percent) and its silence off a terminal.
@Suite struct ProgressTests {
    @Test func ratesHaveOneDecimalBelowTenAndWholeUnitsAbove() {
        #expect(ProgressText.rate(0) == "0")
        #expect(ProgressText.rate(.nan) == "0")
        #expect(ProgressText.rate(0.04) == "0.0")
        #expect(ProgressText.rate(2.46) == "2.5")
        #expect(ProgressText.rate(9.96) == "10")
        #expect(ProgressText.rate(10.4) == "10")
        #expect(ProgressText.rate(1234.5) == "1235")
    }

    @Test func durationsRoundUpToWholeSeconds() {
        #expect(ProgressText.duration(0) == "0s")
        #expect(ProgressText.duration(0.2) == "1s")
        #expect(ProgressText.duration(45) == "45s")
        #expect(ProgressText.duration(59.5) == "1m00s")
        #expect(ProgressText.duration(185) == "3m05s")
        #expect(ProgressText.duration(2 * 3600 + 7 * 60 + 59) == "2h07m")
        #expect(ProgressText.duration(.infinity) == "?")
        #expect(ProgressText.duration(-1) == "?")
        #expect(ProgressText.duration(1e9) == ">99d")
    }

    @Test func aLineSaysWhatIsDoneTheRateAndTheTimeLeft() {
        #expect(ProgressText.line(label: "audit verify", unit: "blocks", done: 1_200, total: 5_000, elapsedSeconds: 3)
            == "audit verify: 1200/5000 blocks (24%), 400 blocks/s, ETA 10s")
        #expect(ProgressText.line(label: "export postgres", unit: "blocks", done: 0, total: 80, elapsedSeconds: 0.3)
            == "export postgres: 0/80 blocks (0%), 0 blocks/s, ETA ?")
        #expect(ProgressText.line(label: "report rebuild", unit: "blocks", done: 80, total: 80, elapsedSeconds: 125)
            == "report rebuild: 80/80 blocks (100%), 0.6 blocks/s, done in 2m05s")
        // More done than the total counted first (the chains grew meanwhile).
        #expect(ProgressText.line(label: "x", unit: "blocks", done: 90, total: 80, elapsedSeconds: 1)
            == "x: 90/80 blocks (100%), 90 blocks/s, done in 1s")
        // No total: what is done and the rate only.
        #expect(ProgressText.line(label: "x", unit: "blocks", done: 7, total: 0, elapsedSeconds: 2) == "x: 7 blocks, 3.5 blocks/s")
    }

    @Test func aLineOffATerminalIgnoresEveryCall() {
        let progress = ProgressLine(label: "x", unit: "blocks", total: 10, isShown: false)
        #expect(!progress.isShown)
        progress.update(done: 5)
        progress.finish()
        #expect(progress.finishing { 42 } == 42)
    }
}
