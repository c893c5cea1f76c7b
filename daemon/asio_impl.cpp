// The one translation unit that compiles the bodies of Asio, Asio SSL and
// Beast (BOOST_ASIO_SEPARATE_COMPILATION, BOOST_BEAST_SEPARATE_COMPILATION):
// every other file includes their headers only, which keeps each Beast user
// from paying ~45 s and ~750 MB of compilation again.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
