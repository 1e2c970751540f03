# CSB synchronisation (issue #4): core/csb*.c, shim/csb_kloop.c.
# The shim kloop is part of every shim library variant.
foreach(v IN LISTS NM_VARIANTS)
  target_sources(nm_shim_${v} PRIVATE ${CMAKE_SOURCE_DIR}/shim/csb_kloop.c)
endforeach()

nm_add_test(csb SOURCES test_csb.c LABELS unit
            GROUPS init suppress index hostile opts)
