# Every dependency comes from Debian 12's packages through find_package. CUDA, NCCL and MPI are
# optional: the project configures, builds and tests without them.

find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)  # the libgomp team oneDNN's GEMMs also use
find_package(yaml-cpp REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(dnnl REQUIRED)
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_package(LAPACK REQUIRED)
find_package(sodium REQUIRED)
find_package(ZLIB REQUIRED)

# OpenBLAS's own header directory (cblas.h with openblas_get_config) differs per threading flavour.
find_path(LEPTON_OPENBLAS_INCLUDE_DIR cblas.h
  PATHS /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/openblas
  NO_DEFAULT_PATH)
if(NOT LEPTON_OPENBLAS_INCLUDE_DIR)
  find_path(LEPTON_OPENBLAS_INCLUDE_DIR cblas.h REQUIRED)
endif()
find_path(LEPTON_LAPACKE_INCLUDE_DIR lapacke.h REQUIRED)

# MPI --------------------------------------------------------------------------------------------
set(LEPTON_HAVE_MPI OFF)
if(NOT LEPTON_MPI STREQUAL "OFF")
  if(LEPTON_MPI STREQUAL "ON")
    find_package(MPI REQUIRED COMPONENTS CXX)
  else()
    find_package(MPI COMPONENTS CXX)
  endif()
  if(MPI_CXX_FOUND)
    set(LEPTON_HAVE_MPI ON)
  endif()
endif()
# Flags the multi-rank tests pass to MPIEXEC_EXECUTABLE: Open MPI's, so tests may run as root
# (containers) and with more ranks than cores (CI has two).
set(LEPTON_MPIEXEC_PREFLAGS "--allow-run-as-root;--oversubscribe" CACHE STRING
  "Flags for mpiexec in the multi-rank tests (Open MPI's by default)")

# lepton_mpi_test_environment(TEST...): under sanitizers, multi-rank tests run without
# LeakSanitizer: Open MPI 4.1 leaks in MPI_Init/MPI_Finalize (libmpi, libopen-pal and plugins
# it unloads, which LSan cannot even name). Address and undefined-behaviour checks stay on, and
# the one-rank tests keep leak checking of the project's own code. Under ThreadSanitizer the
# ranks (mpirun passes its environment on) take the tsan test preset's options and one
# suppression for Open MPI's TCP transport (bench/comm/mpi/tsan_openmpi.supp says why). They
# also run their CPU math on one thread: libgomp and OpenBLAS's thread pool are not built with
# ThreadSanitizer, so it cannot see their barriers and reports every hand-off between a parallel
# region and the thread that waited for it as a race (the data-parallel MLP test's Adam step did).
# These tests are about the communicator and its watchdog thread, which stay fully checked.
function(lepton_mpi_test_environment)
  if(LEPTON_SANITIZE MATCHES "thread")
    set_tests_properties(${ARGN} PROPERTIES ENVIRONMENT
      "TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1 suppressions=${PROJECT_SOURCE_DIR}/bench/comm/mpi/tsan_openmpi.supp;OMP_NUM_THREADS=1;OPENBLAS_NUM_THREADS=1")
  elseif(LEPTON_SANITIZE)
    set_tests_properties(${ARGN} PROPERTIES ENVIRONMENT
      "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1")
  endif()
endfunction()

# CUDA and NCCL --------------------------------------------------------------------------------------
set(LEPTON_HAVE_CUDA OFF)
set(LEPTON_HAVE_NCCL OFF)
if(NOT LEPTON_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(CMAKE_CUDA_ARCHITECTURES "80-real;90-real;90-virtual" CACHE STRING "CUDA architectures")
    enable_language(CUDA)
    # CUDA code is C++20 (nvcc 13 has no C++23). CMake 3.25 does not know nvcc 13's dialect
    # flags, and without CUDA_STANDARD it would ask for the C++ standard (23), so both are set.
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    set(CMAKE_CUDA_EXTENSIONS OFF)
    find_package(CUDAToolkit REQUIRED)
    set(LEPTON_HAVE_CUDA ON)
    find_library(LEPTON_NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/cuda/lib64)
    find_path(LEPTON_NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include)
    if(LEPTON_NCCL_LIBRARY AND LEPTON_NCCL_INCLUDE_DIR)
      set(LEPTON_HAVE_NCCL ON)
    endif()
  elseif(LEPTON_CUDA STREQUAL "ON")
    message(FATAL_ERROR "LEPTON_CUDA=ON but no CUDA compiler was found")
  endif()
endif()

message(STATUS "lepton-cert: MPI=${LEPTON_HAVE_MPI} CUDA=${LEPTON_HAVE_CUDA} NCCL=${LEPTON_HAVE_NCCL}")
