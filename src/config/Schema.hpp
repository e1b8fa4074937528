#pragma once
// A schema binds YAML keys ("section.key") to typed fields of the config structs, with a
// documented default and an allowed range, so loading, overrides, validation and dumping
// are written once for every section.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/NamedEnum.hpp"

namespace YAML { class Node; }

namespace p2l {

class Schema {
 public:
  // Which trained models a key can change. The sweep planner trains the autoencoder baseline
  // once for all points unless a swept key can change it. Every train.* key is classified where
  // it is bound (tests/config checks that none is left out).
  enum class Scope { unclassified, every_model, patch2loc_only };

  struct Field {
    std::string key;    // "section.key"
    std::string doc;    // one line, shown in dumped configs and --help
    std::string type;   // "int", "float", "bool", "string", "int list", ...
    std::string range;  // human readable allowed values
    std::function<void(const YAML::Node&)> set;  // throws std::runtime_error on bad value
    std::function<std::string()> show;           // current value as YAML flow text
    Scope scope = Scope::unclassified;
  };

  void add(const std::string& key, int* v, const std::string& doc, long lo, long hi);
  void add(const std::string& key, long* v, const std::string& doc, long lo, long hi);
  void add(const std::string& key, double* v, const std::string& doc, double lo, double hi);
  void add(const std::string& key, bool* v, const std::string& doc);
  void add(const std::string& key, std::string* v, const std::string& doc,
           std::vector<std::string> choices = {});
  void add(const std::string& key, std::vector<int>* v, const std::string& doc, long lo, long hi,
           size_t min_len = 0, size_t max_len = 1u << 20);
  void add(const std::string& key, std::vector<double>* v, const std::string& doc, double lo,
           double hi, size_t min_len = 0, size_t max_len = 1u << 20);
  void add(const std::string& key, std::vector<std::string>* v, const std::string& doc,
           std::vector<std::string> choices = {});

  // A closed vocabulary: the value is parsed into its enum here, at the boundary, and the code
  // past the config never sees the text. `allowed` narrows the ids a key accepts (empty: all).
  template <class E>
  void add(const std::string& key, E* v, const std::string& doc, const NamedEnum<E>& ids,
           const std::vector<E>& allowed = {}) {
    add_choice(key, doc, accepted_ids(ids, allowed), [v, &ids, key](const std::string& s) { *v = ids.parse(s, key); },
               [v, &ids] { return std::vector<std::string>{ids.id(*v)}; }, false);
  }
  template <class E>
  void add(const std::string& key, std::vector<E>* v, const std::string& doc, const NamedEnum<E>& ids,
           const std::vector<E>& allowed = {}) {
    add_choice(key, doc, accepted_ids(ids, allowed),
               [v, &ids, key](const std::string& s) { v->push_back(ids.parse(s, key)); },
               [v, &ids] {
                 std::vector<std::string> out;
                 for (E e : *v) out.push_back(ids.id(e));
                 return out;
               },
               true, [v] { v->clear(); });
  }

  // `old_key` is accepted for `key` (a renamed key keeps working; help and resolved configs
  // show only `key`).
  void alias(const std::string& old_key, const std::string& key);

  // Classifies bound keys (throws on a key not bound).
  void set_scope(const std::vector<std::string>& keys, Scope scope);

  const Field* find(const std::string& key) const;
  const std::vector<Field>& fields() const { return fields_; }
  // Every key (aliases aside) and every section, in the order they were added: what an unknown
  // key or section is checked against (config/KnownKeys.hpp suggests the closest).
  std::vector<std::string> keys() const;
  std::vector<std::string> sections() const;
  bool has_section(const std::string& section) const;

 private:
  template <class E>
  static std::vector<std::string> accepted_ids(const NamedEnum<E>& ids, const std::vector<E>& allowed) {
    if (allowed.empty()) return ids.ids();
    std::vector<std::string> out;
    for (E e : allowed) out.push_back(ids.id(e));
    return out;
  }
  // One id (`list` false) or a list of ids: `take` receives each valid id in order, after
  // `clear` (lists only); `show` gives the current ids.
  void add_choice(const std::string& key, const std::string& doc, std::vector<std::string> choices,
                  std::function<void(const std::string&)> take, std::function<std::vector<std::string>()> show,
                  bool list, std::function<void()> clear = {});

  std::vector<Field> fields_;
  std::map<std::string, size_t> index_;
  void push(Field f);
};

}  // namespace p2l
