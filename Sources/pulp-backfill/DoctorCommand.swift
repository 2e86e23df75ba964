import AccessLog
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
        // Destinations are validated before any network traffic, by `plan`'s rules: a typo is
        // a usage error, with the message `plan` gives.
        var destinations: [(typed: String, destination: OutputDestination)] = []
        for path in outputPaths {
            do {
                destinations.append((path, try OutputDestination.parse(path)))
            } catch let invalid as OutputDestination.Invalid {
                throw CommandFailure.usage(invalid.description)
            }
        }
        let checks: [Check]
        do {
            checks = try await AWSHTTPClient.withClient(timeouts: .init(connect: .seconds(5), read: .seconds(30))) { http in
                try await runChecks(http: http, destinations: destinations)
            }
        } catch {
            throw CommandFailure.exit(for: error)
        }
        for check in checks { print(check.line) }
        if checks.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }

    private func runChecks(http: AWSHTTPClient, destinations: [(typed: String, destination: OutputDestination)]) async throws -> [Check] {
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
        var services = [AWSService.logs, .sts]
        for service in destinations.flatMap({ $0.destination.kind.awsServices }) where !services.contains(service) {
            services.append(service)
        }
        for service in services {
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
        // Each destination with the credentials a run would use for it (its own, if given).
        let clients = DestinationClients(http: http, aws: aws.settings, s3: s3.settings, own: try s3.destinationSettings())
        clients.adopt(session, region: aws.settings.region)
        // S3 destinations first, then local directories, as before.
        for (typed, destination) in destinations.filter({ !$0.destination.isLocal }) + destinations.filter(\.destination.isLocal) {
            checks.append(await checkDestination(destination, named: typed, clients: clients))
        }
        return checks
    }

    /// Writes and removes a probe file at the destination, as a run would write an hour.
    private func checkDestination(_ destination: OutputDestination, named typed: String, clients: DestinationClients) async -> Check {
        // Named as typed; a bucket without prefix as its root ("s3://bucket/").
        let afterScheme = destination.uri.range(of: "://").map { destination.uri[$0.upperBound...] }
        let isRoot = afterScheme.map { !$0.contains("/") } ?? false
        let name = "destination " + (isRoot && !typed.hasSuffix("/") ? typed + "/" : typed)
        let own = clients.hasOwnCredentials(destination.uri)
        do {
            try await destination.prepare(region: aws.settings.region, clients: clients)
        } catch {
            return Check(name: name, passed: false, detail: own ? "its own credentials: \(error)" : String(describing: error))
        }
        do {
            let proven = try await destination.open(region: aws.settings.region, clients: clients).probe()
            return Check(name: name, passed: true, detail: proven + (own ? " with its own credentials" : ""))
        } catch {
            return Check(name: name, passed: false, detail: String(describing: error))
        }
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
            var status = try await queryStatus(logs, queryID: id)
            for _ in 0..<20 where !status.isFinal {
                try await Task.sleep(for: .milliseconds(500))
                status = try await queryStatus(logs, queryID: id)
            }
            if !status.isFinal { _ = try? await logs.stopQuery(queryId: id) }
            let passed = status == .complete || !status.isFinal
            checks.append(Check(name: "logs insights", passed: passed,
                                detail: passed ? "query answered (\(status.rawValue))"
                                    : "test query ended \(status.rawValue); check Logs Insights permissions (logs:StartQuery, logs:GetQueryResults)"))
            return checks
        } catch {
            return [Check(name: "log group / logs insights", passed: false, detail: String(describing: error))]
        }
    }

    /// The query's status, read from GetQueryResults by the decoder the backfill uses (rows are
    /// not needed here, so none are decoded).
    private func queryStatus(_ logs: CloudWatchLogsClient, queryID: String) async throws -> CloudWatchLogsClient.QueryStatus {
        let body = try await logs.getQueryResultsBody(queryId: queryID)
        let answer: InsightsQueryResultsAnswer
        do {
            answer = try InsightsQueryResultsAnswer.decode(body) { _ in false }
        } catch {
            throw AWSError.invalidResponse("CloudWatch Logs GetQueryResults answered with an unreadable body (\(error))")
        }
        return CloudWatchLogsClient.QueryStatus(rawValue: answer.status ?? "") ?? .unknown
    }
}
