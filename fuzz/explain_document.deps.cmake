target_link_libraries(fuzz_${name} PRIVATE callpath_cli_lib)
