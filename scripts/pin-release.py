#!/usr/bin/env python3
"""Pins a published release in this repository, for the release workflow.

    scripts/pin-release.py VERSION REPOSITORY_URL SHA256SUMS IMAGE [--root DIR]

Writes scripts/release.json (the release the GitHub Action installs by
default: its version, where its archives are, the repository its attestations
name, and the SHA-256 of each archive, taken from the SHA256SUMS that the
workflow computed and attested) and sets the image of argocd/sidecar.yaml to
IMAGE (name@sha256:digest). Refuses a SHA256SUMS that does not list exactly
the four release archives of VERSION.
"""

import argparse
import json
import pathlib
import re
import sys

TARGETS = (
    "aarch64-apple-darwin",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "x86_64-unknown-linux-gnu",
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("version")
    parser.add_argument("repository_url")
    parser.add_argument("sha256sums", type=pathlib.Path)
    parser.add_argument("image")
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    args = parser.parse_args()

    if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?", args.version):
        sys.exit(f"pin-release: '{args.version}' is not a version number")
    match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)", args.repository_url)
    if not match:
        sys.exit(f"pin-release: '{args.repository_url}' is not a GitHub repository URL")
    if not re.fullmatch(r"[a-z0-9./_-]+@sha256:[0-9a-f]{64}", args.image):
        sys.exit(f"pin-release: '{args.image}' is not an image reference by digest")

    sums = {}
    for line in args.sha256sums.read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.lstrip("*")] = digest
    expected = {f"mz-presync-{args.version}-{target}.tar.gz" for target in TARGETS}
    if set(sums) != expected:
        sys.exit(f"pin-release: {args.sha256sums} lists {sorted(sums)}, not {sorted(expected)}")
    for name, digest in sums.items():
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            sys.exit(f"pin-release: '{digest}' for {name} is not a SHA-256")

    pins = {
        "version": args.version,
        "base-url": f"{args.repository_url}/releases/download/v{args.version}",
        "repository": match.group(1),
        "sha256": dict(sorted(sums.items())),
    }
    (args.root / "scripts/release.json").write_text(json.dumps(pins, indent=2) + "\n", encoding="utf-8")

    sidecar = args.root / "argocd/sidecar.yaml"
    text = sidecar.read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^(\s+image: ).*$", lambda m: m.group(1) + args.image, text)
    if count != 1:
        sys.exit(f"pin-release: {sidecar} has {count} image lines, not one")
    sidecar.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
