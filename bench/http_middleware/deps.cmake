target_link_libraries(bench_http_middleware PRIVATE callpath::http)
