# fuzz_mcp_message: callpathd's MCP endpoint over an empty RocksDB store.
# callpathd's library is not built for fuzzing: its MCP sources are
# compiled into the target.
find_package(simdjson REQUIRED)
target_sources(fuzz_${name} PRIVATE
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/mcp_server.cc
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/mcp_tools.cc
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/mcp_tool_catalog.cc
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/mcp_get_trace.cc
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/mcp_span_details.cc
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/mcp_dependencies.cc
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/mcp_analyze.cc
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/mcp_metrics.cc
  ${PROJECT_SOURCE_DIR}/src/daemon/serve/query_api_v3.cc)
target_link_libraries(fuzz_${name} PRIVATE callpath::analyze callpath::query simdjson::simdjson Threads::Threads)
