# The request path benchmark encodes the loadgen's payloads itself.
target_sources(bench_${child} PRIVATE ${PROJECT_SOURCE_DIR}/src/loadgen/trace_generator.cc)
target_link_libraries(bench_${child} PRIVATE callpath_daemon callpath::otlp)
