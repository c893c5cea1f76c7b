# fake_server starts tests/support/fakefeed.py; pipeline tests reuse it.
add_library(feedd_fake_server STATIC ${CMAKE_CURRENT_LIST_DIR}/fake_server.cpp)
target_include_directories(feedd_fake_server PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(feedd_fake_server PUBLIC feedd_test_support)

feedd_test(fetcher_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/fetcher_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/inflate_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/address_policy_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/http_headers_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/redirect_chain_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/final_response_test.cpp
  LIBRARIES feedd_fetch feedd_parsers feedd_fake_server nlohmann_json::nlohmann_json)
