//! The 21 ACL categories of Redis 7.0, in `ACL CAT` order.
//!
//! The order is significant beyond display: the canonical description of a user (ACL LIST)
//! breaks ties between equally good categories by this order.

/// One ACL category (`@read`, `@admin`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Category {
    Keyspace,
    Read,
    Write,
    Set,
    SortedSet,
    List,
    Hash,
    String,
    Bitmap,
    HyperLogLog,
    Geo,
    Stream,
    PubSub,
    Admin,
    Fast,
    Slow,
    Blocking,
    Dangerous,
    Connection,
    Transaction,
    Scripting,
}

impl Category {
    /// Every category, in `ACL CAT` order.
    pub const ALL: [Category; 21] = [
        Category::Keyspace,
        Category::Read,
        Category::Write,
        Category::Set,
        Category::SortedSet,
        Category::List,
        Category::Hash,
        Category::String,
        Category::Bitmap,
        Category::HyperLogLog,
        Category::Geo,
        Category::Stream,
        Category::PubSub,
        Category::Admin,
        Category::Fast,
        Category::Slow,
        Category::Blocking,
        Category::Dangerous,
        Category::Connection,
        Category::Transaction,
        Category::Scripting,
    ];

    /// The name without `@`, as ACL CAT prints it.
    pub fn name(self) -> &'static str {
        match self {
            Category::Keyspace => "keyspace",
            Category::Read => "read",
            Category::Write => "write",
            Category::Set => "set",
            Category::SortedSet => "sortedset",
            Category::List => "list",
            Category::Hash => "hash",
            Category::String => "string",
            Category::Bitmap => "bitmap",
            Category::HyperLogLog => "hyperloglog",
            Category::Geo => "geo",
            Category::Stream => "stream",
            Category::PubSub => "pubsub",
            Category::Admin => "admin",
            Category::Fast => "fast",
            Category::Slow => "slow",
            Category::Blocking => "blocking",
            Category::Dangerous => "dangerous",
            Category::Connection => "connection",
            Category::Transaction => "transaction",
            Category::Scripting => "scripting",
        }
    }

    /// Looks a category up by name (without `@`), case-insensitively.
    pub fn from_name(name: &[u8]) -> Option<Category> {
        Category::ALL.iter().copied().find(|c| c.name().as_bytes().eq_ignore_ascii_case(name))
    }
}

/// A set of categories, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CategorySet(u32);

impl CategorySet {
    /// Adds a category.
    pub fn insert(&mut self, c: Category) {
        self.0 |= 1 << c as u32;
    }

    /// True if the set holds `c`.
    pub fn contains(self, c: Category) -> bool {
        self.0 & (1 << c as u32) != 0
    }

    /// The members, in `ACL CAT` order.
    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_name(c.name().to_uppercase().as_bytes()), Some(c));
        }
        assert_eq!(Category::from_name(b"all"), None);
        assert_eq!(Category::from_name(b""), None);
    }
}
