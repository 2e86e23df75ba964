import Crypto
import Foundation
import Testing
@testable import BackfillCore

/// Destinations (Sources/BackfillCore/Output): the one parser every command uses, single-file
/// locations (`export`, `upload`), and a local directory's write, list, size, verify and probe.
@Suite struct DestinationTests {
    @Test func outputPathsAreCanonical() throws {
        // Fails if the catalog would store two spellings of one destination (trailing slash,
        // "./", a relative path) as two destinations.
        #expect(try OutputDestination.parse("s3://my-bucket/logs/").uri == "s3://my-bucket/logs")
        #expect(try OutputDestination.parse("s3://my.bucket-1").uri == "s3://my.bucket-1")
        #expect(try OutputDestination.parse("out/./x/", currentDirectory: "/work").uri == "/work/out/x")
        #expect(try OutputDestination.parse("/abs/dir").uri == "/abs/dir")
    }

    @Test func theKindIsChosenByScheme() throws {
        // Fails if a kind claimed another's URIs, or a scheme in capitals fell through to the
        // local kind (it would become a directory named "S3:").
        #expect(ObjectIdentifier(try OutputDestination.parse("s3://pulp-logs/x").kind) == ObjectIdentifier(S3PrefixDestination.self))
        #expect(try OutputDestination.parse("/data/out").isLocal)
        #expect(!(try OutputDestination.parse("s3://pulp-logs").isLocal))
        #expect(throws: OutputDestination.Invalid(value: "S3://pulp-logs/x", reason: "an S3 destination is written s3://bucket/prefix")) {
            try OutputDestination.parse("S3://pulp-logs/x")
        }
        // The message names every registered kind.
        #expect(throws: OutputDestination.Invalid(value: "gs://pulp-logs/x", reason: "only local directories and s3:// URIs are supported")) {
            try OutputDestination.parse("gs://pulp-logs/x")
        }
    }

    @Test func everyKindHasItsOwnScheme() {
        // Fails if two kinds share a scheme (the second could never be chosen) or if there is not
        // exactly one kind for texts without a scheme.
        let schemes = OutputDestination.kinds.map { $0.scheme }
        #expect(Set(schemes.compactMap { $0 }).count == schemes.compactMap { $0 }.count)
        #expect(schemes.filter { $0 == nil }.count == 1)
    }

    @Test func aFileLocationIsItsDestinationAndKey() throws {
        // Fails if the key lost or gained characters (export and upload write exactly the key
        // typed, empty segments included) or a local file's directory was not made absolute.
        let s3 = try OutputDestination.parseFile("s3://pulp-logs/a//b.parquet")
        #expect(s3.destination.uri == "s3://pulp-logs" && s3.key == "a//b.parquet" && !s3.destination.isLocal)
        #expect(try OutputDestination.parseFile("s3://pulp-logs").key == "")
        #expect(try OutputDestination.parseFile("s3://pulp-logs/").key == "")
        let local = try OutputDestination.parseFile("out/./f.parquet", currentDirectory: "/work")
        #expect(local.destination.uri == "/work/out" && local.key == "f.parquet" && local.destination.isLocal)
        // The bucket is checked with plan's rules, stricter than the AWS layer's S3Location.
        #expect(throws: OutputDestination.Invalid.self) { try OutputDestination.parseFile("s3://192.168.0.1/k") }
        #expect(throws: OutputDestination.Invalid.self) { try OutputDestination.parseFile("s3://xn--pulp/k") }
    }

    @Test func onlyCredentialedKindsTakeCredentials() {
        // Fails if --destination-env accepted a local directory (credentials it would never use).
        #expect(OutputDestination.takesCredentials("s3://pulp-logs/x=BACKUP_"))
        #expect(!OutputDestination.takesCredentials("/data/out=BACKUP_"))
        #expect(!OutputDestination.takesCredentials("S3://pulp-logs=BACKUP_"))
    }

    @Test func aLocalDirectoryStoresListsAndObservesFiles() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("destination-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = dir + "/source.bin"
        let bytes = Data((0..<5000).map { UInt8($0 % 251) })
        try bytes.write(to: URL(fileURLWithPath: source))
        let destination = LocalDirectoryDestination(directory: dir + "/out")
        let key = "date=2026-02-04/hour=14/x.parquet"

        // Fails if store did not create the hour's directories or returned another location.
        #expect(try await destination.store(file: source, key: key) == dir + "/out/" + key)
        #expect(FileManager.default.contents(atPath: dir + "/out/" + key) == bytes)
        // Fails if listing reported a missing key or a wrong size.
        #expect(try await destination.existingFiles([key, "date=2026-02-04/hour=15/x.parquet"], dayPrefixes: ["date=2026-02-04/"]) == [key: 5000])
        #expect(try await destination.size(of: key) == 5000)
        #expect(try await destination.size(of: "nothing-here") == nil)

        // Fails if verify's observation missed the size or hashed other bytes; the file is not
        // Parquet, so its footer must be reported unreadable.
        let observed = await destination.observe(key: key, deep: false)
        #expect(observed.exists && observed.size == 5000 && observed.unreachable == nil)
        #expect(observed.sha256Hex == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
        if case .failure = observed.footer {} else { Issue.record("a non-Parquet file's footer was read: \(String(describing: observed.footer))") }
        #expect(try await destination.sha256(of: key) == observed.sha256Hex)
        #expect(!(await destination.observe(key: "nothing-here", deep: true).exists))
    }

    @Test func aLocalProbeLeavesNothingAndSaysWhatToFix() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Fails if the probe did not create the directory or left its probe file behind.
        #expect(try await LocalDirectoryDestination(directory: dir + "/a/b").probe() == "writable")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/a/b") == [])
        // Under a file no directory can be made: the error says what to check.
        FileManager.default.createFile(atPath: dir + "/file", contents: Data("x".utf8))
        do {
            _ = try await LocalDirectoryDestination(directory: dir + "/file/sub").probe()
            Issue.record("a probe under a file passed")
        } catch {
            #expect(String(describing: error).contains("cannot create the directory"))
        }
    }
}
