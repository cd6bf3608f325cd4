target_link_libraries(bench_${child} PRIVATE callpath_daemon)
