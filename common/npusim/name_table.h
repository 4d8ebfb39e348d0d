#pragma once
// Tables that name enum values: each row has a `value` and its `name` (plus any other
// columns). One lookup each way instead of a hand-written loop per enum.
#include <optional>
#include <string_view>

#include "npusim/error.h"

namespace npusim {

template <class E>
struct Named {
  E value;
  std::string_view name;
};

// The row for `value`; every enum value must have one (a missing row is a bug).
template <class Row, size_t N>
const Row& row_of(const Row (&table)[N], decltype(Row::value) value) {
  for (const Row& r : table)
    if (r.value == value) return r;
  NPUSIM_ASSERT(false, "enum value without a row in its name table");
}

// The value named `name`, if any row has that name.
template <class Row, size_t N>
std::optional<decltype(Row::value)> value_named(const Row (&table)[N], std::string_view name) {
  for (const Row& r : table)
    if (r.name == name) return r.value;
  return std::nullopt;
}

}  // namespace npusim
