# The log parsers (src/logparse/), linked whole.
target_link_libraries(fuzz_${name} PRIVATE callpath::logparse)
find_package(PkgConfig REQUIRED)
pkg_check_modules(CALLPATH_FUZZ_SNAPPY REQUIRED IMPORTED_TARGET snappy)
target_link_libraries(fuzz_${name} PRIVATE PkgConfig::CALLPATH_FUZZ_SNAPPY)
