# The shard engine in memory (bench/engine_bench.cc): cost per forwarded copy and per subscriber
# session with no sockets, next to same-run baselines (a bare copy+rewrite+seal fan-out, and the
# public-key floor of a DTLS server handshake). Uses the tests' simulated browsers, so it needs
# the test-support library.
# sfu_test_support is declared later (tests/ after bench/); the link resolves at generate time.
if(SFUD_BUILD_TESTS AND TARGET sfu_crypto_vaes AND NOT SFUD_SANITIZE)
  add_executable(engine_bench ${CMAKE_CURRENT_LIST_DIR}/engine_bench.cc)
  target_link_libraries(engine_bench PRIVATE sfu_test_support sfu_sfu sfu_crypto_vaes
                                             benchmark::benchmark OpenSSL::Crypto)
endif()
