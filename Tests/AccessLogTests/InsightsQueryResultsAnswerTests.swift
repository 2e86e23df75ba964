import Testing
@testable import AccessLog

@Suite struct InsightsQueryResultsAnswerTests {
    func decode(_ document: String, rows: Bool = true) throws -> InsightsQueryResultsAnswer {
        try InsightsQueryResultsAnswer.decode(Array(document.utf8)) { _ in rows }
    }

    @Test func completeAnswerGivesStatusStatisticsAndRows() throws {
        let answer = try decode(#"""
            {"results":[[{"field":"@timestamp","value":"2026-01-05 00:00:00.000"},{"field":"@message","value":"a\"b"},
            {"field":"@ptr","value":"p1"},{"field":"@logStream","value":"s"}]],
            "statistics":{"recordsMatched":12.0,"recordsScanned":340,"bytesScanned":5.5e3},"status":"Complete"}
            """#)
        #expect(answer.status == "Complete")
        #expect(answer.rows == [InsightsRow(timestamp: "2026-01-05 00:00:00.000", message: "a\"b", ptr: "p1")])
        #expect(answer.recordsMatched == 12)
        #expect(answer.recordsScanned == 340)
        #expect(answer.bytesScanned == 5500)
    }

    @Test func rowsAreDecodedOnlyWhenWanted() throws {
        var seen: [String?] = []
        let document = Array(#"{"status":"Running","results":[[{"field":"@ptr","value":"p1"}]]}"#.utf8)
        let answer = try InsightsQueryResultsAnswer.decode(document) { status in
            seen.append(status)
            return false
        }
        #expect(seen == ["Running"])
        #expect(answer.status == "Running")
        #expect(answer.rows.isEmpty)
    }

    @Test func missingMembersAreNil() throws {
        let answer = try decode(#"{"statistics":{"recordsMatched":"many","other":[1,2]}}"#)
        #expect(answer.status == nil)
        #expect(answer.rows.isEmpty)
        #expect(answer.recordsMatched == nil)
        #expect(answer.bytesScanned == nil)
    }

    @Test func malformedDocumentsThrow() {
        for document in [#"{"status":"Complete","results":[[{"field":"@ptr","value":"p1"}]"#,
                         #"{"status":"Complete"} trailing"#, "[]", "", #"{"results":[[{"field":1,}]]}"#] {
            #expect(throws: InsightsJSONError.self) { try decode(document) }
        }
    }
}
