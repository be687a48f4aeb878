# AES-GCM burst benchmark (gcm_batch_bench.cc): crypto/vaes GcmBatch's VAES kernels against the
# OpenSSL EVP path (one pre-keyed EVP_CIPHER_CTX per key) in the same run, with ratios printed.
if(TARGET sfu_crypto_vaes)
  add_executable(gcm_batch_bench ${CMAKE_CURRENT_LIST_DIR}/gcm_batch_bench.cc)
  target_link_libraries(gcm_batch_bench PRIVATE sfu_crypto_vaes benchmark::benchmark
                                                OpenSSL::Crypto)
endif()
