// Builds one pulp-content (aiohttp) download event, in the content app's access format
//   %a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i" cache:"%{X-PULP-CACHE}o"
//   artifact_size:"%{X-PULP-ARTIFACT-SIZE}o" rh_org_id:"%{X-RH-ORG-ID}o"
//   x_forwarded_for:"%{X-Forwarded-For}i" request_time:"%Tf"
// (`request_time` only from 2026-07-17 on), wrapped in the OpenShift-logging JSON document with
// `kubernetes.container_name` = `pulp-content`, in the same log group as the API lines.
// aiohttp does not escape quoted values, so a user agent may hold raw `"`.
// The mix covers the content datasets' rules: wheels with and without build tags and
// `.whl.metadata`, non-wheel names, sdists; RPMs with epochs, `noarch`, `Packages/x/` and
// `repodata` paths, bad NEVRAs; Maven jars, poms, classifiers, SNAPSHOTs, timestamped
// snapshots, checksum files and metadata that no dataset keeps; paths outside the content app.

struct ContentLineBuilder: PodLineBuilder {
    let writer = PodLineWriter(container: "pulp-content", pods: ContentLineBuilder.pods)
    private var line: ByteWriter { writer.line }

    init() {}

    /// 2026-07-17 00:00:00 UTC: the first day the content app logged `request_time`.
    static let requestTimeSinceMs: Int64 = 1_784_246_400_000

    static let pods: [(pod: String, host: String)] = [
        ("pulp-content-5f8d7c9b6-h7k2p", "ip-10-0-141-7.ec2.internal"),
        ("pulp-content-5f8d7c9b6-r3t9w", "ip-10-0-152-33.ec2.internal"),
        ("pulp-content-5f8d7c9b6-z6v1b", "ip-10-0-166-201.ec2.internal"),
    ]

    // Python wheels.
    static let pythonDomains = ["public-rhai", "acme-ai", "public-py", "research"]
    static let pythonDistributions = ["rhoai/3.5-EA2/cpu-ubi9", "wheels/cuda12", "index/tools", "main"]
    static let wheelNames = ["torch", "numpy", "requests", "ruff", "scikit_learn", "zope.interface", "typing_extensions", "six", "pydantic_core"]
    static let wheelVersions = ["2.6.0", "1.26.4", "2.34.2", "0.9.1", "1.5.2", "7.0.post1", "4.12.2", "1.17.0", "2.27.1rc1"]
    static let wheelTags = ["py3-none-any", "cp311-cp311-manylinux_2_28_x86_64", "cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64",
                            "py2.py3-none-any", "cp39-abi3-macosx_11_0_arm64", "py3-none-musllinux_1_2_aarch64", "cp313-cp313t-win_amd64"]
    static let buildTags = ["1", "2", "20260101"]
    static let notWheels = ["not-a-wheel.whl", "broken.whl", "foo-1.0.whl"]

    // RPMs: (name, version, release, arch).
    static let rpmDomains = ["copr-pub", "rhel-mirror", "internal"]
    static let rpmDistributions = ["user/project-42/epel-9-x86_64", "rhel9-extras", "fedora/41/x86_64/os"]
    static let rpms: [(String, String, String, String)] = [
        ("zsh", "5.9", "8.el9", "x86_64"), ("python3-attrs", "22.2.0", "3.el9", "noarch"),
        ("bind-utils", "9.16.23", "18.el9_4.6", "x86_64"), ("kernel-core", "5.14.0", "503.15.1.el9_5", "aarch64"),
        ("glibc-langpack-en", "2.34", "125.el9_5.1", "x86_64"), ("perl-Carp", "1.50", "460.el9", "noarch"),
        ("nodejs", "20.18.1", "1.module+el9.5.0+22537+fbcb9f4f", "x86_64"),
    ]
    static let epochs = ["1", "2", "32"]
    static let badRPMs = ["bogus.rpm", "a-b.rpm", "nodots-1-2rpm.rpm", "foo-x1:1.0-1.el9.x86_64.rpm"]
    static let repodataFiles = ["repomd.xml", "2f6e1b3c-primary.xml.gz", "9a0c44de-filelists.xml.zst", "repomd.xml.asc"]

    // Maven: (group segments, artifact, version).
    static let mavenDomains = ["jvm", "acme-java"]
    static let mavenArtifacts: [([String], String, String)] = [
        (["com", "fasterxml", "jackson", "core"], "jackson-databind", "2.18.2"), (["org", "apache", "commons"], "commons-lang3", "3.17.0"),
        (["io", "netty"], "netty-transport-native-epoll", "4.1.115.Final"), (["org", "acme"], "widget", "0.3"),
        (["junit"], "junit", "4.13.2"), (["com", "google", "guava"], "guava", "33.3.1-jre"),
    ]
    static let classifiers = ["sources", "javadoc", "linux-x86_64"]
    static let checksums = [".jar.sha1", ".pom.md5", ".jar.sha256", ".pom.sha512", ".jar.asc"]

