# The packaging_deb test (a CTest fixture): a fresh Debian package of the
# build in OUTPUT, with CPack's configuration CONFIG. A stale package of an
# earlier run is removed first, so a failure here cannot go unnoticed.
file(REMOVE_RECURSE "${OUTPUT}")
execute_process(COMMAND "${CPACK}" -G DEB --config "${CONFIG}" -B "${OUTPUT}"
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cpack failed (${result})")
endif()
