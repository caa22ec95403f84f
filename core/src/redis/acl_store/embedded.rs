//! [`EmbeddedAcl`]: the engine a language binding holds. Alone it is an [`Acl`]; attached to a
//! fleet's store ([`EmbeddedAcl::from_store`]) its writes go through etcd instead, so every
//! binding decides "store or local" here, once, and never itself.

use std::path::Path;
use std::sync::Arc;

use super::{AclStore, AclStoreOptions, StoreError};
use crate::redis::acl::{Acl, AclOptions};

/// An [`Acl`] and, when attached, the [`AclStore`] its writes go through.
///
/// Reads (checks, `getuser`, `list`, ...) always use [`EmbeddedAcl::acl`]: the store's watch
/// keeps that engine up to date. The writes that the store shares with the fleet, `setuser`,
/// `deluser`, `load` and `requirepass`, are the methods of this type: with a store they are
/// etcd transactions (returning once applied here), without one they are the engine's own.
#[derive(Debug, Clone)]
pub struct EmbeddedAcl {
    acl: Arc<Acl>,
    store: Option<Arc<AclStore>>,
}

impl EmbeddedAcl {
    /// A local engine (no store): every write is the engine's.
    pub fn new(acl: Arc<Acl>) -> EmbeddedAcl {
        EmbeddedAcl { acl, store: None }
    }

    /// A new engine with `acl_options`, attached to the store `options` describe (see
    /// [`AclStore::attach`]): it holds the store's users (an empty store is seeded with the
    /// new engine's `default` user) and follows every change. Blocks until etcd answered, or
    /// until the cache file was loaded (stale) when etcd is unreachable.
    pub fn from_store(acl_options: AclOptions, options: AclStoreOptions) -> Result<EmbeddedAcl, StoreError> {
        let acl = Arc::new(Acl::with_options(acl_options));
        let store = AclStore::attach(acl.clone(), options)?;
        Ok(EmbeddedAcl { acl, store: Some(Arc::new(store)) })
    }

    /// The engine (shared with servers; kept up to date by the store when attached).
    pub fn acl(&self) -> &Arc<Acl> {
        &self.acl
    }

    /// The store the writes go through, if attached.
    pub fn store(&self) -> Option<&Arc<AclStore>> {
        self.store.as_ref()
    }

    /// `ACL SETUSER`: Redis' errors for invalid rules (nothing changed); with a store,
    /// [`AclStore::setuser`].
    pub fn setuser<A: AsRef<[u8]>>(&self, name: &[u8], rules: &[A]) -> Result<(), crate::Error> {
        match &self.store {
            Some(store) => Ok(store.setuser(name, rules)?),
            None => Ok(self.acl.setuser(name, rules)?),
        }
    }

    /// `ACL DELUSER`: how many of `names` existed; `default` is refused.
    pub fn deluser<A: AsRef<[u8]>>(&self, names: &[A]) -> Result<usize, crate::Error> {
        match &self.store {
            Some(store) => Ok(store.deluser(names)?),
            None => Ok(self.acl.deluser(names)?),
        }
    }

    /// `ACL LOAD` of the aclfile at `path`, all or nothing, with Redis' aclfile errors naming
    /// the file as given; with a store the file's users replace the store's.
    pub fn load(&self, path: &Path) -> Result<(), crate::Error> {
        match &self.store {
            Some(store) => Ok(store.load_file(path, &path.to_string_lossy())?),
            None => Ok(self.acl.load(path)?),
        }
    }

    /// `ACL LOAD` of an aclfile's text, `shown` naming it in errors.
    pub fn load_text(&self, aclfile_text: &[u8], shown: &str) -> Result<(), crate::Error> {
        match &self.store {
            Some(store) => Ok(store.load_text(aclfile_text, shown)?),
            None => Ok(self.acl.load_text(aclfile_text, shown)?),
        }
    }

    /// `requirepass`: the `default` user's only password (empty: `nopass`). Locally this
    /// cannot fail; with a store it is a SETUSER of `default` through it, so the fleet sees
    /// it (and an unreachable store is an error that changed nothing).
    pub fn set_requirepass(&self, password: &[u8]) -> Result<(), crate::Error> {
        match &self.store {
            Some(store) => Ok(store.setuser(b"default", &Acl::requirepass_rules(password))?),
            None => {
                self.acl.set_requirepass(password);
                Ok(())
            }
        }
    }
}

impl From<Arc<Acl>> for EmbeddedAcl {
    fn from(acl: Arc<Acl>) -> EmbeddedAcl {
        EmbeddedAcl::new(acl)
    }
}
