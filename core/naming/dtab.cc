// Dtab and NameTree<Path> syntax: a recursive-descent parser over the grammar of
// Linkerd 1.x docs: dtabs, and Finagle's printing rules.

#include "core/naming/dtab.h"

#include <charconv>
#include <cstdio>

namespace ferry::core::naming {
namespace {

/** Cursor over the input with whitespace/comment skipping and positioned errors. */
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  /** How deep parentheses may nest in a name tree. */
  static constexpr int kMaxDepth = 64;

  bool atEnd() {
    skipSpace();
    return pos_ >= text_.size();
  }

  char peek() {
    skipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  bool consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  bool consume(std::string_view token) {
    skipSpace();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }

  sdk::Status error(const std::string& what) const {
    std::string near = pos_ < text_.size() ? "'" + std::string(text_.substr(pos_, 20)) + "'"
                                           : "end of input";
    return sdk::Status::error(what + " at offset " + std::to_string(pos_) + " (near " + near +
                              ") in '" + std::string(text_) + "'");
  }

  /** path or prefix; `allowWildcard` accepts `*` as a whole element. */
  Result<std::pair<Path, std::vector<bool>>> path(bool allowWildcard) {
    if (peek() != '/') return error("expected '/'");
    std::vector<std::string> elements;
    std::vector<bool> wildcard;
    ++pos_;  // the leading '/'
    // "/" alone: the empty path, unless a label follows.
    if (pos_ >= text_.size() || !startsElement(text_[pos_], allowWildcard)) {
      return std::make_pair(Path(), wildcard);
    }
    while (true) {
      std::string label;
      bool star = false;
      if (allowWildcard && text_[pos_] == '*') {
        ++pos_;
        star = true;
        if (pos_ < text_.size() && (Path::isLabelChar(text_[pos_]) || text_[pos_] == '\\' ||
                                    text_[pos_] == '*')) {
          return error("'*' must be a whole path element");
        }
        label = "*";
      } else {
        while (pos_ < text_.size()) {
          char c = text_[pos_];
          if (Path::isLabelChar(c)) {
            label.push_back(c);
            ++pos_;
          } else if (c == '\\') {
            if (pos_ + 3 >= text_.size()) {
              return error("truncated \\x escape");
            }
            if (text_[pos_ + 1] != 'x') return error("expected \\xHH");
            int hi = hex(text_[pos_ + 2]);
            int lo = hex(text_[pos_ + 3]);
            if (hi < 0 || lo < 0) return error("bad hex digits in \\x escape");
            label.push_back(static_cast<char>(hi * 16 + lo));
            pos_ += 4;
          } else if (c == '*') {
            return error("'*' must be a whole path element");
          } else {
            break;
          }
        }
        if (label.empty()) return error("empty path element");
      }
      elements.push_back(std::move(label));
      wildcard.push_back(star);
      if (pos_ < text_.size() && text_[pos_] == '/') {
        ++pos_;
        if (pos_ >= text_.size() || !startsElement(text_[pos_], allowWildcard)) {
          return error(pos_ >= text_.size() || text_[pos_] != '/' ? "trailing '/' in path"
                                                                  : "empty path element");
        }
        continue;
      }
      break;
    }
    return std::make_pair(Path(std::move(elements)), std::move(wildcard));
  }

  // tree := tree1 ('|' tree1)*
  Result<NameTree<Path>> tree() {
    std::vector<NameTree<Path>> alts;
    while (true) {
      auto t = tree1();
      if (!t) return t;
      alts.push_back(std::move(t).value());
      if (!consume('|')) break;
    }
    if (alts.size() == 1) return std::move(alts[0]);
    return NameTree<Path>::alt(std::move(alts));
  }

 private:
  // tree1 := weighted ('&' weighted)*
  Result<NameTree<Path>> tree1() {
    std::vector<NameTree<Path>> branches;
    std::vector<double> weights;
    bool anyWeight = false;
    while (true) {
      double w = 1.0;
      bool hasWeight = false;
      auto wr = weight(&w, &hasWeight);
      if (!wr) return Result<NameTree<Path>>(wr);
      anyWeight = anyWeight || hasWeight;
      auto s = simple();
      if (!s) return s;
      branches.push_back(std::move(s).value());
      weights.push_back(w);
      if (!consume('&')) break;
    }
    if (branches.size() == 1 && !anyWeight) return std::move(branches[0]);
    return NameTree<Path>::unionOf(std::move(branches), std::move(weights));
  }

  // [number '*']
  sdk::Status weight(double* out, bool* present) {
    char c = peek();
    if (!((c >= '0' && c <= '9') || c == '.')) return sdk::Status::ok();
    std::size_t start = pos_;
    bool dot = false;
    bool digit = false;
    while (pos_ < text_.size()) {
      char d = text_[pos_];
      if (d >= '0' && d <= '9') {
        digit = true;
        ++pos_;
      } else if (d == '.' && !dot) {
        dot = true;
        ++pos_;
      } else {
        break;
      }
    }
    if (!digit) {
      pos_ = start;
      return error("invalid weight");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') return error("invalid weight");
    std::string number(text_.substr(start, pos_ - start));
    if (!consume('*')) return error("expected '*' after weight " + number);
    // from_chars, not stod: a weight of 400 digits is out of range, an error, not an exception.
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), *out);
    if (ec != std::errc() || end != number.data() + number.size()) return error("weight " + number + " is out of range");
    *present = true;
    return sdk::Status::ok();
  }

