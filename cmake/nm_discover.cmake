# nm_discover.cmake - run by cmake -P after a test binary links (see
# nm_test.cmake): ask it for its groups (--list) and write the ctest file
# that registers one test per group.  Lists arrive '|'-separated.
# In: EXE OUT UNIT KIND VARIANT LABELS GROUPS TSAN_GROUPS ENV.
cmake_minimum_required(VERSION 3.25)
foreach(var LABELS GROUPS TSAN_GROUPS ENV)
  string(REPLACE "|" ";" ${var} "${${var}}")
endforeach()

execute_process(COMMAND ${EXE} --list
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR out STREQUAL "")
  message(FATAL_ERROR "${EXE} --list failed (status ${rc}): ${err}")
endif()
# The binary must call itself what CMake calls it (one name per unit).
execute_process(COMMAND ${EXE} --no-such-group
                OUTPUT_VARIABLE ignored ERROR_VARIABLE named RESULT_VARIABLE ignored_rc)
if(NOT named MATCHES "^${UNIT}: ")
  message(FATAL_ERROR "${EXE}: nm_test_main() names its unit '${named}', "
          "CMake '${UNIT}' (tests/test_<unit>.c, nm_test_main(\"<unit>\"))")
endif()

string(REPLACE "\n" ";" lines "${out}")
set(listed)
set(body "")
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  string(REPLACE " " ";" words "${line}")
  list(POP_FRONT words group)
  list(APPEND listed ${group})
  set(kind ${KIND})
  set(labels ${LABELS})
  set(timeout 300)
  if("stress" IN_LIST words)
    set(kind stress)
    set(labels stress)
    set(timeout 3600)
    if(NOT VARIANT STREQUAL "plain")
      list(APPEND labels ${VARIANT})
    endif()
  elseif(GROUPS AND NOT group IN_LIST GROUPS)
    message(FATAL_ERROR "${EXE} lists group '${group}', GROUPS does not: "
            "drop GROUPS (the binary's list is enough) or add it")
  endif()
  if(VARIANT STREQUAL "tsan" AND NOT "tsan" IN_LIST words
     AND NOT group IN_LIST TSAN_GROUPS)
    continue()
  endif()
  set(name ${kind}.${UNIT}.${group})
  if(NOT VARIANT STREQUAL "plain")
    string(APPEND name .${VARIANT})
  endif()
  string(APPEND body
    "add_test([==[${name}]==] [==[${EXE}]==] [==[${group}]==])\n"
    "set_tests_properties([==[${name}]==] PROPERTIES LABELS [==[${labels}]==] "
    "TIMEOUT ${timeout} ENVIRONMENT [==[${ENV}]==])\n")
endforeach()
foreach(group IN LISTS GROUPS TSAN_GROUPS)
  if(NOT group IN_LIST listed)
    message(FATAL_ERROR "GROUPS names '${group}' but ${EXE} --list does not")
  endif()
endforeach()
file(WRITE ${OUT}.tmp "${body}")
file(RENAME ${OUT}.tmp ${OUT})
