# fuzz_log_json: the logger's JSON line encoder, checked with simdjson.
find_package(simdjson REQUIRED)
target_link_libraries(fuzz_${name} PRIVATE callpath::log simdjson::simdjson)
