"""Registers the end-to-end tests' markers (shared helpers are in harness.py).

  compression: asserts what a compressing front does (outputs shorter when forwarded,
      each forwarded request repeating the previous one). Fails while the route passes
      through; run.sh deselects it unless CONDENSER_E2E_FRONTS=1.
  fronts: asserts another behaviour of a front route itself (Condenser's own answers in
      the front's shape); deselected with `compression`.
"""


def pytest_configure(config):
    config.addinivalue_line("markers", "compression: needs a compressing front (deselected unless CONDENSER_E2E_FRONTS=1)")
    config.addinivalue_line("markers", "fronts: needs the front routes' own answers (deselected unless CONDENSER_E2E_FRONTS=1)")
