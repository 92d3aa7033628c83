//! The configured apps, looked up by SDKAppID.

use std::collections::HashMap;
use std::sync::Arc;

use natter_core::{AppId, AppSettings};

#[derive(Clone, Default)]
pub struct Apps {
    by_id: Arc<HashMap<AppId, Arc<AppSettings>>>,
}

impl Apps {
    pub fn new(apps: impl IntoIterator<Item = AppSettings>) -> Self {
        let by_id = apps
            .into_iter()
            .map(|a| (a.sdkappid, Arc::new(a)))
            .collect();
        Self {
            by_id: Arc::new(by_id),
        }
    }

    pub fn get(&self, id: AppId) -> Option<&Arc<AppSettings>> {
        self.by_id.get(&id)
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<AppSettings>> {
        self.by_id.values()
    }
}
