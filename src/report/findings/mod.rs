//! Reports for `validate` findings: human, json, sarif, github.
