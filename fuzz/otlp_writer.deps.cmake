# The writer target checks our encoder's bytes with libprotobuf.
target_link_libraries(fuzz_${name} PRIVATE callpath::sdk callpath_otlp_proto)
