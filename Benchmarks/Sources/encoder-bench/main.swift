// encoder-bench: the one benchmark of our Parquet encoder. Two modes, one per Python driver,
// because the drivers feed it differently:
//
//   encoder-bench ndjson --input rows.ndjson --output out.parquet [--repeat N]
//       NDJSON rows parsed by the tool's access dataset, written with the tool's own writer
//       options (Benchmarks/bench_parquet.py; NDJSONMode.swift).
//   encoder-bench dump DUMP OUTPUT.parquet [repetitions] [snappy|zstd|none] [parallel|serial]
//       a synthetic column dump written by Benchmarks/bench_parquet_encoder.py, timing the
//       column fill and the encode apart (DumpMode.swift).
//
// Each mode prints one JSON object with its best times; the driver compares it with pyarrow.
import Foundation

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("encoder-bench: \(message)\n".utf8))
    exit(status)
}

enum Usage {
    static let text = """
        usage: encoder-bench ndjson --input F --output F [--repeat N]
               encoder-bench dump DUMP OUTPUT.parquet [repetitions] [snappy|zstd|none] [parallel|serial]
        """
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "ndjson": runNDJSONMode(Array(arguments.dropFirst()))
case "dump": runDumpMode(Array(arguments.dropFirst()))
default: fail(Usage.text)
}
