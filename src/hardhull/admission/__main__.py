"""``python -m hardhull.admission serve …``."""

from hardhull.admission.cli import main

raise SystemExit(main())
