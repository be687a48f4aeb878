# core/net benchmarks (net_bench.cc): the io_uring and recvmmsg/sendmmsg IoBackends' per-datagram
# send and receive cost on loopback, next to bare sendmmsg/recvmmsg/GSO loops in the same run,
# with the ratios printed at the end.
if(TARGET sfu_net)
  add_executable(net_bench ${CMAKE_CURRENT_LIST_DIR}/net_bench.cc)
  target_link_libraries(net_bench PRIVATE sfu_net benchmark::benchmark)
endif()
