#include "store/detail/text_list_codec.hpp"

#include <cstdio>
#include <optional>

namespace iam::store::detail {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void AppendUtf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A JSON/PG reader over `text`; `pos` advances.
struct Cursor {
  std::string_view text;
  std::size_t pos = 0;
  bool Done() const { return pos >= text.size(); }
  char Peek() const { return Done() ? '\0' : text[pos]; }
  void SkipSpace() {
    while (!Done() && IsSpace(text[pos])) ++pos;
  }
  bool Eat(char c) {
    SkipSpace();
    if (Peek() != c) return false;
    ++pos;
    return true;
  }
};

std::optional<unsigned> Hex4(Cursor& c) {
  if (c.pos + 4 > c.text.size()) return std::nullopt;
  unsigned v = 0;
  for (int i = 0; i < 4; ++i) {
    char h = c.text[c.pos++];
    v <<= 4;
    if (h >= '0' && h <= '9') v |= static_cast<unsigned>(h - '0');
    else if (h >= 'a' && h <= 'f') v |= static_cast<unsigned>(h - 'a' + 10);
    else if (h >= 'A' && h <= 'F') v |= static_cast<unsigned>(h - 'A' + 10);
    else return std::nullopt;
  }
  return v;
}

// After a backslash of a JSON string: appends the escaped character.
bool JsonEscape(Cursor& c, std::string& out) {
  char e = c.text[c.pos++];
  switch (e) {
    case '"': case '\\': case '/': out += e; return true;
    case 'b': out += '\b'; return true;
    case 'f': out += '\f'; return true;
    case 'n': out += '\n'; return true;
    case 'r': out += '\r'; return true;
    case 't': out += '\t'; return true;
    case 'u': break;
    default: return false;
  }
  auto cp = Hex4(c);
  if (!cp) return false;
  if (*cp >= 0xD800 && *cp < 0xDC00 && c.text.substr(c.pos, 2) == "\\u") {
    c.pos += 2;
    auto low = Hex4(c);
    if (!low || *low < 0xDC00 || *low > 0xDFFF) return false;
    *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
  }
  AppendUtf8(out, *cp);
  return true;
}

std::optional<std::string> JsonString(Cursor& c) {
  if (!c.Eat('"')) return std::nullopt;
  std::string out;
  while (!c.Done()) {
    char ch = c.text[c.pos++];
    if (ch == '"') return out;
    if (ch != '\\') out += ch;
    else if (c.Done() || !JsonEscape(c, out)) return std::nullopt;
  }
  return std::nullopt;
}

// One element of a PostgreSQL array literal; nullopt for NULL. REQUIRES: not at ',' or '}'.
std::optional<std::string> PgElement(Cursor& c, bool& ok) {
  c.SkipSpace();
  std::string out;
  bool quoted = c.Peek() == '"';
  if (quoted) ++c.pos;
  while (!c.Done()) {
    char ch = c.Peek();
    if (quoted && ch == '"') {
      ++c.pos;
      return out;
    }
    if (!quoted && (ch == ',' || ch == '}')) break;
    ++c.pos;
    if (ch == '\\' && !c.Done()) ch = c.text[c.pos++];
    out += ch;
  }
  if (quoted) ok = false;  // unterminated
  while (!out.empty() && IsSpace(out.back())) out.pop_back();
  if (out == "NULL" || out == "null") return std::nullopt;
  return out;
}

}  // namespace

std::string PgArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += i > 0 ? ",\"" : "\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string JsonStringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += i > 0 ? ",\"" : "\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out += buf;
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out + "]";
}

std::vector<std::string> ParseJsonStringArray(std::string_view text) {
  Cursor c{text};
  std::vector<std::string> out;
  if (!c.Eat('[')) return {};
  if (c.Eat(']')) return out;
  do {
    c.SkipSpace();
    if (c.text.substr(c.pos, 4) == "null") {
      c.pos += 4;
      continue;
    }
    auto s = JsonString(c);
    if (!s) return {};
    out.push_back(std::move(*s));
  } while (c.Eat(','));
  return c.Eat(']') ? out : std::vector<std::string>{};
}

std::vector<std::string> ParsePgArrayLiteral(std::string_view text) {
  Cursor c{text};
  std::vector<std::string> out;
  if (!c.Eat('{')) return {};
  if (c.Eat('}')) return out;
  bool ok = true;
  do {
    auto s = PgElement(c, ok);
    if (s) out.push_back(std::move(*s));
  } while (ok && c.Eat(','));
  return ok && c.Eat('}') ? out : std::vector<std::string>{};
}

std::string EncodeTextList(Dialect dialect, const std::vector<std::string>& items) {
  return dialect == Dialect::kPostgres ? PgArrayLiteral(items) : JsonStringArray(items);
}

std::vector<std::string> DecodeTextList(Dialect dialect, std::string_view text) {
  return dialect == Dialect::kPostgres ? ParsePgArrayLiteral(text) : ParseJsonStringArray(text);
}

}  // namespace iam::store::detail
