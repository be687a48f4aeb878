# Shared helpers for sfud's CMake files.

# sfud_add_test(NAME <name> SOURCES <files...> LIBS <libs...> [LABELS <labels...>])
# A GoogleTest binary registered with ctest (label "unit" unless given).
function(sfud_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT SFUD_BUILD_TESTS)
    return()
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# sfud_add_fuzzer(NAME <name> SOURCE <file> LIBS <libs...> CORPUS <seed dir>)
# With SFUD_FUZZ: a libFuzzer binary plus a ctest "fuzz_<name>" that fuzzes for SFUD_FUZZ_SECONDS
# starting from the seed corpus (new inputs go to the build tree, never into the source tree).
# Without: the same entry point linked with a replay driver, and a ctest "fuzz_replay_<name>" that
# runs every seed through it, so the normal build checks that the corpus still passes.
function(sfud_add_fuzzer)
  cmake_parse_arguments(F "" "NAME;SOURCE;CORPUS" "LIBS" ${ARGN})
  if(SFUD_FUZZ)
    add_executable(${F_NAME}_fuzz ${F_SOURCE})
    target_link_libraries(${F_NAME}_fuzz PRIVATE ${F_LIBS})
    target_link_options(${F_NAME}_fuzz PRIVATE -fsanitize=fuzzer)
    set(work ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus_${F_NAME})
    file(MAKE_DIRECTORY ${work})
    add_test(NAME fuzz_${F_NAME}
             COMMAND ${F_NAME}_fuzz -max_total_time=${SFUD_FUZZ_SECONDS} -rss_limit_mb=2048
                     -timeout=10 -print_final_stats=1 -artifact_prefix=${CMAKE_CURRENT_BINARY_DIR}/
                     ${work} ${F_CORPUS})
    math(EXPR fuzz_timeout "${SFUD_FUZZ_SECONDS} * 3 + 60")
    set_tests_properties(fuzz_${F_NAME} PROPERTIES LABELS fuzz TIMEOUT ${fuzz_timeout})
  elseif(SFUD_BUILD_TESTS)
    add_executable(${F_NAME}_replay ${F_SOURCE} ${PROJECT_SOURCE_DIR}/tests/fuzz_replay_main.cc)
    target_link_libraries(${F_NAME}_replay PRIVATE ${F_LIBS})
    add_test(NAME fuzz_replay_${F_NAME} COMMAND ${F_NAME}_replay ${F_CORPUS})
    set_tests_properties(fuzz_replay_${F_NAME} PROPERTIES LABELS unit TIMEOUT 300)
  endif()
endfunction()

# sfud_add_subdirectories(<dir names...>): add each that exists (lets modules land one by one).
macro(sfud_add_subdirectories)
  foreach(sub ${ARGN})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${sub}/CMakeLists.txt)
      add_subdirectory(${sub})
    endif()
  endforeach()
endmacro()
