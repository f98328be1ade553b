# Shared by the cross toolchain files: Debian multiarch, no sysroot. The
# target's libraries live in /usr/lib/<triple>, its headers in /usr/include
# (and /usr/include/<triple>), its .pc files in /usr/lib/<triple>/pkgconfig.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${HK_CROSS_TRIPLE}-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE ${HK_CROSS_TRIPLE})
# pkg-config must see the target's .pc files only (never the build machine's)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${HK_CROSS_TRIPLE}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu)
# ctest runs target binaries through qemu-user; the loader and libraries are
# found at their multiarch paths (libc6:<arch> is installed with the -dev packages)
find_program(HK_QEMU_USER ${HK_CROSS_QEMU} REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${HK_QEMU_USER})
