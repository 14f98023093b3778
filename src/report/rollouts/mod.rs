//! Reports for `rollouts`: human, json, markdown, github.
