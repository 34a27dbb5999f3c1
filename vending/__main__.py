from vending.main import main

raise SystemExit(main())
