// Placeholder: replaced by the Parquet module.
import CSnappy
import CZstd
enum ParquetModule {}
