"""``python -m hardhull.admission serve …``."""

from hardhull.cli.admission import main

raise SystemExit(main())
