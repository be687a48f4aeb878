# DTLS handshake and per-connection memory benchmarks (dtls_handshake_bench.cc): sfud's engine
# against OpenSSL libssl and the public-key limit. The binary replaces the global allocator
# (dtls_bench_alloc.cc) to count heap bytes, so it must stay a binary of its own.
if(TARGET sfu_dtls AND TARGET sfu_crypto)
  add_executable(dtls_handshake_bench dtls_handshake_bench.cc dtls_bench_alloc.cc
                                      dtls_bench_openssl.cc dtls_bench_sfud.cc)
  target_link_libraries(dtls_handshake_bench PRIVATE sfu_dtls sfu_crypto sfu_common
                                                     benchmark::benchmark OpenSSL::SSL
                                                     OpenSSL::Crypto)
endif()