  // simple := '(' tree ')' | path | '!' | '~' | '$'
  Result<NameTree<Path>> simple() {
    char c = peek();
    if (c == '(') {
      // Parentheses nest by recursion: bounded, since any client can send a dtab (l5d-dtab)
      // and a few thousand '(' would otherwise overflow the worker's stack.
      if (depth_ >= kMaxDepth) return error("name tree nested deeper than " + std::to_string(kMaxDepth));
      ++pos_;
      ++depth_;
      auto t = tree();
      --depth_;
      if (!t) return t;
      if (!consume(')')) return error("expected ')'");
      return t;
    }
    if (c == '!') {
      ++pos_;
      return NameTree<Path>::fail();
    }
    if (c == '~') {
      ++pos_;
      return NameTree<Path>::neg();
    }
    if (c == '$') {
      ++pos_;
      return NameTree<Path>::empty();
    }
    if (c == '/') {
      auto p = path(false);
      if (!p) return Result<NameTree<Path>>(p.status());
      return NameTree<Path>::leaf(std::move(p->first));
    }
    return error(pos_ >= text_.size() ? "unexpected end of input, expected a name tree"
                                      : "expected a path, '(', '!', '~' or '$'");
  }

  static bool startsElement(char c, bool allowWildcard) {
    return Path::isLabelChar(c) || c == '\\' || (allowWildcard && c == '*');
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  void skipSpace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;  ///< parentheses open around the current position

 public:
  // dentry := prefix '=>' tree
  Result<Dentry> dentry() {
    auto p = path(true);
    if (!p) return Result<Dentry>(p.status());
    if (!consume("=>")) return error("expected '=>'");
    auto t = tree();
    if (!t) return Result<Dentry>(t.status());
    return Dentry{Prefix(std::move(p->first), std::move(p->second)), std::move(t).value()};
  }
};

NameTree<Path> appendSuffix(const NameTree<Path>& tree, const Path& suffix) {
  if (suffix.empty()) return tree;
  return tree.map([&](const Path& p) { return p.concat(suffix); });
}

}  // namespace

Prefix::Prefix(Path labels, std::vector<bool> wildcard)
    : labels_(std::move(labels)), wildcard_(std::move(wildcard)) {
  wildcard_.resize(labels_.size(), false);
}

bool Prefix::matches(const Path& path) const {
  if (labels_.size() > path.size()) return false;
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    if (!wildcard_[i] && labels_[i] != path[i]) return false;
  }
  return true;
}

std::string Prefix::show() const {
  if (labels_.empty()) return "/";
  std::string out;
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    if (wildcard_[i]) {
      out += "/*";
    } else {
      out += Path({labels_[i]}).show();
    }
  }
  return out;
}