    /// Python clients (0..<3), dnf (3..<5), Maven/Gradle (5..<7), then anything.
    static let userAgents: [String] = [
        "pip/25.1",
        #"pip/24.0 {"ci":null,"cpu":"x86_64","installer":{"name":"pip","version":"24.0"}}"#,
        #"uv/0.7.2 {"installer":{"name":"uv"}}"#,
        "libdnf (Red Hat Enterprise Linux 9.5; generic; Linux.x86_64)",
        "dnf/4.14.0",
        "Apache-Maven/3.9.9 (Java 21.0.5; Linux 6.12.9)",
        "Gradle/8.12",
        "curl/8.9.1",
        "",
        #"odd "quoted" agent\path"#,
    ]
    static let orgs = ["11223344", "55667788", "99887766", "5894300", "42"]

    private func putIPv4(_ rng: inout SeededRandom) {
        putInt(1 + rng.below(222)); put("."); putInt(rng.below(256)); put("."); putInt(rng.below(256)); put("."); putInt(1 + rng.below(254))
    }

    mutating func makeEvent(timestampMs ts: Int64, pointer: String, rng: inout SeededRandom) -> LogEvent {
        line.reset()
        let pod = rng.below(ContentLineBuilder.pods.count)
        putInt(10); put(".130."); putInt(rng.below(8)); put("."); putInt(1 + rng.below(254))
        put(" ["); InsightsTime.appendAccessLog(ts, to: line); put("] \"")
        put(rng.chance(0.03) ? "HEAD " : "GET ")
        let kind = rng.unit()
        let maven: Bool
        let clients: Range<Int>  // the user agents of this kind's usual clients
        if kind < 0.35 {
            writePythonPath(&rng); maven = false; clients = 0..<3
        } else if kind < 0.65 {
            writeRPMPath(&rng); maven = false; clients = 3..<5
        } else if kind < 0.95 {
            writeMavenPath(&rng); maven = true; clients = 5..<7
        } else {
            writeOtherPath(&rng); maven = false; clients = 7..<ContentLineBuilder.userAgents.count
        }
        if rng.chance(0.03) { put("?X-Amz-Expires=300&sig="); putHex(&rng, 8) }
        put(rng.chance(0.85) ? " HTTP/1.1\" " : " HTTP/2.0\" ")
        // Status and body bytes (%b is always a number in aiohttp).
        let draw = rng.unit()
        let size = 200 + rng.below(rng.chance(0.2) ? 900_000_000 : 5_000_000)
        var status = 200
        if draw < 0.08 { status = 304 } else if draw < 0.13 { status = 404 } else if draw < 0.16 { status = 206 }
        else if draw < 0.17 { status = 500 } else if maven && draw < 0.40 { status = 302 }
        putInt(status); put(" ")
        switch status {
        case 304, 404: putInt(0)
        case 302: putInt(600 + rng.below(200))
        case 206: putInt(1 + rng.below(size))
        default: putInt(size)
        }
        put(rng.chance(0.9) ? " \"-\" \"" : " \"https://pulp.example.com/\" \"")
        let agent = rng.chance(0.85) ? clients.lowerBound + rng.below(clients.count) : rng.below(ContentLineBuilder.userAgents.count)
        put(ContentLineBuilder.userAgents[agent])
        put("\" cache:\"")
        let cache = rng.unit()
        put(cache < 0.55 ? "HIT" : (cache < 0.95 ? "MISS" : "-"))
        put("\" artifact_size:\"")
        let sized = rng.unit()
        if status == 404 || sized < 0.08 { put("-") } else if sized < 0.09 { put("") } else { putInt(size) }
        put("\" rh_org_id:\"")
        let org = rng.unit()
        if org < 0.6 { put(rng.pick(ContentLineBuilder.orgs)) } else if org < 0.98 { put("-") } else { put("") }
        put("\" x_forwarded_for:\"")
        let xff = rng.unit()
        if xff < 0.5 { putIPv4(&rng) }
        else if xff < 0.8 { putIPv4(&rng); put(", "); putIPv4(&rng) }
        else if xff < 0.85 { putIPv4(&rng); put(","); putIPv4(&rng); put(", 10.0.0.1") }
        else if xff < 0.97 { put("-") }
        else { put("") }
        put("\"")
        if ts >= ContentLineBuilder.requestTimeSinceMs {
            // %Tf: seconds with six decimals; mostly sub-millisecond cache hits, a long tail.
            let micros = rng.chance(0.7) ? 100 + rng.below(5_000) : rng.below(rng.chance(0.1) ? 30_000_000 : 500_000)
            put(" request_time:\""); putInt(micros / 1_000_000); put("."); line.appendPadded(micros % 1_000_000, width: 6); put("\"")
        }
        return LogEvent(timestampMs: ts, message: writer.wrapped(ts: ts, pod: pod), ptr: pointer, logStream: writer.logStreams[pod])
    }

