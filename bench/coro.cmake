# Coroutine switch for the simulator's actors (issue 12), label bench:
# never in the default set.  Boost.Context's fcontext and libpcl are
# measured beside our own switch when installed (they are not dependencies).
if("plain" IN_LIST NM_VARIANTS)
  add_executable(nmlab-bench-coro bench_coro.c)
  target_compile_options(nmlab-bench-coro PRIVATE ${NM_WARNINGS} -Wno-missing-prototypes)
  target_link_libraries(nmlab-bench-coro PRIVATE PkgConfig::JANSSON nm_simcore_plain)
  find_library(NM_BOOST_CONTEXT_LIB boost_context)
  if(NM_BOOST_CONTEXT_LIB)
    target_compile_definitions(nmlab-bench-coro PRIVATE BENCH_HAVE_BOOST_CONTEXT)
    target_link_libraries(nmlab-bench-coro PRIVATE ${NM_BOOST_CONTEXT_LIB})
  endif()
  find_library(NM_PCL_LIB pcl)
  find_path(NM_PCL_INCLUDE pcl.h)
  if(NM_PCL_LIB AND NM_PCL_INCLUDE)
    target_compile_definitions(nmlab-bench-coro PRIVATE BENCH_HAVE_PCL)
    target_include_directories(nmlab-bench-coro PRIVATE ${NM_PCL_INCLUDE})
    target_link_libraries(nmlab-bench-coro PRIVATE ${NM_PCL_LIB})
  endif()
  add_test(NAME bench.coro COMMAND nmlab-bench-coro
           --json ${CMAKE_BINARY_DIR}/bench-coro.json)
  set_tests_properties(bench.coro PROPERTIES LABELS bench TIMEOUT 600)
endif()
