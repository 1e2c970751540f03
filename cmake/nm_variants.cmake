# nm_variants.cmake - the library variants, defined once.
#
# A variant is a set of compile and link flags that every library built for
# it carries PUBLIC, so whatever links nm_<backend>_<variant> (a test, a
# fuzz driver, a bench, a simulator layer) is compiled the same way:
#   plain  no sanitizer
#   asan   ASan + UBSan, halting on the first report (in the default tests)
#   tsan   TSan; NM_SHIM_TSAN maps the shim's fences to C11 atomics
#   fuzz   libFuzzer coverage + ASan + UBSan (only with NM_FUZZ, clang)
# NM_VARIANTS is what the shim is built in; NM_SIM_VARIANTS what the
# simulator (no threads, so no tsan) and its layers are built in.
# Include after NM_SANITIZERS and NM_WARNINGS are set.

set(NM_VARIANTS plain)
if(NM_SANITIZERS)
  list(APPEND NM_VARIANTS asan tsan)
endif()
set(NM_SIM_VARIANTS ${NM_VARIANTS})
list(REMOVE_ITEM NM_SIM_VARIANTS tsan)

set(NM_FLAGS_plain "")
set(NM_FLAGS_asan -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
set(NM_FLAGS_tsan -fsanitize=thread -fno-omit-frame-pointer)
set(NM_FLAGS_fuzz -fsanitize=fuzzer-no-link,address,undefined
    -fno-omit-frame-pointer)
# Link flags, where they differ from the compile flags.
set(NM_LINK_FLAGS_fuzz -fsanitize=address,undefined)
set(NM_DEFS_tsan NM_SHIM_TSAN)

# nm_variant_flags(<target> <variant> <PUBLIC|PRIVATE|INTERFACE>): give
# target the variant's compile flags, link flags and definitions.
function(nm_variant_flags target variant scope)
  if(NOT DEFINED NM_FLAGS_${variant})
    message(FATAL_ERROR "nm_variant_flags: unknown variant '${variant}'")
  endif()
  set(link ${NM_FLAGS_${variant}})
  if(DEFINED NM_LINK_FLAGS_${variant})
    set(link ${NM_LINK_FLAGS_${variant}})
  endif()
  target_compile_options(${target} ${scope} ${NM_FLAGS_${variant}})
  target_link_options(${target} ${scope} ${link})
  if(NM_DEFS_${variant})
    target_compile_definitions(${target} ${scope} ${NM_DEFS_${variant}})
  endif()
endfunction()

# nm_add_backend(<name> <variant> DEFINE <backend macro> SOURCES ...
#                [INCLUDE dir] [LIBS ...]): the core (NM_CORE_SOURCES) plus
# a backend as the STATIC library <name>_<variant>.
function(nm_add_backend name variant)
  cmake_parse_arguments(B "" "DEFINE;INCLUDE" "SOURCES;LIBS" ${ARGN})
  set(lib ${name}_${variant})
  add_library(${lib} STATIC ${NM_CORE_SOURCES} ${B_SOURCES})
  target_include_directories(${lib} PUBLIC ${CMAKE_SOURCE_DIR}/core ${B_INCLUDE}
                             ${CK_INCLUDE_DIR})
  target_compile_definitions(${lib} PUBLIC ${B_DEFINE})
  nm_variant_flags(${lib} ${variant} PUBLIC)
  target_compile_options(${lib} PRIVATE ${NM_WARNINGS})
  target_link_libraries(${lib} PUBLIC ${B_LIBS})
endfunction()

# nm_add_backends(<name> VARIANTS <v>... <nm_add_backend arguments>): one
# library per variant.
function(nm_add_backends name)
  cmake_parse_arguments(B "" "DEFINE;INCLUDE" "VARIANTS;SOURCES;LIBS" ${ARGN})
  foreach(v IN LISTS B_VARIANTS)
    nm_add_backend(${name} ${v} DEFINE ${B_DEFINE} INCLUDE ${B_INCLUDE}
                   SOURCES ${B_SOURCES} LIBS ${B_LIBS})
  endforeach()
endfunction()
