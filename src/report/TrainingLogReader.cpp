#include "report/TrainingLogReader.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace p2l {
namespace {

struct Cursor {
  const std::string& s;
  size_t i = 0;
  void ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) return ++i, true;
    return false;
  }
  bool string(std::string& out) {
    ws();
    if (i >= s.size() || s[i] != '"') return false;
    out.clear();
    for (++i; i < s.size(); ++i) {
      if (s[i] == '"') return ++i, true;
      if (s[i] == '\\') {
        if (++i >= s.size()) return false;
        const char c = s[i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c;  // enough for keys; \u is kept verbatim
      } else {
        out += s[i];
      }
    }
    return false;
  }
  bool word(const char* w) {
    ws();
    const size_t n = std::char_traits<char>::length(w);
    if (s.compare(i, n, w) != 0) return false;
    i += n;
    return true;
  }
};

}  // namespace

bool parse_flat_json(const std::string& line, std::map<std::string, double>& out) {
  out.clear();
  Cursor c{line};
  if (!c.eat('{')) return false;
  if (c.eat('}')) {
    c.ws();
    return c.i == line.size();
  }
  for (;;) {
    std::string key, text;
    if (!c.string(key) || !c.eat(':')) return false;
    c.ws();
    if (c.i >= line.size()) return false;
    const char ch = line[c.i];
    if (ch == '"') {
      if (!c.string(text)) return false;
    } else if (c.word("true")) {
      out[key] = 1;
    } else if (c.word("false")) {
      out[key] = 0;
    } else if (c.word("null")) {
      out[key] = NAN;
    } else {
      const char* begin = line.c_str() + c.i;
      char* end = nullptr;
      const double v = std::strtod(begin, &end);
      if (end == begin) return false;
      c.i += size_t(end - begin);
      out[key] = v;
    }
    if (c.eat(',')) continue;
    if (!c.eat('}')) return false;
    c.ws();
    return c.i == line.size();
  }
}

TrainingSeries read_training_log(const std::string& path, size_t* skipped_lines) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open the training log");
  struct Step {
    double loss = NAN, wall = NAN;
  };
  struct Val {
    double loss = NAN, error = NAN, chance = NAN, wall = NAN;
  };
  std::map<long long, Step> steps;
  std::map<long long, Val> vals;
  std::string error_key, line;
  size_t skipped = 0;
  double offset = 0, last_raw = -1;
  std::map<std::string, double> kv;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!parse_flat_json(line, kv) || !kv.count("step") || !std::isfinite(kv["step"])) {
      ++skipped;
      continue;
    }
    const long long step = std::llround(kv["step"]);
    double wall = NAN;
    if (auto it = kv.find("wall_seconds"); it != kv.end() && std::isfinite(it->second)) {
      if (last_raw >= 0 && it->second < last_raw) offset += last_raw;  // a new process
      last_raw = it->second;
      wall = offset + it->second;
    }
    auto get = [&](const std::string& k) {
      auto it = kv.find(k);
      return it == kv.end() ? NAN : it->second;
    };
    if (kv.count("val_loss")) {
      Val v{get("val_loss"), NAN, get("val_chance_error"), wall};
      for (const auto& [k, x] : kv)
        if (k.rfind("val_", 0) == 0 && k != "val_loss" && k != "val_chance_error") {
          if (error_key.empty()) error_key = k.substr(4);
          if (k.substr(4) == error_key) v.error = x;
        }
      vals[step] = v;
    } else if (kv.count("loss")) {
      steps[step] = Step{get("loss"), wall};
    } else {
      ++skipped;
    }
  }
  TrainingSeries s;
  s.error_key = error_key;
  for (const auto& [step, r] : steps)
    s.step.push_back(double(step)), s.loss.push_back(r.loss), s.wall.push_back(r.wall);
  for (const auto& [step, v] : vals) {
    s.val_step.push_back(double(step)), s.val_loss.push_back(v.loss), s.val_error.push_back(v.error);
    s.val_chance.push_back(v.chance), s.val_wall.push_back(v.wall);
  }
  if (skipped_lines) *skipped_lines = skipped;
  return s;
}

}  // namespace p2l
