# SRTP/SRTCP benchmarks (srtp_bench.cc): sfud's SrtpSession for every profile against Debian's
# libsrtp2 and a bare OpenSSL EVP AES-GCM loop, in the same run, with the ratios printed at the end.
if(TARGET sfu_srtp)
  pkg_check_modules(LIBSRTP2 IMPORTED_TARGET libsrtp2)
  if(LIBSRTP2_FOUND)
    add_executable(srtp_bench ${CMAKE_CURRENT_LIST_DIR}/srtp_bench.cc)
    target_link_libraries(srtp_bench PRIVATE sfu_srtp benchmark::benchmark PkgConfig::LIBSRTP2
                                             OpenSSL::Crypto)
  else()
    message(WARNING "libsrtp2 not found: srtp_bench (which compares against it) is not built")
  endif()
endif()
