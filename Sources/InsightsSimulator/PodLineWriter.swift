// What the API and content line builders share: writing a pod's log line piece by piece, and
// the OpenShift-logging JSON document the log collector wraps it in
//   {"@timestamp":"…","hostname":"…","kubernetes":{…},"level":"info","log_type":"application","message":"…"}
// The bytes written here are pinned by the corpus digests (CorpusOptionsTests).

/// The line being written, the document around it, and per pod its document head and log stream.
struct PodLineWriter {
    let line = ByteWriter(capacity: 1024)
    private let document = ByteWriter(capacity: 2048)
    /// Per pod: the document's members after `@timestamp`, up to the message's opening quote.
    private let documentHeads: [String]
    /// Per pod: the log stream its events are in.
    let logStreams: [String]

    init(container: String, pods: [(pod: String, host: String)]) {
        documentHeads = pods.map { pod in
            String(#"","hostname":"\#(pod.host)","kubernetes":{"container_name":"\#(container)","namespace_name":"pulp-prod","pod_name":"\#(pod.pod)","labels":{"app":"\#(container)"}},"level":"info","log_type":"application","message":""#)
        }
        logStreams = pods.map { "kubernetes.var.log.containers.\($0.pod)_pulp-prod_\(container).log" }
    }

    /// Copies `bytes`, putting a backslash before each `"` and `\` (runs without them go in bulk).
    /// That is all the escaping a JSON string needs for text without control characters, and
    /// gunicorn's quoting of a value.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: ByteWriter) {
        var runStart = 0
        for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "\\") {
            out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            out.append(UInt8(ascii: "\\"))
            runStart = i
        }
        out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
    }

    /// The line inside the document of the pod at `pod` (the line has no control characters).
    func wrapped(ts: Int64, pod: Int) -> String {
        document.reset()
        document.append(#"{"@timestamp":""# as StaticString)
        InsightsTime.appendISO(ts, to: document)
        document.append(documentHeads[pod])
        PodLineWriter.appendEscaped(line.bytes, to: document)
        document.append("\"}" as StaticString)
        return document.makeString()
    }
}

/// A line builder's writing vocabulary, on its `writer`'s line.
protocol PodLineBuilder {
    var writer: PodLineWriter { get }
}

extension PodLineBuilder {
    func put(_ s: String) { writer.line.append(s) }
    func put(_ s: StaticString) { writer.line.append(s) }
    func putInt(_ v: Int) { writer.line.appendInt(v) }

    /// `count` lowercase hex digits of one draw.
    func putHex(_ rng: inout SeededRandom, _ count: Int) {
        let v = rng.next()
        for i in 0..<count { writer.line.append(JSONValue.hexDigits[Int(v >> UInt64(4 * i) & 0xF)]) }
    }
}
