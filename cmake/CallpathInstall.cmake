# Install rules and the exported package. find_package(callpath) gives every
# library whose headers are installed under include/callpath/:
#   callpath::sdk   tracing, context, propagation, exporters (with callpath::otlp
#                   and callpath::text, which it links; their headers stay private)
#   callpath::log   the structured logger
#   callpath::http  cpp-httplib, libcurl and Beast instrumentation, messaging
#   callpath::grpc  grpc++ interceptors (when gRPC is found by the consumer)
# The daemon's libraries (store, query, OTLP conversion) are not installed:
# their headers live beside their code under src/.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(callpath_core_targets callpath_text callpath_otlp callpath_sdk callpath_log)
install(TARGETS ${callpath_core_targets} EXPORT callpathTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT callpathTargets NAMESPACE callpath::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/callpath)

# Optional components, each in an export set of its own so a consumer
# without gRPC can still use the rest.
if(TARGET callpath_http)
  install(TARGETS callpath_http callpath_httplib EXPORT callpathHttpTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT callpathHttpTargets NAMESPACE callpath::
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/callpath)
endif()
if(TARGET callpath_grpc)
  install(TARGETS callpath_grpc EXPORT callpathGrpcTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT callpathGrpcTargets NAMESPACE callpath::
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/callpath)
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/callpath DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        PATTERN "*.in" EXCLUDE
        PATTERN "redaction.h" EXCLUDE)  # needs callpath::redact, not installed yet
install(FILES ${PROJECT_BINARY_DIR}/include/callpath/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/callpath)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/callpathConfig.cmake.in
  ${PROJECT_BINARY_DIR}/callpathConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/callpath)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/callpathConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/callpathConfig.cmake ${PROJECT_BINARY_DIR}/callpathConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/callpath)
