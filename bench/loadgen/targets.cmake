# sfud-loadgen's targets, included from bench/loadgen.cmake and from tests/loadgen (so the tests
# build even when benchmarks are off, as in the sanitizer build). Idempotent.
if(NOT TARGET sfud_loadgen_core)
  set(loadgen_dir ${CMAKE_CURRENT_LIST_DIR})
  # The sans-IO part: simulated peer, media generation, accounting, SDP. No sockets, no clock.
  add_library(sfud_loadgen_core
    ${loadgen_dir}/latency_histogram.cc
    ${loadgen_dir}/media_probe.cc
    ${loadgen_dir}/pacer.cc
    ${loadgen_dir}/publisher_stream.cc
    ${loadgen_dir}/sequence_tracker.cc
    ${loadgen_dir}/signaling_sdp.cc
    ${loadgen_dir}/sim_peer.cc
    ${loadgen_dir}/sim_peer_media.cc)
  target_link_libraries(sfud_loadgen_core
    PUBLIC sfu_common sfu_stun sfu_dtls sfu_srtp sfu_rtp sfu_sdp sfu_crypto absl::status
           absl::statusor absl::strings)
endif()
if(NOT TARGET sfud_loadgen_runtime)
  # Sockets, threads and HTTP: the part that runs the peers against a real sfud.
  add_library(sfud_loadgen_runtime
    ${CMAKE_CURRENT_LIST_DIR}/loop_thread.cc
    ${CMAKE_CURRENT_LIST_DIR}/report.cc
    ${CMAKE_CURRENT_LIST_DIR}/runner.cc
    ${CMAKE_CURRENT_LIST_DIR}/scenario.cc
    ${CMAKE_CURRENT_LIST_DIR}/whip_client.cc)
  target_link_libraries(sfud_loadgen_runtime
    PUBLIC sfud_loadgen_core sfu_net absl::str_format Threads::Threads
    PRIVATE PkgConfig::CPP_HTTPLIB)
  add_executable(sfud-loadgen ${CMAKE_CURRENT_LIST_DIR}/main.cc)
  target_link_libraries(sfud-loadgen PRIVATE sfud_loadgen_runtime)
endif()
