"""Registers the end-to-end tests' markers (shared helpers are in harness.py), labels
for picking tests with `-m`:

  compression: what a compressing front forwards (outputs shorter, each forwarded
      request repeating the previous one as forwarded).
  fronts: what a front route answers itself (Condenser's own errors in the front's
      shape, a stream cut when it lacks its last event).
  anthropic_front, responses_front: the front a test is about.
"""


def pytest_configure(config):
    config.addinivalue_line("markers", "compression: what a compressing front forwards")
    config.addinivalue_line("markers", "fronts: what a front route answers itself")
    config.addinivalue_line("markers", "anthropic_front: about the Anthropic Messages front")
    config.addinivalue_line("markers", "responses_front: about the OpenAI Responses front")
