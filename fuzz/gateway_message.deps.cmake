# The gateway's HTTP/1.1 message parser (Beast's grammar into a Message).
find_package(Boost 1.74 REQUIRED)
target_link_libraries(fuzz_${name} PRIVATE callpath_gateway_lib Boost::boost)