    private func writePythonPath(_ rng: inout SeededRandom) {
        put("/api/pulp-content/"); put(rng.pick(ContentLineBuilder.pythonDomains)); put("/")
        put(rng.pick(ContentLineBuilder.pythonDistributions)); put("/")
        let draw = rng.unit()
        if draw < 0.03 { put(rng.pick(ContentLineBuilder.notWheels)); return }
        if draw < 0.07 { put(rng.pick(ContentLineBuilder.wheelNames)); put("-"); put(rng.pick(ContentLineBuilder.wheelVersions)); put(".tar.gz"); return }
        put(rng.pick(ContentLineBuilder.wheelNames)); put("-"); put(rng.pick(ContentLineBuilder.wheelVersions))
        if rng.chance(0.12) { put("-"); put(rng.pick(ContentLineBuilder.buildTags)) }
        put("-"); put(rng.pick(ContentLineBuilder.wheelTags)); put(".whl")
        if rng.chance(0.2) { put(".metadata") }
    }

    private func writeRPMPath(_ rng: inout SeededRandom) {
        put("/api/pulp-content/"); put(rng.pick(ContentLineBuilder.rpmDomains)); put("/")
        put(rng.pick(ContentLineBuilder.rpmDistributions)); put("/")
        let draw = rng.unit()
        if draw < 0.08 { put("repodata/"); put(rng.pick(ContentLineBuilder.repodataFiles)); return }
        if draw < 0.11 { put(rng.pick(ContentLineBuilder.badRPMs)); return }
        let (name, version, release, arch) = rng.pick(ContentLineBuilder.rpms)
        let folder = rng.unit()
        if folder < 0.55 {
            // The folder is the name's first letter (lowercased), now and then another one.
            let initial = name.utf8.first! | 0x20
            put("Packages/"); line.append(rng.chance(0.9) ? initial : UInt8(ascii: "a") + UInt8(rng.below(26))); put("/")
        } else if folder < 0.60 {
            put("repodata/")
        } else if folder < 0.62 {
            put("Packages/ab/")  // not a one-letter folder: stays part of the distribution
        }
        put(name); put("-")
        if rng.chance(0.15) { put(rng.pick(ContentLineBuilder.epochs)); put(":") }
        put(version); put("-"); put(release); put(".")
        put(rng.chance(0.25) ? "noarch" : arch); put(".rpm")
    }

    private func writeMavenPath(_ rng: inout SeededRandom) {
        put("/api/pulp-content/"); put(rng.pick(ContentLineBuilder.mavenDomains)); put("/")
        let (group, artifact, release) = rng.pick(ContentLineBuilder.mavenArtifacts)
        let snapshot = rng.chance(0.2)
        let version = snapshot ? release + "-SNAPSHOT" : release
        put(snapshot ? "libs-snapshot/" : (rng.chance(0.5) ? "libs-release/" : "maven-central/"))
        for segment in group { put(segment); put("/") }
        put(artifact); put("/")
        let draw = rng.unit()
        if draw < 0.05 { put("maven-metadata.xml"); return }
        put(version); put("/")
        if snapshot && draw < 0.15 {
            // A timestamped snapshot file: its name does not start with artifact-version.
            put(artifact); put("-"); put(release); put("-20260720."); putInt(100_000 + rng.below(100_000)); put("-"); putInt(1 + rng.below(9)); put(".jar")
            return
        }
        put(artifact); put("-"); put(version)
        let file = rng.unit()
        if file < 0.45 { put(".jar") }
        else if file < 0.70 { put(".pom") }
        else if file < 0.83 { put("-"); put(rng.pick(ContentLineBuilder.classifiers)); put(".jar") }
        else { put(rng.pick(ContentLineBuilder.checksums)) }
    }

    private func writeOtherPath(_ rng: inout SeededRandom) {
        switch rng.below(6) {
        case 0: put("/api/pulp-content/public-py/six-1.17.0-py2.py3-none-any.whl")   // no distribution
        case 1: put("/pulp/content/public/main/requests-2.32.3-py3-none-any.whl")     // not the content app's prefix
        case 2: put("/api/pulp-content/acme-ai/wheels/cuda12/")                       // a folder, no file
        case 3: put("/api/pulp-content/jvm/libs-release/junit-4.13.2.jar")            // Maven path too short
        case 4: put("/api/pulp-content/copr-pub/rhel9-extras/Packages/z/")            // only Packages/x left
        default: put("/api/pulp-content/internal/rhel9-extras/Packages/z/zsh-5.9-8.el9.src.rpm")
        }
    }
}
