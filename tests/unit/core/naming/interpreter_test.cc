// Binding semantics (Linkerd 1.x docs: dtabs): dtab first, configured namers last-first, system
// namers; Alt/Union/Neg/Fail/Empty rules; depth limit; reactive re-evaluation.

#include "core/naming/interpreter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "ferry/sdk/testing/fake_namer.h"

namespace ferry::core::naming {
namespace {

using sdk::testing::FakeNamer;

Path P(const char* s) { return *Path::parse(s); }
Dtab D(const char* s) { return *Dtab::parse(s); }
sdk::Address A(uint16_t port) { return sdk::Address{"127.0.0.1", port, 1.0, {}}; }

class InterpreterTest : public ::testing::Test {
 protected:
  FakeNamer fs;
  FakeNamer other;
  std::vector<ConfiguredNamer> namers{{P("/#/io.l5d.fs"), &fs}, {P("/#/other"), &other}};

  BoundActivity bind(const char* dtab, const char* path) { return bindOnce(namers, D(dtab), P(path)); }
  static std::string ids(const BoundTree& t) {
    switch (t.kind()) {
      case sdk::NameTreeKind::Leaf: return t.value().id.show();
      case sdk::NameTreeKind::Neg: return "~";
      case sdk::NameTreeKind::Fail: return "!";
      case sdk::NameTreeKind::Empty: return "$";
      default: {
        std::string out = "(";
        for (std::size_t i = 0; i < t.children().size(); ++i) {
          out += (i ? " & " : "") + showWeight(t.weights()[i]) + "*" + ids(t.children()[i]);
        }
        return out + ")";
      }
    }
  }
};

TEST_F(InterpreterTest, DtabThenNamer) {
  fs.set(P("/web"), FakeNamer::bound(P("/#/io.l5d.fs/web"), {A(1)}));
  auto r = bind("/svc => /#/io.l5d.fs", "/svc/web/extra");
  ASSERT_TRUE(r.isOk());
  EXPECT_EQ(ids(r.value), "/#/io.l5d.fs/web");
  EXPECT_EQ(r.value.value().residual, P("/extra"));
}

TEST_F(InterpreterTest, AltFallsBackOnNeg) {
  fs.set(P("/b"), FakeNamer::bound(P("/#/io.l5d.fs/b"), {A(2)}));
  EXPECT_EQ(ids(bind("/svc => /#/io.l5d.fs/a | /#/io.l5d.fs/b", "/svc").value), "/#/io.l5d.fs/b");
  // Later dentries are tried first: the humphrys/smitten example.
  EXPECT_EQ(ids(bind("/s => /#/io.l5d.fs/b; /s => /#/io.l5d.fs/a", "/s").value), "/#/io.l5d.fs/b");
}

TEST_F(InterpreterTest, FailStopsFallback) {
  fs.set(P("/b"), FakeNamer::bound(P("/#/io.l5d.fs/b"), {A(2)}));
  EXPECT_EQ(ids(bind("/svc => ! | /#/io.l5d.fs/b", "/svc").value), "!");
  EXPECT_EQ(ids(bind("/svc => /$/fail | /#/io.l5d.fs/b", "/svc").value), "!");
}

TEST_F(InterpreterTest, EmptyWinsOverLaterBranches) {
  fs.set(P("/b"), FakeNamer::bound(P("/#/io.l5d.fs/b"), {A(2)}));
  EXPECT_EQ(ids(bind("/svc => $ | /#/io.l5d.fs/b", "/svc").value), "$");
  EXPECT_EQ(ids(bind("/svc => /$/nil | /#/io.l5d.fs/b", "/svc").value), "$");
}

TEST_F(InterpreterTest, UnionDropsNegAndFailKeepsEmpty) {
  fs.set(P("/a"), FakeNamer::bound(P("/#/io.l5d.fs/a"), {A(1)}));
  fs.set(P("/b"), FakeNamer::bound(P("/#/io.l5d.fs/b"), {A(2)}));
  EXPECT_EQ(ids(bind("/svc => 0.7*/#/io.l5d.fs/a & 0.3*/#/io.l5d.fs/b", "/svc").value),
            "(0.70*/#/io.l5d.fs/a & 0.30*/#/io.l5d.fs/b)");
  EXPECT_EQ(ids(bind("/svc => /#/io.l5d.fs/a & ~ & !", "/svc").value), "/#/io.l5d.fs/a");
  EXPECT_EQ(ids(bind("/svc => /#/io.l5d.fs/a & $", "/svc").value), "(1.00*/#/io.l5d.fs/a & 1.00*$)");
  EXPECT_EQ(ids(bind("/svc => ~ & !", "/svc").value), "~");
}

TEST_F(InterpreterTest, UnionIgnoresAFailedBranchWhileAnotherIsOk) {
  fs.set(P("/a"), FakeNamer::bound(P("/#/io.l5d.fs/a"), {A(1)}));
  EXPECT_EQ(ids(bind("/svc => /#/io.l5d.fs/a & /$/no.such.Namer", "/svc").value), "/#/io.l5d.fs/a");
  // A Neg branch is an Ok answer: the failed one is ignored and the union is Neg.
  EXPECT_EQ(ids(bind("/svc => /$/no.such.Namer & ~", "/svc").value), "~");
  EXPECT_TRUE(bind("/svc => /$/no.such.Namer & /$/other.Namer", "/svc").isFailed());
}

TEST_F(InterpreterTest, LookupExceptionFailsTheBindWithoutFallback) {
  fs.set(P("/b"), FakeNamer::bound(P("/#/io.l5d.fs/b"), {A(2)}));
  auto r = bind("/svc => /$/com.example.Unknown | /#/io.l5d.fs/b", "/svc");
  ASSERT_TRUE(r.isFailed());
  EXPECT_EQ(r.error, "unknown system namer /$/com.example.Unknown in /$/com.example.Unknown");
}

TEST_F(InterpreterTest, DepthLimit) {
  auto r = bind("/iceCream => /youScream; /youScream => /weAllScream/for; /weAllScream/for => /iceCream", "/iceCream");
  ASSERT_TRUE(r.isFailed());
  EXPECT_EQ(r.error, "Max recursion level: 100 reached in Namer lookup");
}

TEST_F(InterpreterTest, NamersTriedLastConfiguredFirst) {
  FakeNamer first, second;
  std::vector<ConfiguredNamer> both{{P("/#/x"), &first}, {P("/#/x"), &second}};
  first.set(P("/web"), FakeNamer::bound(P("/#/x/web-first"), {A(1)}));
  second.set(P("/web"), FakeNamer::bound(P("/#/x/web-second"), {A(2)}));
  EXPECT_EQ(ids(bindOnce(both, Dtab(), P("/#/x/web")).value), "/#/x/web-second");
  second.set(P("/web"), sdk::NameActivity::ok(sdk::NameTree<sdk::Name>::neg()));
  EXPECT_EQ(ids(bindOnce(both, Dtab(), P("/#/x/web")).value), "/#/x/web-first");
}

TEST_F(InterpreterTest, DtabIsConsultedEvenForBoundPrefixes) {
  fs.set(P("/b"), FakeNamer::bound(P("/#/io.l5d.fs/b"), {A(2)}));
  EXPECT_EQ(ids(bind("/#/io.l5d.fs/a => /#/io.l5d.fs/b", "/#/io.l5d.fs/a").value), "/#/io.l5d.fs/b");
}

TEST_F(InterpreterTest, SystemNamers) {
  auto r = bind("", "/$/inet/127.0.0.1/8080/rest");
  ASSERT_TRUE(r.isOk());
  EXPECT_EQ(ids(r.value), "/$/inet/127.0.0.1/8080");
  EXPECT_EQ(r.value.value().residual, P("/rest"));
  EXPECT_EQ(r.value.value().addr.addresses[0].port, 8080);
  EXPECT_EQ(ids(bind("", "/$/inet/9990").value), "/$/inet/9990");
  EXPECT_EQ(ids(bind("", "/$/io.buoyant.rinet/80/example.com").value), "/$/io.buoyant.rinet/80/example.com");
  EXPECT_EQ(ids(bind("/pfx => /$/inet", "/$/io.buoyant.hostportPfx/pfx/127.0.0.1:8080").value),
            "/$/inet/127.0.0.1/8080");
  EXPECT_TRUE(bind("", "/$/inet/foo/bar").isFailed());
  EXPECT_EQ(ids(bind("", "/nothing/here").value), "~");
}

TEST_F(InterpreterTest, RewritingSystemNamers) {
  fs.set(P("/web/8080"), FakeNamer::bound(P("/#/io.l5d.fs/web/8080"), {A(1)}));
  fs.set(P("/8080/web"), FakeNamer::bound(P("/#/io.l5d.fs/8080/web"), {A(1)}));
  fs.set(P("/c/b/a"), FakeNamer::bound(P("/#/io.l5d.fs/c/b/a"), {A(1)}));
  fs.set(P("/api"), FakeNamer::bound(P("/#/io.l5d.fs/api"), {A(1)}));
  auto id = [&](const char* dtab, const char* path) { return ids(bind(dtab, path).value); };
  EXPECT_EQ(id("/h => /#/io.l5d.fs", "/$/io.buoyant.hostportPfx/h/web:8080"), "/#/io.l5d.fs/web/8080");
  EXPECT_EQ(id("/h => /#/io.l5d.fs", "/$/io.buoyant.porthostPfx/h/web:8080"), "/#/io.l5d.fs/8080/web");
  EXPECT_EQ(id("/h => /#/io.l5d.fs", "/$/io.buoyant.hostportPfx/h/web:8080:x"), "~");
  EXPECT_EQ(id("/h => /#/io.l5d.fs", "/$/io.buoyant.http.domainToPathPfx/h/a.b.c"), "/#/io.l5d.fs/c/b/a");
  EXPECT_EQ(id("/h => /#/io.l5d.fs", "/$/io.buoyant.http.subdomainOfPfx/example.com/h/api.example.com:80"),
            "/#/io.l5d.fs/api");
  EXPECT_EQ(id("/h => /#/io.l5d.fs", "/$/io.buoyant.http.anyMethodPfx/h/GET/api"), "/#/io.l5d.fs/api");
  EXPECT_EQ(id("/h => /#/io.l5d.fs", "/$/io.buoyant.http.anyMethodPfx/h/get/api"), "~");
  EXPECT_EQ(id("/h => /#/io.l5d.fs", "/$/io.buoyant.http.anyHostPfx/h/x.y:1/api"), "/#/io.l5d.fs/api");
}

TEST_F(InterpreterTest, BindingIsReactive) {
  fs.set(P("/primary"), FakeNamer::bound(P("/#/io.l5d.fs/primary"), {A(1)}));
  fs.set(P("/backup"), FakeNamer::bound(P("/#/io.l5d.fs/backup"), {A(2)}));
  std::vector<std::string> seen;
  Binding b(namers, D("/svc => /#/io.l5d.fs/primary | /#/io.l5d.fs/backup"), P("/svc"),
            [&](const BoundActivity& a) { seen.push_back(ids(a.value)); });
  ASSERT_EQ(seen, std::vector<std::string>{"/#/io.l5d.fs/primary"});
  // Only the winning branch is looked up.
  EXPECT_EQ(fs.observerCount(), 1u);
  fs.set(P("/primary"), sdk::NameActivity::ok(sdk::NameTree<sdk::Name>::neg()));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1], "/#/io.l5d.fs/backup");
  fs.set(P("/primary"), FakeNamer::bound(P("/#/io.l5d.fs/primary"), {A(3)}));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2], "/#/io.l5d.fs/primary");
  EXPECT_EQ(b.current().value.value().addr.addresses[0].port, 3);
  // The backup's watch is released by the next evaluation (never inside a namer's callback).
  fs.set(P("/primary"), FakeNamer::bound(P("/#/io.l5d.fs/primary"), {A(4)}));
  EXPECT_EQ(fs.observerCount(), 1u);
}

