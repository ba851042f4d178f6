"""Conformance tooling of the emulator tests: replaying the recorded Asterisk traces
(tests/fixtures/asterisk-traces/) against the emulator and comparing what comes back.

Test support only (issue 11): nothing in `cc112_pbx` imports these modules.
- `ari_replay`: drive an `ari-*.jsonl` trace's REST requests and WebSockets, compare answers and events.
- `ami_transcript`, `ami_replay`, `ami_compare`: read an `ami-*` transcript, replay its actions,
  compare the received streams strictly.
- `ami_client`: a minimal raw AMI client keeping every received message in order.
"""
