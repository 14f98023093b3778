//! Rollout history over git commits (not written yet).
