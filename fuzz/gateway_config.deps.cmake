# The gateway's config parser (yaml-cpp) and routing logic.
target_link_libraries(fuzz_${name} PRIVATE callpath_gateway_lib)
