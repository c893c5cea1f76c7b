#pragma once

#include <type_traits>
#include <utility>
#include <variant>

namespace feedd {

// A small stand-in for C++23 std::expected (g++ 12 lacks it), with the same
// member names so that switching later is a search-and-replace. Expected
// failures (broken feed, bad config, lost connection) cross module
// boundaries as values of this type; exceptions are for bugs only.
template <class E>
struct unexpected {
  E error;
};

template <class E>
unexpected(E) -> unexpected<E>;

template <class T, class E>
class expected {
 public:
  // As std::expected: a value-initialized T (Asio's co_spawn needs one to
  // report an exception with).
  expected()
    requires std::is_default_constructible_v<T>
      : state_(std::in_place_index<0>) {}
  expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  expected(unexpected<E> failure) : state_(std::in_place_index<1>, std::move(failure.error)) {}

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  E& error() & { return std::get<1>(state_); }
  const E& error() const& { return std::get<1>(state_); }
  E&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, E> state_;
};

// expected<void, E>: success carries nothing.
template <class E>
class expected<void, E> {
 public:
  expected() = default;
  expected(unexpected<E> failure) : error_(std::move(failure.error)), ok_(false) {}

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {}

  E& error() & { return error_; }
  const E& error() const& { return error_; }
  E&& error() && { return std::move(error_); }

 private:
  E error_{};
  bool ok_ = true;
};

}  // namespace feedd
