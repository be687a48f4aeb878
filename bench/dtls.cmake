# DTLS handshake and per-connection memory benchmarks (dtls_handshake_bench.cc). The binary
# replaces the global allocator (dtls_bench_alloc.cc) to count heap bytes, so it must stay a
# binary of its own.
add_executable(dtls_handshake_bench dtls_handshake_bench.cc dtls_bench_alloc.cc
                                    dtls_bench_openssl.cc)
target_link_libraries(dtls_handshake_bench PRIVATE benchmark::benchmark OpenSSL::SSL
                                                   OpenSSL::Crypto)
