# cpack -G DEB: the Debian package of what install.cmake installs.
# scripts/package builds it from the release preset (prefix /usr).
set(CPACK_PACKAGE_NAME feedd)
set(CPACK_PACKAGE_VENDOR "the feedd authors")
set(CPACK_PACKAGE_CONTACT "feedd maintainers <feedd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "RSS/Atom feed aggregation daemon")
set(CPACK_PACKAGE_DESCRIPTION
    "feedd fetches RSS and Atom feeds listed in PostgreSQL with a bounded pool of network threads and stores normalized entries back in PostgreSQL. It runs as a hardened systemd service configured by one YAML file.")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Dependencies from the binary's shared libraries (dpkg-shlibdeps), plus
# what the maintainer scripts run when systemd's tools are absent.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/debian/postinst"
    "${PROJECT_SOURCE_DIR}/packaging/debian/prerm"
    "${PROJECT_SOURCE_DIR}/packaging/debian/postrm"
    "${PROJECT_SOURCE_DIR}/packaging/debian/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
