#include "config/Schema.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace p2l {
namespace {

std::string fmt_double(double x) {
  std::ostringstream os;
  os.precision(10);
  os << x;
  std::string s = os.str();
  // Keep floats recognisable as floats when read back.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

[[noreturn]] void bad(const std::string& key, const std::string& what, const std::string& range) {
  throw std::runtime_error("config key '" + key + "': " + what + " (allowed: " + range + ")");
}

template <class T>
T scalar(const std::string& key, const YAML::Node& n, const std::string& type,
         const std::string& range) {
  if (!n.IsScalar()) bad(key, "expected a " + type, range);
  try {
    return n.as<T>();
  } catch (const YAML::Exception&) {
    bad(key, "'" + n.Scalar() + "' is not a " + type, range);
  }
}

long integer(const std::string& key, const YAML::Node& n, long lo, long hi,
             const std::string& range) {
  long x = scalar<long>(key, n, "integer", range);
  if (x < lo || x > hi) bad(key, std::to_string(x) + " is out of range", range);
  return x;
}

double real(const std::string& key, const YAML::Node& n, double lo, double hi,
            const std::string& range) {
  double x = scalar<double>(key, n, "number", range);
  if (!std::isfinite(x) || x < lo || x > hi) bad(key, n.Scalar() + " is out of range", range);
  return x;
}

std::string choice(const std::string& key, const YAML::Node& n,
                   const std::vector<std::string>& choices, const std::string& range) {
  std::string s = scalar<std::string>(key, n, "string", range);
  if (!choices.empty() && std::find(choices.begin(), choices.end(), s) == choices.end())
    bad(key, "'" + s + "' is not a valid choice", range);
  return s;
}

std::string choices_text(const std::vector<std::string>& c) {
  if (c.empty()) return "any string";
  std::string s = "one of";
  for (auto& x : c) s += " " + x;
  return s;
}

std::string int_range(long lo, long hi) {
  return "integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}
std::string real_range(double lo, double hi) {
  return "number in [" + fmt_double(lo) + ", " + fmt_double(hi) + "]";
}

template <class T, class F>
std::vector<T> list(const std::string& key, const YAML::Node& n, size_t min_len, size_t max_len,
                    const std::string& range, F&& one) {
  std::vector<T> out;
  if (n.IsScalar()) {
    out.push_back(one(n));  // a scalar stands for a one-element list
  } else if (n.IsSequence()) {
    for (const auto& e : n) out.push_back(one(e));
  } else {
    bad(key, "expected a list", range);
  }
  if (out.size() < min_len || out.size() > max_len)
    bad(key, "list has " + std::to_string(out.size()) + " elements", range);
  return out;
}

std::string len_text(size_t lo, size_t hi) {
  if (lo == hi) return ", exactly " + std::to_string(lo) + " elements";
  if (lo > 0 || hi < (1u << 20))
    return ", " + std::to_string(lo) + ".." + std::to_string(hi) + " elements";
  return "";
}

template <class T, class F>
std::string show_list(const std::vector<T>& v, F&& f) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + f(v[i]);
  return s + "]";
}

}  // namespace

void Schema::push(Field f) {
  if (index_.count(f.key)) throw std::logic_error("duplicate config key " + f.key);
  index_[f.key] = fields_.size();
  fields_.push_back(std::move(f));
}

void Schema::add(const std::string& key, int* v, const std::string& doc, long lo, long hi) {
  auto r = int_range(lo, hi);
  push({key, doc, "int", r, [=](const YAML::Node& n) { *v = int(integer(key, n, lo, hi, r)); },
        [=] { return std::to_string(*v); }});
}

void Schema::add(const std::string& key, long* v, const std::string& doc, long lo, long hi) {
  auto r = int_range(lo, hi);
  push({key, doc, "int", r, [=](const YAML::Node& n) { *v = integer(key, n, lo, hi, r); },
        [=] { return std::to_string(*v); }});
}

void Schema::add(const std::string& key, double* v, const std::string& doc, double lo, double hi) {
  auto r = real_range(lo, hi);
  push({key, doc, "float", r, [=](const YAML::Node& n) { *v = real(key, n, lo, hi, r); },
        [=] { return fmt_double(*v); }});
}

void Schema::add(const std::string& key, bool* v, const std::string& doc) {
  std::string r = "true or false";
  push({key, doc, "bool", r,
        [=](const YAML::Node& n) { *v = scalar<bool>(key, n, "boolean", r); },
        [=] { return std::string(*v ? "true" : "false"); }});
}

void Schema::add(const std::string& key, std::string* v, const std::string& doc,
                 std::vector<std::string> choices) {
  auto r = choices_text(choices);
  push({key, doc, "string", r,
        [=](const YAML::Node& n) { *v = choice(key, n, choices, r); },
        [=] {
          YAML::Emitter e;
          e << YAML::DoubleQuoted << *v;
          return std::string(e.c_str());
        }});
}

void Schema::add(const std::string& key, std::vector<int>* v, const std::string& doc, long lo,
                 long hi, size_t min_len, size_t max_len) {
  auto r = "list of " + int_range(lo, hi) + len_text(min_len, max_len);
  push({key, doc, "int list", r,
        [=](const YAML::Node& n) {
          *v = list<int>(key, n, min_len, max_len, r,
                         [&](const YAML::Node& e) { return int(integer(key, e, lo, hi, r)); });
        },
        [=] { return show_list(*v, [](int x) { return std::to_string(x); }); }});
}

void Schema::add(const std::string& key, std::vector<double>* v, const std::string& doc,
                 double lo, double hi, size_t min_len, size_t max_len) {
  auto r = "list of " + real_range(lo, hi) + len_text(min_len, max_len);
  push({key, doc, "float list", r,
        [=](const YAML::Node& n) {
          *v = list<double>(key, n, min_len, max_len, r,
                            [&](const YAML::Node& e) { return real(key, e, lo, hi, r); });
        },
        [=] { return show_list(*v, fmt_double); }});
}

void Schema::add(const std::string& key, std::vector<std::string>* v, const std::string& doc,
                 std::vector<std::string> choices) {
  auto r = "list of " + choices_text(choices);
  push({key, doc, "string list", r,
        [=](const YAML::Node& n) {
          *v = list<std::string>(key, n, 0, 1u << 20, r,
                                 [&](const YAML::Node& e) { return choice(key, e, choices, r); });
        },
        [=] {
          return show_list(*v, [](const std::string& s) {
            YAML::Emitter e;
            e << YAML::DoubleQuoted << s;
            return std::string(e.c_str());
          });
        }});
}

void Schema::add_choice(const std::string& key, const std::string& doc, std::vector<std::string> choices,
                        std::function<void(const std::string&)> take,
                        std::function<std::vector<std::string>()> show, bool as_list,
                        std::function<void()> clear) {
  auto r = (as_list ? "list of " : "") + choices_text(choices);
  auto quoted = [](const std::string& s) {
    YAML::Emitter e;
    e << YAML::DoubleQuoted << s;
    return std::string(e.c_str());
  };
  if (!as_list) {
    push({key, doc, "string", r, [=](const YAML::Node& n) { take(choice(key, n, choices, r)); },
          [=] { return quoted(show().at(0)); }});
    return;
  }
  push({key, doc, "string list", r,
        [=](const YAML::Node& n) {
          // Every element is checked before the field changes, so a bad list leaves it as it was.
          const auto ids = list<std::string>(key, n, 0, 1u << 20, r,
                                             [&](const YAML::Node& e) { return choice(key, e, choices, r); });
          clear();
          for (const auto& id : ids) take(id);
        },
        [=] { return show_list(show(), quoted); }});
}

void Schema::alias(const std::string& old_key, const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end() || index_.count(old_key)) throw std::logic_error("bad config alias " + old_key + " -> " + key);
  index_[old_key] = it->second;
}

void Schema::set_scope(const std::vector<std::string>& keys, Scope scope) {
  for (const auto& key : keys) {
    auto it = index_.find(key);
    if (it == index_.end()) throw std::logic_error("scope of an unbound config key " + key);
    fields_[it->second].scope = scope;
  }
}

const Schema::Field* Schema::find(const std::string& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &fields_[it->second];
}

bool Schema::has_section(const std::string& section) const {
  for (auto& f : fields_)
    if (f.key.compare(0, section.size() + 1, section + ".") == 0) return true;
  return false;
}

std::vector<std::string> Schema::keys() const {
  std::vector<std::string> out;
  for (const auto& f : fields_) out.push_back(f.key);
  return out;
}

std::vector<std::string> Schema::sections() const {
  std::vector<std::string> out;
  for (const auto& f : fields_) {
    std::string sec = f.key.substr(0, f.key.find('.'));
    if (std::find(out.begin(), out.end(), sec) == out.end()) out.push_back(std::move(sec));
  }
  return out;
}

}  // namespace p2l
