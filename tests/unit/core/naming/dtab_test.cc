#include "core/naming/dtab.h"

#include <gtest/gtest.h>

#include <random>

namespace ferry::core::naming {
namespace {

Path P(const char* s) { return *Path::parse(s); }

std::string roundTrip(const std::string& text) {
  auto t = parseNameTree(text);
  EXPECT_TRUE(t) << text << ": " << t.message();
  return t ? showNameTree(*t) : "";
}

TEST(NameTreeSyntaxTest, PrintsAsFinagle) {
  EXPECT_EQ(roundTrip("/a"), "/a");
  EXPECT_EQ(roundTrip("/a | /b"), "/a | /b");
  EXPECT_EQ(roundTrip("/a & /b | /c"), "(/a & /b) | /c");
  EXPECT_EQ(roundTrip("0.7*/a & 0.3*/b"), "0.70*/a & 0.30*/b");
  EXPECT_EQ(roundTrip("1*/a & /b"), "/a & /b");
  EXPECT_EQ(roundTrip("!"), "!");
  EXPECT_EQ(roundTrip("~ | /smitten"), "~ | /smitten");
  EXPECT_EQ(roundTrip("$"), "$");
  EXPECT_EQ(roundTrip("/a | (/b | /c)"), "/a | (/b | /c)");
  EXPECT_EQ(roundTrip(".5*/a"), "0.50*/a");
}

TEST(NameTreeSyntaxTest, AWeightThatPrintsAsTheDefaultIsLeftOutLikeIt) {
  // Found by the dtab fuzzer: "1.001*/a & /b" showed "1.00*/a & /b", which read back as weight 1
  // and then showed "/a & /b": the text a hop forwards changed from one hop to the next.
  EXPECT_EQ(roundTrip("1.001*/a & /b"), "/a & /b");
  EXPECT_EQ(roundTrip("0.999*/a & /b"), "/a & /b");
  EXPECT_EQ(roundTrip("1.006*/a & /b"), "1.01*/a & /b");
  EXPECT_EQ(roundTrip(roundTrip("1.001*/a & /b")), "/a & /b");
}

TEST(NameTreeSyntaxTest, AndBindsTighterThanOr) {
  auto t = *parseNameTree("/a & /b | /c");
  ASSERT_EQ(t.kind(), sdk::NameTreeKind::Alt);
  EXPECT_EQ(t.children()[0].kind(), sdk::NameTreeKind::Union);
  EXPECT_EQ(t.children()[1].value(), P("/c"));
}

TEST(NameTreeSyntaxTest, RejectsBadTrees) {
  for (const char* bad : {"", "/a |", "| /a", "(/a", "/a)", ". * /a", "0.1.2*/a", "1 /a", "/a & ", "*/a",
                          "/foo/", "//", "/a b", "/a/*"}) {
    EXPECT_FALSE(parseNameTree(bad)) << bad;
  }
}

TEST(NameTreeSyntaxTest, NestingIsBoundedAndHugeWeightsAreErrors) {
  // Found by the dtab fuzzer: a few thousand '(' in an l5d-dtab header overflowed the stack.
  std::string deep = std::string(64, '(') + "/a" + std::string(64, ')');
  EXPECT_TRUE(parseNameTree(deep));
  auto tooDeep = parseNameTree("(" + deep + ")");
  ASSERT_FALSE(tooDeep);
  EXPECT_NE(tooDeep.message().find("name tree nested deeper than 64"), std::string::npos) << tooDeep.message();
  EXPECT_FALSE(parseNameTree(std::string(100000, '(')));
  // A weight too large for a fixed print buffer still prints whole, and reads back the same.
  auto big = parseNameTree("32" + std::string(40, '2') + " * /a & /b");
  ASSERT_TRUE(big);
  auto again = parseNameTree(showNameTree(*big));
  ASSERT_TRUE(again) << showNameTree(*big);
  EXPECT_EQ(showNameTree(*again), showNameTree(*big));
  EXPECT_EQ(again->weights()[0], big->weights()[0]);
  auto huge = parseNameTree(std::string(400, '9') + " * /a");
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.message().find("is out of range"), std::string::npos) << huge.message();
}

TEST(DtabSyntaxTest, ParsesDentriesCommentsAndTrailingSemicolon) {
  auto d = Dtab::parse(R"(
    # route everything to the fs namer
    /svc => /#/io.l5d.fs;   # comment after an entry
    /svc/* => /$/inet/127.1/9990 | ~;
  )");
  ASSERT_TRUE(d) << d.message();
  ASSERT_EQ(d->dentries().size(), 2u);
  EXPECT_EQ(d->show(), "/svc=>/#/io.l5d.fs;/svc/*=>/$/inet/127.1/9990 | ~");
  auto again = Dtab::parse(d->show());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *d);
}

TEST(DtabSyntaxTest, EmptyIsEmpty) {
  auto d = Dtab::parse("  ");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->empty());
}

TEST(DtabSyntaxTest, RejectsBadDtabs) {
  for (const char* bad : {"/a", "/a =>", "/a => /b /c", "/a => /b;;", "/foo/*bar => /b", "a => /b",
                          "/a => /b; /c", "/a => /b\n/c => /d"}) {
    auto d = Dtab::parse(bad);
    EXPECT_FALSE(d) << bad;
  }
  auto d = Dtab::parse("/a => /b &");
  ASSERT_FALSE(d);
  EXPECT_NE(d.message().find("offset"), std::string::npos) << d.message();
}

TEST(DtabLookupTest, LastMatchFirstWithSuffix) {
  auto d = *Dtab::parse("/smitten => /USA/CA/SF/Octavia/432; /iceCreamStore => /smitten; "
                        "/iceCreamStore => /humphrys");
  auto t = d.lookup(P("/iceCreamStore/try/allFlavors"));
  EXPECT_EQ(showNameTree(t), "/humphrys/try/allFlavors | /smitten/try/allFlavors");
  EXPECT_EQ(d.lookup(P("/shoeStore/windowShop")).kind(), sdk::NameTreeKind::Neg);
}

TEST(DtabLookupTest, WildcardMatchesOneElement) {
  auto d = *Dtab::parse("/svc/*/web => /a");
  EXPECT_EQ(showNameTree(d.lookup(P("/svc/x/web/y"))), "/a/y");
  EXPECT_EQ(d.lookup(P("/svc/x/api")).kind(), sdk::NameTreeKind::Neg);
  EXPECT_EQ(d.lookup(P("/svc/x")).kind(), sdk::NameTreeKind::Neg);
}

TEST(DtabLookupTest, EmptyPrefixMatchesEverything) {
  auto d = *Dtab::parse("/ => /root");
  EXPECT_EQ(showNameTree(d.lookup(P("/a/b"))), "/root/a/b");
}

// Property: print(parse(x)) parses back to the same tree, for random trees.
std::string randomTree(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> pick(0, depth > 3 ? 4 : 7);
  switch (pick(rng)) {
    case 0: return "!";
    case 1: return "~";
    case 2: return "$";
    case 3:
    case 4: {
      static const char* labels[] = {"a", "#", "$", "io.l5d.fs", "x-y", "b\\x20c", "127.1", "8080"};
      std::string p;
      int n = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < n; ++i) p += std::string("/") + labels[rng() % 8];
      return p;
    }
    case 5: return "(" + randomTree(rng, depth + 1) + " | " + randomTree(rng, depth + 1) + ")";
    case 6: return "(" + std::to_string(rng() % 5) + ".25*" + randomTree(rng, depth + 1) + " & " +
                   randomTree(rng, depth + 1) + ")";
    default: return "(" + randomTree(rng, depth + 1) + ")";
  }
}

TEST(DtabPropertyTest, PrintParseRoundTrips) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string text = randomTree(rng, 0);
    auto t = parseNameTree(text);
    ASSERT_TRUE(t) << text << ": " << t.message();
    std::string shown = showNameTree(*t);
    auto again = parseNameTree(shown);
    ASSERT_TRUE(again) << shown << ": " << again.message();
    EXPECT_EQ(*again, *t) << text << " -> " << shown;
    EXPECT_EQ(showNameTree(*again), shown);
  }
}

TEST(DtabPropertyTest, GarbageNeverCrashesTheParser) {
  std::mt19937 rng(7);
  const std::string alphabet = "/ab*#$!~&|()=>;.0123456789\\x \n";
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    int n = static_cast<int>(rng() % 24);
    for (int j = 0; j < n; ++j) s.push_back(alphabet[rng() % alphabet.size()]);
    auto d = Dtab::parse(s);
    if (d) {
      auto again = Dtab::parse(d->show());
      ASSERT_TRUE(again) << s << " -> " << d->show();
      EXPECT_EQ(*again, *d);
    }
  }
}

}  // namespace
}  // namespace ferry::core::naming
