#pragma once
// Reading the JSON documents of discovery APIs (Consul, Kubernetes) leniently and without
// exceptions: a member that is absent, null or of another type reads as empty, so one odd field
// never costs a whole answer; the caller decides what is required. Boost.JSON is compiled into
// each plugin that includes this (see the plugin's json_library.cc), not shared with the host.

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::plugins::discovery {

namespace json = boost::json;

/** `text` parsed, or nullopt with `error` set to "malformed JSON: <why>". */
inline std::optional<json::value> parseJson(std::string_view text, std::string& error) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) {
    error = "malformed JSON: " + ec.message();
    return std::nullopt;
  }
  return v;
}

inline const json::value* memberAt(const json::object& object, std::string_view key) {
  return object.if_contains(json::string_view(key.data(), key.size()));
}

/** The string member `key`, or "". */
inline std::string stringAt(const json::object& object, std::string_view key) {
  const json::value* v = memberAt(object, key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

inline const json::object* objectAt(const json::object& object, std::string_view key) {
  const json::value* v = memberAt(object, key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

inline const json::array* arrayAt(const json::object& object, std::string_view key) {
  const json::value* v = memberAt(object, key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}

/** An integer member within [min, max], or nullopt (absent, not an integer, out of range). */
inline std::optional<int64_t> intAt(const json::object& object, std::string_view key, int64_t min, int64_t max) {
  const json::value* v = memberAt(object, key);
  if (!v) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= min && v->get_int64() <= max) return v->get_int64();
  if (v->is_uint64() && max >= 0 && v->get_uint64() <= static_cast<uint64_t>(max) &&
      static_cast<int64_t>(v->get_uint64()) >= min) {
    return static_cast<int64_t>(v->get_uint64());
  }
  return std::nullopt;
}

/** The string elements of an array member (others skipped). */
inline std::vector<std::string> stringsAt(const json::object& object, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* a = arrayAt(object, key)) {
    for (const auto& e : *a) {
      if (e.is_string()) out.emplace_back(e.get_string());
    }
  }
  return out;
}

/** The string-valued members of an object member (others skipped). */
inline std::map<std::string, std::string> stringMapAt(const json::object& object, std::string_view key) {
  std::map<std::string, std::string> out;
  if (const json::object* m = objectAt(object, key)) {
    for (const auto& [k, v] : *m) {
      if (v.is_string()) out.emplace(std::string(k), std::string(v.get_string()));
    }
  }
  return out;
}

/** "object", "array", ... for messages. */
inline std::string kindName(const json::value& v) { return std::string(json::to_string(v.kind())); }

}  // namespace ferry::plugins::discovery
