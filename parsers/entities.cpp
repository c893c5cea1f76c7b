#include "entities.hpp"

#include <algorithm>
#include <array>

namespace feedd::parsers::detail {
namespace {

struct named_entity {
  std::string_view name;
  char32_t code_point;
};

// Sorted by name (byte order) for binary search; generated from Python's
// html.entities (name2codepoint for HTML 4.01, html5 for the extras).
constexpr auto named_entities = std::to_array<named_entity>({
    {"AElig", 0x00C6}, {"AMP", 0x0026}, {"Aacute", 0x00C1}, {"Abreve", 0x0102}, {"Acirc", 0x00C2},
    {"Agrave", 0x00C0}, {"Alpha", 0x0391}, {"Amacr", 0x0100}, {"Aogon", 0x0104}, {"Aring", 0x00C5},
    {"Atilde", 0x00C3}, {"Auml", 0x00C4}, {"Beta", 0x0392}, {"COPY", 0x00A9}, {"Cacute", 0x0106},
    {"Ccaron", 0x010C}, {"Ccedil", 0x00C7}, {"Chi", 0x03A7}, {"CloseCurlyDoubleQuote", 0x201D},
    {"CloseCurlyQuote", 0x2019}, {"Dagger", 0x2021}, {"Dcaron", 0x010E}, {"Delta", 0x0394},
    {"Dstrok", 0x0110}, {"ETH", 0x00D0}, {"Eacute", 0x00C9}, {"Ecaron", 0x011A}, {"Ecirc", 0x00CA},
    {"Egrave", 0x00C8}, {"Emacr", 0x0112}, {"Eogon", 0x0118}, {"Epsilon", 0x0395}, {"Eta", 0x0397},
    {"Euml", 0x00CB}, {"GT", 0x003E}, {"Gamma", 0x0393}, {"Gbreve", 0x011E}, {"Hat", 0x005E},
    {"Iacute", 0x00CD}, {"Icirc", 0x00CE}, {"Idot", 0x0130}, {"Igrave", 0x00CC}, {"Imacr", 0x012A},
    {"Iota", 0x0399}, {"Iuml", 0x00CF}, {"Kappa", 0x039A}, {"LT", 0x003C}, {"Lambda", 0x039B},
    {"LeftArrow", 0x2190}, {"Lstrok", 0x0141}, {"MediumSpace", 0x205F}, {"Mu", 0x039C},
    {"Nacute", 0x0143}, {"Ncaron", 0x0147}, {"NewLine", 0x000A}, {"NonBreakingSpace", 0x00A0},
    {"Ntilde", 0x00D1}, {"Nu", 0x039D}, {"OElig", 0x0152}, {"Oacute", 0x00D3}, {"Ocirc", 0x00D4},
    {"Odblac", 0x0150}, {"Ograve", 0x00D2}, {"Omacr", 0x014C}, {"Omega", 0x03A9},
    {"Omicron", 0x039F}, {"OpenCurlyDoubleQuote", 0x201C}, {"OpenCurlyQuote", 0x2018},
    {"Oslash", 0x00D8}, {"Otilde", 0x00D5}, {"Ouml", 0x00D6}, {"Phi", 0x03A6}, {"Pi", 0x03A0},
    {"PlusMinus", 0x00B1}, {"Prime", 0x2033}, {"Psi", 0x03A8}, {"QUOT", 0x0022}, {"REG", 0x00AE},
    {"Rcaron", 0x0158}, {"Rho", 0x03A1}, {"RightArrow", 0x2192}, {"Sacute", 0x015A},
    {"Scaron", 0x0160}, {"Scedil", 0x015E}, {"Sigma", 0x03A3}, {"Sqrt", 0x221A}, {"THORN", 0x00DE},
    {"TRADE", 0x2122}, {"Tab", 0x0009}, {"Tau", 0x03A4}, {"Tcaron", 0x0164}, {"Theta", 0x0398},
    {"ThinSpace", 0x2009}, {"Uacute", 0x00DA}, {"Ucirc", 0x00DB}, {"Udblac", 0x0170},
    {"Ugrave", 0x00D9}, {"Umacr", 0x016A}, {"Upsilon", 0x03A5}, {"Uring", 0x016E},
    {"Uuml", 0x00DC}, {"Xi", 0x039E}, {"Yacute", 0x00DD}, {"Yuml", 0x0178}, {"Zacute", 0x0179},
    {"Zcaron", 0x017D}, {"Zdot", 0x017B}, {"ZeroWidthSpace", 0x200B}, {"Zeta", 0x0396},
    {"aacute", 0x00E1}, {"abreve", 0x0103}, {"acirc", 0x00E2}, {"acute", 0x00B4},
    {"aelig", 0x00E6}, {"agrave", 0x00E0}, {"alefsym", 0x2135}, {"alpha", 0x03B1},
    {"amacr", 0x0101}, {"amp", 0x0026}, {"and", 0x2227}, {"ang", 0x2220}, {"aogon", 0x0105},
    {"apos", 0x0027}, {"aring", 0x00E5}, {"ast", 0x002A}, {"asymp", 0x2248}, {"atilde", 0x00E3},
    {"auml", 0x00E4}, {"backprime", 0x2035}, {"bdquo", 0x201E}, {"beta", 0x03B2},
    {"blacksquare", 0x25AA}, {"brvbar", 0x00A6}, {"bsol", 0x005C}, {"bull", 0x2022},
    {"bullet", 0x2022}, {"cacute", 0x0107}, {"cap", 0x2229}, {"caret", 0x2041}, {"ccaron", 0x010D},
    {"ccedil", 0x00E7}, {"cedil", 0x00B8}, {"cent", 0x00A2}, {"centerdot", 0x00B7},
    {"check", 0x2713}, {"checkmark", 0x2713}, {"chi", 0x03C7}, {"circ", 0x02C6},
    {"circledR", 0x00AE}, {"clubs", 0x2663}, {"colon", 0x003A}, {"comma", 0x002C},
    {"commat", 0x0040}, {"cong", 0x2245}, {"copy", 0x00A9}, {"copysr", 0x2117}, {"crarr", 0x21B5},
    {"cross", 0x2717}, {"cup", 0x222A}, {"curren", 0x00A4}, {"dArr", 0x21D3}, {"dagger", 0x2020},
    {"darr", 0x2193}, {"dash", 0x2010}, {"dcaron", 0x010F}, {"ddagger", 0x2021}, {"deg", 0x00B0},
    {"delta", 0x03B4}, {"diams", 0x2666}, {"divide", 0x00F7}, {"dollar", 0x0024},
    {"dstrok", 0x0111}, {"eacute", 0x00E9}, {"ecaron", 0x011B}, {"ecirc", 0x00EA},
    {"egrave", 0x00E8}, {"emacr", 0x0113}, {"empty", 0x2205}, {"emsp", 0x2003}, {"emsp13", 0x2004},
    {"emsp14", 0x2005}, {"ensp", 0x2002}, {"eogon", 0x0119}, {"epsilon", 0x03B5},
    {"equals", 0x003D}, {"equiv", 0x2261}, {"eta", 0x03B7}, {"eth", 0x00F0}, {"euml", 0x00EB},
    {"euro", 0x20AC}, {"excl", 0x0021}, {"exist", 0x2203}, {"female", 0x2640}, {"flat", 0x266D},
    {"fnof", 0x0192}, {"forall", 0x2200}, {"frac12", 0x00BD}, {"frac13", 0x2153},
    {"frac14", 0x00BC}, {"frac15", 0x2155}, {"frac16", 0x2159}, {"frac18", 0x215B},
    {"frac23", 0x2154}, {"frac25", 0x2156}, {"frac34", 0x00BE}, {"frac35", 0x2157},
    {"frac38", 0x215C}, {"frac45", 0x2158}, {"frac56", 0x215A}, {"frac58", 0x215D},
    {"frac78", 0x215E}, {"frasl", 0x2044}, {"gamma", 0x03B3}, {"gbreve", 0x011F}, {"ge", 0x2265},
    {"geq", 0x2265}, {"grave", 0x0060}, {"gt", 0x003E}, {"hArr", 0x21D4}, {"hairsp", 0x200A},
    {"half", 0x00BD}, {"harr", 0x2194}, {"hearts", 0x2665}, {"hellip", 0x2026}, {"horbar", 0x2015},
    {"hyphen", 0x2010}, {"iacute", 0x00ED}, {"icirc", 0x00EE}, {"iexcl", 0x00A1},
    {"igrave", 0x00EC}, {"imacr", 0x012B}, {"image", 0x2111}, {"imath", 0x0131}, {"infin", 0x221E},
    {"int", 0x222B}, {"iota", 0x03B9}, {"iquest", 0x00BF}, {"isin", 0x2208}, {"iuml", 0x00EF},
    {"kappa", 0x03BA}, {"lArr", 0x21D0}, {"lambda", 0x03BB}, {"lang", 0x2329}, {"laquo", 0x00AB},
    {"larr", 0x2190}, {"lbrace", 0x007B}, {"lbrack", 0x005B}, {"lceil", 0x2308}, {"lcub", 0x007B},
    {"ldquo", 0x201C}, {"ldquor", 0x201E}, {"le", 0x2264}, {"leq", 0x2264}, {"lfloor", 0x230A},
    {"lowast", 0x2217}, {"lowbar", 0x005F}, {"loz", 0x25CA}, {"lozenge", 0x25CA}, {"lpar", 0x0028},
    {"lrm", 0x200E}, {"lsaquo", 0x2039}, {"lsqb", 0x005B}, {"lsquo", 0x2018}, {"lsquor", 0x201A},
    {"lstrok", 0x0142}, {"lt", 0x003C}, {"macr", 0x00AF}, {"male", 0x2642}, {"mdash", 0x2014},
    {"micro", 0x00B5}, {"middot", 0x00B7}, {"minus", 0x2212}, {"mldr", 0x2026}, {"mu", 0x03BC},
    {"nabla", 0x2207}, {"nacute", 0x0144}, {"natural", 0x266E}, {"nbsp", 0x00A0},
    {"ncaron", 0x0148}, {"ndash", 0x2013}, {"ne", 0x2260}, {"ni", 0x220B}, {"nldr", 0x2025},
    {"not", 0x00AC}, {"notin", 0x2209}, {"nsub", 0x2284}, {"ntilde", 0x00F1}, {"nu", 0x03BD},
    {"num", 0x0023}, {"numsp", 0x2007}, {"oacute", 0x00F3}, {"ocirc", 0x00F4}, {"odblac", 0x0151},
    {"oelig", 0x0153}, {"ograve", 0x00F2}, {"oline", 0x203E}, {"omacr", 0x014D}, {"omega", 0x03C9},
    {"omicron", 0x03BF}, {"oplus", 0x2295}, {"or", 0x2228}, {"ordf", 0x00AA}, {"ordm", 0x00BA},
    {"oslash", 0x00F8}, {"otilde", 0x00F5}, {"otimes", 0x2297}, {"ouml", 0x00F6}, {"para", 0x00B6},
    {"part", 0x2202}, {"percnt", 0x0025}, {"period", 0x002E}, {"permil", 0x2030}, {"perp", 0x22A5},
    {"phi", 0x03C6}, {"phone", 0x260E}, {"pi", 0x03C0}, {"piv", 0x03D6}, {"plus", 0x002B},
    {"plusmn", 0x00B1}, {"pm", 0x00B1}, {"pound", 0x00A3}, {"prime", 0x2032}, {"prod", 0x220F},
    {"prop", 0x221D}, {"psi", 0x03C8}, {"puncsp", 0x2008}, {"quest", 0x003F}, {"quot", 0x0022},
    {"rArr", 0x21D2}, {"radic", 0x221A}, {"rang", 0x232A}, {"raquo", 0x00BB}, {"rarr", 0x2192},
    {"rbrace", 0x007D}, {"rbrack", 0x005D}, {"rcaron", 0x0159}, {"rceil", 0x2309},
    {"rcub", 0x007D}, {"rdquo", 0x201D}, {"rdquor", 0x201D}, {"real", 0x211C}, {"reg", 0x00AE},
    {"rfloor", 0x230B}, {"rho", 0x03C1}, {"rlm", 0x200F}, {"rpar", 0x0029}, {"rsaquo", 0x203A},
    {"rsqb", 0x005D}, {"rsquo", 0x2019}, {"rsquor", 0x2019}, {"sacute", 0x015B}, {"sbquo", 0x201A},
    {"scaron", 0x0161}, {"scedil", 0x015F}, {"sdot", 0x22C5}, {"sect", 0x00A7}, {"semi", 0x003B},
    {"sharp", 0x266F}, {"shy", 0x00AD}, {"sigma", 0x03C3}, {"sigmaf", 0x03C2}, {"sim", 0x223C},
    {"smile", 0x2323}, {"sol", 0x002F}, {"spades", 0x2660}, {"square", 0x25A1}, {"star", 0x2606},
    {"starf", 0x2605}, {"sub", 0x2282}, {"sube", 0x2286}, {"sum", 0x2211}, {"sung", 0x266A},
    {"sup", 0x2283}, {"sup1", 0x00B9}, {"sup2", 0x00B2}, {"sup3", 0x00B3}, {"supe", 0x2287},
    {"szlig", 0x00DF}, {"tau", 0x03C4}, {"tcaron", 0x0165}, {"there4", 0x2234}, {"theta", 0x03B8},
    {"thetasym", 0x03D1}, {"thinsp", 0x2009}, {"thorn", 0x00FE}, {"tilde", 0x02DC},
    {"times", 0x00D7}, {"trade", 0x2122}, {"uArr", 0x21D1}, {"uacute", 0x00FA}, {"uarr", 0x2191},
    {"ucirc", 0x00FB}, {"udblac", 0x0171}, {"ugrave", 0x00F9}, {"umacr", 0x016B}, {"uml", 0x00A8},
    {"upsih", 0x03D2}, {"upsilon", 0x03C5}, {"uring", 0x016F}, {"uuml", 0x00FC},
    {"verbar", 0x007C}, {"vert", 0x007C}, {"weierp", 0x2118}, {"xi", 0x03BE}, {"yacute", 0x00FD},
    {"yen", 0x00A5}, {"yuml", 0x00FF}, {"zacute", 0x017A}, {"zcaron", 0x017E}, {"zdot", 0x017C},
    {"zeta", 0x03B6}, {"zwj", 0x200D}, {"zwnj", 0x200C},
});

constexpr bool by_name(const named_entity& a, const named_entity& b) { return a.name < b.name; }
static_assert(std::is_sorted(named_entities.begin(), named_entities.end(), by_name));
static_assert(std::adjacent_find(named_entities.begin(), named_entities.end(),
                                 [](const named_entity& a, const named_entity& b) {
                                   return a.name == b.name;
                                 }) == named_entities.end());
static_assert(named_entities.size() >= 253);  // HTML 4.01's 252 plus &apos;

}  // namespace

std::optional<char32_t> find_html_entity(std::string_view name) {
  const auto it = std::lower_bound(named_entities.begin(), named_entities.end(),
                                   named_entity{name, 0}, by_name);
  if (it == named_entities.end() || it->name != name) return std::nullopt;
  return it->code_point;
}

}  // namespace feedd::parsers::detail
