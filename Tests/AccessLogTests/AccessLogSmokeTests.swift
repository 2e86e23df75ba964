import Testing
@testable import AccessLog

@Test func AccessLogModuleLoads() { #expect(Bool(true)) }
