import Crypto
import Foundation

/// S3 over REST/XML: single and multipart uploads with integrity checks, head, get, delete.
public struct S3Client: Sendable {
    public let service: AWSServiceClient
    /// Path-style (`endpoint/bucket/key`) for custom endpoints such as MinIO or moto;
    /// virtual-hosted (`bucket.s3.region.amazonaws.com/key`) for AWS itself.
    public let pathStyle: Bool
    /// Objects at least this large go up in parts.
    public var multipartThreshold: Int
    /// Part size (S3 minimum 5 MiB except the last part).
    public var partSize: Int
    /// Parts uploaded at the same time.
    public var partConcurrency: Int

    public init(http: AWSHTTPClient, credentials: any CredentialProvider, region: String, endpoint: AWSEndpoint,
                pathStyle: Bool, multipartThreshold: Int = 16 << 20, partSize: Int = 16 << 20, partConcurrency: Int = 4,
                retryPolicy: AWSRetryPolicy = .standard) {
        service = AWSServiceClient(http: http, credentials: credentials, region: region, endpoint: endpoint,
                                   signingName: "s3", flavor: .s3, errorFormat: .xml, retryPolicy: retryPolicy)
        self.pathStyle = pathStyle
        self.multipartThreshold = multipartThreshold
        self.partSize = max(partSize, 5 << 20)
        self.partConcurrency = max(1, partConcurrency)
    }

    public struct ObjectInfo: Sendable, Equatable {
        public let size: Int64
        public let eTag: String?
        /// The SHA-256 S3 stored with the object (base64), when it was uploaded with one in a
        /// single PutObject and the HEAD asked for it (`checksum: true`).
        public var checksumSHA256: String? = nil
    }

    // MARK: - Objects

    /// Uploads `body` in one PutObject with `Content-MD5` and `x-amz-checksum-sha256`, so S3
    /// rejects the object if a single byte changed on the way.
    public func putObject(_ location: S3Location, body: [UInt8], contentType: String = "application/octet-stream") async throws {
        let sha = SHA256.hash(data: body)
        var request = self.request("PUT", location, body: body)
        request.headers += [("Content-Type", contentType), ("Content-MD5", Self.base64MD5(body)),
                            ("x-amz-checksum-sha256", Data(sha).base64EncodedString())]
        _ = try await service.send(request, operation: "S3 PutObject \(location)", payload: .precomputed(SigV4Signer.hex(sha)))
    }

