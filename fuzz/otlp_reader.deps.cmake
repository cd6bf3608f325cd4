# The reader target compares our zero-copy decoders with libprotobuf.
target_link_libraries(fuzz_${name} PRIVATE callpath::otlp callpath_otlp_proto)
