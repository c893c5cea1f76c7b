# What `cmake --install` puts where (FHS; the release preset installs under
# /usr, so /etc for the configuration). Included from the root CMakeLists.
#
# The binary goes to bin, not sbin: besides the daemon it is the command
# operators and scripts run without root (feeds list/add, check-config,
# parse), and FHS keeps sbin for tools used only by the administrator.
include(GNUInstallDirs)

# systemd reads units, sysusers and tmpfiles under /usr/lib and
# /usr/local/lib alike; -DFEEDD_SYSTEMD_UNIT_DIR=... and so on to differ.
# Not cache variables: they follow a changed CMAKE_INSTALL_PREFIX.
if(NOT DEFINED FEEDD_SYSTEMD_UNIT_DIR)
  set(FEEDD_SYSTEMD_UNIT_DIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
if(NOT DEFINED FEEDD_SYSUSERS_DIR)
  set(FEEDD_SYSUSERS_DIR "${CMAKE_INSTALL_PREFIX}/lib/sysusers.d")
endif()
if(NOT DEFINED FEEDD_TMPFILES_DIR)
  set(FEEDD_TMPFILES_DIR "${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d")
endif()
set(FEEDD_CONFIG_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/feedd")
set(feedd_doc_dir "${CMAKE_INSTALL_DATAROOTDIR}/doc/feedd")

# The unit as written names /usr/bin/feedd and /etc/feedd (what the release
# preset installs); another prefix gets a unit that names its own paths.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/systemd/feedd.service")
file(READ "${PROJECT_SOURCE_DIR}/systemd/feedd.service" feedd_unit)
string(REPLACE "/usr/bin/feedd" "${CMAKE_INSTALL_FULL_BINDIR}/feedd" feedd_unit "${feedd_unit}")
string(REPLACE "/etc/feedd/" "${FEEDD_CONFIG_DIR}/" feedd_unit "${feedd_unit}")
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/install/feedd.service" CONTENT "${feedd_unit}")

# Man pages carry the version and are installed compressed (Debian policy
# 12.1: gzip -9n, no timestamp in the file). build/man is a MANPATH entry,
# so the unit's Documentation= verifies before installing (scripts/check-unit).
set(feedd_man_pages feedd.8 feedd.yaml.5)
set(feedd_man_outputs)
set(VERSION "${PROJECT_VERSION}")
foreach(page IN LISTS feedd_man_pages)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section "${page}")
  set(built "${PROJECT_BINARY_DIR}/man/man${section}/${page}")
  configure_file("${PROJECT_SOURCE_DIR}/docs/man/${page}" "${built}" @ONLY)
  add_custom_command(OUTPUT "${built}.gz" COMMAND gzip -9nf -k "${built}" DEPENDS "${built}" VERBATIM)
  list(APPEND feedd_man_outputs "${built}.gz")
  install(FILES "${built}.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man${section}")
endforeach()
add_custom_target(feedd_man ALL DEPENDS ${feedd_man_outputs})

install(TARGETS feedd RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES "${PROJECT_BINARY_DIR}/install/feedd.service" DESTINATION "${FEEDD_SYSTEMD_UNIT_DIR}")
install(FILES "${PROJECT_SOURCE_DIR}/systemd/feedd.sysusers" DESTINATION "${FEEDD_SYSUSERS_DIR}" RENAME feedd.conf)
install(FILES "${PROJECT_SOURCE_DIR}/systemd/feedd.tmpfiles" DESTINATION "${FEEDD_TMPFILES_DIR}" RENAME feedd.conf)
# 0640: the file may hold the database URL with its password. Its group
# becomes feedd when systemd-tmpfiles --create runs (feedd.tmpfiles), since
# the group may not exist yet at install time.
install(FILES "${PROJECT_SOURCE_DIR}/systemd/feedd.yaml" DESTINATION "${FEEDD_CONFIG_DIR}"
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES README.md docs/reliability.md LICENSE packaging/debian/copyright
        DESTINATION "${feedd_doc_dir}")
install(FILES systemd/feedd.yaml systemd/sample.opml DESTINATION "${feedd_doc_dir}/examples")
# The Grafana dashboard and Prometheus alert rules README's metrics section
# names, for operators to copy into their monitoring.
install(FILES contrib/grafana-feedd.json contrib/feedd-alerts.yml contrib/feedd-alerts.test.yml
        DESTINATION "${feedd_doc_dir}/contrib")
