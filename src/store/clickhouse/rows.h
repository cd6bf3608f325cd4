// Spans and log records as rows of the ClickHouse tables (schema.h's
// column lists, in order), both ways. Attribute values are kept as their
// type and Value::AsText, from which Value is rebuilt exactly (doubles are
// printed shortest round-trip, bytes as hex).
#pragma once

#include <cstdint>

#include "store/clickhouse/row_binary.h"
#include "store/model.h"

namespace callpath::store::ch {

// Attributes as the three arrays of a Nested(key, type, value) column.
void PutAttributes(RowWriter& w, const Attributes& attrs);
// Every column of kSpanColumns up to, not including, `writer`; resource
// attributes are given already encoded (PutAttributes), once per resource.
void PutSpan(RowWriter& w, const StoredSpan& span, std::string_view encoded_resource);
// Every column of kLogColumns up to, not including, `writer`.
void PutLog(RowWriter& w, const StoredLog& log, std::string_view encoded_resource);
// The `tag` column of the tags table for attribute key=value (the value
// as Value::AsText): FNV-1a of the key, a 0 byte and the value. Stored, so
// it must never change.
uint64_t TagHash(std::string_view key, std::string_view value_text);
// The (writer, version, seq) columns that end every versioned row.
void PutVersion(RowWriter& w, std::string_view writer, uint64_t version, uint32_t seq);

// Reads a row of kSpanColumns / kLogColumns; false when malformed.
bool ReadSpan(RowReader& r, StoredSpan* span, uint64_t* version, uint32_t* seq);
bool ReadLog(RowReader& r, StoredLog* log, uint64_t* version, uint32_t* seq);

}  // namespace callpath::store::ch
