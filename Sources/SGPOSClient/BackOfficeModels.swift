extension API {
    /// `GET /v1/outlets/{outlet}/items`: the till's item search.
    public struct ItemsResponse: Codable, Sendable {
        public struct Item: Codable, Sendable {
            public var sku: String
            public var category: String
            /// Singapore dollars, two decimals.
            public var unitPrice: String
            public var taxCategory: String
            public var onHand: Int64
            public init(sku: String, category: String, unitPrice: String, taxCategory: String, onHand: Int64) {
                self.sku = sku
                self.category = category
                self.unitPrice = unitPrice
                self.taxCategory = taxCategory
                self.onHand = onHand
            }
        }
        public var outlet: UInt32
        public var items: [Item]
        public init(outlet: UInt32, items: [Item]) {
            self.outlet = outlet
            self.items = items
        }
    }

    /// `GET /v1/rules`: the deployed promotion and loyalty rules.
    public struct RulesResponse: Codable, Sendable {
        public struct Rule: Codable, Sendable {
            public var id: String
            public var version: Int64
            public var priority: Int64
            /// RFC 3339, Singapore time.
            public var activeFrom: String
            public var sourceHash: String
            public var staticCost: UInt64
            public var source: String
            public init(id: String, version: Int64, priority: Int64, activeFrom: String, sourceHash: String, staticCost: UInt64,
                        source: String) {
                self.id = id
                self.version = version
                self.priority = priority
                self.activeFrom = activeFrom
                self.sourceHash = sourceHash
                self.staticCost = staticCost
                self.source = source
            }
        }
        public var rules: [Rule]
        public init(rules: [Rule]) { self.rules = rules }
    }

    /// `POST /v1/rules/check`: a rule's source.
    public struct RuleCheckRequest: Codable, Sendable {
        public var source: String
        public init(source: String) { self.source = source }
    }

    /// The checker's verdict: `ok` with the rule's figures, or the error with its position.
    public struct RuleCheckResponse: Codable, Sendable {
        public struct Deployed: Codable, Sendable {
            public var version: Int64
            public init(version: Int64) { self.version = version }
        }
        public struct Failure: Codable, Sendable {
            public var code: UInt16
            public var line: Int
            public var column: Int
            public var message: String
            public init(code: UInt16, line: Int, column: Int, message: String) {
                self.code = code
                self.line = line
                self.column = column
                self.message = message
            }
        }
        public var ok: Bool
        public var id: String?
        public var version: Int64?
        public var priority: Int64?
        public var staticCost: UInt64?
        public var sourceHash: String?
        public var deployed: Deployed?
        public var deployable: Bool?
        public var reason: String?
        public var error: Failure?
        public init(ok: Bool, id: String? = nil, version: Int64? = nil, priority: Int64? = nil, staticCost: UInt64? = nil,
                    sourceHash: String? = nil, deployed: Deployed? = nil, deployable: Bool? = nil, reason: String? = nil,
                    error: Failure? = nil) {
            self.ok = ok
            self.id = id
            self.version = version
            self.priority = priority
            self.staticCost = staticCost
            self.sourceHash = sourceHash
            self.deployed = deployed
            self.deployable = deployable
            self.reason = reason
            self.error = error
        }
    }

    /// `POST /v1/transactions/{id}/print`: an empty object.
    public struct PrintRequest: Codable, Sendable {
        public init() {}
    }

    /// The receipt is queued on the node's printer.
    public struct PrintResponse: Codable, Sendable {
        public var queued: Bool
        /// The printer profile's name.
        public var printer: String
        /// Receipts waiting, this one included.
        public var pending: Int
        /// Why the last attempt to print failed, while receipts wait (paper, cover, unplugged).
        public var problem: String?
        public init(queued: Bool, printer: String, pending: Int, problem: String?) {
            self.queued = queued
            self.printer = printer
            self.pending = pending
            self.problem = problem
        }
    }
}
