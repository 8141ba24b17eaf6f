# Helpers that keep each folder's CMakeLists a plain list of sources and dependencies.

add_library(lepton_warnings INTERFACE)
target_compile_options(lepton_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
    # Designated initializers leave the other members at their defaults on purpose.
    -Wno-missing-field-initializers>
  # GCC 12 reports false -Wrestrict on std::string concatenation at -O3 (GCC bug 105329).
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-restrict>
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<BOOL:${LEPTON_WERROR}>>:-Werror>)

# LEPTON_SANITIZE=address,undefined builds everything with those sanitizers (the asan preset);
# LEPTON_SANITIZE=thread builds with ThreadSanitizer (the tsan preset: the tests labelled threads).
set(LEPTON_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address,undefined or thread")
if(LEPTON_SANITIZE)
  add_compile_options(-fsanitize=${LEPTON_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${LEPTON_SANITIZE})
endif()

# lepton_library(NAME SOURCES ... DEPS ...): a static library rooted at the project root.
function(lepton_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE lepton_warnings ${ARG_PRIVATE_DEPS})
endfunction()

# lepton_test(NAME SOURCES ... DEPS ... [LABELS ...]): a GoogleTest binary registered with CTest.
function(lepton_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main
    lepton_warnings)
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES LABELS "${ARG_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()
