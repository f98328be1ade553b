# PKG (issue 9.2): install rules and the Debian package, built with CPack's
# DEB generator (`toolchain/dev package [amd64|arm64]`, output in
# build-pkg-ARCH/). Included at the end of the top CMakeLists.txt (not in
# the core-only device build).
#
# Layout (docs/operations.md, "The package and its services"):
#   /usr/bin/hallkiosk, /usr/bin/hallctl, /usr/bin/hall-central
#   /usr/share/hallkiosk/{faq,voice}     found by the installed binaries
#                                         (paths_installed_asset)
#   /etc/hallkiosk/hallkiosk.json        the sample branch config (a conffile)
#   /lib/systemd/system/*.service        one unit per role + hall-central
#   /usr/lib/sysusers.d/hallkiosk.conf   the `hallkiosk` system user
#   /usr/lib/tmpfiles.d/hallkiosk.conf   /var/lib/hallkiosk, 0700, its own
# Paths under / are absolute DESTINATIONs; CPack stages them with DESTDIR.
# Debian 12 keeps units in /lib/systemd/system (its lintian says so).

set(HK_PKG_DIR ${CMAKE_SOURCE_DIR}/platform/systemd)
# cpack builds only what it installs (toolchain/dev builds those targets),
# not `all` with every test
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

if(TARGET hallkiosk)
  install(TARGETS hallkiosk RUNTIME DESTINATION bin)
endif()
install(TARGETS hallctl hall-central RUNTIME DESTINATION bin)

# assets the binaries read from files (the string catalogues, the staff page
# and the sample config are compiled in)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/assets/faq/ DESTINATION share/hallkiosk/faq
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
if(TARGET hk_voice_pack)
  # the generated voice pack (this build's voice/): only the clips, not the
  # stamp. $HK_PKG_VOICE_DIR at install time names another build's pack (the
  # same data whatever the build type): the test step packs build-release/
  # with the debug build's pack rather than speak all the clips again.
  install(CODE "set(HK_PKG_VOICE_BUILD \"${CMAKE_BINARY_DIR}/voice\")")
  install(CODE [[
    set(voice "$ENV{HK_PKG_VOICE_DIR}")
    if(NOT voice)
      set(voice "${HK_PKG_VOICE_BUILD}")
    endif()
    file(GLOB clips "${voice}/*.wav")
    if(NOT clips)
      message(FATAL_ERROR "no voice pack in ${voice} (build hk_voice_pack)")
    endif()
    file(INSTALL ${clips} DESTINATION "${CMAKE_INSTALL_PREFIX}/share/hallkiosk/voice"
         FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  ]])
endif()

install(FILES ${CMAKE_SOURCE_DIR}/assets/config/sample-branch.json
        DESTINATION /etc/hallkiosk RENAME hallkiosk.json
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

set(HK_UNITS hallkiosk-kiosk hallkiosk-counter hallkiosk-display hallkiosk-hub hall-central)
foreach(u IN LISTS HK_UNITS)
  install(FILES ${HK_PKG_DIR}/${u}.service DESTINATION /lib/systemd/system
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endforeach()
install(FILES ${HK_PKG_DIR}/hallkiosk.sysusers DESTINATION lib/sysusers.d RENAME hallkiosk.conf
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${HK_PKG_DIR}/hallkiosk.tmpfiles DESTINATION lib/tmpfiles.d RENAME hallkiosk.conf
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# Debian wants a copyright file and a compressed changelog in the doc dir
set(HK_PKG_DOC ${CMAKE_BINARY_DIR}/pkg-doc)
file(MAKE_DIRECTORY ${HK_PKG_DOC})
configure_file(${HK_PKG_DIR}/changelog.in ${HK_PKG_DOC}/changelog.Debian @ONLY)
add_custom_command(
  OUTPUT ${HK_PKG_DOC}/changelog.Debian.gz
  COMMAND gzip -9nf -k ${HK_PKG_DOC}/changelog.Debian
  DEPENDS ${HK_PKG_DOC}/changelog.Debian
  COMMENT "Compressing the package changelog")
add_custom_target(hk_pkg_doc ALL DEPENDS ${HK_PKG_DOC}/changelog.Debian.gz)
install(FILES ${HK_PKG_DIR}/copyright ${HK_PKG_DOC}/changelog.Debian.gz
        DESTINATION share/doc/hallkiosk
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# ---- CPack: one binary package, hallkiosk_VERSION_ARCH.deb
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hallkiosk)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "HallKiosk")
set(CPACK_PACKAGE_CONTACT "HallKiosk field engineering <field@hallkiosk.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://hallkiosk.invalid/")
if(HK_PKG_ARCH)
  # a cross build names the target's architecture (toolchain/dev package arm64)
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${HK_PKG_ARCH})
endif()
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "self-service kiosk software for telecom branch halls")
# the synopsis is the summary above; CPack indents these lines and turns the
# empty one into Debian's " ." paragraph break
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "HallKiosk runs the screens of a branch hall: the customer kiosk (take a
number, FAQ self-help, submissions, ratings), the counter terminal, the
hall display with voice announcements, and the branch hub that keeps the
queue. hall-central is the reference head-office server; hallctl is the
command-line client for staff and field engineers.

One systemd unit per role runs as the hallkiosk system user with its data
in /var/lib/hallkiosk; the screen roles feed the service watchdog from the
frame loop.")
# library dependencies from dpkg-shlibdeps; the rest by name: librime is
# dlopen()ed by the pinyin keyboard, its data, the CJK fonts the UI finds by
# path, systemd-sysusers/-tmpfiles for the user and the data directory; SDL
# dlopen()s EGL and GLES for its KMSDRM driver (full screen with no window
# system), which draws through Mesa (a board's GPU driver or kms_swrast)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "systemd, librime1, rime-data-pinyin-simp, rime-prelude, fonts-noto-cjk | fonts-wqy-microhei, \
libegl1, libgles2, libegl-mesa0, libgbm1, libgl1-mesa-dri")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${HK_PKG_DIR}/conffiles ${HK_PKG_DIR}/postinst ${HK_PKG_DIR}/prerm ${HK_PKG_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
