#!/usr/bin/env python3
"""Checks that every relative link in the README and docs/ points at a file
(and, for `#anchor` links into Markdown, at a heading) that exists."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
pages = [root / "README.md", root / "CHANGELOG.md", *sorted((root / "docs").glob("*.md"))]
link = re.compile(r"\]\(([^)\s]+)\)")


def anchors(page):
    text = page.read_text(encoding="utf-8")
    heads = re.findall(r"^#+\s+(.*)$", text, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in heads}


broken = []
for page in pages:
    for target in link.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+://", target) or target.startswith("mailto:"):
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f"{page.relative_to(root)}: {target} (no such file)")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{page.relative_to(root)}: {target} (no such heading)")
# Every `file.rs::test_name` that docs/design.md cites must be a test that exists.
sources = [p for p in root.rglob("*.rs") if "target" not in p.parts]
for file, name in re.findall(r"([\w./-]+\.rs)::(\w+)", (root / "docs/design.md").read_text()):
    hits = [p for p in sources if str(p).endswith("/" + file) or str(p).endswith(file)]
    if not any(re.search(rf"fn {name}\b", h.read_text(encoding="utf-8")) for h in hits):
        broken.append(f"docs/design.md: {file}::{name} (no such test)")
for case in re.findall(r"`(\w+\.rs)`", (root / "docs/design.md").read_text()):
    if not (root / "dma-traits/tests/compile-fail" / case).exists() and not any(
        str(p).endswith("/" + case) for p in sources
    ):
        broken.append(f"docs/design.md: {case} (no such file)")
print("\n".join(broken) if broken else f"links ok in {len(pages)} pages; every cited test exists")
sys.exit(1 if broken else 0)
