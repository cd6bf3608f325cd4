# fuzz_explain_document: the CLI's explain document reader and renderers.
# The CLI's library is not built for fuzzing: its sources are compiled in.
find_package(simdjson REQUIRED)
target_sources(fuzz_${name} PRIVATE
  ${PROJECT_SOURCE_DIR}/src/cli/explain_parse.cc
  ${PROJECT_SOURCE_DIR}/src/cli/render_explain.cc
  ${PROJECT_SOURCE_DIR}/src/cli/line.cc
  ${PROJECT_SOURCE_DIR}/src/cli/style.cc
  ${PROJECT_SOURCE_DIR}/src/cli/text.cc)
target_link_libraries(fuzz_${name} PRIVATE callpath::sdk simdjson::simdjson)
