#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "feed_testing.hpp"

// XHTML carried in feeds, written out as the HTML feedd stores.
namespace feedd::parsers {
namespace {

using namespace testkit;

std::string xhtml_content(std::string_view div_body, std::string_view entry_namespaces = "") {
  const auto f = parse_feed(atom("<entry " + std::string{entry_namespaces} +
                                 R"(><id>i</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">)" +
                                 std::string{div_body} + "</div></content></entry>"));
  return f.entries.empty() ? std::string{} : f.entries[0].content;
}

TEST(XhtmlMarkup, SvgAndMathmlAreWrittenByTheirLocalNames) {
  EXPECT_EQ(xhtml_content(R"(<svg:svg width="3"><svg:circle r="1"/></svg:svg>)",
                          R"(xmlns:svg="http://www.w3.org/2000/svg")"),
            R"(<svg width="3"><circle r="1"></circle></svg>)");
  EXPECT_EQ(xhtml_content(R"(<m:math xmlns:m="http://www.w3.org/1998/Math/MathML"><m:mi>a</m:mi></m:math>)"),
            R"(<math xmlns:m="http://www.w3.org/1998/Math/MathML"><mi>a</mi></math>)");
}

TEST(XhtmlMarkup, OtherPrefixesAndAttributePrefixesStay) {
  EXPECT_EQ(xhtml_content(R"(<x:thing xmlns:x="urn:x" xlink:href="h">t</x:thing>)",
                          R"(xmlns:xlink="http://www.w3.org/1999/xlink")"),
            R"(<x:thing xmlns:x="urn:x" xlink:href="h">t</x:thing>)");
}

TEST(XhtmlMarkup, APrefixRedeclaredInsideTheContentFollowsItsScope) {
  constexpr std::string_view xhtml = R"(xmlns:p="http://www.w3.org/1999/xhtml")";
  EXPECT_EQ(xhtml_content(R"(<p:b xmlns:p="urn:other"><p:i )" + std::string{xhtml} + R"(>i</p:i></p:b><p:b>x</p:b>)",
                          xhtml),
            R"(<p:b xmlns:p="urn:other"><i xmlns:p="http://www.w3.org/1999/xhtml">i</i></p:b><b>x</b>)");
}

TEST(XhtmlMarkup, EmptyElementsAreClosedTheHtmlWay) {
  EXPECT_EQ(xhtml_content(R"(a<br/><img src="http://i.example/x.png"/><p/><span></span>)"),
            R"(a<br /><img src="http://i.example/x.png" /><p></p><span></span>)");
}

TEST(XhtmlMarkup, TextIsEscapedCdataBecomesTextAndInstructionsGo) {
  EXPECT_EQ(xhtml_content(R"(<p title="&quot;q&quot; &amp;">1 &lt; 2 &amp; <![CDATA[<b>]]></p><!-- c --><?pi x?>)"),
            R"(<p title="&quot;q&quot; &amp;">1 &lt; 2 &amp; &lt;b&gt;</p>)");
}

TEST(XhtmlMarkup, DeepNestingNeitherOverflowsTheStackNorTakesLong) {
  constexpr int depth = 100000;
  std::string open;
  std::string close;
  for (int i = 0; i < depth; ++i) {
    open += "<svg:g>";
    close += "</svg:g>";
  }
  const auto start = std::chrono::steady_clock::now();
  const auto content = xhtml_content(open + "x" + close, R"(xmlns:svg="http://www.w3.org/2000/svg")");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds{5});
  EXPECT_TRUE(content.empty() || content.starts_with("<g><g>")) << content.substr(0, 40);
}

}  // namespace
}  // namespace feedd::parsers
