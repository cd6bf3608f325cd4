# Install rules and the exported package: find_package(callpath) gives
# callpath::sdk and callpath::otlp (and callpath::log once it exists), and
# callpath::text, which they link (its headers stay private).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(callpath_installed_targets callpath_sdk callpath_otlp callpath_text)
foreach(t callpath_log)
  if(TARGET ${t})
    list(APPEND callpath_installed_targets ${t})
  endif()
endforeach()

install(TARGETS ${callpath_installed_targets} EXPORT callpathTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/callpath DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT callpathTargets NAMESPACE callpath::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/callpath)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/callpathConfig.cmake.in
  ${PROJECT_BINARY_DIR}/callpathConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/callpath)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/callpathConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/callpathConfig.cmake ${PROJECT_BINARY_DIR}/callpathConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/callpath)
