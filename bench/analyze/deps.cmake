target_link_libraries(bench_${child} PRIVATE callpath::analyze callpath::store callpath::query)
