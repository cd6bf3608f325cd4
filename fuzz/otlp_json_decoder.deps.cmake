# The decoder lives in callpathd's library, which fuzz builds do not make:
# compile its source into the target directly.
find_package(simdjson REQUIRED)
target_sources(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/src/otlp/convert/otlp_json_decoder.cc)
target_include_directories(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(fuzz_${name} PRIVATE callpath::text simdjson::simdjson)
