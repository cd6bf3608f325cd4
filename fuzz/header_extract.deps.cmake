target_link_libraries(fuzz_header_extract PRIVATE callpath::http)
