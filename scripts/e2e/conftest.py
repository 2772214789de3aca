"""Registers the end-to-end tests' markers (shared helpers are in harness.py).

  compression: asserts what a compressing front does (outputs shorter when forwarded,
      each forwarded request repeating the previous one). Fails while the route passes
      through; run.sh deselects it unless CONDENSER_E2E_FRONTS=1.
  fronts: asserts what else a front route does itself (Condenser's own errors in the
      front's shape, a stream cut when it lacks its last event); deselected with
      `compression`.
  anthropic_front, responses_front: the front a test is about, so that run.sh can
      select one front's tests (CONDENSER_E2E_FRONTS=anthropic or responses).
"""


def pytest_configure(config):
    config.addinivalue_line("markers", "compression: needs a compressing front (deselected unless CONDENSER_E2E_FRONTS=1)")
    config.addinivalue_line("markers", "fronts: needs the front routes' own answers (deselected unless CONDENSER_E2E_FRONTS=1)")
    config.addinivalue_line("markers", "anthropic_front: about the Anthropic Messages front")
    config.addinivalue_line("markers", "responses_front: about the OpenAI Responses front")