    /// Uploads the file at `path`: one PutObject below `multipartThreshold`, else a multipart
    /// upload that is aborted if any step fails, so a reader never sees a partial object.
    public func uploadFile(path: String, to location: S3Location, contentType: String = "application/octet-stream") async throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AWSError.configuration("cannot read \(path)")
        }
        defer { try? handle.close() }
        let size = Int((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.int64Value ?? 0)
        if size < multipartThreshold {
            let data = try handle.readToEnd() ?? Data()
            try await putObject(location, body: Array(data), contentType: contentType)
            return
        }
        let partSize = self.partSize
        try await multipartUpload(location, contentType: contentType, partCount: (size + partSize - 1) / partSize) { index in
            // Reads happen one at a time (inside the group's serial feeding loop).
            try handle.seek(toOffset: UInt64(index * partSize))
            return Array(try handle.read(upToCount: partSize) ?? Data())
        }
    }

    /// Multipart upload of `partCount` parts whose bytes `readPart` supplies (0-based index).
    func multipartUpload(_ location: S3Location, contentType: String, partCount: Int,
                                readPart: (Int) throws -> [UInt8]) async throws {
        var create = request("POST", location, query: "uploads")
        create.headers.append(("Content-Type", contentType))
        let created = try await service.send(create, operation: "S3 CreateMultipartUpload \(location)")
        guard let uploadId = TinyXML.text(of: "UploadId", in: String(decoding: created.body, as: UTF8.self)) else {
            throw AWSError.invalidResponse("S3 CreateMultipartUpload answered without an UploadId")
        }
        do {
            var eTags = [String](repeating: "", count: partCount)
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var next = 0
                func addNext() throws {
                    let index = next
                    let bytes = try readPart(index)
                    next += 1
                    group.addTask { (index, try await self.uploadPart(location, uploadId: uploadId, number: index + 1, body: bytes)) }
                }
                while next < min(partConcurrency, partCount) { try addNext() }
                for try await (index, eTag) in group {
                    eTags[index] = eTag
                    if next < partCount { try addNext() }
                }
            }
            try await completeMultipart(location, uploadId: uploadId, eTags: eTags)
        } catch {
            // Never leave a half object: abort, and report the original failure.
            _ = try? await service.send(request("DELETE", location, query: "uploadId=" + AWSPercentEncoding.encode(uploadId)),
                                        operation: "S3 AbortMultipartUpload \(location)")
            throw error
        }
    }

    private func uploadPart(_ location: S3Location, uploadId: String, number: Int, body: [UInt8]) async throws -> String {
        let query = AWSPercentEncoding.formEncode([("partNumber", String(number)), ("uploadId", uploadId)])
        var request = self.request("PUT", location, query: query, body: body)
        request.headers.append(("Content-MD5", Self.base64MD5(body)))
        let response = try await service.send(request, operation: "S3 UploadPart \(number) of \(location)")
        guard let eTag = response.header("ETag") else {
            throw AWSError.invalidResponse("S3 UploadPart \(number) answered without an ETag")
        }
        return eTag
    }

    private func completeMultipart(_ location: S3Location, uploadId: String, eTags: [String]) async throws {
        let parts = eTags.enumerated().map {
            "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(TinyXML.escape($0.element))</ETag></Part>"
        }.joined()
        let xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(parts)</CompleteMultipartUpload>"
        var request = self.request("POST", location, query: "uploadId=" + AWSPercentEncoding.encode(uploadId), body: Array(xml.utf8))
        request.headers.append(("Content-Type", "application/xml"))
        let operation = "S3 CompleteMultipartUpload \(location)"
        let response = try await service.send(request, operation: operation)
        // S3 can answer 200 and still fail the completion, with an <Error> document.
        let text = String(decoding: response.body, as: UTF8.self)
        if text.contains("<Error>") {
            throw AWSServiceClient.serviceError(.init(status: 500, headers: [], body: response.body),
                                                operation: operation, format: .xml, redactor: nil)
        }
    }

    /// Size and ETag (and, with `checksum`, the stored SHA-256), or nil if there is no such object.
    public func headObject(_ location: S3Location, checksum: Bool = false) async throws -> ObjectInfo? {
        var head = request("HEAD", location)
        if checksum { head.headers.append(("x-amz-checksum-mode", "ENABLED")) }
        let response = try await service.send(head, operation: "S3 HeadObject \(location)", acceptStatus: [404])
        if response.status == 404 { return nil }
        return ObjectInfo(size: Int64(response.header("Content-Length") ?? "") ?? 0, eTag: response.header("ETag"),
                          checksumSHA256: response.header("x-amz-checksum-sha256"))
    }

    /// Keys and sizes of the objects under `prefix` (ListObjectsV2, every page; bounded by
    /// `maxPages` of 1,000 keys).
    public func listObjects(bucket: String, prefix: String, maxPages: Int = 10_000) async throws -> [String: Int64] {
        var found: [String: Int64] = [:]
        var token: String?
        for _ in 0..<maxPages {
            var query: [(String, String)] = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let list = AWSHTTPRequest(method: "GET", endpoint: service.endpoint, path: "/\(bucket)",
                                      query: AWSPercentEncoding.formEncode(query.sorted { $0.0 < $1.0 }), body: [])
            let location = S3Location(bucket: bucket, key: prefix)
            let request = pathStyle || !location.isVirtualHostable ? list : {
                let e = service.endpoint
                var virtual = list
                virtual.endpoint = AWSEndpoint(scheme: e.scheme, host: "\(bucket).\(e.host)", port: e.port, basePath: e.basePath)
                virtual.path = "/"
                return virtual
            }()
            let response = try await service.send(request, operation: "S3 ListObjectsV2 s3://\(bucket)/\(prefix)")
            let xml = String(decoding: response.body, as: UTF8.self)
            for entry in TinyXML.all("Contents", in: xml) {
                guard let key = TinyXML.text(of: "Key", in: entry) else { continue }
                found[key] = Int64(TinyXML.text(of: "Size", in: entry) ?? "") ?? 0
            }
            guard TinyXML.text(of: "IsTruncated", in: xml) == "true",
                  let next = TinyXML.text(of: "NextContinuationToken", in: xml) else { return found }
            token = next
        }
        throw AWSError.invalidResponse("S3 ListObjectsV2 s3://\(bucket)/\(prefix) did not end after \(maxPages) pages")
    }

    /// The last `count` bytes of an object (all of it if shorter): a Parquet footer without
    /// reading the file.
    public func getObjectTail(_ location: S3Location, count: Int) async throws -> [UInt8] {
        var get = request("GET", location)
        get.headers.append(("Range", "bytes=-\(max(1, count))"))
        return try await service.send(get, operation: "S3 GetObject (tail) \(location)").body
    }

    public func getObject(_ location: S3Location) async throws -> [UInt8] {
        try await service.send(request("GET", location), operation: "S3 GetObject \(location)").body
    }

    public func deleteObject(_ location: S3Location) async throws {
        _ = try await service.send(request("DELETE", location), operation: "S3 DeleteObject \(location)")
    }

    // MARK: - Addressing

    func request(_ method: String, _ location: S3Location, query: String = "", body: [UInt8] = []) -> AWSHTTPRequest {
        let key = AWSPercentEncoding.encode(location.key, keepSlash: true)
        if pathStyle || !location.isVirtualHostable {
            return AWSHTTPRequest(method: method, endpoint: service.endpoint, path: "/\(location.bucket)/\(key)", query: query, body: body)
        }
        let e = service.endpoint
        let host = AWSEndpoint(scheme: e.scheme, host: "\(location.bucket).\(e.host)", port: e.port, basePath: e.basePath)
        return AWSHTTPRequest(method: method, endpoint: host, path: "/\(key)", query: query, body: body)
    }

    static func base64MD5(_ body: [UInt8]) -> String {
        Data(Insecure.MD5.hash(data: body)).base64EncodedString()
    }
}
