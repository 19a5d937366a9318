from modelcard.cli import main

raise SystemExit(main())
