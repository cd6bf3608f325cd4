# Request-body decompression lives in callpathd's library, which fuzz builds
# do not make: compile its source into the target directly.
find_package(ZLIB REQUIRED)
find_library(CALLPATH_FUZZ_ZSTD_LIBRARY zstd REQUIRED)
target_sources(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/src/daemon/receive/inflate.cc)
target_link_libraries(fuzz_${name} PRIVATE ZLIB::ZLIB ${CALLPATH_FUZZ_ZSTD_LIBRARY})
