// The one log group the simulated service holds: how requests name it (StartQuery) and
// what DescribeLogGroups says about it.

extension SimulatorService {
    /// Resolves logGroupName / logGroupNames / logGroupIdentifiers (names or ARNs).
    func requestedLogGroups(_ request: JSONValue) -> Result<[String], SimulatedServiceError> {
        var names: [String] = []
        var given = 0
        if let name = request["logGroupName"]?.stringValue { names.append(name); given += 1 }
        for key in ["logGroupNames", "logGroupIdentifiers"] {
            if let list = request[key]?.arrayValue {
                given += 1
                for item in list {
                    guard var s = item.stringValue else { return .failure(.invalidParameter("\(key) must hold strings")) }
                    if s.hasPrefix("arn:"), let range = s.range(of: ":log-group:") {
                        s = String(s[range.upperBound...])
                        if s.hasSuffix(":*") { s = String(s.dropLast(2)) }
                    }
                    names.append(s)
                }
            }
        }
        if given == 0 || names.isEmpty {
            return .failure(.invalidParameter("One of logGroupName, logGroupNames or logGroupIdentifiers must be specified"))
        }
        if given > 1 {
            return .failure(.invalidParameter("Only one of logGroupName, logGroupNames or logGroupIdentifiers may be specified"))
        }
        for name in names where name != configuration.logGroupName {
            return .failure(.resourceNotFound("Log group '\(name)' does not exist for account ID '\(configuration.accountId)'"))
        }
        return .success(names)
    }

    func describeLogGroups(_ request: JSONValue, authorization: String?) -> Result<JSONValue, SimulatedServiceError> {
        if let raw = request["limit"] {
            guard let n = raw.integerValue, (1...50).contains(n) else { return .failure(.invalidParameter("limit must be between 1 and 50")) }
        }
        let prefix = request["logGroupNamePrefix"]?.stringValue ?? ""
        let pattern = request["logGroupNamePattern"]?.stringValue
        if !prefix.isEmpty && pattern != nil {
            return .failure(.invalidParameter("logGroupNamePrefix and logGroupNamePattern are mutually exclusive"))
        }
        let name = configuration.logGroupName
        let matches = name.hasPrefix(prefix) && (pattern.map { name.contains($0) } ?? true)
        // The region comes from the SigV4 credential scope when there is one.
        var region = "us-east-1"
        if let authorization, let range = authorization.range(of: "Credential=") {
            let parts = authorization[range.upperBound...].split(separator: "/")
            if parts.count >= 3 { region = String(parts[2]) }
        }
        let arn = "arn:aws:logs:\(region):\(configuration.accountId):log-group:\(name)"
        let group: JSONValue = .object([
            ("logGroupName", .string(name)),
            ("creationTime", .number(1_704_067_200_000)),
            ("retentionInDays", .number(365)),
            ("metricFilterCount", .number(0)),
            ("arn", .string(arn + ":*")),
            ("storedBytes", .number(0)),
            ("logGroupClass", .string("STANDARD")),
            ("logGroupArn", .string(arn)),
        ])
        return .success(.object([("logGroups", .array(matches ? [group] : []))]))
    }
}
