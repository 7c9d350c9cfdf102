import Foundation
import SGPOSTestSupport
import Testing

/// `sgpos bench --only http` end to end on a small load: a real node process, tills with
/// open shifts submitting 5-line sales one per request (every answer must be 200, else the
/// bench fails), batches, a paced run and the floor (as many `GET /v1/health`, each of
/// which must be 200); and the earlier body, enrolments. Figures are
/// printed, never asserted (benchmarks are not timed tests).
@Suite struct BenchHTTPTests {
    @Test(arguments: ["sale", "enrolment"]) func theHTTPRunCompletesWithEveryAnswerAccepted(body: String) throws {
        let scratch = Scratch()
        let run = try CLI.run(["bench", "--only", "http", "--http-body", body, "--rounds", "1", "--tills", "4", "--per-till", "25",
                               "--batch-tills", "2", "--batch-per-till", "60", "--batch-size", "25", "--paced-runs", "1",
                               "--dir", scratch.path], timeoutSeconds: 300)
        #expect(run.status == 0, "\(run.output)\(run.error)")
        let described = body == "sale" ? "each transaction a 5-line card sale" : "each transaction a loyalty enrolment"
        for figure in ["round 1: HTTP one request per transaction", "of 1-core Ed25519 verify/s over 1 rounds (target >= 0.50)", described,
                       "in batches of 25", "submit -> durable p99 <= 5 ms in", "GET /v1/health",
                       "the floor (the same tills each sending GET /v1/health as often", "(one sale per request cannot pass it)"] {
            #expect(run.output.contains(figure), "\(figure): \(run.output)")
        }
    }
}
