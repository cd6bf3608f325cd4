# bench_http is a server program driven by wrk (run_overhead.sh), not a
# Google Benchmark: its own main() takes precedence over benchmark_main's.
target_link_libraries(bench_http PRIVATE callpath::http)
