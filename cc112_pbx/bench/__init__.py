"""`cc112 bench`: speed and memory measured, each beside a baseline measured in the same run.

- `acd_bench`: the pure ACD core against `naive_acd.NaiveAcd` (the same decisions, made the
  way Asterisk's app_queue makes them), driven by the same seeded call stream (`acd_stream`).
- `e2e_bench`: the controller behind the emulator over loopback sockets, against the dialplan's
  fallback queue (the emulator's app_queue) with the controller stopped.
- `runner.run_bench(BenchOptions(...))` runs both and returns one JSON-able dict; `report`
  prints it as tables.
"""
