import Testing
@testable import Parquet

@Test func ParquetModuleLoads() { #expect(Bool(true)) }
