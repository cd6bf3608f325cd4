# bench_log measures callpath::log against spdlog's async logger in one binary.
find_package(spdlog REQUIRED)
target_link_libraries(bench_${child} PRIVATE callpath::log spdlog::spdlog)
