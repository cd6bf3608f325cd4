# The log parsers (src/logparse/), linked whole.
target_link_libraries(fuzz_${name} PRIVATE callpath::logparse)
