# Encoders live in callpath::sdk, the zero-copy decoder in callpath::otlp.
target_link_libraries(bench_${child} PRIVATE callpath::sdk callpath::otlp)
