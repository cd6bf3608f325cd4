# fuzz_clickhouse_rows: the row codec lives in the store library, which fuzz
# builds do not make (it needs RocksDB): compile its sources directly.
target_sources(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/src/store/clickhouse/rows.cc
                                    ${PROJECT_SOURCE_DIR}/src/store/model.cc)
target_include_directories(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(fuzz_${name} PRIVATE callpath::sdk)
