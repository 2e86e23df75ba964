import AWS
import BackfillCore
import ArgumentParser
import Foundation

/// `pulp-backfill doctor`: checks, before a long backfill, everything that would make it fail
/// an hour in — credentials, region and endpoints, the log group, Insights, each destination.
/// Prints one line per check; each failure says what to fix. Exit 0 only if all pass.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check credentials, log group, Logs Insights and destinations before a backfill."
    )

    @Option(name: .customLong("cloudwatch-group"), help: "CloudWatch log group to check.")
    var cloudwatchGroup: String

    @Option(name: .customLong("output-path"), help: "Destination to check: a local directory or s3://bucket/prefix (repeatable).")
    var outputPaths: [String] = []

    @OptionGroup var aws: AWSOptions
    @OptionGroup var s3: S3Options

    /// One check's outcome; `detail` is either what was found or what to fix.
    struct Check: Sendable {
        let name: String
        let passed: Bool
        let detail: String
        var line: String { "\(passed ? "ok  " : "FAIL") \(name): \(detail)" }
    }

    func run() async throws {
        // Destinations are validated before any network traffic: a typo is a usage error.
        var s3Destinations: [S3Location] = []
        var localDestinations: [String] = []
        for path in outputPaths {
            if path.hasPrefix("s3://") {
                let uri = path.dropFirst(5).contains("/") ? path : path + "/"
                do { s3Destinations.append(try S3Location(uri: uri)) } catch { throw CommandFailure.exit(for: error) }
            } else if path.contains("://") {
                throw CommandFailure.exit("--output-path \(path): only local directories and s3:// URIs are supported", code: 2)
            } else {
                localDestinations.append(path)
            }
        }
        let checks: [Check]
        do {
            checks = try await AWSHTTPClient.withClient(timeouts: .init(connect: .seconds(5), read: .seconds(30))) { http in
                try await runChecks(http: http, s3Destinations: s3Destinations, localDestinations: localDestinations)
            }
        } catch {
            throw CommandFailure.exit(for: error)
        }
        for check in checks { print(check.line) }
        if checks.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }

    private func runChecks(http: AWSHTTPClient, s3Destinations: [S3Location], localDestinations: [String]) async throws -> [Check] {
        var checks: [Check] = []
        // Configuration errors (unknown profile, bad endpoint URL) end the command with exit 2.
        let session: AWSSession
        do {
            session = try await AWSSession.make(settings: aws.settings, s3: s3.settings, http: http)
        } catch let error as AWSError where error.kind != .configuration {
            return [Check(name: "credentials", passed: false, detail: error.description)]
        }
        let config = session.configuration
        checks.append(Check(name: "region", passed: true, detail: "\(config.region) (from \(config.regionSource))"))
        for service in [AWSService.logs, .sts] + (s3Destinations.isEmpty ? [] : [.s3]) {
            let resolved = try (service == .s3 ? session.s3Configuration : config).endpoint(for: service)
            checks.append(Check(name: "endpoint \(service.rawValue)", passed: true, detail: "\(resolved.endpoint) (from \(resolved.source))"))
        }
        do {
            let creds = try await session.credentials.credentials()
            let kind = creds.sessionToken == nil ? "long-term key" : "temporary credentials"
            checks.append(Check(name: "credentials", passed: true, detail: "\(session.credentials.sourceName), \(kind) \(creds.accessKeyId)"))
        } catch {
            checks.append(Check(name: "credentials", passed: false, detail: "\(session.credentials.sourceName): \(error)"))
            return checks
        }
        checks += await checkLogGroup(session)
        // Each S3 destination with the credentials a run would use for it (its own, if given).
        let own = try s3.destinationSettings()
        for destination in s3Destinations {
            let uri = (try? OutputDestination.parse(destination.description).uri) ?? destination.description
            guard let settings = own[uri] else {
                checks.append(await checkS3(session, destination))
                continue
            }
            do {
                let destinationSession = try await AWSSession.make(settings: aws.settings, s3: settings, http: http)
                var check = await checkS3(destinationSession, destination)
                check = Check(name: check.name, passed: check.passed, detail: check.detail + " with its own credentials")
                checks.append(check)
            } catch {
                checks.append(Check(name: "destination \(destination)", passed: false, detail: "its own credentials: \(error)"))
            }
        }
        for directory in localDestinations { checks.append(checkLocal(directory)) }
        return checks
    }

    private func checkLogGroup(_ session: AWSSession) async -> [Check] {
        let group = cloudwatchGroup
        do {
            let logs = try session.logs()
            let found = try await logs.describeLogGroups(prefix: group, limit: 50)
            guard found.contains(where: { $0.name == group }) else {
                return [Check(name: "log group", passed: false,
                              detail: "\(group) not found in \(session.configuration.region); check the name and --aws-region")]
            }
            var checks = [Check(name: "log group", passed: true, detail: "\(group) exists")]
            // A tiny query over the last minute proves Insights is reachable and permitted.
            let now = Int64(Date().timeIntervalSince1970)
            let id = try await logs.startQuery(.init(logGroupNames: [group], startTime: now - 60, endTime: now,
                                                    queryString: "fields @timestamp | limit 1", limit: 1))
            var results = try await logs.getQueryResults(queryId: id)
            for _ in 0..<20 where !results.status.isFinal {
                try await Task.sleep(for: .milliseconds(500))
                results = try await logs.getQueryResults(queryId: id)
            }
            if !results.status.isFinal { _ = try? await logs.stopQuery(queryId: id) }
            let passed = results.status == .complete || !results.status.isFinal
            checks.append(Check(name: "logs insights", passed: passed,
                                detail: passed ? "query answered (\(results.status.rawValue))"
                                    : "test query ended \(results.status.rawValue); check Logs Insights permissions (logs:StartQuery, logs:GetQueryResults)"))
            return checks
        } catch {
            return [Check(name: "log group / logs insights", passed: false, detail: String(describing: error))]
        }
    }

    private func checkS3(_ session: AWSSession, _ destination: S3Location) async -> Check {
        let prefix = destination.key.isEmpty || destination.key.hasSuffix("/") ? destination.key : destination.key + "/"
        let probe = S3Location(bucket: destination.bucket, key: "\(prefix).pulp-backfill-doctor-\(UUID().uuidString)")
        do {
            let s3 = try session.s3()
            try await s3.putObject(probe, body: Array("pulp-backfill doctor probe\n".utf8))
            try await s3.deleteObject(probe)
            return Check(name: "destination \(destination)", passed: true, detail: "writable (probe object put and deleted)")
        } catch {
            return Check(name: "destination \(destination)", passed: false, detail: String(describing: error))
        }
    }

    private func checkLocal(_ directory: String) -> Check {
        let name = "destination \(directory)"
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return Check(name: name, passed: false, detail: "cannot create the directory; check the path and its parent's permissions")
        }
        let probe = (directory as NSString).appendingPathComponent(".pulp-backfill-doctor-\(UUID().uuidString)")
        guard fm.createFile(atPath: probe, contents: Data("probe\n".utf8)) else {
            return Check(name: name, passed: false, detail: "directory is not writable; fix its permissions")
        }
        try? fm.removeItem(atPath: probe)
        return Check(name: name, passed: true, detail: "writable")
    }
}
