# The forwarding benchmark of issue 5 (bench/forward/): sfud's ShardLoop on one pinned core
# forwarding one publisher to N = 1..1000 loopback subscribers, next to a bare recvmmsg/EVP/
# sendmmsg loop in the same run, for both IoBackends. A program, not a ctest test (speed is never
# asserted). It replaces glibc's malloc family to count allocations, so it is a binary of its own,
# and it is not built with the sanitizers (whose runtimes own malloc).
if(TARGET sfu_shard_loop AND NOT SFUD_SANITIZE)
  add_executable(forward_bench
    ${CMAKE_CURRENT_LIST_DIR}/forward/forward_bench.cc
    ${CMAKE_CURRENT_LIST_DIR}/forward/alloc_hooks.cc
    ${CMAKE_CURRENT_LIST_DIR}/forward/bare_forwarder.cc
    ${CMAKE_CURRENT_LIST_DIR}/forward/cases.cc
    ${CMAKE_CURRENT_LIST_DIR}/forward/sim_peer.cc
    ${CMAKE_CURRENT_LIST_DIR}/forward/traffic.cc)
  target_link_libraries(forward_bench PRIVATE sfu_shard_loop sfu_dtls sfu_srtp sfu_stun sfu_rtp
                                              sfu_crypto absl::strings OpenSSL::Crypto
                                              Threads::Threads)
endif()
