# The Debian package of emf, made by CPack from the install() rules of the
# root CMakeLists.txt: `make package` (which configures a build for /usr), or
# `cpack` / `cmake --build <build> --target package` in any build folder.
# It writes emf_<version>_<arch>.deb, the version being the project's.
#
# The package installs under /usr: the library goes to /usr/${CMAKE_INSTALL_LIBDIR},
# which is lib/<multiarch> (where the dynamic loader looks, so `.load libemf`
# works without a path) when the build was configured with
# CMAKE_INSTALL_PREFIX=/usr, as `make package` does, and lib otherwise.

set(EMF_PACKAGE_MAINTAINER "emf maintainers <maintainers@users.noreply.example>"
    CACHE STRING "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME emf)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Excuse My French")
set(CPACK_PACKAGE_CONTACT "${EMF_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "SQLite extension and tool for the Excuse My French databases")
set(CPACK_PACKAGE_DESCRIPTION
    "emf keeps the three SQLite databases of Excuse My French (trends, metrics
and image_library): it creates them, adopts databases made by other tools,
migrates, checks, repairs, seeds, resets and backs them up.
.
libemf.so is a SQLite loadable extension carrying their schemas, migrations
and checks, usable from any SQLite client (.load libemf in sqlite3); the emf
program does the same from the command line.")
# Debian's own packages ship stripped binaries (debug symbols go elsewhere).
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

# emf_0.1.0_amd64.deb: name_version_architecture, as Debian names packages
# (no revision: CPACK_DEBIAN_PACKAGE_RELEASE is unset).
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${EMF_PACKAGE_MAINTAINER}")

# The libraries the binaries link, found by dpkg-shlibdeps (package
# dpkg-dev) when it is there; written by hand otherwise (Debian 12's names).
# Either way SQLite 3.38 at least: the extension's SQL needs it, and the
# version dpkg-shlibdeps derives from the symbols emf uses is lower.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libsqlite3-0 (>= 3.38.0)")
find_program(EMF_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(EMF_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  message(STATUS "dpkg-shlibdeps not found (package dpkg-dev): the package's Depends are "
                 "written by hand")
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS
         ", libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1 (>= 3.0), libfmt9 (>= 9.1.0), "
         "libnettle8 (>= 3.7)")
endif()
# `emf shell` runs the sqlite3 program; everything else works without it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS sqlite3)
# It loads the bash completion in share/bash-completion/completions.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS bash-completion)

include(CPack)
