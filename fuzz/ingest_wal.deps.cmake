# The WAL reader lives in callpathd's library, which fuzz builds do not
# make: compile its source into the target directly.
find_package(ZLIB REQUIRED)
target_sources(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/src/daemon/ingest/wal_format.cc)
target_include_directories(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(fuzz_${name} PRIVATE ZLIB::ZLIB Threads::Threads)
