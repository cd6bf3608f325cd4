# The segment codecs live in the store library, which fuzz builds do not
# make (it needs RocksDB): compile their sources into the target directly.
find_library(CALLPATH_FUZZ_ZSTD_LIBRARY zstd REQUIRED)
find_library(CALLPATH_FUZZ_LZ4_LIBRARY lz4 REQUIRED)
target_sources(fuzz_${name} PRIVATE
  ${PROJECT_SOURCE_DIR}/src/store/rocksdb/segment.cc
  ${PROJECT_SOURCE_DIR}/src/store/encoding.cc
  ${PROJECT_SOURCE_DIR}/src/store/model.cc)
target_include_directories(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(fuzz_${name} PRIVATE callpath::sdk ${CALLPATH_FUZZ_LZ4_LIBRARY} ${CALLPATH_FUZZ_ZSTD_LIBRARY})
