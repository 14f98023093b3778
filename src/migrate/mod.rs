//! Text-preserving migration of v1alpha1 manifests (not written yet).
