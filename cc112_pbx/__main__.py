from cc112_pbx.cli.main import main

raise SystemExit(main())
