# Small helpers shared by every directory.

# callpath_library(NAME <target> ALIAS <ns::name> DIR <dir>... [SOURCES <file>...]
#                  [EXPORT_NAME <name>] [INTERNAL] [DEPS ...] [PRIVATE_DEPS ...])
# Every .cc under each DIR that is not a *_test.cc, plus SOURCES, becomes a
# source of the library. SOURCES lets a library take files that live with
# their kind elsewhere (the SDK's OTLP encoders live in src/otlp/encode/).
# Public headers are under include/; an INTERNAL library (never installed:
# the daemon's store, query, OTLP conversion) has its headers under src/ and
# hands that folder to whatever links it.
function(callpath_library)
  cmake_parse_arguments(A "INTERNAL" "NAME;ALIAS;EXPORT_NAME" "DIR;SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(srcs)
  foreach(dir ${A_DIR})
    file(GLOB_RECURSE dir_srcs CONFIGURE_DEPENDS ${dir}/*.cc)
    list(APPEND srcs ${dir_srcs})
  endforeach()
  list(FILTER srcs EXCLUDE REGEX "_test\\.cc$")
  list(APPEND srcs ${A_SOURCES})
  add_library(${A_NAME} ${srcs})
  add_library(${A_ALIAS} ALIAS ${A_NAME})
  target_include_directories(${A_NAME} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  if(A_INTERNAL)
    target_include_directories(${A_NAME} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
  endif()
  target_compile_features(${A_NAME} PUBLIC cxx_std_20)
  target_link_libraries(${A_NAME} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
  if(A_EXPORT_NAME)
    set_target_properties(${A_NAME} PROPERTIES EXPORT_NAME ${A_EXPORT_NAME})
  endif()
  if(CALLPATH_TOP_LEVEL AND NOT CALLPATH_FUZZ)
    target_compile_options(${A_NAME} PRIVATE -Wall -Wextra)
  endif()
endfunction()

# callpath_unit_tests(NAME <exe> DIR <dir> DEPS ...)
# All *_test.cc under DIR (tests live beside the code they pin) form one
# GoogleTest binary; each TEST becomes its own CTest entry.
function(callpath_unit_tests)
  cmake_parse_arguments(A "" "NAME;DIR" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${A_DIR}/*_test.cc)
  if(NOT srcs)
    return()
  endif()
  add_executable(${A_NAME} ${srcs})
  target_include_directories(${A_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${A_NAME} PRIVATE
    CALLPATH_TESTDATA_DIR="${PROJECT_SOURCE_DIR}/testdata"
    CALLPATH_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CALLPATH_BIN_DIR="${CMAKE_RUNTIME_OUTPUT_DIRECTORY}")
  gtest_discover_tests(${A_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