std::string Dentry::show() const { return prefix.show() + "=>" + showNameTree(dst); }

Result<Dtab> Dtab::parse(std::string_view text) {
  Parser parser(text);
  std::vector<Dentry> out;
  while (!parser.atEnd()) {
    auto d = parser.dentry();
    if (!d) return Result<Dtab>(d.status());
    out.push_back(std::move(d).value());
    if (parser.atEnd()) break;
    if (!parser.consume(';')) return Result<Dtab>(parser.error("expected ';' between dentries"));
  }
  return Dtab(std::move(out));
}

std::string Dtab::show() const {
  std::string out;
  for (std::size_t i = 0; i < dentries_.size(); ++i) {
    if (i) out += ';';
    out += dentries_[i].show();
  }
  return out;
}

std::vector<Dtab::Match> Dtab::matches(const Path& path) const {
  std::vector<Match> out;
  for (auto it = dentries_.rbegin(); it != dentries_.rend(); ++it) {
    if (it->prefix.matches(path)) {
      out.push_back(Match{&*it, appendSuffix(it->dst, path.drop(it->prefix.size()))});
    }
  }
  return out;
}

NameTree<Path> Dtab::lookup(const Path& path) const {
  auto found = matches(path);
  if (found.empty()) return NameTree<Path>::neg();
  if (found.size() == 1) return found[0].tree;
  std::vector<NameTree<Path>> alts;
  alts.reserve(found.size());
  for (auto& m : found) alts.push_back(std::move(m.tree));
  return NameTree<Path>::alt(std::move(alts));
}

Dtab Dtab::concat(const Dtab& other) const {
  std::vector<Dentry> out = dentries_;
  out.insert(out.end(), other.dentries_.begin(), other.dentries_.end());
  return Dtab(std::move(out));
}

Result<NameTree<Path>> parseNameTree(std::string_view text) {
  Parser parser(text);
  auto t = parser.tree();
  if (!t) return t;
  if (!parser.atEnd()) return Result<NameTree<Path>>(parser.error("unexpected input after name tree"));
  return t;
}

Result<Prefix> parsePrefix(std::string_view text) {
  Parser parser(text);
  auto p = parser.path(true);
  if (!p) return Result<Prefix>(p.status());
  if (!parser.atEnd()) return Result<Prefix>(parser.error("unexpected input after prefix"));
  return Prefix(std::move(p->first), std::move(p->second));
}

std::string showWeight(double weight) {
  // As long as it takes: a weight of 1e30 printed into a fixed buffer came back truncated, a
  // different weight (found by the dtab fuzzer's round trip).
  int n = std::snprintf(nullptr, 0, "%.2f", weight);
  std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
  std::snprintf(out.data(), out.size() + 1, "%.2f", weight);
  return out;
}

namespace {

std::string showSimple(const NameTree<Path>& tree) {
  switch (tree.kind()) {
    case sdk::NameTreeKind::Leaf:
      return tree.value().show();
    case sdk::NameTreeKind::Neg:
      return "~";
    case sdk::NameTreeKind::Fail:
      return "!";
    case sdk::NameTreeKind::Empty:
      return "$";
    default:
      return "(" + showNameTree(tree) + ")";
  }
}

}  // namespace

std::string showNameTree(const NameTree<Path>& tree) {
  const auto& children = tree.children();
  if (tree.kind() == sdk::NameTreeKind::Alt) {
    std::string out;
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (i) out += " | ";
      out += showSimple(children[i]);
    }
    return out;
  }
  if (tree.kind() == sdk::NameTreeKind::Union) {
    std::string out;
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (i) out += " & ";
      // The weight as printed decides, not the double: 1.001 prints as the default "1.00" and is
      // left out, as the default is, so that what is shown reads back and shows the same (a
      // weight printed "1.00" read back as 1.0 and was then left out: the dtab fuzzer's round trip).
      std::string weight = showWeight(tree.weights()[i]);
      if (weight != "1.00" || children.size() == 1) out += weight + "*";
      out += showSimple(children[i]);
    }
    return out;
  }
  return showSimple(tree);
}

}  // namespace ferry::core::naming
