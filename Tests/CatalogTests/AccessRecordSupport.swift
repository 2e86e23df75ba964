import Catalog

/// The access dataset's values in a staged record (message, user, org_id, domain,
/// distribution, package, status_code, user_agent, x_forwarded_for), so tests can build and
/// read staged rows by name. The catalog itself never names a column.
extension StagedRow {
    init(timestampNanos: Int64, ptr: String, message: String, user: String? = nil, orgID: String? = nil,
         domain: String, distribution: String, package: String, statusCode: Int16? = nil,
         userAgent: String? = nil, xForwardedFor: String? = nil) {
        self.init(timestampNanos: timestampNanos, ptr: ptr, record: [])
        values = AccessValues(message: message, user: user, orgID: orgID, domain: domain, distribution: distribution,
                              package: package, statusCode: statusCode, userAgent: userAgent, xForwardedFor: xForwardedFor)
    }

    struct AccessValues: Equatable {
        var message: String
        var user, orgID: String?
        var domain, distribution, package: String
        var statusCode: Int16?
        var userAgent, xForwardedFor: String?
    }

    var values: AccessValues {
        get {
            var texts: [String?] = []
            var status: Int16?
            record.withUnsafeBufferPointer { bytes in
                var reader = StagedRecordReader(bytes)
                while let value = reader.next() {
                    switch value {
                    case .text(let text): texts.append(String(decoding: text, as: UTF8.self))
                    case .int(let number): status = Int16(number); texts.append(nil)
                    case .null, .bool: texts.append(nil)
                    }
                }
            }
            precondition(texts.count == 9, "an access record has 9 values, found \(texts.count)")
            return AccessValues(message: texts[0] ?? "", user: texts[1], orgID: texts[2], domain: texts[3] ?? "",
                                distribution: texts[4] ?? "", package: texts[5] ?? "", statusCode: status,
                                userAgent: texts[7], xForwardedFor: texts[8])
        }
        set {
            var writer = StagedRecordWriter()
            for text in [newValue.message, newValue.user, newValue.orgID, newValue.domain, newValue.distribution, newValue.package] {
                writer.appendText(text)
            }
            if let status = newValue.statusCode { writer.appendInt(Int64(status)) } else { writer.appendNull() }
            writer.appendText(newValue.userAgent)
            writer.appendText(newValue.xForwardedFor)
            record = writer.bytes
        }
    }

    var message: String { get { values.message } set { values.message = newValue } }
    var user: String? { get { values.user } set { values.user = newValue } }
    var orgID: String? { get { values.orgID } set { values.orgID = newValue } }
    var package: String { get { values.package } set { values.package = newValue } }
    var domain: String { get { values.domain } set { values.domain = newValue } }
    var distribution: String { get { values.distribution } set { values.distribution = newValue } }
    var statusCode: Int16? { get { values.statusCode } set { values.statusCode = newValue } }
    var userAgent: String? { get { values.userAgent } set { values.userAgent = newValue } }
    var xForwardedFor: String? { get { values.xForwardedFor } set { values.xForwardedFor = newValue } }
}
