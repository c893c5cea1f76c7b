# The HTTP(S) fetcher and the only Asio/Beast compilation units, as a library
# of its own so that it builds and tests before the rest of daemon/ exists.
add_library(feedd_fetch STATIC
  ${CMAKE_CURRENT_LIST_DIR}/fetcher.cpp
  ${CMAKE_CURRENT_LIST_DIR}/asio_impl.cpp
  ${CMAKE_CURRENT_LIST_DIR}/inflate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/address_policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_headers.cpp
  ${CMAKE_CURRENT_LIST_DIR}/redirect_chain.cpp
  ${CMAKE_CURRENT_LIST_DIR}/final_response.cpp
  ${CMAKE_CURRENT_LIST_DIR}/name_lookup.cpp
)
add_library(feedd::fetch ALIAS feedd_fetch)
target_include_directories(feedd_fetch PUBLIC ${CMAKE_CURRENT_LIST_DIR})
# Everyone who includes an Asio or Beast header must agree on these, or the
# bodies in asio_impl.cpp are compiled a second time (or not at all).
target_compile_definitions(feedd_fetch PUBLIC
  BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(feedd_fetch
  PUBLIC Boost::headers OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB Threads::Threads feedd_model
  PRIVATE feedd_parsers Boost::url)
target_compile_features(feedd_fetch PUBLIC cxx_std_20)
