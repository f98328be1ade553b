# The warning set for our own targets only (never third-party code), as
# curl keeps its set in CMake/PickyWarnings.cmake. STYLE.md section 11.
include(CheckCCompilerFlag)

set(HK_WARNING_CANDIDATES
  -Wall -Wextra -Wpedantic -Wshadow -Wundef -Wmissing-prototypes
  -Wstrict-prototypes -Wold-style-definition -Wwrite-strings -Wpointer-arith
  -Wcast-align -Wformat=2 -Wformat-security -Wimplicit-fallthrough -Wvla
  -Wconversion -Wno-sign-conversion -Wdouble-promotion
  -Werror=implicit-function-declaration -Werror=incompatible-pointer-types)

set(HK_WARNINGS "")
foreach(flag IN LISTS HK_WARNING_CANDIDATES)
  string(MAKE_C_IDENTIFIER "HK_HAS${flag}" var)
  check_c_compiler_flag(${flag} ${var})
  if(${var})
    list(APPEND HK_WARNINGS ${flag})
  endif()
endforeach()

function(hk_warnings target)
  target_compile_options(${target} PRIVATE ${HK_WARNINGS})
  if(HK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  target_compile_definitions(${target} PRIVATE _DEFAULT_SOURCE _POSIX_C_SOURCE=200809L)
endfunction()
