// The redaction step of ingest: runs a Redactor over every text the store
// would keep from a batch - span, event and resource attributes, log
// bodies and log attributes - after decoding and before the batch is
// prepared for the store. It runs on live requests and on WAL replay
// alike (IngestPipeline calls it in both), so a restart stores the same.
#pragma once

#include "redact/redactor.h"
#include "store/store.h"

namespace callpath::daemon {

// Rewrites or removes what the redactor's policy for each item's service
// says. Only string and JSON values are scanned; any value may be acted on
// by its key.
void RedactBatch(const redact::Redactor& redactor, store::IngestBatch* batch);

}  // namespace callpath::daemon
