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
// Every column of kSpanColumns up to, not including, `writer`. Resource
// attributes are stored once per distinct resource in the resources table
// (ResourceHash, PutResource) and the row carries only their hash in
// `resource`; its `res` arrays, filled by schema version 2 and older, are
// written empty.
void PutSpan(RowWriter& w, const StoredSpan& span, uint64_t resource);
// Every column of kLogColumns up to, not including, `writer`.
void PutLog(RowWriter& w, const StoredLog& log, uint64_t resource);
// The `resource` column for a resource encoded by PutAttributes: FNV-1a of
// those bytes, never 0 (0 = none, or a row of version 2 and older that
// keeps its own `res` arrays). Stored, so it must never change.
uint64_t ResourceHash(std::string_view encoded_attributes);
// A row of the resources table: kResourceColumns.
void PutResource(RowWriter& w, uint64_t day, uint64_t resource, std::string_view encoded_attributes);
// The `tag` column of the tags table for attribute key=value (the value
// as Value::AsText): FNV-1a of the key, a 0 byte and the value. Stored, so
// it must never change.
uint64_t TagHash(std::string_view key, std::string_view value_text);
// The (writer, version, seq) columns that end every versioned row.
void PutVersion(RowWriter& w, std::string_view writer, uint64_t version, uint32_t seq);

// Reads a row of kSpanColumns / kLogColumns; false when malformed. The
// resource attributes are those of the row's `res` arrays; *resource gets
// the `resource` column, whose attributes the caller looks up (0: none).
bool ReadSpan(RowReader& r, StoredSpan* span, uint64_t* resource, uint64_t* version, uint32_t* seq);
bool ReadLog(RowReader& r, StoredLog* log, uint64_t* resource, uint64_t* version, uint32_t* seq);
// Reads a (resource, res.key, res.type, res.value) answer row.
bool ReadResource(RowReader& r, uint64_t* resource, Attributes* attributes);

}  // namespace callpath::store::ch
