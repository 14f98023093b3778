//! The operator's image upgrade window (spec §6): which `environmentdImageRef`
//! changes it accepts. The API server cannot check this (it needs the old
//! value), so a bad jump is only discovered after the merge, when the
//! operator refuses to roll out. The window itself is a CRD fact
//! ([`crate::crd::upgrade_window`]); history reports its verdicts.

pub use crate::crd::upgrade_window::{
    ImageVersion, UpgradeVerdict, check_upgrade, image_tag, parse_tag, upgrade_window,
};
