# fuzz_redact: the redaction library's sources compiled into the target
# (fuzz builds do not make callpathd's libraries), with Status from the SDK
# and the text helpers; no other SDK code is needed.
find_package(OpenSSL REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(CALLPATH_FUZZ_RE2 REQUIRED IMPORTED_TARGET re2)
target_sources(fuzz_${name} PRIVATE
  ${PROJECT_SOURCE_DIR}/src/redact/detectors.cc
  ${PROJECT_SOURCE_DIR}/src/redact/redactor.cc
  ${PROJECT_SOURCE_DIR}/src/redact/redaction_yaml.cc
  ${PROJECT_SOURCE_DIR}/src/sdk/status.cc)
target_include_directories(fuzz_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(fuzz_${name} PRIVATE callpath::text OpenSSL::Crypto PkgConfig::CALLPATH_FUZZ_RE2 yaml-cpp)
