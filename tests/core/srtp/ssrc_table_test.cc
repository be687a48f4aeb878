#include "core/srtp/ssrc_table.h"

#include <vector>

#include "gtest/gtest.h"

namespace sfu::srtp {
namespace {

struct State {
  int value = 0;
};

TEST(SsrcTableTest, BoundedAndEntriesSurviveGrowth) {
  // The table starts with room for a few streams and grows up to its cap; growing may move the
  // entries (no State* is kept across a Create), but every entry keeps its value and the cached
  // last lookup follows the move.
  SsrcTable<State> table(40);
  for (uint32_t ssrc = 1; ssrc <= 40; ++ssrc) {
    State* s = table.Create(ssrc);
    ASSERT_NE(s, nullptr);
    s->value = static_cast<int>(ssrc);
    ASSERT_EQ(table.Find(ssrc), s);  // the cache points at the entry just made
    ASSERT_EQ(table.Find(1)->value, 1);
  }
  EXPECT_TRUE(table.full());
  EXPECT_EQ(table.Create(41), nullptr);
  EXPECT_EQ(table.FindOrCreate(41), nullptr);
  EXPECT_EQ(table.Find(41), nullptr);
  for (uint32_t ssrc = 1; ssrc <= 40; ++ssrc) {
    ASSERT_NE(table.Find(ssrc), nullptr);
    EXPECT_EQ(table.Find(ssrc)->value, static_cast<int>(ssrc));
  }
  EXPECT_EQ(table.size(), 40u);
}

TEST(SsrcTableTest, MoveKeepsEntriesAndForgetsTheCache) {
  SsrcTable<State> a(4);
  a.Create(7)->value = 70;
  ASSERT_NE(a.Find(7), nullptr);  // cached
  SsrcTable<State> b(std::move(a));
  ASSERT_NE(b.Find(7), nullptr);
  EXPECT_EQ(b.Find(7)->value, 70);
  SsrcTable<State> c;
  EXPECT_TRUE(c.full());  // a default table has no capacity
  c = std::move(b);
  EXPECT_EQ(c.FindOrCreate(7)->value, 70);
  EXPECT_NE(c.FindOrCreate(8), nullptr);
}

}  // namespace
}  // namespace sfu::srtp
