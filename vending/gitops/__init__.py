"""Git itself: one subprocess seam (`git`), trees of commits (`tree`), commits with an audit trail
(`commit`), pushes that retry on a new tip (`push`) and bringing the checkout along (`follow`).

It imports nothing of vending above `errors` and `config` (`tests/gitops/test_imports.py`): what to
commit comes from above (`vending/apply.py`) as plain values and a function of the tip."""
