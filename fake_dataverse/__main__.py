"""``python -m fake_dataverse serve …``: the ``fake-dataverse`` command."""

from fake_dataverse._cli import main

raise SystemExit(main())
