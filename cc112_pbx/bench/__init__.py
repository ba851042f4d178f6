"""`cc112 bench`: speed and memory measured, each beside a baseline measured in the same run.

- `acd_bench`: the pure ACD core against `naive_acd.NaiveAcd` (the same decisions, made the
  way Asterisk's app_queue makes them), driven by the same seeded call stream (`acd_stream`).
- `e2e_bench` (`--only e2e`): the controller behind the emulator over loopback sockets, against
  the dialplan's fallback queue (the emulator's app_queue) with the controller stopped.
- `load_bench` (with `load_driver` and `floor`): the controller (`cc112 run`) and the emulator in
  separate processes at increasing calls in flight, beside the protocol floor: a minimal ARI
  consumer making the same requests with no logic, database or recording.
- `runner.run_bench(BenchOptions(...))` runs the parts asked for and returns one JSON-able dict;
  `report` prints it as tables (rich on a terminal).
"""