TEST_F(InterpreterTest, PendingThenBound) {
  fs.set(P("/web"), sdk::NameActivity::pending());
  std::vector<BoundActivity::State> states;
  Binding b(namers, D("/svc => /#/io.l5d.fs"), P("/svc/web"), [&](const BoundActivity& a) { states.push_back(a.state); });
  fs.set(P("/web"), FakeNamer::bound(P("/#/io.l5d.fs/web"), {A(1)}));
  EXPECT_EQ(states, (std::vector<BoundActivity::State>{BoundActivity::State::Pending, BoundActivity::State::Ok}));
}

TEST_F(InterpreterTest, ExplodingUnionsAreCutShort) {
  // 2^100 branches without the lookup budget; with it, a few thousand steps.
  auto started = std::chrono::steady_clock::now();
  auto r = bind("/a => /a & /a", "/a");
  ASSERT_TRUE(r.isFailed());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
}

TEST_F(InterpreterTest, RandomDtabsNeverCrashTheEvaluator) {
  std::mt19937 rng(99);
  const char* prefixes[] = {"/a", "/b", "/a/*", "/", "/#/io.l5d.fs", "/$"};
  const char* dsts[] = {"/b", "/a", "/a/b", "~", "!", "$", "/#/io.l5d.fs/x", "/$/inet/127.0.0.1/1", "/b | /a",
                        "/a & /b", "/$/nil", "/$/fail", "/$/x.Y", "0*/a & /b"};
  fs.set(P("/x"), FakeNamer::bound(P("/#/io.l5d.fs/x"), {A(1)}));
  for (int i = 0; i < 400; ++i) {
    std::string text;
    int n = 1 + static_cast<int>(rng() % 5);
    for (int j = 0; j < n; ++j) {
      text += std::string(prefixes[rng() % 6]) + " => " + dsts[rng() % 14] + ";";
    }
    auto d = Dtab::parse(text);
    ASSERT_TRUE(d) << text;
    auto r = bindOnce(namers, *d, P(rng() % 2 ? "/a/c" : "/b"));
    EXPECT_FALSE(r.isPending()) << text;
  }
}

}  // namespace
}  // namespace ferry::core::naming
