import AccessLog
import AWS
import Foundation

// aws-probe: a test-only driver for the AWS layer, used by Tests/interop/test_aws_*.py against
// moto. Settings come from the environment exactly as for pulp-backfill (AWS_ENDPOINT_URL,
// keys, profiles, web identity, container credentials). Prints one JSON object on success;
// on failure prints {"error": …} and exits 1.
//
//   aws-probe whoami
//   aws-probe describe PREFIX
//   aws-probe insights GROUP START_SECONDS END_SECONDS QUERY
//   aws-probe stop QUERY_ID
//   aws-probe s3-roundtrip BUCKET KEY SIZE_BYTES PART_SIZE_MIB

func emit(_ object: [String: Any]) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func run(_ args: [String], http: AWSHTTPClient) async throws -> [String: Any] {
    let session = try await AWSSession.make(settings: AWSSettings(), http: http)
    switch args.first {
    case "whoami":
        let creds = try await session.credentials.credentials()
        return ["source": session.credentials.sourceName, "accessKeyId": creds.accessKeyId,
                "temporary": creds.sessionToken != nil, "region": session.configuration.region]
    case "describe" where args.count == 2:
        let groups = try await session.logs().describeLogGroups(prefix: args[1])
        return ["groups": groups.map(\.name)]
    case "insights" where args.count == 5:
        let logs = try session.logs()
        let id = try await logs.startQuery(.init(logGroupNames: [args[1]], startTime: Int64(args[2]) ?? 0,
                                                 endTime: Int64(args[3]) ?? 0, queryString: args[4], limit: 10_000))
        // Read as the backfill reads it: the byte-level decoder (rows only once Complete).
        func poll() async throws -> InsightsQueryResultsAnswer {
            try InsightsQueryResultsAnswer.decode(try await logs.getQueryResultsBody(queryId: id)) { $0 == "Complete" }
        }
        func status(_ answer: InsightsQueryResultsAnswer) -> CloudWatchLogsClient.QueryStatus {
            CloudWatchLogsClient.QueryStatus(rawValue: answer.status ?? "") ?? .unknown
        }
        var answer = try await poll()
        for _ in 0..<50 where !status(answer).isFinal {
            try await Task.sleep(for: .milliseconds(200))
            answer = try await poll()
        }
        // The three fields the backfill reads, in Insights' order.
        let rows = answer.rows.map { row in
            [("@timestamp", row.timestamp), ("@message", row.message), ("@ptr", row.ptr)].compactMap { field, value in
                value.map { [field, $0] }
            }
        }
        return ["queryId": id, "status": status(answer).rawValue, "rows": rows, "recordsMatched": answer.recordsMatched ?? -1]
    case "stop" where args.count == 2:
        return ["stopped": try await session.logs().stopQuery(queryId: args[1])]
    case "s3-roundtrip" where args.count == 5:
        let location = S3Location(bucket: args[1], key: args[2])
        let size = Int(args[3]) ?? 0
        var s3 = try session.s3(partSize: (Int(args[4]) ?? 5) << 20)
        s3.multipartThreshold = (Int(args[4]) ?? 5) << 20
        var rng = SystemRandomNumberGenerator()
        var body = [UInt8](repeating: 0, count: size)
        body.withUnsafeMutableBytes { raw in
            // Eight random bytes per draw: byte-at-a-time is too slow for 20 MB in a debug build.
            var offset = 0
            while offset < raw.count {
                var word = rng.next()
                let n = min(8, raw.count - offset)
                withUnsafeBytes(of: &word) { raw.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: n) }
                offset += n
            }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("aws-probe-\(UUID().uuidString)")
        try Data(body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await s3.uploadFile(path: file.path, to: location)
        let head = try await s3.headObject(location)
        let back = try await s3.getObject(location)
        return ["size": size, "headSize": head?.size ?? -1, "matched": back == body, "eTag": head?.eTag ?? ""]
    default:
        throw AWSError.configuration("usage: aws-probe whoami | describe PREFIX | insights GROUP START END QUERY | stop ID | s3-roundtrip BUCKET KEY SIZE PART_MIB")
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    // Tests shorten the read timeout to exercise timeouts without waiting a minute.
    let readTimeout = ProcessInfo.processInfo.environment["AWS_PROBE_READ_TIMEOUT_SECONDS"].flatMap { Int($0) } ?? 60
    let result = try await AWSHTTPClient.withClient(timeouts: .init(connect: .seconds(5), read: .seconds(readTimeout))) { http in
        let r = try await run(arguments, http: http)
        return try JSONSerialization.data(withJSONObject: r, options: [.sortedKeys])
    }
    FileHandle.standardOutput.write(result + Data("\n".utf8))
} catch let error as AWSError {
    emit(["error": error.description, "retryable": error.isRetryable, "throttling": error.isThrottling,
          "kind": String(describing: error.kind)])
    exit(1)
} catch {
    emit(["error": String(describing: error)])
    exit(1)
}
