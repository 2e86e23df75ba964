// Placeholder: replaced by the AccessLog module.
enum AccessLogModule {}
