//! Where the store keeps its users in etcd: generations.
//!
//! `<prefix>current` names the generation that holds the users; each user is one key of it,
//! `<prefix>gen/<id>/users/<name>`. The first generation (a store seeded before any
//! generation was named, `current` absent) keeps them at `<prefix>users/<name>`. An ACL LOAD
//! writes its users into a new generation (in as many transactions as it takes, invisible to
//! every reader) and then switches `current` to it, deleting the old generation in that same
//! transaction: readers and watchers only ever see a complete generation, and a writer killed
//! before the switch leaves the old one current (its partial generation is garbage, removed by
//! the next ACL LOAD once its lease expired). SETUSER and DELUSER write into the current
//! generation on the condition that `current` did not move since they read it.

use etcd_client::{Client, Compare, CompareOp};

use super::{unavailable, Inner, StoreError};

/// The current generation as a writer read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Current {
    /// The generation's id; empty: the first generation (`<prefix>users/`).
    pub id: String,
    /// The `current` key's mod revision (0: absent).
    pub revision: i64,
}

impl Inner {
    /// `<prefix>current`.
    pub(super) fn current_key(&self) -> String {
        format!("{}current", self.url.prefix)
    }

    /// The prefix every generation's keys are under.
    pub(super) fn generations_prefix(&self) -> String {
        format!("{}gen/", self.url.prefix)
    }

    /// All keys of generation `id` (its users and its staging marker); the first generation's
    /// are its users.
    pub(super) fn generation_prefix(&self, id: &str) -> String {
        match id {
            "" => format!("{}users/", self.url.prefix),
            id => format!("{}{id}/", self.generations_prefix()),
        }
    }

    /// The prefix of generation `id`'s user keys.
    pub(super) fn users_prefix_of(&self, id: &str) -> String {
        match id {
            "" => self.generation_prefix(id),
            id => format!("{}users/", self.generation_prefix(id)),
        }
    }

    /// The key that exists while generation `id` is being written (with a lease): a
    /// generation without it that is not current was left by a writer that died.
    pub(super) fn staging_key(&self, id: &str) -> String {
        format!("{}staging", self.generation_prefix(id))
    }

    /// Reads `current`.
    pub(super) async fn current(&self, client: &mut Client) -> Result<Current, StoreError> {
        let got = client.get(self.current_key(), None).await.map_err(unavailable)?;
        Ok(got.kvs().first().map_or_else(Current::default, |kv| Current {
            id: String::from_utf8_lossy(kv.value()).into_owned(),
            revision: kv.mod_revision(),
        }))
    }

    /// The condition that `current` is still what `seen` read.
    pub(super) fn current_unchanged(&self, seen: &Current) -> Compare {
        match seen.revision {
            0 => Compare::version(self.current_key(), CompareOp::Equal, 0),
            r => Compare::mod_revision(self.current_key(), CompareOp::Equal, r),
        }
    }
}

/// A new generation id: 64 random bits in hex (from the OS, as ACL GENPASS), so two nodes
/// loading at once never write into the same generation.
pub(super) fn new_generation_id() -> String {
    crate::redis::acl::Acl::genpass(64).expect("64 bits is within ACL GENPASS' range")
}

/// The generation id in a key under the generations prefix (`<id>/...`).
pub(super) fn generation_of(rest: &[u8]) -> Option<&[u8]> {
    rest.split(|&b| b == b'/').next().filter(|id| !id.is_empty())
}
