from hardhull.cli import main

raise SystemExit(main())
