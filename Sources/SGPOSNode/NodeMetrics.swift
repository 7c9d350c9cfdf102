import Metrics
import Prometheus

/// Metrics in Prometheus text format on `/metrics` (swift-metrics with the Prometheus
/// backend). Bootstrapped once per process.
public final class NodeMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// Metrics kept in a registry of their own, not the process's (in-process tests).
    convenience init() { self.init(registry: PrometheusCollectorRegistry()) }

    /// Bootstraps swift-metrics with a Prometheus registry (call once, at start-up).
    public static func bootstrap() -> NodeMetrics {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return NodeMetrics(registry: registry)
    }

    public func prometheusText() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
