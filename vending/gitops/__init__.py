"""Everything that touches Git: one subprocess seam, trees built without a working tree, commits
with an audit trail, and pushes that retry on a new tip."""
