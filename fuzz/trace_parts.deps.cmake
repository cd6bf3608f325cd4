# fuzz_trace_parts: the web UI's trace endpoints (skeleton, spans, logs,
# find) over a RocksDB store holding one small trace. callpathd's library is
# not built for fuzzing: the sources under test are compiled into the target.
find_package(simdjson REQUIRED)
target_sources(fuzz_${name} PRIVATE
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/trace_parts.cc
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/query_api_v3.cc)
target_link_libraries(fuzz_${name} PRIVATE callpath::query simdjson::simdjson Threads::Threads)
