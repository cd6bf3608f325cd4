# The gateway's edge policy (plain C++ in the gateway library).
target_link_libraries(fuzz_${name} PRIVATE callpath_gateway_lib)
