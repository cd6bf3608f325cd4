# fuzz_latency_sketch: the sketch codec lives in the store library, which
# fuzz builds do not make (it needs RocksDB): compile its source directly.
target_sources(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/src/store/latency_sketch.cc)
target_include_directories(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(fuzz_${name} PRIVATE callpath::sdk)
