import Testing
@testable import BackfillCore

@Test func versionIsCalVer() {
    let parts = ToolVersion.version.split(separator: ".")
    #expect(parts.count == 4)
    #expect(parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2)
    #expect(ToolVersion.createdBy.hasPrefix("pulp-backfill version "))
}
