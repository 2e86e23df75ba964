// encoder-bench ndjson --input rows.ndjson --output out.parquet [--repeat N]
//
// Times only our Parquet encoder: the rows are read, parsed and sorted first (untimed), then
// written N times with the tool's default options (row groups gathered in file order, encoded); prints the best time as JSON for
// Benchmarks/bench_parquet.py, which times pyarrow.parquet.write_table on the same rows.
import AccessLog
import BackfillCore
import Foundation
import Parquet

func runNDJSONMode(_ arguments: [String]) {
    var arguments = arguments
    var options: [String: String] = [:]
    while arguments.count >= 2 {
        options[arguments.removeFirst()] = arguments.removeFirst()
    }
    guard let input = options["--input"], let output = options["--output"] else { fail("--input and --output are required") }
    let repeatCount = Int(options["--repeat"] ?? "3") ?? 3

    // The rows in memory, as pyarrow gets a Table: parsed into the column store `convert` uses and
    // put in file order. What is timed is what `convert` does after that: gathering row groups in
    // file order and encoding them.
    let dataset = Dataset.access()
    var rows = RowColumns(dataset)
    do {
        let parsed = try FileContents.withContents(of: input) { RowColumns.parse(ndjson: $0, dataset: dataset) }
        if let (line, error) = parsed.error { fail("\(input): line \(line): \(error)") }
        rows = parsed.columns
    } catch { fail("\(input): \(error)") }
    let ordered = ParsedRowSet([rows])

    let clock = ContinuousClock()
    var best = Duration.seconds(1_000_000)
    var fileBytes: Int64 = 0
    for _ in 0..<max(1, repeatCount) {
        let start = clock.now
        do {
            let writer = try ParquetFileWriter(path: output, schema: DatasetParquet.schema(dataset),
                                               options: DatasetParquet.writerOptions(compression: .snappy))
            try ordered.write(to: writer)
            fileBytes = try writer.close().bytes
        } catch { fail("\(output): \(error)") }
        best = min(best, start.duration(to: clock.now))
    }
    print("{\"rows\": \(ordered.count), \"seconds\": \(best.seconds), \"bytes\": \(fileBytes)}")
}
