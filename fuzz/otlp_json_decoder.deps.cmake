# The decoder lives in callpathd's library, which fuzz builds do not make:
# compile its few sources into the target directly.
find_package(simdjson REQUIRED)
target_sources(fuzz_${name} PRIVATE
  ${PROJECT_SOURCE_DIR}/src/otlp/convert/otlp_json_decoder.cc
  ${PROJECT_SOURCE_DIR}/src/otlp/convert/value_text.cc)
target_include_directories(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(fuzz_${name} PRIVATE simdjson::simdjson)
